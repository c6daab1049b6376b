"""The L-layer model: forward, backward, update, training and prediction, layer by layer."""

import math

import numpy as np

from nncore._shared import layer_by_layer
from nncore.contract import implements
from nncore.errors import TrainingDiverged
from nncore.validation import require_output

from .cost import compute_cost
from .layers import linear_activation_backward, linear_activation_forward, linear_backward
from .training import within_bound


@implements
def model_forward(X, parameters, activations):
    """The course's ``L_model_forward``: :func:`linear_activation_forward` for l = 1 ... L."""
    return layer_by_layer(linear_activation_forward.unchecked, X, parameters, activations)


@implements
def model_backward(AL, Y, caches, activations):
    """The lecture's backward pass: per sample ``dz[L] = a[L] - y``, then layer by layer.

    ``dZ[L] = A[L] - Y`` is the course's own simplification of the
    assignment's ``dAL = -(y / a - (1 - y) / (1 - a))`` times the sigmoid's
    derivative; it stays finite when an output is exactly 0 or 1, where the
    unsimplified product divides by zero. Then :func:`linear_backward` for
    layer L and :func:`linear_activation_backward` for l = L-1 ... 1 (dA0 is
    computed and dropped).
    """
    m = AL.shape[1]
    dZ = np.empty((1, m), AL.dtype)
    for i in range(m):
        dZ[0, i] = float(AL[0, i]) - float(Y[0, i])
    L = len(caches)
    grads = {}
    dA, grads[f"dW{L}"], grads[f"db{L}"] = linear_backward.unchecked(dZ, caches[-1])
    for l in range(L - 1, 0, -1):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward.unchecked(
            dA, caches[l - 1], activations[l - 1]
        )
    return grads


@implements
def update_parameters(parameters, grads, learning_rate):
    """The course's ``update_parameters``, per entry: ``w - learning_rate * dw``, into new arrays."""
    new = {}
    for key, value in parameters.items():
        gradient = grads["d" + key]
        new[key] = np.empty(value.shape, value.dtype)
        for index in np.ndindex(value.shape):
            new[key][index] = float(value[index]) - learning_rate * float(gradient[index])
    return new


@implements
def train(X, Y, parameters, activations, learning_rate, num_iterations, cost_every=100):
    """The course's ``L_layer_model`` loop: forward, cost (where recorded), backward, update."""
    parameters = {key: value.copy() for key, value in parameters.items()}
    costs, last_finite = [], None
    with np.errstate(over="ignore", invalid="ignore"):  # float32 stores of a diverging run; raised below
        for i in range(num_iterations):
            AL, caches = model_forward.unchecked(X, parameters, activations)
            if i % cost_every == 0:
                cost = compute_cost.unchecked(AL, Y)
                if not (math.isfinite(cost) and within_bound(parameters.values())):
                    raise TrainingDiverged(i, learning_rate, last_finite)
                last_finite = i
                costs.append(cost)
            grads = model_backward.unchecked(AL, Y, caches, activations)
            parameters = update_parameters.unchecked(parameters, grads, learning_rate)
    if not within_bound(parameters.values()):
        raise TrainingDiverged(num_iterations, learning_rate, last_finite)
    return parameters, np.array(costs, dtype=np.float64)


@implements
def predict(X, parameters, activations):
    """The course's ``predict``: :func:`model_forward`, then 1 where ``a > 0.5`` else 0, per sample."""
    AL, _ = model_forward.unchecked(X, parameters, activations)
    require_output(AL)
    p = np.zeros(AL.shape, AL.dtype)
    for i in range(AL.shape[1]):
        p[0, i] = 1.0 if AL[0, i] > 0.5 else 0.0
    return p
