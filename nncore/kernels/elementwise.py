"""Element-wise kernels: activations, their derivatives and the cross-entropy cost.

Activations are passed to kernels as small integer codes (:data:`CODES`);
each kernel branches once on the code, outside its loop, so every loop is a
plain ``for i in range(n)`` over contiguous memory that LLVM vectorizes. The
transcendental functions come from :mod:`nncore.kernels.simdmath`, whose exp,
tanh and sigmoid vectorize (Numba's ``math.exp``/``math.tanh`` are scalar libm
calls, several times slower than NumPy's SIMD ufuncs).

Derivatives are taken from the activation's output A, as in the vector tier:
``A * (1 - A)`` for the sigmoid, ``1 - A**2`` for tanh, ``A > 0`` for the ReLUs.
"""

import numpy as np

from nncore.interface import ACTIVATIONS, LEAKY_SLOPE
from nncore.kernels import simdmath
from nncore.kernels.config import inline, kernel
from nncore.kernels.layout import flat

#: Activation name -> the code kernels take: its position in :data:`nncore.interface.ACTIVATIONS`.
CODES = {name: code for code, name in enumerate(ACTIVATIONS)}

#: The codes under their names, for compiled code (a global int is a compile-time constant there).
SIGMOID, TANH, RELU, LEAKY_RELU = CODES["sigmoid"], CODES["tanh"], CODES["relu"], CODES["leaky_relu"]

#: The linear part alone, no activation (``linear_forward``/``linear_backward``, and an output
#: layer whose dZ the caller computed): the code after the activations'.
IDENTITY = len(CODES)


@inline
def _outside(a):
    """How many entries of `a` are nan or inf: a count, which vectorizes (nan compares false)."""
    outside = 0
    for x in a.flat:
        outside += not (abs(x) < np.inf)
    return outside


@kernel
def finite(a, b=None, c=None):
    """Whether every entry of `a` (and of `b` and `c` when given) is finite, neither nan nor inf; serial.

    For small arrays one call costs less than NumPy's ``isfinite`` and the reduction of its
    result, and checking three arrays in one call less than three calls (Numba's dispatch is
    most of it); for large ones it reads each array once, with no boolean array. The JIT
    tier registers it as validation's check (:func:`nncore.validation.use_finite_check`).

    Parameters
    ----------
    a : ndarray, float64 or float32, any shape and layout
    b, c : ndarray or None, optional
        More arrays, of any float dtype, shape and layout. All read only.

    Returns
    -------
    bool
    """
    outside = _outside(a)
    if b is not None:
        outside += _outside(b)
    if c is not None:
        outside += _outside(c)
    return outside == 0


# Codes of the elementary functions of the whole-array kernels (:func:`exp_into`, ...).
_EXP, _LOG, _TANH, _SIGMOID = range(4)


@inline
def _apply(Z, A, code):
    slope = Z.dtype.type(LEAKY_SLOPE)
    zero = Z.dtype.type(0)
    if code == SIGMOID:
        for i in range(Z.size):
            A[i] = simdmath.sigmoid(Z[i])
    elif code == TANH:
        for i in range(Z.size):
            A[i] = simdmath.tanh(Z[i])
    elif code == RELU:
        for i in range(Z.size):
            z = Z[i]
            A[i] = z if z > zero else zero
    elif code == LEAKY_RELU:
        for i in range(Z.size):
            z = Z[i]
            A[i] = z if z > zero else slope * z
    else:
        for i in range(Z.size):
            A[i] = Z[i]


@inline
def _grad(dA, A, dZ, code):
    slope = A.dtype.type(LEAKY_SLOPE)
    zero = A.dtype.type(0)
    one = A.dtype.type(1)
    if code == SIGMOID:
        for i in range(A.size):
            a = A[i]
            dZ[i] = dA[i] * (a * (one - a))
    elif code == TANH:
        for i in range(A.size):
            a = A[i]
            dZ[i] = dA[i] * (one - a * a)
    elif code == RELU:
        for i in range(A.size):
            dZ[i] = dA[i] if A[i] > zero else zero
    elif code == LEAKY_RELU:
        for i in range(A.size):
            dZ[i] = dA[i] if A[i] > zero else slope * dA[i]
    else:
        for i in range(A.size):
            dZ[i] = dA[i]


