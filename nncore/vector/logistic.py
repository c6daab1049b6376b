"""Logistic regression in the course's form (``propagate``, ``optimize``), vectorized."""

import math

import numpy as np
from scipy.special import expit

from nncore.contract import implements
from nncore.errors import DIVERGENCE_BOUND, TrainingDiverged
from nncore.vector.cost import cross_entropy


def _propagate_into(w, b, X, Y, A, dZ, dw):
    """Forward and backward pass into the buffers A, dZ (1, m) and dw (n_x, 1); returns db."""
    np.matmul(w.T, X, out=A)
    A += b
    expit(A, out=A)
    np.subtract(A, Y, out=dZ)
    dZ /= X.shape[1]
    np.matmul(X, dZ.T, out=dw)
    return float(dZ.sum())


@implements
def propagate(w, b, X, Y):
    """Two matrix-vector products (``w.T @ X`` and ``X @ dZ.T``) and SciPy's ``expit``."""
    A, dZ, dw = np.empty_like(Y), np.empty_like(Y), np.empty_like(w)
    db = _propagate_into(w, b, X, Y, A, dZ, dw)
    return {"dw": dw, "db": db}, cross_entropy(A, Y)


def _within_bound(w, b):
    """The divergence rule: w and b finite and at most DIVERGENCE_BOUND in magnitude (nan compares false)."""
    return abs(b) <= DIVERGENCE_BOUND and np.abs(w).max() <= DIVERGENCE_BOUND


@implements
def optimize(w, b, X, Y, num_iterations, learning_rate, cost_every=100):
    """The buffers of :func:`propagate` allocated once; the cost only where recorded."""
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected and raised below
        return _optimize_loop(w.copy(), b, X, Y, num_iterations, learning_rate, cost_every)


def _optimize_loop(w, b, X, Y, num_iterations, learning_rate, cost_every):
    A, dZ, dw = np.empty_like(Y), np.empty_like(Y), np.empty_like(w)
    costs, db, last_finite = [], 0.0, None
    for i in range(num_iterations):
        db = _propagate_into(w, b, X, Y, A, dZ, dw)
        if i % cost_every == 0:
            cost = cross_entropy(A, Y)
            if not (math.isfinite(cost) and _within_bound(w, b)):
                raise TrainingDiverged(i, learning_rate, last_finite)
            last_finite = i
            costs.append(cost)
        w -= learning_rate * dw
        b -= learning_rate * db
    if not _within_bound(w, b):
        raise TrainingDiverged(num_iterations, learning_rate, last_finite)
    grads = {"dw": dw.copy() if num_iterations else np.zeros_like(w), "db": db}
    return {"w": w, "b": b}, grads, np.array(costs, dtype=np.float64)
