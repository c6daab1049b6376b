"""Elementary functions that vectorize inside Numba loops.

Numba lowers ``math.exp``, ``math.tanh`` and ``math.log`` to scalar libm calls, which LLVM cannot
vectorize, so a compiled activation loop runs several times slower than NumPy's SIMD ufuncs. The
functions here are branch-free (selects, integer bit views, FMAs, at most two divisions), so a
plain ``for i in range(n): A[i] = sigmoid(Z[i])`` loop compiles to SIMD code (8 float64 or 16
float32 lanes with AVX-512) and runs at NumPy ufunc speed.

Public functions, for ``@numba.njit`` code: :func:`exp`, :func:`tanh`, :func:`sigmoid`,
:func:`log`, :func:`log1m`. Each takes a float64 or float32 and returns the same type; float32 has
its own constants and shorter polynomials and is computed in float32. Called from plain Python
(tests, debugging) they run the same compiled code on one scalar and return a Python float.

Accuracy (max error in ulps of the argument's dtype, against references one precision up; float32
over every float32 input, float64 over dense samples of the whole range): exp 1.0 / 1.1, tanh
2.0 / 2.1, sigmoid 2.3 / 2.4, log 0.9 / 0.9, log1m 1.5 / 1.5 (float64 / float32).
Subnormal arguments and results are handled (gradual underflow), not flushed to zero.

Compilation model
-----------------
Each public name is a Numba ``overload`` whose implementation is compiled as a function of its
own with :data:`~nncore.kernels.config.ELEMENTARY_OPTIONS` (fast-math ``contract`` only,
``error_model="numpy"``); LLVM then inlines it into the calling loop
before vectorizing. Compiled apart, it keeps its flags whatever the caller's are: a caller's
``reassoc`` cannot fold the Cody-Waite split of exp or the error term of log1m, and a caller's
``nnan``/``ninf`` cannot delete the NaN and overflow selects. Numba-IR inlining
(``inline="always"``) would re-lower these bodies under the caller's flags and error model, so the
public functions deliberately do not use it.
"""

import math
from collections import namedtuple

import numba
import numpy as np
from numba.extending import intrinsic, overload

# The compiler options of every function here, with their reasons, are defined in
# nncore.kernels.config (the one place compiler settings live) and used under that one name.
from nncore.kernels.config import ELEMENTARY_OPTIONS

__all__ = ["exp", "tanh", "sigmoid", "log", "log1m"]


def _fma(a, b, c):
    """a * b + c rounded once (plain Python before 3.13 rounds twice; compiled code never does)."""
    return type(a)(math.fma(a, b, c)) if hasattr(math, "fma") else a * b + c


@intrinsic
def _llvm_fma(typingctx, a, b, c):
    """``llvm.fma``: the fused multiply-add instruction (vfmadd), whatever the fast-math flags."""
    if isinstance(a, numba.types.Float) and a == b == c:
        return a(a, b, c), lambda context, builder, sig, args: builder.fma(*args)
    return None


@overload(_fma, inline="always")
def _fma_impl(a, b, c):
    """Compiled :func:`_fma`: one ``llvm.fma`` instruction."""
    return lambda a, b, c: _llvm_fma(a, b, c)


_Format = namedtuple(
    "_Format",
    [
        "float",
        "int",
        "mant_bits",
        "exp_lo",
        "exp_hi",
        "expm1_lo",
        "log2e",
        "ln2_hi",
        "ln2_lo",
        "exp_poly",
        "log_poly",
        "sqrt_half_bits",
    ],
)
_Format.__doc__ = """Constants of one floating-point format (see :func:`_build`)."""