# Each loop is compiled twice, for distinct arrays and in place: LLVM vectorizes
# a loop over two arrays behind a runtime check that they do not overlap, and
# the same array passed twice fails that check and runs the scalar loop, several
# times slower. With one array the loop needs no check.


@kernel
def _activate_distinct(Z, A, code):
    _apply(Z, A, code)


@kernel
def _activate_in_place(A, code):
    _apply(A, A, code)


@kernel
def _grad_distinct(dA, A, dZ, code):
    _grad(dA, A, dZ, code)


@kernel
def _grad_in_place(dA, A, code):
    _grad(dA, A, dA, code)


@kernel
def activate(Z, A, code):
    """``A[i] = g(Z[i])`` for 1-D contiguous arrays of one length; `A` may be `Z`; serial.

    Parameters
    ----------
    Z : ndarray, 1-D, contiguous, float64 or float32
        Read only (unless it is `A`).
    A : ndarray of Z's shape and dtype, contiguous
        Written. May be `Z` itself (the in-place loop runs), but must not overlap it partially.
    code : int
        Activation code (:data:`CODES`, or ``IDENTITY``: a copy).
    """
    if Z.ctypes.data == A.ctypes.data:
        _activate_in_place(A, code)
    else:
        _activate_distinct(Z, A, code)


@kernel
def grad_from_output(dA, A, dZ, code):
    """``dZ[i] = dA[i] * g'`` written from the output ``A[i] = g(Z[i])``; `dZ` may be `dA`; serial.

    Parameters
    ----------
    dA : ndarray, 1-D, contiguous, float64 or float32
        The gradient in A, read only (unless it is `dZ`).
    A : ndarray of dA's shape and dtype, contiguous
        The activation's output, read only (not read for ``IDENTITY``).
    dZ : ndarray of dA's shape and dtype, contiguous
        Written. May be `dA` (the in-place loop runs) or `A` (each element is read before it is
        written), but must not overlap either partially.
    code : int
        Activation code.
    """
    if dA.ctypes.data == dZ.ctypes.data:
        _grad_in_place(dA, A, code)
    else:
        _grad_distinct(dA, A, dZ, code)


@kernel
def cross_entropy(AL, Y, lo, hi):
    """``-mean(Y log AL + (1 - Y) log(1 - AL))`` over 1-D arrays, AL clipped to [lo, hi]; serial.

    The logarithms are :mod:`simdmath`'s (within 1 ulp, and the loop
    vectorizes: recording the cost every iteration stays cheap); the sum is
    accumulated in float64.

    Parameters
    ----------
    AL : ndarray, 1-D, float64 or float32
        Predicted probabilities, read only.
    Y : ndarray of AL's shape
        Labels (0 or 1), read only.
    lo, hi : float
        The clip bounds (:func:`nncore.interface.probability_bounds`), so that no log is of 0.

    Returns
    -------
    float
        The cost, in float64.
    """
    total = 0.0
    for i in range(AL.size):
        a = float(min(max(AL[i], lo), hi))
        y = float(Y[i])
        total += y * simdmath.log(a) + (1.0 - y) * simdmath.log1m(a)
    return -total / AL.size


@kernel
def grad_from_input(dA, Z, dZ, code):
    """``dZ = dA * g'(Z)`` for 1-D arrays of one length (dZ may alias dA, not Z); serial.

    Parameters
    ----------
    dA : ndarray, 1-D, contiguous, float64 or float32
        The gradient in A, read only (unless it is `dZ`).
    Z : ndarray of dA's shape and dtype, contiguous
        The pre-activation, read only; must not overlap `dZ` (which holds g(Z) first).
    dZ : ndarray of dA's shape and dtype, contiguous
        Written; may be `dA`.
    code : int
        Activation code.
    """
    activate(Z, dZ, code)  # dZ holds A = g(Z) first
    grad_from_output(dA, dZ, dZ, code)


# Whole arrays, 1-D or 2-D: the public kernels of nncore.kernels. A C-contiguous array's
# reshape to 1-D is a view, so the flat loops above serve both ranks.


