"""Kernels of the course's NumPy basics: softmax, row normalisation, losses, the dot demo."""

import math

import numpy as np
from numba import prange

from nncore.kernels import simdmath
from nncore.kernels.config import kernel, parallel_kernel
from nncore.kernels.partition import block_of


@kernel
def softmax_rows(x, out):
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
    total = 0.0
    for i in range(a.size):
        d = float(b[i]) - float(a[i])
        total += abs(d) if power == 1 else d * d
    return total


@kernel
def dot_serial(a, b):
    s = a.dtype.type(0)
    for i in range(a.size):
        s += a[i] * b[i]
    return s


@parallel_kernel
def dot_parallel(a, b, threads):
    partial = np.zeros(threads)
    for t in prange(threads):
        lo, hi = block_of(a.size, threads, t, 64)
        partial[t] = dot_serial(a[lo:hi], b[lo:hi])
    return partial.sum()
