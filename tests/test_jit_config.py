"""The JIT tier's compiler settings live in nncore/kernels/config.py only."""

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
    assert offenders == [], "compiler settings outside nncore/kernels/config.py:\n" + "\n".join(offenders)


def test_kernel_flags_leave_out_nnan_and_ninf():
    from nncore.kernels import config

    assert not {"nnan", "ninf", "fast"} & config.FASTMATH
    assert config.ELEMENTARY_FASTMATH == {"contract"}
    assert config.ELEMENTARY_OPTIONS["fastmath"] == {"contract"}


def test_simdmath_compiles_with_the_config_options_under_their_one_name():
    """simdmath takes config's options object itself, and gives it no second name."""
    from nncore.kernels import config, simdmath

    assert simdmath.ELEMENTARY_OPTIONS is config.ELEMENTARY_OPTIONS
    aliases = [name for name, value in vars(simdmath).items() if value is config.ELEMENTARY_FASTMATH]
    assert aliases == []
    assert simdmath.__all__ == ["exp", "tanh", "sigmoid", "log", "log1m"]


def test_cached_kernels_use_the_source_keyed_cache():
    """Every cached kernel of nncore.kernels keeps its code in the source-keyed folder."""
    import numba

    from nncore.kernels import basics, cache, dense, elementwise, gemm, logistic, packed

    if numba.config.DISABLE_JIT:
        pytest.skip("no dispatchers with NUMBA_DISABLE_JIT=1")
    kernels = [packed.train_loop, logistic.optimize_loop, dense.forward_kernel, gemm.dot_rows, basics.dot_parallel]
    kernels.append(elementwise.activate)
    for kernel in kernels:
        assert isinstance(kernel._cache, cache.SourcesCache), kernel
        assert kernel.stats.cache_path == str(cache.cache_dir())
    assert not isinstance(dense.forward._cache, cache.SourcesCache)  # inlined helpers are not cached alone
    # nor are the helpers that LLVM inlines; they are compiled on their own, not copied by Numba's inliner
    assert not isinstance(gemm._axpy_block._cache, cache.SourcesCache)
    assert gemm._axpy_block.targetoptions.get("inline", "never") == "never"
    assert dense.forward.targetoptions["inline"] == "always"  # it holds a prange: inlined into the parallel kernel
