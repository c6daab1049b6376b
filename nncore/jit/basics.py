"""The course's NumPy basics as compiled loops."""

import numba
import numpy as np

from nncore import validation
from nncore.contract import implements
from nncore.jit.activations import apply
from nncore.kernels.basics import dot_parallel, softmax_rows, sum_abs_diff
from nncore.kernels.basics import normalize_rows as normalize_rows_kernel
from nncore.kernels.elementwise import SIGMOID, grad_from_output


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
    normalize_rows_kernel(x, out)
    return out


@implements
def softmax(x):
    """Per row: the maximum, ``simdmath.exp`` of the shifted entries, their sum; compiled."""
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    softmax_rows(x, out)
    return out


@implements
def l1_loss(yhat, y):
    """A compiled loop summing ``|y - yhat|`` in float64."""
    return float(sum_abs_diff(np.ascontiguousarray(yhat).reshape(-1), np.ascontiguousarray(y).reshape(-1), 1))


@implements
def l2_loss(yhat, y):
    """A compiled loop summing ``(y - yhat)**2`` in float64."""
    return float(sum_abs_diff(np.ascontiguousarray(yhat).reshape(-1), np.ascontiguousarray(y).reshape(-1), 2))


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
    return float(dot_parallel(a, b, threads))
