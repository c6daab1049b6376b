"""The JIT tier's one-layer passes (public wrappers over :mod:`nncore.jit.dense`).

Inputs in the course's layout (n, m) are viewed as samples-major (m, n)
arrays (no copy when Fortran-ordered); outputs are returned in the course's
layout as transposed views of the kernels' C-contiguous results, so they are
Fortran-ordered.
"""

import numba
import numpy as np

from nncore.interface import LayerCache, implements
from nncore.jit import dense
from nncore.jit.activations import gradient
from nncore.jit.elementwise import CODES, IDENTITY, grad_from_output
from nncore.jit.network import samples_major


def layer_forward(A_prev, W, b, code):
    """ZT and AT (m, n) of one layer, from the course-layout A_prev."""
    AT_prev = samples_major(A_prev)
    m, n = AT_prev.shape[0], W.shape[0]
    ZT = np.empty((m, n), A_prev.dtype)
    AT = ZT if code == IDENTITY else np.empty_like(ZT)
    dense.forward_kernel(AT_prev, np.ascontiguousarray(W), np.ascontiguousarray(b.reshape(-1)), ZT, AT, code, numba.get_num_threads())
    return ZT, AT


def layer_backward(dZ, A_prev, W):
    """(dA_prev, dW, db) in the course's layout, from dZ (n, m)."""
    dZT = samples_major(dZ)
    AT_prev = samples_major(A_prev)
    W = np.ascontiguousarray(W)
    m, n = dZT.shape
    dW = np.empty_like(W)
    db = np.empty(n, dZ.dtype)
    dense.grads_kernel(dZT, AT_prev, dW, db, np.empty((n, m), dZ.dtype), numba.get_num_threads())
    dW /= m
    db /= m
    dAT_prev = np.empty_like(AT_prev)
    dense.backprop_kernel(dZT, W, AT_prev, IDENTITY, dAT_prev, numba.get_num_threads())
    return dAT_prev.T, dW, db.reshape(n, 1)


@implements
def linear_forward(A_prev, W, b):
    """``ZT = A_prev.T @ W.T + b`` by the register-blocked dot-product kernel."""
    ZT, _ = layer_forward(A_prev, W, b, IDENTITY)
    return ZT.T


@implements
def linear_activation_forward(A_prev, W, b, activation):
    """The product, the bias and the activation fused, one block of samples at a time."""
    ZT, AT = layer_forward(A_prev, W, b, CODES[activation])
    return AT.T, LayerCache(A_prev, W, b, ZT.T, AT.T)


@implements
def linear_backward(dZ, cache):
    """dW and dA_prev by the register-blocked axpy kernel, db in the same pass."""
    return layer_backward(dZ, cache.A_prev, cache.W)


@implements
def linear_activation_backward(dA, cache, activation):
    """``dZ = dA * g'`` from the cached output A (from Z without one), then :func:`linear_backward`."""
    if cache.A is None:
        dZ = gradient(dA, cache.Z, activation)
    else:
        dZT = np.array(dA.T, order="C")
        flat = dZT.reshape(-1)
        grad_from_output(flat, samples_major(cache.A).reshape(-1), flat, CODES[activation])
        dZ = dZT.T
    return layer_backward(dZ, cache.A_prev, cache.W)
