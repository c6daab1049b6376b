"""nncore.kernels.simdmath: ulp error over the whole range and at the edge cases, in compiled loops.

References are computed one precision up (long double for float64, float64 for float32) and the
error is measured in ulps of the tested dtype: |ours - ref| / spacing(ref rounded to dtype).
"""

import platform
import re

import numba
import numpy as np
import pytest

from nncore.kernels import simdmath

FUNCS = ["exp", "tanh", "sigmoid", "log", "log1m"]
DTYPES = [np.float64, np.float32]
MAX_ULP = {"exp": 2, "tanh": 3, "sigmoid": 3, "log": 2, "log1m": 2}
REF_DTYPE = {np.float64: np.longdouble, np.float32: np.float64}
# With NUMBA_DISABLE_JIT=1 (the coverage run) the kernels run as Python: sample less.
N_SAMPLES = 1_000 if numba.config.DISABLE_JIT else 100_000


# Not cache=True: Numba would keep serving the cached loop after simdmath.py changes (a cache is
# invalidated only by edits to the file of the cached function itself).
@numba.njit
def _apply(func_id, x):
    """out[i] = FUNCS[func_id](x[i]) in a loop like the JIT tier's (vector body + scalar tail)."""
    out = np.empty_like(x)
    for i in range(x.size):
        if func_id == 0:
            out[i] = simdmath.exp(x[i])
        elif func_id == 1:
            out[i] = simdmath.tanh(x[i])
        elif func_id == 2:
            out[i] = simdmath.sigmoid(x[i])
        elif func_id == 3:
            out[i] = simdmath.log(x[i])
        else:
            out[i] = simdmath.log1m(x[i])
    return out


def ours(name, x):
    return _apply(FUNCS.index(name), x)


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


_REFERENCES = {"exp": np.exp, "tanh": np.tanh, "sigmoid": _sigmoid, "log": np.log, "log1m": lambda x: np.log1p(-x)}


def reference(name, x):
    """The function one precision up (its value is then correct to far below an ulp of x.dtype)."""
    with np.errstate(all="ignore"):
        return _REFERENCES[name](x.astype(REF_DTYPE[x.dtype.type]))


def ulp_error(got, ref):
    """|got - ref| in ulps of got's dtype; 0 where both agree exactly (infs, nans, zeros)."""
    dtype = got.dtype
    with np.errstate(all="ignore"):
        rounded = ref.astype(dtype)
        err = np.abs(got.astype(ref.dtype) - ref) / np.spacing(np.abs(rounded)).astype(ref.dtype)
    agree = (got == rounded) | (np.isnan(got) & np.isnan(rounded))
    return np.where(agree, 0.0, np.where(np.isnan(err), np.inf, err))


def assert_ulp(name, x):
    got, ref = ours(name, x), reference(name, x)
    err = ulp_error(got, ref)
    worst = int(np.argmax(err))
    assert err[worst] <= MAX_ULP[name], (
        f"{name}({x[worst]!r}): ours {got[worst]!r}, reference {ref[worst]!r}, {err[worst]:.3g} ulp"
    )
    return float(err[worst])


def samples(name, dtype, n=N_SAMPLES):
    """Dense samples of the domain: uniform over the range, near 0 or 1, log-uniform magnitudes."""
    rng = np.random.default_rng(12345)
    fi = np.finfo(dtype)
    log2_tiny, log2_max = np.log2(float(fi.smallest_subnormal)), np.log2(float(fi.max))
    if name == "log":  # (0, max]: subnormals to max, and near 1
        x = np.concatenate(
            [np.exp2(rng.uniform(log2_tiny, log2_max, n)), rng.uniform(0.5, 2.0, n), 1 + rng.uniform(-1e-6, 1e-6, n)]
        )
    elif name == "log1m":  # [0, 1): subnormals to 1, and near 1
        x = np.concatenate([np.exp2(rng.uniform(log2_tiny, 0, n)), rng.uniform(0, 1, n), 1 - rng.uniform(0, 1e-6, n)])
    else:  # both signs: past the overflow/underflow points, near 0, magnitudes 2**-60 .. 2**7
        big = 760.0 if dtype == np.float64 else 110.0
        x = np.concatenate(
            [
                rng.uniform(-big, big, n),
                rng.uniform(-2, 2, n),
                np.exp2(rng.uniform(-60, 7, n)) * rng.choice([-1.0, 1.0], n),
            ]
        )
    with np.errstate(over="ignore"):
        x = x.astype(dtype)
    inside = {"log": x > 0, "log1m": x < 1}.get(name, True)
    return x[np.isfinite(x) & inside]


