"""Activations and their derivatives, one entry at a time.

Each activation is written for one Python float (:data:`FORWARD`) together
with its derivative (:data:`DERIVATIVE`), and :func:`apply` and
:func:`apply_backward` loop them over every entry of an array. The layers use
the same two tables, so the activation code exists once.
"""

import math

import numpy as np

from nncore.contract import implements
from nncore.interface import LEAKY_SLOPE


def scalar_sigmoid(z):
    """``1 / (1 + exp(-z))``, written so that exp never sees a positive argument."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _sigmoid_prime(z):
    s = scalar_sigmoid(z)
    return s * (1.0 - s)


def _tanh_prime(z):
    t = math.tanh(z)
    return 1.0 - t * t


#: name -> g(z) on one float.
FORWARD = {
    "sigmoid": scalar_sigmoid,
    "tanh": math.tanh,
    "relu": lambda z: z if z > 0 else 0.0,
    "leaky_relu": lambda z: z if z > 0 else LEAKY_SLOPE * z,
}

#: name -> g'(z) on one float (0 at z = 0 for the ReLUs, as in the course).
DERIVATIVE = {
    "sigmoid": _sigmoid_prime,
    "tanh": _tanh_prime,
    "relu": lambda z: 1.0 if z > 0 else 0.0,
    "leaky_relu": lambda z: 1.0 if z > 0 else LEAKY_SLOPE,
}


def apply(g, Z):
    """``A[index] = g(Z[index])`` for every index of Z, into a new array of Z's dtype."""
    A = np.empty(Z.shape, Z.dtype)
    for index in np.ndindex(Z.shape):
        A[index] = g(float(Z[index]))
    return A


def apply_backward(g_prime, dA, Z):
    """``dZ[index] = dA[index] * g'(Z[index])`` for every index, into a new array."""
    dZ = np.empty(Z.shape, Z.dtype)
    for index in np.ndindex(Z.shape):
        dZ[index] = float(dA[index]) * g_prime(float(Z[index]))
    return dZ


@implements
def sigmoid(Z):
    """Per entry: ``1 / (1 + exp(-z))`` for z >= 0, else ``e / (1 + e)`` with ``e = exp(z)``."""
    return apply(FORWARD["sigmoid"], Z)


@implements
def tanh(Z):
    """Per entry: ``math.tanh(z)``."""
    return apply(FORWARD["tanh"], Z)


@implements
def relu(Z):
    """Per entry: ``z if z > 0 else 0``."""
    return apply(FORWARD["relu"], Z)


@implements
def leaky_relu(Z):
    """Per entry: ``z if z > 0 else 0.01 * z``."""
    return apply(FORWARD["leaky_relu"], Z)


@implements
def sigmoid_backward(dA, Z):
    """The course's ``sigmoid_backward``, per entry: ``s = sigmoid(z)``, ``dz = da * s * (1 - s)``."""
    return apply_backward(DERIVATIVE["sigmoid"], dA, Z)


@implements
def tanh_backward(dA, Z):
    """Per entry: ``dz = da * (1 - tanh(z) ** 2)``."""
    return apply_backward(DERIVATIVE["tanh"], dA, Z)


@implements
def relu_backward(dA, Z):
    """The course's ``relu_backward``, per entry: ``dz = da`` if ``z > 0`` else 0."""
    return apply_backward(DERIVATIVE["relu"], dA, Z)


@implements
def leaky_relu_backward(dA, Z):
    """Per entry: ``dz = da`` if ``z > 0`` else ``0.01 * da``."""
    return apply_backward(DERIVATIVE["leaky_relu"], dA, Z)