# Polynomial coefficients, lowest degree first, are Remez (minimax) fits computed in 80-bit long
# double:
#   exp_poly: P with exp(r) ~ 1 + r + r**2 P(r) on |r| <= ln(2)/2 * 1.0001;
#   log_poly: T with log1p(f) ~ 2s + s z T(z), s = f / (2 + f),
#             z = s**2 <= ((sqrt(2) - 1) / (sqrt(2) + 1))**2.
# Max fit errors (absolute, on P or T): exp64 1.5e-18, log64 3.1e-16, exp32 6.2e-8, log32 1.9e-7,
# which contribute < 0.2 ulp to the results.
_F64 = _Format(
    float=np.float64,
    int=np.int64,
    mant_bits=52,
    # exp(x) rounds to 0 below -745.14 and overflows above 709.79; clamping x to [-746, 710]
    # keeps every integer in range and still gives 0 / inf at the clamp points.
    exp_lo=-746.0,
    exp_hi=710.0,
    # tanh: 2 exp(-2|x|) < 2**-54 for |x| > 19.1, so tanh rounds to +-1 past |x| = 20.
    expm1_lo=-40.0,
    log2e=1.4426950408889634,
    # Cody-Waite split of ln 2 (fdlibm): ln2_hi has 21 trailing zero bits, so k * ln2_hi is exact.
    ln2_hi=6.93147180369123816490e-01,
    ln2_lo=1.90821492927058770002e-10,
    exp_poly=(
        0.5,
        0.1666666666666667,
        0.04166666666666671,
        0.008333333333326112,
        0.0013888888888857263,
        0.0001984126987488669,
        2.4801587386265124e-05,
        2.7557255336173772e-06,
        2.755721641806633e-07,
        2.5105237260957158e-08,
        2.0933616705790195e-09,
    ),
    log_poly=(
        0.666666666666667,
        0.39999999999898445,
        0.2857142862640014,
        0.2222221107270391,
        0.18182893227992472,
        0.15331596675207326,
        0.14617875933813285,
    ),
    sqrt_half_bits=0x3FE6A09E667F3BCD,  # bits of sqrt(0.5)
)
_F32 = _Format(
    float=np.float32,
    int=np.int32,
    mant_bits=23,
    exp_lo=-104.0,
    exp_hi=89.0,  # exp underflows below -103.98, overflows above 88.73
    expm1_lo=-20.0,  # tanh rounds to +-1 past |x| = 9.1
    log2e=1.442695,
    ln2_hi=0.693115234375,
    ln2_lo=3.1946183e-05,  # ln2_hi has 12 trailing zero bits
    exp_poly=(0.5, 0.16666576, 0.041666374, 0.008363181, 0.0013941124),
    log_poly=(0.66666687, 0.39988717, 0.29582152),
    sqrt_half_bits=0x3F3504F3,
)


