"""The JIT tier's activation functions and their derivatives (public wrappers)."""

import numpy as np

from nncore.contract import implements
from nncore.kernels.elementwise import CODES, activate, grad_from_input


def apply(Z, activation):
    """g(Z) for an array of any shape and layout, into a new array of that shape."""
    flat = np.ascontiguousarray(Z).reshape(-1)
    A = np.empty_like(flat)
    activate(flat, A, CODES[activation])
    return A.reshape(Z.shape)


def gradient(dA, Z, activation):
    """dA * g'(Z) for arrays of one shape, into a new array of that shape."""
    dA_flat = np.ascontiguousarray(dA).reshape(-1)
    dZ = np.empty_like(dA_flat)
    grad_from_input(dA_flat, np.ascontiguousarray(Z).reshape(-1), dZ, CODES[activation])
    return dZ.reshape(dA.shape)


@implements
def sigmoid(Z):
    """A compiled loop over ``simdmath.sigmoid`` (vectorized, stable)."""
    return apply(Z, "sigmoid")


@implements
def tanh(Z):
    """A compiled loop over ``simdmath.tanh`` (vectorized)."""
    return apply(Z, "tanh")


@implements
def relu(Z):
    """A compiled loop, ``z if z > 0 else 0``."""
    return apply(Z, "relu")


@implements
def leaky_relu(Z):
    """A compiled loop, ``z if z > 0 else 0.01 z``."""
    return apply(Z, "leaky_relu")


@implements
def sigmoid_backward(dA, Z):
    """One compiled pass: ``a = sigmoid(z)``, then ``da * a * (1 - a)``."""
    return gradient(dA, Z, "sigmoid")


@implements
def tanh_backward(dA, Z):
    """One compiled pass: ``a = tanh(z)``, then ``da * (1 - a * a)``."""
    return gradient(dA, Z, "tanh")


@implements
def relu_backward(dA, Z):
    """One compiled pass: ``da if relu(z) > 0 else 0``."""
    return gradient(dA, Z, "relu")


@implements
def leaky_relu_backward(dA, Z):
    """One compiled pass: ``da if z > 0 else 0.01 da``."""
    return gradient(dA, Z, "leaky_relu")
