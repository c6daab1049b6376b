"""Independent trainings in parallel through joblib: on this machine's cores, or on a Dask cluster.

Which pool, per tier (:data:`POOL_FOR_TIER`), each a joblib backend
(:data:`BACKENDS`):

* ``"processes"`` (joblib's ``loky``) for the loop and vector tiers. Their
  training loops run in the interpreter and hold the GIL (the loop tier
  always; the vector tier between NumPy calls, and the planar network's NumPy
  calls on (n_h, 400) arrays are too short to be worth releasing it), so
  threads would take turns on one core. loky's workers are fresh interpreters
  (safe whatever threads the parent runs: BLAS, Numba), started at the same
  time, and kept for the next call in the same process.
* ``"threads"`` (joblib's ``threading``) for the JIT tier. Its kernels are
  compiled ``nogil``, so threads run them on all cores at once, share the
  compiled code (a process would load or compile it again) and need no
  pickling.
* ``"dask"`` (joblib's ``dask``) when a scheduler address is given: the
  trainings run on the cluster's workers, one per worker thread. Each worker
  needs nncore installed; a JIT tier's worker compiles the kernels once into
  its Numba cache, or loads them from a cache folder the workers share
  (``NNCORE_CACHE_DIR``, see :mod:`nncore.kernels.cache`).

Either way each training uses one thread for BLAS and for Numba's parallel
kernels, so the trainings do not compete for the cores; the sequential
baseline runs in the calling process with its usual thread counts. joblib
returns the results in the order of the tasks whatever the order they ran in,
so a sweep's results do not depend on the pool.
"""

import contextlib
import os
import sys
import time

import joblib
from threadpoolctl import threadpool_limits

from nncore.tiers import get_tier

#: The pools on this machine that :func:`run_parallel` knows; ``"dask"`` comes with a scheduler address.
POOLS = ("processes", "threads")

#: The joblib backend of each pool.
BACKENDS = {"processes": "loky", "threads": "threading", "dask": "dask"}

#: The pool for each tier; tiers not named here get ``"processes"``.
POOL_FOR_TIER = {"jit": "threads"}

#: Seconds to wait for a Dask scheduler to answer, and then for its first worker.
DASK_TIMEOUT = 10


def default_pool(tier):
    """The pool that runs `tier`'s trainings in parallel on this machine (see the module's notes)."""
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


def _call(func, args, tier, limit_blas):
    """``func(*args)`` in a worker, with one Numba thread; with `limit_blas`, one BLAS thread too.

    BLAS's thread count is per process: a pool of threads limits it once, in
    the caller, around all its calls (`limit_blas` False).
    """
    get_tier(tier)  # imports the tier (and Numba, for jit) before the thread count is set
    _one_numba_thread()
    with threadpool_limits(limits=1) if limit_blas else contextlib.nullcontext():
        return func(*args)


def _dask_client(scheduler):
    """A ``distributed.Client`` of the scheduler at `scheduler` that has at least one worker."""
    try:
        from distributed import Client
    except ImportError:
        raise ImportError(
            "running on a Dask cluster needs dask.distributed, the optional 'dask' extra: "
            "from the checkout, pip install -e '.[dask]'"
        ) from None
    try:
        client = Client(scheduler, timeout=DASK_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise ValueError(
            f"no Dask scheduler answered at {scheduler!r} within {DASK_TIMEOUT} s ({type(err).__name__}). "
            f"Start one with `dask scheduler` and workers with `dask worker {scheduler}`, and pass the "
            f"address it prints (tcp://HOST:8786)."
        ) from None
    try:
        client.wait_for_workers(1, timeout=DASK_TIMEOUT)
    except (OSError, TimeoutError):
        client.close()
        raise ValueError(
            f"the Dask scheduler at {scheduler!r} has no workers after {DASK_TIMEOUT} s; start some with "
            f"`dask worker {scheduler} --nthreads 1` (one per core)."
        ) from None
    return client


def _pool_and_workers(tier, pool, workers, scheduler, n_tasks):
    if scheduler is not None:
        if pool not in (None, "dask"):
            raise ValueError(
                f"pool {pool!r} runs on this machine, but a Dask scheduler address was given; "
                f"pass one or the other (on the command line: --pool or --scheduler)."
            )
        pool = "dask"
    else:
        pool = default_pool(tier) if pool is None else pool
        if pool not in POOLS:
            hint = " (the 'dask' pool needs a scheduler address)" if pool == "dask" else ""
            raise ValueError(f"unknown pool {pool!r}; expected one of {', '.join(map(repr, POOLS))}{hint}.")
        workers = min(cores(), n_tasks) if workers is None else workers
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a positive integer; got {workers!r}.")
    return pool, workers


def run_parallel(func, tasks, tier, pool=None, workers=None, order=None, scheduler=None):
    """``[func(*task) for task in tasks]``, computed in parallel through joblib.

    Parameters
    ----------
    func : callable
        A module-level function (processes and Dask workers import it by name).
    tasks : list of tuple
        The arguments of each call.
    tier : str
        The tier the calls train with: picks the default pool.
    pool : {"processes", "threads"}, optional
        Default: :func:`default_pool` of `tier`; ``"dask"`` when `scheduler`
        is given.
    workers : int, optional
        How many calls run at once. Default: the number of cores, at most one
        per task; on a Dask cluster, its worker threads.
    order : sequence of int, optional
        The order in which to start the tasks (largest first shortens the
        wall time when they differ in size); default the order of `tasks`.
    scheduler : str, optional
        The address of a Dask scheduler (``tcp://HOST:8786``): run the calls
        on its workers.

    Returns
    -------
    results : list
        In the order of `tasks`.
    wall_time : float
        Seconds, from before the pool starts (or the client connects) until
        the last result is in.
    pool : str
        ``"processes"``, ``"threads"`` or ``"dask"``.
    workers : int

    Raises
    ------
    ValueError
        An unknown pool, a pool and a scheduler both, a worker count that is
        not a positive integer, or a scheduler that does not answer or has no
        workers.
    """
    pool, workers = _pool_and_workers(tier, pool, workers, scheduler, len(tasks))
    order = list(range(len(tasks)) if order is None else order)
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if pool == "dask":
            client = stack.enter_context(_dask_client(scheduler))
            workers = workers or sum(client.nthreads().values())
            stack.enter_context(joblib.parallel_config(backend="dask", client=client))
        else:
            stack.enter_context(joblib.parallel_config(backend=BACKENDS[pool]))
        if pool == "threads":
            stack.enter_context(threadpool_limits(limits=1))
        calls = (joblib.delayed(_call)(func, tasks[i], tier, pool != "threads") for i in order)
        ran = joblib.Parallel(n_jobs=workers, batch_size=1)(calls)
    results = [None] * len(tasks)
    for i, result in zip(order, ran):
        results[i] = result
    return results, time.perf_counter() - start, pool, workers
