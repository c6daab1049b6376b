"""Kernels of the course's NumPy basics: softmax, row normalisation, losses, the dot demo.

Arrays are float64 or float32; the callers (:mod:`nncore.jit.basics`) make them contiguous.
"""

import math

import numpy as np
from numba import prange

from nncore.kernels import simdmath
from nncore.kernels.config import kernel, parallel_kernel
from nncore.kernels.partition import block_of


@kernel
def softmax_rows(x, out):
    """The softmax of each row of `x` into `out`; serial.

    Each row is shifted by its maximum before :func:`~nncore.kernels.simdmath.exp`, and its
    sum is accumulated in float64.

    Parameters
    ----------
    x : ndarray of shape (n, k), C-contiguous
        Read only (unless it is `out`).
    out : ndarray of x's shape and dtype, C-contiguous
        Written; may be `x` (each entry is read before it is written).
    """
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
def normalize_rows(x, out):
    """Each row of `x` divided by its Euclidean norm, into `out`; serial.

    The row is first divided by its largest ``|entry|``, so that the squares
    neither overflow nor underflow; a row of zeros stays zeros.

    Parameters
    ----------
    x : ndarray of shape (n, k), C-contiguous
        Read only (unless it is `out`).
    out : ndarray of x's shape and dtype, C-contiguous
        Written; may be `x`.
    """
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
def sum_abs_diff(a, b, power):
    """``sum |b - a|`` (power 1) or ``sum (b - a)**2`` (any other power), in float64; serial.

    Parameters
    ----------
    a, b : ndarray, 1-D, of one length
        Any real dtypes; read only.
    power : int
        1 for the L1 loss, 2 for the L2 loss.

    Returns
    -------
    float
    """
    total = 0.0
    for i in range(a.size):
        d = float(b[i]) - float(a[i])
        total += abs(d) if power == 1 else d * d
    return total


@kernel
def dot_serial(a, b):
    """The dot product of two vectors on one thread, accumulated in their dtype.

    Parameters
    ----------
    a, b : ndarray, 1-D, of one length and dtype
        Read only.

    Returns
    -------
    scalar of that dtype
    """
    s = a.dtype.type(0)
    for i in range(a.size):
        s += a[i] * b[i]
    return s


@parallel_kernel
def dot_parallel(a, b, threads):
    """The dot product of two vectors, `threads` blocks summed in parallel; parallel.

    Each thread sums its block (aligned to 64 elements) with :func:`dot_serial`;
    the partial sums are added in float64, so a result repeats for a given
    thread count.

    Parameters
    ----------
    a, b : ndarray, 1-D, contiguous, of one length and dtype
        Read only.
    threads : int
        The number of blocks (1: one thread does it all).

    Returns
    -------
    float
    """
    partial = np.zeros(threads)
    for t in prange(threads):
        lo, hi = block_of(a.size, threads, t, 64)
        partial[t] = dot_serial(a[lo:hi], b[lo:hi])
    return partial.sum()
