"""The JIT tier's logistic regression: public wrappers over :mod:`nncore.kernels.logistic`."""

import numba
import numpy as np

from nncore.contract import implements
from nncore.errors import TrainingDiverged
from nncore.interface import probability_bounds
from nncore.jit.slices import run_sliced
from nncore.kernels.logistic import optimize_loop, propagate_kernel, rows_table
from nncore.kernels.partition import PARALLEL_MIN_WORK


def _buffers(w, m):
    n_x = w.shape[0]
    parts = numba.get_num_threads() if m * n_x >= PARALLEL_MIN_WORK else 1
    return (np.empty(n_x, w.dtype), np.empty((parts, n_x), w.dtype), np.empty(parts), np.empty(parts))


@implements
def propagate(w, b, X, Y):
    """One compiled pass over the samples, forward and backward together."""
    dw, partial, dbs, costs = _buffers(w, X.shape[1])
    db, cost = propagate_kernel(
        np.ascontiguousarray(X.T),
        np.ascontiguousarray(Y).reshape(-1),
        w.reshape(-1).copy(),
        float(b),
        dw,
        partial,
        dbs,
        costs,
        *probability_bounds(X.dtype),
        rows_table(X.dtype),
    )
    return {"dw": dw.reshape(-1, 1), "db": float(db)}, float(cost)


@implements
def optimize(w, b, X, Y, num_iterations, learning_rate, cost_every=100):
    """Every iteration inside one compiled loop; one pass over X per iteration.

    The loop runs in slices of about 30 ms (:mod:`nncore.jit.slices`), so Ctrl-C stops it.
    """
    w = w.reshape(-1).copy()
    dw, partial, dbs, thread_costs = _buffers(w, X.shape[1])
    dw[:] = 0
    XT, y, bounds = np.ascontiguousarray(X.T), np.ascontiguousarray(Y).reshape(-1), probability_bounds(X.dtype)
    state, table = {"b": float(b), "db": 0.0}, rows_table(X.dtype)

    def run(count, every, costs):
        state["b"], db, diverged_at, last_finite = optimize_loop(
            XT, y, w, state["b"], count, learning_rate, every, costs, dw, partial, dbs, thread_costs, *bounds, table
        )
        if count:
            state["db"] = db  # the last iteration's gradient
        return diverged_at, last_finite

    costs, diverged_at, last_finite = run_sliced(run, num_iterations, cost_every)
    b, db = state["b"], state["db"]
    if diverged_at >= 0:
        raise TrainingDiverged(diverged_at, learning_rate, None if last_finite < 0 else last_finite)
    return {"w": w.reshape(-1, 1), "b": float(b)}, {"dw": dw.reshape(-1, 1), "db": float(db)}, costs
