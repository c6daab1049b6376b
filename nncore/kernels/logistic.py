"""Logistic regression in the course's form, compiled: one pass over X per iteration.

For each group of four samples the kernel computes ``z = w . x + b`` (four
dot products sharing the loads of w), the sigmoid and ``dz = (a - y) / m``,
then adds ``dz * x`` of the four samples into dw while their rows are still in
cache. X is read one sample per row (``X.T`` C-contiguous: free when X is
Fortran-ordered, one copy per call otherwise). Threads take blocks of samples
and accumulate into their own rows of a (threads, n_x) buffer, summed after the
pass: no shared element is written.

The arrays of one call share one floating dtype (float64 or float32), except
the per-thread sums ``dbs`` and ``costs``/``thread_costs`` (float64). Below, m is
the number of samples and n_x the number of features.
"""

import functools
import math

import numba
import numpy as np
from numba import prange, types

from nncore.kernels import address, simdmath
from nncore.kernels.config import inline, kernel, parallel_kernel
from nncore.kernels.gemm import dot_4x1
from nncore.kernels.packed import PARAMETER_BOUND, within_bound
from nncore.kernels.partition import ROW_ALIGN, block_of

#: A literal 0 or True would compile another specialization, and a call by address takes int64 and bool.
_ZERO, _YES = np.int64(0), np.bool_(True)


@inline
def _add4(dw, x0, x1, x2, x3, d0, d1, d2, d3):
    for k in range(dw.size):
        dw[k] += d0 * x0[k] + d1 * x1[k] + d2 * x2[k] + d3 * x3[k]


@inline
def _term(z, y, inv_m, lo, hi):
    """(dz, cost term) of one sample with pre-activation z and label y."""
    a = simdmath.sigmoid(z)
    p = float(min(max(a, lo), hi))
    return (a - y) * inv_m, y * math.log(p) + (1.0 - y) * math.log1p(-p)


@kernel
def rows_pass(XT, y, w, b, dw, r_lo, r_hi, with_cost, lo, hi, dbs, costs, t):
    """Samples [r_lo, r_hi): their dz summed into `dw` (overwritten) and into ``dbs[t]``; serial.

    Parameters
    ----------
    XT : ndarray of shape (m, n_x), C-contiguous
        The samples, one per row (all of them: m sets the 1 / m of dz); read only.
    y : ndarray of shape (m,)
        Labels (0 or 1), read only.
    w : ndarray of shape (n_x,)
        Weights, read only.
    b : float
        Bias, converted to the dtype of `w`.
    dw : ndarray of shape (n_x,)
        Overwritten with the sum of ``dz * x`` over the samples; must not overlap `XT` or `w`.
    r_lo, r_hi : int
        The samples (rows of `XT`) this call covers.
    with_cost : bool
        Whether to sum the cost terms too.
    lo, hi : float
        The bounds a is clipped to in the cost.
    dbs, costs : ndarray of float64, 1-D
        ``dbs[t]`` is written with the sum of dz over the samples, ``costs[t]`` with the sum of
        ``y log a + (1 - y) log(1 - a)`` (0 unless `with_cost`): written, not returned, as the
        kernel is called by address (:func:`rows_table`), which returns nothing.
    t : int
        Where in `dbs` and `costs` to write.
    """
    zero = w.dtype.type(0)
    b = w.dtype.type(b)  # the bias enters z in the dtype of the data, as in the vector tier
    inv_m = w.dtype.type(1.0 / XT.shape[0])
    dw[:] = 0
    db = 0.0
    cost_sum = 0.0
    r = r_lo
    while r + 4 <= r_hi:
        x0, x1, x2, x3 = XT[r], XT[r + 1], XT[r + 2], XT[r + 3]
        z = dot_4x1(x0, x1, x2, x3, w, zero)  # four dot products sharing the loads of w
        d0, c0 = _term(z[0] + b, y[r], inv_m, lo, hi)
        d1, c1 = _term(z[1] + b, y[r + 1], inv_m, lo, hi)
        d2, c2 = _term(z[2] + b, y[r + 2], inv_m, lo, hi)
        d3, c3 = _term(z[3] + b, y[r + 3], inv_m, lo, hi)
        _add4(dw, x0, x1, x2, x3, d0, d1, d2, d3)
        db += float(d0) + float(d1) + float(d2) + float(d3)
        if with_cost:
            cost_sum += c0 + c1 + c2 + c3
        r += 4
    while r < r_hi:
        x = XT[r]
        z = zero
        for k in range(w.size):
            z += w[k] * x[k]
        d, c = _term(z + b, y[r], inv_m, lo, hi)
        for k in range(w.size):
            dw[k] += d * x[k]
        db += float(d)
        if with_cost:
            cost_sum += c
        r += 1
    dbs[t], costs[t] = db, cost_sum


