"""The JIT tier's training loops run in slices, so that Ctrl-C stops them.

A compiled loop holds no Python bytecode, so a SIGINT (Ctrl-C) waits until
it returns; ``train`` and ``optimize`` therefore call their compiled loop
(:func:`nncore.kernels.packed.train_loop`, :func:`nncore.kernels.logistic.optimize_loop`)
for a slice of the iterations at a time, over the same buffers, and Python
raises ``KeyboardInterrupt`` between two slices.

Each slice is a whole number of ``cost_every`` intervals and starts at a
checkpoint, so its local checkpoints ``0, cost_every, ...`` are the run's and
the result is the one long call's, bit for bit: the loop's state is the
parameters alone (its other buffers are overwritten each iteration). A slice's
closing check (the parameters after its last update) is the check the long
call makes at the next checkpoint, so a divergence is reported at the same
iteration too. Slices are sized from the time of the one before to take about
:data:`SLICE_SECONDS`; a call costs microseconds, so the slicing costs nothing
measurable. The cost record grows slice by slice, as the other tiers' lists
do, so a run of ``10**12`` iterations starts at once.
"""

import time

import numpy as np

#: The time one slice aims at: how long a Ctrl-C waits, at most about (unless one
#: ``cost_every`` interval takes longer: a slice is at least one interval).
SLICE_SECONDS = 0.03

#: The most iterations of one kernel call (counts are int64 inside compiled code).
_MAX_SLICE = 1 << 62


def run_sliced(run, num_iterations, cost_every):
    """Run a compiled training loop over `num_iterations` in slices of whole `cost_every` intervals.

    Parameters
    ----------
    run : callable
        ``run(count, cost_every, costs) -> (diverged_at, last_finite)``: `count`
        iterations of the compiled loop from the state the previous call left,
        recording into `costs` (float64, ``ceil(count / cost_every)``) and
        returning the loop's local ``diverged_at`` and ``last_finite``.
    num_iterations : int
        >= 0, any size.
    cost_every : int
        >= 1, any size.

    Returns
    -------
    costs : ndarray of float64, shape (ceil(num_iterations / cost_every),)
        The recorded costs (after a divergence: those of the slices run, unpadded).
    diverged_at, last_finite : int
        As the one long call returns them: -1 for none.
    """
    # Beyond num_iterations only iteration 0 records: the same checkpoints, and a count int64 holds.
    cost_every = min(cost_every, max(num_iterations, 1))
    intervals = 1  # the first slice: one interval, timed
    start, last_finite, records = 0, -1, []
    while True:
        count = min(intervals * cost_every, num_iterations - start)
        costs = np.zeros(-(-count // cost_every), np.float64)
        began = time.perf_counter()
        diverged_at, local_last = run(count, cost_every, costs)
        elapsed = time.perf_counter() - began
        if local_last >= 0:
            last_finite = start + local_last
        if diverged_at >= 0:  # the caller raises: the costs recorded so far, not padded to the run's length
            records.append(costs)
            return np.concatenate(records), start + diverged_at, last_finite
        records.append(costs)
        start += count
        if start >= num_iterations:
            return _joined(records, num_iterations, cost_every), -1, last_finite
        done = count // cost_every
        rate = elapsed / done if done else 0.0  # seconds per interval
        intervals = max(1, int(SLICE_SECONDS / rate)) if rate > 0 else 2 * intervals
        intervals = min(intervals, max(1, _MAX_SLICE // cost_every))


def _joined(records, num_iterations, cost_every):
    """The costs of the slices as one array of the run's length."""
    return records[0] if len(records) == 1 else np.concatenate(records)
