"""Activations and their derivatives, vectorized.

The sigmoid is SciPy's ``expit``: exact to an ulp, finite for every input and
silent at ``Z = +-1000``, where ``1 / (1 + np.exp(-Z))`` overflows.

Each activation comes in two forms: the public ``g(Z)`` and ``g_backward(dA, Z)``
of the tier interface, and the private tables :data:`FORWARD` and
:data:`BACKWARD_FROM_A` that the layer and model code use. Those write into
preallocated buffers and take the derivative from the activation's *output*
``A`` (``1 - A**2`` for tanh, ``A * (1 - A)`` for the sigmoid, ``A > 0`` for
the ReLUs), so the backward pass needs neither Z nor a second exp or tanh.
"""

import numpy as np
from scipy.special import expit

from nncore.contract import implements
from nncore.interface import LEAKY_SLOPE


def _sigmoid(Z, out):
    return expit(Z, out=out)


def _tanh(Z, out):
    return np.tanh(Z, out=out)


def _relu(Z, out):
    return np.maximum(Z, 0, out=out)


def _leaky_relu(Z, out):
    # max(z, 0.01 z) is z for z > 0 and 0.01 z otherwise, since the slope is < 1.
    return np.maximum(Z, LEAKY_SLOPE * Z, out=out)


def _sigmoid_backward_from_A(dA, A, out):
    np.subtract(1, A, out=out)
    out *= A
    out *= dA
    return out


def _tanh_backward_from_A(dA, A, out):
    np.multiply(A, A, out=out)
    np.subtract(1, out, out=out)
    out *= dA
    return out


def _relu_backward_from_A(dA, A, out):
    # A > 0 exactly where Z > 0, so the mask of the output is the mask of Z.
    return np.multiply(dA, A > 0, out=out)


def _leaky_relu_backward_from_A(dA, A, out):
    np.multiply(dA, LEAKY_SLOPE, out=out)
    np.copyto(out, dA, where=A > 0)
    return out


#: name -> g(Z, out): A, writing into `out` (which may be Z itself).
FORWARD = {
    "sigmoid": _sigmoid,
    "tanh": _tanh,
    "relu": _relu,
    "leaky_relu": _leaky_relu,
}

#: name -> g'(dA, A, out): dZ, the gradient through g given its output A.
#: `out` must be a separate array from both dA and A.
BACKWARD_FROM_A = {
    "sigmoid": _sigmoid_backward_from_A,
    "tanh": _tanh_backward_from_A,
    "relu": _relu_backward_from_A,
    "leaky_relu": _leaky_relu_backward_from_A,
}


def backward(activation, dA, Z):
    """dZ for `activation` given dA and the pre-activation Z, in fresh arrays."""
    A = FORWARD[activation](Z, out=np.empty_like(Z))
    return BACKWARD_FROM_A[activation](dA, A, out=np.empty_like(dA))


@implements
def sigmoid(Z):
    """SciPy's ``expit``."""
    return _sigmoid(Z, out=np.empty_like(Z))


@implements
def tanh(Z):
    """NumPy's ``np.tanh``."""
    return _tanh(Z, out=np.empty_like(Z))


@implements
def relu(Z):
    """``np.maximum(Z, 0)``."""
    return _relu(Z, out=np.empty_like(Z))


@implements
def leaky_relu(Z):
    """``np.maximum(Z, 0.01 * Z)``."""
    return _leaky_relu(Z, out=np.empty_like(Z))


@implements
def sigmoid_backward(dA, Z):
    """``s = expit(Z)``, then ``dA * s * (1 - s)``."""
    return backward("sigmoid", dA, Z)


@implements
def tanh_backward(dA, Z):
    """``t = np.tanh(Z)``, then ``dA * (1 - t * t)``."""
    return backward("tanh", dA, Z)


@implements
def relu_backward(dA, Z):
    """``dA * (Z > 0)``."""
    return BACKWARD_FROM_A["relu"](dA, Z, out=np.empty_like(dA))


@implements
def leaky_relu_backward(dA, Z):
    """``dA * where(Z > 0, 1, 0.01)``."""
    return BACKWARD_FROM_A["leaky_relu"](dA, Z, out=np.empty_like(dA))