@kernel
def _reduce(partial, dbs, costs, dw):
    """dw = the sum of the threads' rows of `partial`; the sums of `dbs` and `costs`."""
    first = partial[0]
    for k in range(dw.size):  # a loop: `dw[:] = partial[0]` compiled a broadcast's error message (2.3 s)
        dw[k] = first[k]
    for t in range(1, partial.shape[0]):
        row = partial[t]
        for k in range(dw.size):
            dw[k] += row[k]
    return dbs.sum(), costs.sum()


@inline
def full_pass(XT, y, w, b, dw, partial, dbs, costs, with_cost, lo, hi, table):
    """One pass over all samples: dw (overwritten), db and the cost (nan unless `with_cost`).

    With one row in `partial` the pass is serial; with more, thread t takes the
    t-th block of samples and writes ``partial[t]``, ``dbs[t]`` and ``costs[t]``
    (a ``prange`` over the rows of `partial`). Inlined.

    Parameters
    ----------
    XT, y, w, b
        As in :func:`rows_pass`.
    dw : ndarray of shape (n_x,)
        Overwritten with the gradient of the cost in `w`.
    partial : ndarray of shape (parts, n_x), C-contiguous
        One row of partial sums per thread; scratch, written only when parts > 1.
    dbs, costs : ndarray of float64, shape (parts,)
        Per-thread sums of dz and of the cost terms; scratch, written only when parts > 1.
    with_cost : bool
        Whether to compute the cost.
    lo, hi : float
        The bounds a is clipped to in the cost.
    table : ndarray of int64, shape (1,), or None
        :func:`rows_table`: :func:`rows_pass` called by address; None: called directly.

    Returns
    -------
    db : float
        The gradient of the cost in `b`.
    cost : float
        The cross-entropy, or nan unless `with_cost`.
    """
    parts = partial.shape[0]
    b = float(b)
    if parts == 1:
        _call_rows_pass(table, 0, (XT, y, w, b, dw, _ZERO, XT.shape[0], with_cost, lo, hi, dbs, costs, _ZERO))
        db, cost_sum = dbs[0], costs[0]
    else:
        for t in prange(parts):
            r_lo, r_hi = block_of(XT.shape[0], parts, t, ROW_ALIGN)
            arguments = (XT, y, w, b, partial[t], r_lo, r_hi, with_cost, lo, hi, dbs, costs, np.int64(t))
            _call_rows_pass(table, 0, arguments)
        db, cost_sum = _reduce(partial, dbs, costs, dw)
    cost = -cost_sum / XT.shape[0] if with_cost else np.nan
    return db, cost


@parallel_kernel
def propagate_kernel(XT, y, w, b, dw, partial, dbs, costs, lo, hi, table):
    """:func:`full_pass` with the cost, for Python callers; parallel when `partial` has several rows.

    Parameters
    ----------
    XT, y, w, b, dw, partial, dbs, costs, lo, hi, table
        As in :func:`full_pass`.

    Returns
    -------
    db : float
    cost : float
    """
    return full_pass(XT, y, w, b, dw, partial, dbs, costs, _YES, lo, hi, table)


