"""The asv benchmark suite imports and is well formed (``asv check``), when asv is installed.

CI installs asv (``.[bench]``) after the tests and runs the same check in
``.ci/run``; this test gives the same answer locally to anyone who has asv.
"""

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("asv", reason="asv is not installed: pip install -e '.[bench]'")

SUITE = Path(__file__).parents[1] / "asv_bench"


def test_asv_check_finds_no_problems():
    done = subprocess.run(
        [sys.executable, "-m", "asv", "check", "--python=same"],
        cwd=SUITE,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No problems found" in done.stdout
