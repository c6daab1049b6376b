"""The JIT tier's one-layer passes (public wrappers over :mod:`nncore.kernels.dense`).

Arrays keep the course's layout, C-contiguous. A Fortran-ordered input A_prev
with many features (:data:`nncore.kernels.layout.XT_MIN_FEATURES`), such as the
images ``flatten_images`` returns, is read one sample per row instead, for long
dot products; a C-ordered one is read as it is, never copied for one pass.
"""

import contextlib

import numba
import numpy as np

from nncore.contract import implements
from nncore.interface import LayerCache
from nncore.jit.activations import gradient
from nncore.kernels import dense, layer
from nncore.kernels.dense import BLAS_MIN_DIM, ESTIMATE
from nncore.kernels.elementwise import CODES, IDENTITY, grad_from_output
from nncore.kernels.layout import XT_MIN_FEATURES, input_layout
from nncore.kernels.partition import PARALLEL_MIN_WORK
from nncore.threadpool import serial_blas
from nncore.validation import linear_forward_ready


def _by_blas(*dims):
    """Whether the rule of thumb multiplies a product of these dimensions by BLAS."""
    return min(dims) >= BLAS_MIN_DIM


def _blas_threads(*dims):
    """:func:`~nncore.threadpool.serial_blas` for a product the kernels hand to BLAS block by block."""
    return serial_blas() if _by_blas(*dims) else contextlib.nullcontext()


def layer_forward(A_prev, W, b, code):
    """Z and A (n, m) of one layer; A is Z itself for the identity."""
    n, n_prev = W.shape
    m = A_prev.shape[1]
    # Below PARALLEL_MIN_WORK no product goes to BLAS (BLAS_MIN_DIM**3 is larger; tests/test_jit_paths.py).
    small = m * n * n_prev < PARALLEL_MIN_WORK
    if small and n_prev < XT_MIN_FEATURES and A_prev.flags.c_contiguous:
        X, transposed = A_prev, False  # the usual small layer: nothing of input_layout's to do
    else:
        X, transposed = input_layout(A_prev, copy=False)
    if not (W.flags.c_contiguous and b.flags.c_contiguous):
        W, b = np.ascontiguousarray(W), np.ascontiguousarray(b)
    Z = np.empty((n, m), A_prev.dtype)
    A = Z if code == IDENTITY else np.empty((n, m), A_prev.dtype)
    if small:
        # A small layer runs on one thread whatever the count (dense.forward): the serial kernel
        # runs the same code without reading the thread count, which costs more than its math.
        layer.dense_forward(W, b, X, transposed, Z, A, code)
    else:
        with _blas_threads(n, n_prev, m):  # the pass the training loop runs, compiled once for both
            table = dense.part_table(Z.dtype, (dense.FORWARD_PART,))
            dense.forward_kernel(W, b.reshape(-1), X, transposed, Z, A, code, ESTIMATE, numba.get_num_threads(), table)
    return Z, A


def layer_backward(dZ, A_prev, W):
    """(dA_prev, dW, db) of one layer from dZ (n, m)."""
    dZ = np.ascontiguousarray(dZ)
    W = np.ascontiguousarray(W)
    X, transposed = input_layout(A_prev, copy=False)
    n, m = dZ.shape
    threads = numba.get_num_threads()
    dW = np.empty_like(W)
    db = np.empty(n, dZ.dtype)
    dA_prev = np.empty((W.shape[1], m), dZ.dtype)
    table = dense.part_table(dZ.dtype, (dense.BACKPROP_PART, dense.GRADS_PART))
    with _blas_threads(*W.shape, m):
        dense.grads_kernel(dZ, X, transposed, dW, db, ESTIMATE, threads, table)
        dense.backprop_kernel(W, dZ, dA_prev, IDENTITY, dA_prev, ESTIMATE, threads, table)
    dW /= m
    db /= m
    return dA_prev, dW, db.reshape(n, 1)


def fast_forward(A_prev, W, b, code):
    """``(Z, A)`` of a small layer in the course's layout by one compiled call, or ``NotImplemented``.

    The checked forward functions' first try (``implements(fast_call=...)``): arrays the checker
    would return unchanged (:func:`nncore.validation.linear_forward_ready`), C-contiguous, with
    fewer than ``PARALLEL_MIN_WORK`` multiply-adds and ``XT_MIN_FEATURES`` inputs; finiteness is
    tested with the layer in one dispatch (:func:`nncore.kernels.dense.forward_if_finite`). It
    answers only where ``validation.FAST_CHECKS`` says True (tests/test_validation_fast.py);
    everything else, errors included, goes the usual way.
    """
    if not linear_forward_ready(A_prev, W, b):
        return NotImplemented
    n, n_prev = W.shape
    m = A_prev.shape[1]
    if n_prev >= XT_MIN_FEATURES or m * n * n_prev >= PARALLEL_MIN_WORK:
        return NotImplemented
    if not (A_prev.flags.c_contiguous and W.flags.c_contiguous and b.flags.c_contiguous):
        return NotImplemented
    Z = np.empty((n, m), A_prev.dtype)
    A = Z if code == IDENTITY else np.empty((n, m), A_prev.dtype)
    if not dense.forward_if_finite(W, b, A_prev, Z, A, code):
        return NotImplemented
    return Z, A


def _fast_linear_forward(A_prev, W, b):
    Z_A = fast_forward(A_prev, W, b, IDENTITY)
    return Z_A if Z_A is NotImplemented else Z_A[0]


def _fast_linear_activation_forward(A_prev, W, b, activation):
    code = CODES.get(activation) if type(activation) is str else None
    Z_A = NotImplemented if code is None else fast_forward(A_prev, W, b, code)
    return Z_A if Z_A is NotImplemented else (Z_A[1], LayerCache(A_prev, W, b, *Z_A))


@implements(fast_call=_fast_linear_forward)
def linear_forward(A_prev, W, b):
    """``Z = W @ A_prev + b`` by a register-blocked kernel (dot products for wide inputs)."""
    return layer_forward(A_prev, W, b, IDENTITY)[0]


@implements(fast_call=_fast_linear_activation_forward)
def linear_activation_forward(A_prev, W, b, activation):
    """The product, the bias and the activation fused, a block of samples at a time."""
    Z, A = layer_forward(A_prev, W, b, CODES[activation])
    return A, LayerCache(A_prev, W, b, Z, A)


@implements
def linear_backward(dZ, cache):
    """dW and db by dot products over samples, dA_prev by the axpy kernel."""
    return layer_backward(dZ, cache.A_prev, cache.W)


@implements
def linear_activation_backward(dA, cache, activation):
    """``dZ = dA * g'`` from the cached output A (from Z without one), then :func:`linear_backward`."""
    if cache.A is None:
        dZ = gradient(dA, cache.Z, activation)
    else:
        dZ = np.array(dA, order="C")
        flat = dZ.reshape(-1)
        grad_from_output(flat, np.ascontiguousarray(cache.A).reshape(-1), flat, CODES[activation])
    return layer_backward(dZ, cache.A_prev, cache.W)
