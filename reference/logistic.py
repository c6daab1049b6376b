"""Logistic regression in the course's form (``propagate``, ``optimize``), sample by sample."""

import math

import numpy as np

from nncore.contract import implements
from nncore.errors import TrainingDiverged

from .activations import scalar_sigmoid
from .cost import clip_limits, sample_loss
from .training import within_bound


@implements
def propagate(w, b, X, Y):
    """The course's ``propagate`` as one loop over samples i and features j.

    ``z = b + sum_j w_j x_ji``, ``a = sigmoid(z)``, the clipped loss of
    ``a`` added to J, ``dz = a - y``, ``dw_j += x_ji dz``, ``db += dz``; then
    J, dw and db are divided by m.
    """
    n_x, m = X.shape
    limits = clip_limits(X.dtype)
    J, dw, db = 0.0, [0.0] * n_x, 0.0
    for i in range(m):
        z = b
        for j in range(n_x):
            z += float(w[j, 0]) * float(X[j, i])
        a, y = scalar_sigmoid(z), float(Y[0, i])
        J += sample_loss(a, y, limits)
        dz = a - y
        for j in range(n_x):
            dw[j] += float(X[j, i]) * dz
        db += dz
    dw_array = np.empty((n_x, 1), X.dtype)
    for j in range(n_x):
        dw_array[j, 0] = dw[j] / m
    return {"dw": dw_array, "db": db / m}, J / m


@implements
def optimize(w, b, X, Y, num_iterations, learning_rate, cost_every=100):
    """The course's ``optimize``: :func:`propagate`, then ``w -= learning_rate * dw`` per entry and b."""
    w = w.copy()
    grads = {"dw": np.zeros(w.shape, w.dtype), "db": 0.0}
    costs, last_finite = [], None
    with np.errstate(over="ignore", invalid="ignore"):  # float32 stores of a diverging run; raised below
        for i in range(num_iterations):
            grads, cost = propagate.unchecked(w, b, X, Y)
            if i % cost_every == 0:
                if not (math.isfinite(cost) and within_bound([w, np.array([b])])):
                    raise TrainingDiverged(i, learning_rate, last_finite)
                last_finite = i
                costs.append(cost)
            for j in range(w.shape[0]):
                w[j, 0] = float(w[j, 0]) - learning_rate * float(grads["dw"][j, 0])
            b = b - learning_rate * grads["db"]
    if not within_bound([w, np.array([b])]):
        raise TrainingDiverged(num_iterations, learning_rate, last_finite)
    return {"w": w, "b": b}, grads, np.array(costs, dtype=np.float64)