@parallel_kernel
def optimize_loop(
    XT, y, w, b, num_iterations, learning_rate, cost_every, costs, dw, partial, dbs, thread_costs, lo, hi, table
):
    """The course's ``optimize``, compiled; updates `w` in place, returns (b, db, diverged_at, last_finite).

    Each iteration is one :func:`full_pass` then the update; parallel when `partial` has several
    rows. The caller (:func:`nncore.jit.logistic.optimize`) allocates every buffer once.

    Parameters
    ----------
    XT : ndarray of shape (m, n_x), C-contiguous
        The samples, one per row; read only.
    y : ndarray of shape (m,)
        Labels (0 or 1), read only.
    w : ndarray of shape (n_x,)
        Initial weights, updated in place to the trained ones.
    b : float
        Initial bias.
    num_iterations : int
        Number of iterations, >= 0.
    learning_rate : float
        Step of the updates (converted to the dtype of `w` for `w`'s).
    cost_every : int
        Record the cost every `cost_every` iterations, >= 1.
    costs : ndarray of float64, shape (ceil(num_iterations / cost_every),)
        Written with the cost before the update of iterations 0, cost_every, ...
    dw : ndarray of shape (n_x,)
        Overwritten with the last iteration's gradient in `w`.
    partial : ndarray of shape (parts, n_x), C-contiguous
        Per-thread scratch (one row: serial).
    dbs, thread_costs : ndarray of float64, shape (parts,)
        Per-thread scratch.
    lo, hi : float
        The bounds a is clipped to in the cost.
    table : ndarray of int64, shape (1,), or None
        As in :func:`full_pass`.

    Returns
    -------
    b : float
        The trained bias.
    db : float
        The last iteration's gradient in `b`.
    diverged_at : int
        -1 when training finished with finite parameters; else the checkpoint iteration at
        which the cost was not finite or w or b was not within ``packed.PARAMETER_BOUND``.
    last_finite : int
        The last checkpoint where everything was finite (-1 if none).
    """
    step = w.dtype.type(learning_rate)
    db = 0.0
    last_finite = -1
    for i in range(num_iterations):
        record = i % cost_every == 0
        db, cost = full_pass(XT, y, w, b, dw, partial, dbs, thread_costs, record, lo, hi, table)
        if record:
            if not (np.isfinite(cost) and abs(b) <= PARAMETER_BOUND and within_bound(w)):
                return b, db, i, last_finite
            costs[i // cost_every] = cost
            last_finite = i
        for k in range(w.size):
            w[k] -= step * dw[k]
        b -= learning_rate * db
    finite = abs(b) <= PARAMETER_BOUND and within_bound(w)
    return b, db, (-1 if finite else num_iterations), last_finite


def _rows_types(dtype):
    """The argument types :func:`rows_pass` is compiled for, its arrays of `dtype`."""
    real = numba.from_dtype(np.dtype(dtype))
    M, V, F = types.Array(real, 2, "C"), types.Array(real, 1, "C"), types.Array(types.float64, 1, "C")
    integer = types.int64
    return (M, V, V, types.float64, V, integer, integer, types.boolean, real, real, F, F, integer)


#: :func:`rows_pass` called from :func:`full_pass`: by address when given :func:`rows_table`.
_call_rows_pass = address.caller(rows_pass, _rows_types)


@functools.cache
def rows_table(dtype):
    """The address of :func:`rows_pass` for arrays of `dtype`, for the ``table`` argument of the loops.

    Called by address, its code is compiled once instead of again in the ``prange``'s outlined
    function, its wrappers and each loop (:mod:`nncore.kernels.address`).

    Parameters
    ----------
    dtype : numpy dtype
        float64 or float32.

    Returns
    -------
    ndarray of int64, shape (1,), read only; or None
        None with ``NUMBA_DISABLE_JIT=1``.
    """
    return address.table((rows_pass, _rows_types(dtype)))
