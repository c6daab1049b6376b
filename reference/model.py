"""The L-layer model: forward, backward, update, training and prediction, layer by layer."""

import math

import numpy as np

from nncore.errors import TrainingDiverged
from nncore.interface import implements
from reference.cost import compute_cost
from reference.layers import linear_activation_backward, linear_activation_forward
from reference.training import all_finite


def _divide(x, d):
    """``x / d`` with NumPy's result for ``d == 0`` (inf, or nan for 0 / 0); x, d >= 0."""
    if d != 0:
        return x / d
    return math.inf if x != 0 else math.nan


@implements
def model_forward(X, parameters, activations):
    """The course's ``L_model_forward``: :func:`linear_activation_forward` for l = 1 ... L."""
    A, caches = X, []
    for l, activation in enumerate(activations, start=1):
        A, cache = linear_activation_forward.kernel(A, parameters[f"W{l}"], parameters[f"b{l}"], activation)
        caches.append(cache)
    return A, caches


@implements
def model_backward(AL, Y, caches, activations):
    """The course's ``L_model_backward``, literally.

    Per sample ``dAL = -(y / a - (1 - y) / (1 - a))``, then
    :func:`linear_activation_backward` for l = L ... 1, which goes through the
    sigmoid's derivative at ZL instead of using ``dZL = AL - Y``. dA0 is
    computed and dropped. As in the course, an output of exactly 0 or 1 divides
    by zero; the division then gives inf or nan as NumPy's does, so training
    diverges where the vectorized tiers do not.
    """
    m = AL.shape[1]
    dAL = np.empty((1, m), AL.dtype)
    for i in range(m):
        a, y = float(AL[0, i]), float(Y[0, i])
        dAL[0, i] = -(_divide(y, a) - _divide(1.0 - y, 1.0 - a))
    grads, dA = {}, dAL
    for l in range(len(caches), 0, -1):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward.kernel(
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
            AL, caches = model_forward.kernel(X, parameters, activations)
            if i % cost_every == 0:
                cost = compute_cost.kernel(AL, Y)
                if not (math.isfinite(cost) and all_finite(parameters.values())):
                    raise TrainingDiverged(i, learning_rate, last_finite)
                last_finite = i
                costs.append(cost)
            grads = model_backward.kernel(AL, Y, caches, activations)
            parameters = update_parameters.kernel(parameters, grads, learning_rate)
    if not all_finite(parameters.values()):
        raise TrainingDiverged(num_iterations, learning_rate, last_finite)
    return parameters, np.array(costs, dtype=np.float64)


@implements
def predict(X, parameters, activations):
    """The course's ``predict``: :func:`model_forward`, then 1 where ``a > 0.5`` else 0, per sample."""
    AL, _ = model_forward.kernel(X, parameters, activations)
    p = np.zeros(AL.shape, AL.dtype)
    for i in range(AL.shape[1]):
        p[0, i] = 1.0 if AL[0, i] > 0.5 else 0.0
    return p
