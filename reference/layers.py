"""One layer's forward and backward pass, looping over units, samples and inputs."""

import numpy as np

from nncore.contract import implements
from nncore.interface import LayerCache

from .activations import DERIVATIVE, FORWARD, apply, apply_backward


@implements
def linear_forward(A_prev, W, b):
    """The course's ``linear_forward``: for each unit j and sample i, ``z = b_j + sum_k W_jk A_prev_ki``."""
    n, n_prev = W.shape
    m = A_prev.shape[1]
    Z = np.empty((n, m), W.dtype)
    for j in range(n):
        for i in range(m):
            z = float(b[j, 0])
            for k in range(n_prev):
                z += float(W[j, k]) * float(A_prev[k, i])
            Z[j, i] = z
    return Z


@implements
def linear_activation_forward(A_prev, W, b, activation):
    """The course's ``linear_activation_forward``: :func:`linear_forward`, then g on every entry."""
    Z = linear_forward.unchecked(A_prev, W, b)
    A = apply(FORWARD[activation], Z)
    return A, LayerCache(A_prev, W, b, Z, A)


@implements
def linear_backward(dZ, cache):
    """The course's ``linear_backward``, one sum per entry.

    ``dW_jk = sum_i dZ_ji A_prev_ki / m``, ``db_j = sum_i dZ_ji / m`` and
    ``dA_prev_ki = sum_j W_jk dZ_ji``.
    """
    A_prev, W = cache.A_prev, cache.W
    n, n_prev = W.shape
    m = A_prev.shape[1]
    dW = np.empty((n, n_prev), dZ.dtype)
    db = np.empty((n, 1), dZ.dtype)
    dA_prev = np.empty((n_prev, m), dZ.dtype)
    for j in range(n):
        for k in range(n_prev):
            dW[j, k] = sum(float(dZ[j, i]) * float(A_prev[k, i]) for i in range(m)) / m
        db[j, 0] = sum(float(dZ[j, i]) for i in range(m)) / m
    for k in range(n_prev):
        for i in range(m):
            dA_prev[k, i] = sum(float(W[j, k]) * float(dZ[j, i]) for j in range(n))
    return dA_prev, dW, db


@implements
def linear_activation_backward(dA, cache, activation):
    """The course's ``linear_activation_backward``: ``dZ = dA * g'(Z)`` per entry, then :func:`linear_backward`."""
    dZ = apply_backward(DERIVATIVE[activation], dA, cache.Z)
    return linear_backward.unchecked(dZ, cache)
