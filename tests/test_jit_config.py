"""The JIT tier's compiler settings live in nncore/jit/config.py only."""

import pathlib
import re

import pytest

import nncore

pytestmark = pytest.mark.skipif("jit" not in nncore.TIERS, reason="the JIT tier is not installed")

PACKAGE = pathlib.Path(nncore.__file__).parent


def test_fastmath_is_set_in_config_only():
    """No module but config.py spells out fast-math flags."""
    pattern = re.compile(r"fastmath\s*=|[\"']fastmath[\"']\s*:")
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "config.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == [], "compiler settings outside nncore/jit/config.py:\n" + "\n".join(offenders)


def test_kernel_flags_leave_out_nnan_and_ninf():
    from nncore.jit import config

    assert not {"nnan", "ninf", "fast"} & config.FASTMATH
    assert config.ELEMENTARY_FASTMATH == {"contract"}