def _build(fmt):
    """Compile the kernels of one floating-point format.

    Parameters
    ----------
    fmt : _Format
        Constants of the format. Every literal below is converted to ``fmt.float`` or ``fmt.int``
        first, so that float32 code stays float32 (a float64 literal would promote it).

    Returns
    -------
    dict
        ``{"exp": kernel, "tanh": ..., "sigmoid": ..., "log": ..., "log1m": ...}``, each a
        ``numba.njit`` dispatcher compiled with ``ELEMENTARY_OPTIONS``.
    """
    F, I = fmt.float, fmt.int
    zero, half, one, two = F(0), F(0.5), F(1), F(2)
    inf, nan = F(np.inf), F(np.nan)
    exp_lo, exp_hi, expm1_lo = F(fmt.exp_lo), F(fmt.exp_hi), F(fmt.expm1_lo)
    tanh_split = F(-2 * np.arctanh(0.5))  # u = -2|x| where tanh|x| = 1/2
    log2e, ln2_hi, ln2_lo = F(fmt.log2e), F(fmt.ln2_hi), F(fmt.ln2_lo)
    exp_poly = tuple(F(c) for c in reversed(fmt.exp_poly))  # highest degree first, for Horner
    log_poly = tuple(F(c) for c in reversed(fmt.log_poly))
    zero_i, one_i, mant_bits = I(0), I(1), I(fmt.mant_bits)
    sigmoid_k_lo = I(-2 * fmt.mant_bits)
    bias = I(np.finfo(F).maxexp - 1)
    exp_mask = -(one_i << mant_bits)  # sign and exponent bits
    sqrt_half_bits = I(fmt.sqrt_half_bits)
    tiny = F(np.finfo(F).tiny)
    subnormal_scale, subnormal_k = F(2.0**fmt.mant_bits), -mant_bits

    @numba.njit(inline="always")
    def horner(x, coefs):
        """Evaluate the polynomial with coefficients ``coefs`` (highest degree first) at x."""
        p = coefs[0]
        for c in numba.literal_unroll(coefs[1:]):
            p = p * x + c
        return p

    @numba.njit(inline="always")
    def pow2(k):
        """2.0**k as fmt.float, built in the exponent bits; k must give a normal number."""
        return I((k + bias) << mant_bits).view(F)

    @numba.njit(inline="always")
    def exp_reduced(x):
        """(k, q) with exp(x) = 2**k (1 + q), |q| < 0.42, for x in [exp_lo, exp_hi] (not NaN)."""
        kf = np.rint(x * log2e)
        r = (x - kf * ln2_hi) - kf * ln2_lo  # Cody-Waite: exact first product and subtraction
        q = r + r * r * horner(r, exp_poly)
        return I(kf), q

    def exp(x):
        """:func:`exp` for fmt."""
        xc = x if x < exp_hi else exp_hi  # NaN -> exp_hi; the result is fixed at the end
        xc = xc if xc > exp_lo else exp_lo
        k, q = exp_reduced(xc)
        # 2**k in two factors so that neither overflows (k in [-1076, 1024] for float64); the
        # first product rounds once (FMA), the second is exact or rounds once into inf or into a
        # subnormal.
        k1 = k >> one_i
        s1 = pow2(k1)
        y = _fma(s1, q, s1) * pow2(k - k1)
        return y if x == x else x

    def tanh(x):
        """:func:`tanh` for fmt."""
        # With u = -2|x| = k ln2 + r and s = 2**k (normal): e**u = s + s q, expm1(u) =
        # s q + (s - 1) and 1 + e**u = s q + (s + 1), each one FMA (s - 1, s + 1 exact).
        # tanh|x| = -expm1(u) / (1 + e**u) while it is < 1/2 (expm1 is accurate near 0: no
        # cancellation), else 1 - 2 e**u / (1 + e**u) (the small quotient's rounding is scaled
        # down). One division serves both.
        u = -two * abs(x)
        u = u if u > expm1_lo else expm1_lo  # NaN -> expm1_lo; fixed at the end
        k, q = exp_reduced(u)
        s = pow2(k)
        small = u > tanh_split
        num = -_fma(s, q, s - one) if small else two * _fma(s, q, s)
        c = num / _fma(s, q, s + one)
        y = np.copysign(c if small else one - c, x)
        return y if x == x else x

    def sigmoid(x):
        """:func:`sigmoid` for fmt."""
        # e = exp(-|x|) never overflows; 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0 keep
        # the relative accuracy on both sides (sigmoid(-700) = 9.86e-305, not 0). As in exp,
        # e = (s1 + s1 q) s2; 1 + e = s q + (s + 1) with s = 2**max(k, -2 mant_bits) (one FMA;
        # below that 1 + e rounds to 1 anyway).
        u = -abs(x)
        u = u if u > exp_lo else exp_lo  # NaN -> exp_lo; fixed at the end
        k, q = exp_reduced(u)
        k1 = k >> one_i
        s1 = pow2(k1)
        e = _fma(s1, q, s1) * pow2(k - k1)
        s = pow2(k if k > sigmoid_k_lo else sigmoid_k_lo)
        y = (one if x >= zero else e) / _fma(s, q, s + one)
        return y if x == x else x

    def log(x):
        """:func:`log` for fmt."""
        # x = 2**k z, z in [sqrt(1/2), sqrt(2)), f = z - 1 (exact); fdlibm's
        # log(z) = f - (hfsq - s (hfsq + R)), hfsq = f**2 / 2, s = f / (2 + f), R = s**2 T(s**2).
        sub = x < tiny
        xs = x * subnormal_scale if sub else x
        ix = F(xs).view(I)
        tmp = ix - sqrt_half_bits
        k = (tmp >> mant_bits) + (subnormal_k if sub else zero_i)
        z = I(ix - (tmp & exp_mask)).view(F)
        f = z - one
        s = f / (two + f)
        ss = s * s
        hfsq = half * f * f
        kf = F(k)
        y = kf * ln2_hi - ((hfsq - (s * (hfsq + ss * horner(ss, log_poly)) + kf * ln2_lo)) - f)
        y = y if x < inf else x  # inf -> inf, NaN -> NaN
        y = y if x != zero else -inf
        return y if x >= zero else nan

    def log1m(x):
        """:func:`log1m` for fmt."""
        # 1 - x = u + e exactly (Fast2Sum, |x| <= 1), so log(1 - x) = log(u) + log1p(e / u),
        # and log1p(e / u) = e / u to within 2**-53 relative.
        u = one - x
        e = (one - u) - x
        y = log(u) + e / u
        return y if u != zero else -inf

    jit = numba.njit(**ELEMENTARY_OPTIONS)
    log = jit(log)  # bound before log1m is compiled: log1m calls it
    return {"exp": jit(exp), "tanh": jit(tanh), "sigmoid": jit(sigmoid), "log": log, "log1m": jit(log1m)}


_KERNELS = {np.dtype(np.float64): _build(_F64), np.dtype(np.float32): _build(_F32)}


def _call(name, x):
    """Kernel ``name`` applied to the Python/NumPy scalar x (the plain-Python entry point).

    With ``NUMBA_DISABLE_JIT=1`` the kernel runs as Python on NumPy scalars, where the IEEE results
    inf, 0 and nan would raise NumPy's overflow/invalid warnings: they are the intended values here.
    """
    dtype = np.dtype(np.float32) if isinstance(x, np.float32) else np.dtype(np.float64)
    with np.errstate(all="ignore"):
        return _KERNELS[dtype][name](x)


