"""The L-layer model: forward, backward, update, training and prediction, vectorized.

The passes write into preallocated buffers (:class:`Workspace`): ``train``
allocates them once and reuses them every iteration, the public functions
allocate fresh ones per call. Activations are applied in place over Z, the
backward pass takes each derivative from the layer's output A, starts at
``dZL = (AL - Y) / m`` (the 1/m then rides along every gradient) and computes
no gradient for the input X.
"""

import math

import numpy as np

from nncore._shared import layer_by_layer
from nncore.contract import implements
from nncore.errors import DIVERGENCE_BOUND, TrainingDiverged
from nncore.validation import require_output
from nncore.vector.activations import BACKWARD_FROM_A, FORWARD
from nncore.vector.cost import cross_entropy
from nncore.vector.layers import linear_activation_forward


class Workspace:
    """Buffers for one network on one batch: A[l], dZ[l], dA[l] and the gradients."""

    def __init__(self, parameters, m):
        L = len(parameters) // 2
        dtype = parameters["W1"].dtype
        sizes = [parameters[f"W{l}"].shape[0] for l in range(1, L + 1)]
        self.A = [np.empty((n, m), dtype) for n in sizes]
        self.dZ = [np.empty((n, m), dtype) for n in sizes]
        self.dA = [np.empty((n, m), dtype) for n in sizes[:-1]]
        self.grads = {}
        for l in range(1, L + 1):
            self.grads[f"dW{l}"] = np.empty_like(parameters[f"W{l}"])
            self.grads[f"db{l}"] = np.empty_like(parameters[f"b{l}"])


def forward_into(X, parameters, activations, A):
    """Forward pass writing layer l's output into ``A[l - 1]``; returns AL."""
    A_prev = X
    for l, activation in enumerate(activations, start=1):
        Z = A[l - 1]
        np.matmul(parameters[f"W{l}"], A_prev, out=Z)
        Z += parameters[f"b{l}"]
        A_prev = FORWARD[activation](Z, out=Z)
    return A_prev


def backward_into(X, Y, parameters, activations, ws):
    """Backward pass from the outputs in ``ws.A`` into ``ws.grads``."""
    L = len(activations)
    dZ = ws.dZ[L - 1]
    np.subtract(ws.A[L - 1], Y, out=dZ)
    dZ /= X.shape[1]
    for l in range(L, 0, -1):
        A_prev = X if l == 1 else ws.A[l - 2]
        np.matmul(dZ, A_prev.T, out=ws.grads[f"dW{l}"])
        np.sum(dZ, axis=1, keepdims=True, out=ws.grads[f"db{l}"])
        if l > 1:
            dA_prev = np.matmul(parameters[f"W{l}"].T, dZ, out=ws.dA[l - 2])
            dZ = BACKWARD_FROM_A[activations[l - 2]](dA_prev, A_prev, out=ws.dZ[l - 2])
    return ws.grads


def update_into(parameters, grads, learning_rate):
    """``W -= learning_rate * dW`` for every parameter, in place; consumes `grads`."""
    for key, value in parameters.items():
        step = np.multiply(grads["d" + key], learning_rate, out=grads["d" + key])
        np.subtract(value, step, out=value)


def within_bound(parameters):
    """The divergence rule: every parameter finite and at most DIVERGENCE_BOUND in magnitude (nan compares false)."""
    return all(np.abs(value).max() <= DIVERGENCE_BOUND for value in parameters.values())


@implements
def model_forward(X, parameters, activations):
    """:func:`linear_activation_forward` layer by layer."""
    return layer_by_layer(linear_activation_forward.unchecked, X, parameters, activations)


@implements
def model_backward(AL, Y, caches, activations):
    """``dZL = AL - Y``, then per layer two matrix products and a row sum; none for X."""
    X = caches[0].A_prev
    parameters = {}
    for l, cache in enumerate(caches, start=1):
        parameters[f"W{l}"], parameters[f"b{l}"] = cache.W, cache.b
    ws = Workspace(parameters, X.shape[1])
    for l, cache in enumerate(caches[:-1], start=1):
        ws.A[l - 1] = cache.A if cache.A is not None else FORWARD[activations[l - 1]](cache.Z, out=ws.A[l - 1])
    ws.A[-1] = AL
    return dict(backward_into(X, Y, parameters, activations, ws))


@implements
def update_parameters(parameters, grads, learning_rate):
    """``W - learning_rate * dW`` into new arrays."""
    return {key: value - learning_rate * grads["d" + key] for key, value in parameters.items()}


@implements
def train(X, Y, parameters, activations, learning_rate, num_iterations, cost_every=100):
    """One set of buffers for the whole run; each iteration is forward, backward, update in place."""
    parameters = {key: value.copy() for key, value in parameters.items()}
    ws = Workspace(parameters, X.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected and raised below
        return _train_loop(X, Y, parameters, activations, learning_rate, num_iterations, cost_every, ws)


def _train_loop(X, Y, parameters, activations, learning_rate, num_iterations, cost_every, ws):
    costs, last_finite = [], None
    for i in range(num_iterations):
        AL = forward_into(X, parameters, activations, ws.A)
        if i % cost_every == 0:
            cost = cross_entropy(AL, Y)
            if not (math.isfinite(cost) and within_bound(parameters)):
                raise TrainingDiverged(i, learning_rate, last_finite)
            last_finite = i
            costs.append(cost)
        update_into(parameters, backward_into(X, Y, parameters, activations, ws), learning_rate)
    if not within_bound(parameters):
        raise TrainingDiverged(num_iterations, learning_rate, last_finite)
    return parameters, np.array(costs, dtype=np.float64)


@implements
def predict(X, parameters, activations):
    """The forward pass into fresh buffers, then ``AL > 0.5``."""
    ws_A = [np.empty((parameters[f"W{l}"].shape[0], X.shape[1]), X.dtype) for l in range(1, len(activations) + 1)]
    with np.errstate(over="ignore", invalid="ignore"):  # an output made nan by overflow is refused next
        AL = forward_into(X, parameters, activations, ws_A)
    require_output(AL)
    return (AL > 0.5).astype(AL.dtype)
