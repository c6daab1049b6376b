"""Independent trainings in parallel across the cores, one thread each.

Which pool, per tier (:data:`POOL_FOR_TIER`):

* ``"processes"`` for the loop and vector tiers. Their training loops run in
  the interpreter and hold the GIL (the loop tier always; the vector tier
  between NumPy calls, and the planar network's NumPy calls on (n_h, 400)
  arrays are too short to be worth releasing it), so threads would take turns
  on one core. Workers start with ``"spawn"``: a fresh interpreter, safe
  whatever threads the parent runs (BLAS, Numba), the default on macOS and
  Windows; they start at the same time, so with one worker per core the
  start-up costs one interpreter start in wall time, not one per training.
* ``"threads"`` for the JIT tier. Its kernels are compiled ``nogil``, so
  threads run them on all cores at once, share the compiled code (a process
  would load or compile it again) and need no pickling.

Either way each worker uses one thread for BLAS and for Numba's parallel
kernels, so the workers do not compete for the cores; the sequential baseline
runs in the calling process with its usual thread counts.
"""

import concurrent.futures
import contextlib
import multiprocessing
import os
import sys
import time

from threadpoolctl import threadpool_limits

from nncore.tiers import get_tier

#: The pools :func:`run_parallel` knows.
POOLS = ("processes", "threads")

#: The pool for each tier; tiers not named here get ``"processes"``.
POOL_FOR_TIER = {"jit": "threads"}


def default_pool(tier):
    """The pool that runs `tier`'s trainings in parallel (see the module's notes)."""
    return POOL_FOR_TIER.get(tier, "processes")


def cores():
    """The number of cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _one_numba_thread():
    """One thread for Numba's parallel kernels in this thread (the setting is per thread)."""
    if "numba" in sys.modules:
        sys.modules["numba"].set_num_threads(1)


def _start_process(tier):
    """Process initializer: one BLAS and Numba thread, and the tier imported once."""
    threadpool_limits(limits=1)
    get_tier(tier)
    _one_numba_thread()


def run_parallel(func, tasks, tier, pool=None, workers=None, order=None):
    """``[func(*task) for task in tasks]``, computed in parallel.

    Parameters
    ----------
    func : callable
        A module-level function (processes pickle it by name).
    tasks : list of tuple
        The arguments of each call.
    tier : str
        The tier the calls train with: picks the default pool.
    pool : {"processes", "threads"}, optional
        Default: :func:`default_pool` of `tier`.
    workers : int, optional
        Default: the number of cores, at most one per task.
    order : sequence of int, optional
        The order in which to start the tasks (largest first shortens the
        wall time when they differ in size); default the order of `tasks`.

    Returns
    -------
    results : list
        In the order of `tasks`.
    wall_time : float
        Seconds, from before the pool starts until the last result is in.
    pool : str
    workers : int
    """
    pool = default_pool(tier) if pool is None else pool
    if pool not in POOLS:
        raise ValueError(f"unknown pool {pool!r}; expected one of {', '.join(map(repr, POOLS))}.")
    workers = min(cores(), len(tasks)) if workers is None else workers
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer; got {workers!r}.")
    order = range(len(tasks)) if order is None else order
    start = time.perf_counter()
    if pool == "processes":
        limits = contextlib.nullcontext()  # the initializer limits each process
        context = multiprocessing.get_context("spawn")
        executor = concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_process, initargs=(tier,)
        )
    else:
        limits = threadpool_limits(limits=1)  # BLAS's thread count is per process
        executor = concurrent.futures.ThreadPoolExecutor(workers, initializer=_one_numba_thread)
    with limits, executor:
        futures = {i: executor.submit(func, *tasks[i]) for i in order}
        results = [futures[i].result() for i in range(len(tasks))]
    return results, time.perf_counter() - start, pool, workers