def _overload_of(name):
    """Make the decorated stub the public function ``name``.

    In compiled code the stub calls the kernel of its argument's float type: a function compiled
    on its own with ``ELEMENTARY_OPTIONS`` (then inlined by LLVM), the same compiled code that a call
    from plain Python runs.
    """

    def decorate(stub):
        @overload(stub, jit_options=ELEMENTARY_OPTIONS)
        def _impl(x):
            if isinstance(x, numba.types.Float):
                kernel = _KERNELS[np.dtype(str(x))][name]
                return lambda x: kernel(x)
            return None

        return stub

    return decorate


@_overload_of("exp")
def exp(x):
    """Exponential e**x.

    Parameters
    ----------
    x : float64 or float32
        Any value, inf and nan included.

    Returns
    -------
    float64 or float32
        e**x, same type as x; inf past the overflow point (709.78, float32 88.72), 0 below the
        underflow point (-745.13, float32 -103.97), nan for nan.

    Notes
    -----
    Method: Cody-Waite reduction x = k ln2 + r, |r| <= ln2/2 (ln2 split in two parts); exp(r) =
    1 + r + r**2 P(r) with a minimax P of degree 10 (float32: 4); 2**k is built in the exponent
    bits, in two factors so that overflow rounds to inf and underflow rounds gradually into the
    subnormals (not flushed). Accuracy: 1.0 ulp (float32: 1.1 ulp).
    """
    return _call("exp", x)


@_overload_of("tanh")
def tanh(x):
    """Hyperbolic tangent.

    Parameters
    ----------
    x : float64 or float32
        Any value, inf and nan included.

    Returns
    -------
    float64 or float32
        tanh(x), same type as x; +-1 for large |x|, tanh(-0) = -0, nan for nan.

    Notes
    -----
    Method: from the exp reduction of u = -2|x| = k ln2 + r, e**u = 2**k (1 + q) and
    expm1(u) = 2**k q + (2**k - 1) (FMAs, no cancellation near 0), then tanh|x| =
    -expm1(u) / (1 + e**u) below 1/2 and 1 - 2 e**u / (1 + e**u) above, one division for both;
    the sign is copied from x. No separate small-|x| polynomial is needed. Accuracy: 2.1 ulp
    (float64 and float32).
    """
    return _call("tanh", x)


@_overload_of("sigmoid")
def sigmoid(x):
    """Logistic sigmoid 1 / (1 + e**-x), stable for any x.

    Parameters
    ----------
    x : float64 or float32
        Any value, inf and nan included.

    Returns
    -------
    float64 or float32
        sigmoid(x) in [0, 1], same type as x, nan for nan.

    Notes
    -----
    Method: e = exp(-|x|) (never overflows), then 1 / (1 + e) for x >= 0 and e / (1 + e) for
    x < 0 (one division), so the result keeps its relative accuracy for very negative x:
    sigmoid(-700) = 9.86e-305, not 0; below about -708 (float32 -87) it goes gradually through the
    subnormals to 0. Accuracy: 2.3 ulp relative (float32: 2.4 ulp).
    """
    return _call("sigmoid", x)


@_overload_of("log")
def log(x):
    """Natural logarithm.

    Parameters
    ----------
    x : float64 or float32
        Domain x > 0 (subnormals included) and +inf. The cost calls it on AL clipped to
        [finfo.tiny, nextafter(1, 0)].

    Returns
    -------
    float64 or float32
        log(x), same type as x; -inf for +-0, nan for x < 0 and nan, inf for inf.

    Notes
    -----
    Method (fdlibm): x = 2**k z with z in [sqrt(1/2), sqrt(2)) read from the bits (a subnormal x
    is scaled by 2**52, float32 2**23, first), f = z - 1 (exact), s = f / (2 + f),
    log z = 2 atanh(s) = f - (f**2/2 - s (f**2/2 + s**2 T(s**2))) with a minimax T of degree 6
    (float32: 2); k ln2 is added in two parts. One division. Accuracy: 0.9 ulp (float64 and
    float32).
    """
    return _call("log", x)


@_overload_of("log1m")
def log1m(x):
    """log(1 - x), accurate for tiny x (``log1p(-x)``).

    Parameters
    ----------
    x : float64 or float32
        Domain [-1, 1]: the cost calls it on AL clipped to [finfo.tiny, nextafter(1, 0)].

    Returns
    -------
    float64 or float32
        log(1 - x), same type as x; -inf for x = 1, nan for x > 1 and nan.

    Notes
    -----
    Method: u = 1 - x is rounded, but its rounding error e = (1 - u) - x is exact (Fast2Sum), so
    log(1 - x) = log(u) + log1p(e / u) = log(u) + e / u to within 2**-53 relative, with
    :func:`log` for log(u). Two divisions. Accuracy: 1.5 ulp (float64 and float32).
    """
    return _call("log1m", x)
