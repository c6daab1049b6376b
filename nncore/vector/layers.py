"""One layer's forward and backward pass, vectorized."""

import numpy as np

from nncore.contract import implements
from nncore.interface import LayerCache
from nncore.vector.activations import BACKWARD_FROM_A, FORWARD, backward


@implements
def linear_forward(A_prev, W, b):
    """One matrix product ``W @ A_prev`` (BLAS), then ``+= b`` in place."""
    with np.errstate(under="ignore"):  # products of tiny entries underflow to the right 0
        Z = W @ A_prev
        Z += b
    return Z


@implements
def linear_activation_forward(A_prev, W, b, activation):
    """:func:`linear_forward`, then the activation into a new array."""
    Z = linear_forward.unchecked(A_prev, W, b)
    A = FORWARD[activation](Z, out=np.empty_like(Z))
    return A, LayerCache(A_prev, W, b, Z, A)


@implements
def linear_backward(dZ, cache):
    """Three BLAS calls' worth: ``dZ @ A_prev.T``, a row sum and ``W.T @ dZ``."""
    m = cache.A_prev.shape[1]
    dW = dZ @ cache.A_prev.T
    dW /= m
    db = dZ.sum(axis=1, keepdims=True)
    db /= m
    return cache.W.T @ dZ, dW, db


@implements
def linear_activation_backward(dA, cache, activation):
    """The activation's derivative from the cached output A (from Z if the cache has no A)."""
    if cache.A is None:
        dZ = backward(activation, dA, cache.Z)
    else:
        dZ = BACKWARD_FROM_A[activation](dA, cache.A, out=np.empty_like(dA))
    return linear_backward.unchecked(dZ, cache)
