"""Thread counts: Numba's and the BLAS libraries', set together in one place.

NumPy's OpenBLAS (used by the vector tier), SciPy's OpenBLAS (used by Numba's
``np.dot``) and Numba's own thread pool each default to one thread per core.
The JIT tier never calls BLAS from inside a parallel region, so the two never
compete for the cores; setting both here keeps a benchmark of one tier
against another fair.

Numba's threading layer is chosen here too: ``"threadsafe"`` (TBB or OpenMP),
because the default may fall back to the workqueue layer, which aborts the
interpreter when two Python threads enter parallel kernels at once.
"""

import contextlib
import os

import numba
from threadpoolctl import threadpool_info, threadpool_limits

# Must be set before the first parallel kernel runs.
if os.environ.get("NUMBA_THREADING_LAYER") is None:
    numba.config.THREADING_LAYER = "threadsafe"

#: The number of cores Numba found at start-up: the most threads it can run.
MAX_THREADS = numba.config.NUMBA_NUM_THREADS


def get_num_threads():
    """The number of threads the JIT tier's parallel kernels use now."""
    return numba.get_num_threads()


def _check(n):
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_THREADS:
        raise ValueError(f"the thread count must be an integer from 1 to {MAX_THREADS}; got {n!r}.")
    return n


def set_num_threads(n):
    """Use `n` threads in Numba's kernels and in the BLAS libraries, from now on.

    Parameters
    ----------
    n : int
        From 1 to the number of cores (:data:`MAX_THREADS`).
    """
    numba.set_num_threads(_check(n))
    threadpool_limits(limits=n, user_api="blas")


@contextlib.contextmanager
def threads(n):
    """Context manager: `n` threads for Numba and BLAS inside the block, restored after.

    Examples
    --------
    >>> import nncore
    >>> with nncore.threads(1):
    ...     pass  # single-threaded kernels here
    """
    previous = numba.get_num_threads()
    with threadpool_limits(limits=_check(n), user_api="blas"):
        numba.set_num_threads(n)
        try:
            yield n
        finally:
            numba.set_num_threads(previous)


def blas_threads():
    """The thread count of each BLAS library loaded, as ``{filepath: num_threads}``."""
    return {info["filepath"]: info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}