@kernel
def activation_forward(Z, A, code):
    """``A = g(Z)`` elementwise, for 1-D or 2-D arrays; serial, callable inside ``prange``.

    Parameters
    ----------
    Z : ndarray, 1-D or 2-D, C-contiguous, float64 or float32
        The pre-activation, read only (unless it is `A`).
    A : ndarray of Z's shape and dtype, C-contiguous
        Written. May be `Z` itself (in place), but must not overlap it partially.
    code : int
        ``SIGMOID``, ``TANH``, ``RELU``, ``LEAKY_RELU`` or ``IDENTITY`` (a copy).
    """
    activate(flat(Z), flat(A), code)


@kernel
def activation_backward(dA, A, dZ, code):
    """``dZ = dA * g'(Z)``, the derivative taken from the output ``A = g(Z)``; serial, callable inside ``prange``.

    From the output, as the vector tier does: ``A (1 - A)`` for the sigmoid, ``1 - A**2`` for
    tanh, ``A > 0`` for the ReLUs.

    Parameters
    ----------
    dA : ndarray, 1-D or 2-D, C-contiguous, float64 or float32
        The gradient in A, read only (unless it is `dZ`).
    A : ndarray of dA's shape and dtype, C-contiguous
        The activation's output, read only (not read for ``IDENTITY``).
    dZ : ndarray of dA's shape and dtype, C-contiguous
        Written. May be `dA` or `A`, but must not overlap either partially.
    code : int
        The activation code of the layer.
    """
    grad_from_output(flat(dA), flat(A), flat(dZ), code)


@inline
def _unary(x, out, fn):
    if fn == _EXP:
        for i in range(x.size):
            out[i] = simdmath.exp(x[i])
    elif fn == _LOG:
        for i in range(x.size):
            out[i] = simdmath.log(x[i])
    elif fn == _TANH:
        for i in range(x.size):
            out[i] = simdmath.tanh(x[i])
    else:
        for i in range(x.size):
            out[i] = simdmath.sigmoid(x[i])


# Distinct and in place, compiled apart for the reason given above _activate_distinct.


@kernel
def _unary_distinct(x, out, fn):
    _unary(x, out, fn)


@kernel
def _unary_in_place(x, fn):
    _unary(x, x, fn)


@inline
def _unary_into(x, out, fn):
    if x.ctypes.data == out.ctypes.data:
        _unary_in_place(flat(x), fn)
    else:
        _unary_distinct(flat(x), flat(out), fn)


@kernel
def exp_into(x, out):
    """``out = exp(x)`` elementwise at SIMD speed (:func:`~nncore.kernels.simdmath.exp`); serial, prange-safe.

    Parameters
    ----------
    x : ndarray, 1-D or 2-D, C-contiguous, float64 or float32
        Read only (unless it is `out`).
    out : ndarray of x's shape and dtype, C-contiguous
        Written; may be `x` itself, but must not overlap it partially.
    """
    _unary_into(x, out, _EXP)


@kernel
def log_into(x, out):
    """``out = log(x)`` elementwise at SIMD speed (:func:`~nncore.kernels.simdmath.log`); serial, prange-safe.

    Parameters
    ----------
    x : ndarray, 1-D or 2-D, C-contiguous, float64 or float32
        Read only (unless it is `out`); -inf for 0, nan below.
    out : ndarray of x's shape and dtype, C-contiguous
        Written; may be `x` itself, but must not overlap it partially.
    """
    _unary_into(x, out, _LOG)


@kernel
def tanh_into(x, out):
    """``out = tanh(x)`` elementwise at SIMD speed; serial, callable inside ``prange``.

    Parameters
    ----------
    x : ndarray, 1-D or 2-D, C-contiguous, float64 or float32
        Read only (unless it is `out`).
    out : ndarray of x's shape and dtype, C-contiguous
        Written; may be `x` itself, but must not overlap it partially.
    """
    _unary_into(x, out, _TANH)


@kernel
def sigmoid_into(x, out):
    """``out = 1 / (1 + exp(-x))`` elementwise at SIMD speed, stable for any x; serial, callable inside ``prange``.

    Parameters
    ----------
    x : ndarray, 1-D or 2-D, C-contiguous, float64 or float32
        Read only (unless it is `out`).
    out : ndarray of x's shape and dtype, C-contiguous
        Written; may be `x` itself, but must not overlap it partially.
    """
    _unary_into(x, out, _SIGMOID)