def edge_cases(name, dtype):
    """0, -0, tiny, subnormals, nan, the overflow/underflow points of both dtypes, huge, inf."""
    fi = np.finfo(dtype)
    tiny, sub = fi.tiny, fi.smallest_subnormal
    common = [0.0, tiny, sub, 3 * sub, np.nan]
    if name in ("log", "log1m"):
        x = common + [fi.eps, 0.5, np.nextafter(dtype(1), dtype(0)), 1.0, -0.0, -1.0, -tiny]
        x = x + ([2.0, fi.max, np.inf] if name == "log" else [-0.5, -fi.eps])
    else:
        x = common + [
            1.0,
            0.5,
            20.0,
            88.72,
            89.0,
            103.9,
            104.0,
            709.78,
            710.0,
            745.0,
            745.2,
            746.0,
            1e4,
            fi.max,
            np.inf,
        ]
        x = x + [-v for v in x]
    return np.array(x, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", FUNCS)
def test_ulp_bound_over_the_range(name, dtype):
    assert_ulp(name, samples(name, dtype))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", FUNCS)
def test_ulp_bound_at_edge_cases(name, dtype):
    assert_ulp(name, edge_cases(name, dtype))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_special_values(dtype):
    inf, nan = np.inf, np.nan
    cases = {
        "exp": ([nan, inf, -inf, 1e4, -1e4, 0.0, -0.0], [nan, inf, 0.0, inf, 0.0, 1.0, 1.0]),
        "tanh": ([nan, inf, -inf, 1e4, -1e4, 0.0, -0.0], [nan, 1.0, -1.0, 1.0, -1.0, 0.0, -0.0]),
        "sigmoid": ([nan, inf, -inf, 1e4, -1e4, 0.0], [nan, 1.0, 0.0, 1.0, 0.0, 0.5]),
        "log": ([nan, inf, 0.0, -0.0, -1.0, -inf, 1.0], [nan, inf, -inf, -inf, nan, nan, 0.0]),
        "log1m": ([nan, 1.0, 0.0, 2.0], [nan, -inf, 0.0, nan]),
    }
    for name, (x, expected) in cases.items():
        got = ours(name, np.array(x, dtype=dtype))
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, np.array(expected, dtype=dtype), err_msg=name)
        zeros = got == 0
        np.testing.assert_array_equal(
            np.signbit(got[zeros]), np.signbit(np.array(expected)[zeros]), err_msg=f"{name}: sign of zero"
        )


def test_sigmoid_keeps_relative_accuracy_for_very_negative_x():
    x = np.array([-700.0, -708.0, -709.0, -740.0])
    assert np.all(ours("sigmoid", x) > 0)
    assert assert_ulp("sigmoid", x) <= MAX_ULP["sigmoid"]
    np.testing.assert_allclose(ours("sigmoid", np.array([-700.0])), [9.85967654375977e-305], rtol=1e-15)


def test_log1m_is_accurate_where_one_minus_x_rounds():
    x = np.array([1e-300, 1e-20, 2.0**-53, 1.6742237223469334e-16, 1e-10])
    np.testing.assert_allclose(ours("log1m", x), np.log1p(-x), rtol=3e-16)


def test_python_scalars_match_compiled_loop():
    for name in FUNCS:
        for dtype in DTYPES:
            x = np.array([0.375, 0.8125], dtype=dtype)
            assert [getattr(simdmath, name)(v) for v in x] == list(ours(name, x)), (name, dtype)


def test_caller_fastmath_flags_do_not_leak():
    """The kernels keep their own flags: a caller that reassociates (the JIT tier's kernels do)
    must not fold the Cody-Waite split of exp or the error term of log1m."""
    config = pytest.importorskip("nncore.kernels.config")

    @numba.njit(fastmath=set(config.FASTMATH), error_model="numpy")
    def loop(x, y):
        out = np.empty((2, x.size), dtype=x.dtype)
        for i in range(x.size):
            out[0, i] = simdmath.exp(x[i])
            out[1, i] = simdmath.log1m(y[i])
        return out

    x = np.linspace(700.0, 709.7, 1001)
    y = np.geomspace(1e-300, 0.5, 1001)
    got = loop(x, y)
    assert ulp_error(got[0], reference("exp", x)).max() <= MAX_ULP["exp"]
    assert ulp_error(got[1], reference("log1m", y)).max() <= MAX_ULP["log1m"]


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="needs compiled code")
@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="checks x86 SIMD code")
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_loops_vectorize(dtype):
    """The loop body is SIMD code (vector types in LLVM IR) with no libm call left in it."""

    @numba.njit
    def loop(x, out):
        for i in range(x.size):
            out[i] = simdmath.tanh(x[i]) + simdmath.sigmoid(x[i]) + simdmath.log(x[i])

    x = np.ones(8, dtype=dtype)
    loop(x, np.empty_like(x))
    llvm = loop.inspect_llvm(loop.signatures[0])
    kernel = llvm[llvm.index("define") :]
    kernel = kernel[: kernel.index("\n}\n")]
    lane = "double" if dtype == np.float64 else "float"
    assert re.search(rf"<\d+ x {lane}>", kernel), "loop not vectorized"
    assert not re.search(r"call .*@(exp|tanh|log)", kernel), "libm call in the loop"
