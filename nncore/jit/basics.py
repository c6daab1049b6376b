"""The course's NumPy basics as compiled loops."""

import math

import numba
import numpy as np
from numba import prange

from nncore import validation
from nncore.interface import implements
from nncore.jit import simdmath
from nncore.jit.activations import apply
from nncore.jit.config import kernel, parallel_kernel
from nncore.jit.dense import block_of
from nncore.jit.elementwise import SIGMOID, grad_from_output


@kernel
def _softmax_rows(x, out):
    for i in range(x.shape[0]):
        row, o = x[i], out[i]
        top = row.max()
        total = 0.0
        for j in range(row.size):
            e = simdmath.exp(row[j] - top)
            o[j] = e
            total += e
        scale = o.dtype.type(1.0 / total)
        for j in range(row.size):
            o[j] *= scale


@kernel
def _normalize_rows(x, out):
    for i in range(x.shape[0]):
        row, o = x[i], out[i]
        scale = np.abs(row).max() if row.size else 0.0
        if scale == 0:
            o[:] = 0
            continue
        total = 0.0
        for j in range(row.size):
            v = row[j] / scale
            o[j] = v
            total += v * v
        norm = o.dtype.type(math.sqrt(total))
        for j in range(row.size):
            o[j] /= norm


@kernel
def _sum_abs_diff(a, b, power):
    total = 0.0
    for i in range(a.size):
        d = float(b[i]) - float(a[i])
        total += abs(d) if power == 1 else d * d
    return total


@implements
def sigmoid_derivative(x):
    """One compiled pass: ``s = sigmoid(x)``, then ``s * (1 - s)``."""
    s = apply(x, "sigmoid")
    flat = s.reshape(-1)
    grad_from_output(np.ones_like(flat), flat, flat, SIGMOID)
    return s


@implements
def image2vector(image):
    """A C-order copy of the image as one column."""
    return np.ascontiguousarray(image).reshape(-1, 1).copy()


@implements
def normalize_rows(x):
    """Per row: divide by the largest |entry| (nothing overflows), then by the norm; compiled."""
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    _normalize_rows(x, out)
    return out


@implements
def softmax(x):
    """Per row: the maximum, ``simdmath.exp`` of the shifted entries, their sum; compiled."""
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    _softmax_rows(x, out)
    return out


@implements
def l1_loss(yhat, y):
    """A compiled loop summing ``|y - yhat|`` in float64."""
    return _sum_abs_diff(np.ascontiguousarray(yhat).reshape(-1), np.ascontiguousarray(y).reshape(-1), 1)


@implements
def l2_loss(yhat, y):
    """A compiled loop summing ``(y - yhat)**2`` in float64."""
    return _sum_abs_diff(np.ascontiguousarray(yhat).reshape(-1), np.ascontiguousarray(y).reshape(-1), 2)


@kernel
def _dot_block(a, b):
    s = a.dtype.type(0)
    for i in range(a.size):
        s += a[i] * b[i]
    return s


@parallel_kernel
def _dot(a, b, threads):
    partial = np.zeros(threads)
    for t in prange(threads):
        lo, hi = block_of(a.size, threads, t, 64)
        partial[t] = _dot_block(a[lo:hi], b[lo:hi])
    return partial.sum()


def dot(a, b):
    """Dot product of two vectors: the course's vectorization demo as a JIT kernel.

    Not part of the tier interface. Each thread sums a block of the products in
    vector registers (fast-math reassociation lets LLVM vectorize the sum), then
    the threads' partial sums are added; below 2**16 elements one thread does it.

    Parameters
    ----------
    a, b : array_like of shape (n,)
        Real numbers; converted to one floating dtype and made contiguous.

    Returns
    -------
    float
    """
    a, b = validation.as_numeric(a, "a"), validation.as_numeric(b, "b")
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"a and b must be vectors of one length; got shapes {a.shape} and {b.shape}.")
    dtype = validation.common_float(a, b)
    a = np.ascontiguousarray(a, dtype=dtype)
    b = np.ascontiguousarray(b, dtype=dtype)
    threads = numba.get_num_threads() if a.size >= 1 << 16 else 1
    return float(_dot(a, b, threads))
