"""Thread counts: Numba's and the BLAS libraries', set together in one place.

NumPy's OpenBLAS (used by the vector tier), SciPy's OpenBLAS (used by the JIT
tier's kernels) and Numba's own thread pool each default to one thread per core;
setting them together here keeps a benchmark of one tier against another fair.
The JIT tier splits its work among Numba's threads only: where a kernel
multiplies by BLAS, each of its threads calls BLAS on a block of its own, and
:func:`serial_blas` keeps BLAS on one thread inside each of them, so that two
pools of spinning threads never share the cores.

Numba's threading layer is chosen here too: TBB (the ``tbb`` dependency) when
it loads, else ``"threadsafe"`` (OpenMP), because the default may fall back to
the workqueue layer, which aborts the interpreter when two Python threads enter
parallel kernels at once. TBB is also fork-safe: a child forked after a
parallel kernel ran can run them (GNU OpenMP kills it).
"""

import contextlib
import ctypes
import functools
import os
import sys
import time
from pathlib import Path

import numba
from threadpoolctl import ThreadpoolController, threadpool_info, threadpool_limits

from nncore.validation import check_count


def _load_tbb():
    """Whether Numba's TBB layer can load: the ``tbb`` wheel's ``libtbb.so.12`` preloaded from the environment.

    pip puts the library in ``<prefix>/lib``, which the dynamic loader does not
    search; once loaded by its full path, Numba's ``tbbpool`` finds it by name.
    """
    for folder in {sys.prefix, sys.base_prefix}:
        for name in ("libtbb.so.12", "libtbb.12.dylib", "tbb12.dll"):
            path = os.path.join(folder, "lib", name)
            if os.path.exists(path):
                with contextlib.suppress(OSError):
                    ctypes.CDLL(path, mode=getattr(ctypes, "RTLD_GLOBAL", 0))
    try:
        from numba.np.ufunc import tbbpool  # noqa: F401
    except ImportError:
        return False
    return True


# Must be set before the first parallel kernel runs. TBB is both thread-safe and fork-safe: a process
# forked after a parallel kernel ran can run them too (GNU OpenMP kills such a child).
if os.environ.get("NUMBA_THREADING_LAYER") is None:
    numba.config.THREADING_LAYER = "tbb" if _load_tbb() else "threadsafe"
elif os.environ["NUMBA_THREADING_LAYER"].strip().lower() == "tbb":
    _load_tbb()  # the user's choice: Numba finds the wheel's library only once it is loaded

#: The number of cores Numba found at start-up: the most threads it can run.
MAX_THREADS = numba.config.NUMBA_NUM_THREADS


def get_num_threads():
    """The number of threads the JIT tier's parallel kernels use now."""
    return numba.get_num_threads()


def _check(n):
    """`n` as an int from 1 to :data:`MAX_THREADS`, by the rule of every count (``validation.check_count``)."""
    return check_count(n, "the thread count", 1, MAX_THREADS)


def set_num_threads(n):
    """Use `n` threads in Numba's kernels and in the BLAS libraries, from now on.

    Parameters
    ----------
    n : int
        From 1 to the number of cores (:data:`MAX_THREADS`).
    """
    n = _check(n)
    numba.set_num_threads(n)
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
    n = _check(n)
    previous = numba.get_num_threads()
    with threadpool_limits(limits=n, user_api="blas"):
        numba.set_num_threads(n)
        try:
            yield n
        finally:
            numba.set_num_threads(previous)


@functools.cache
def _kernels_blas():
    """threadpoolctl's controllers of the BLAS the kernels call: SciPy's (found once: scanning costs
    milliseconds). NumPy's own copy, in wheels a library of its own, is left alone; where no library
    lies in SciPy's folders (one BLAS shared by both, as conda installs them), every BLAS loaded."""
    import scipy.linalg.cython_blas  # noqa: F401  (loads SciPy's BLAS: the one numba_xxgemm calls)

    libraries = ThreadpoolController().select(user_api="blas").lib_controllers
    scipy_libraries = [lib for lib in libraries if any(p.startswith("scipy") for p in Path(lib.filepath).parts[-3:-1])]
    return tuple(scipy_libraries or libraries)


@contextlib.contextmanager
def serial_blas():
    """Context manager: the BLAS the kernels call on one thread inside the block, restored after.

    The JIT tier's kernels run inside it: their threads each call BLAS on a block of their own,
    and a BLAS with threads of its own would wake them on the cores Numba's threads occupy.
    Entering and leaving costs a few microseconds (one call into the library when it has more
    than one thread).

    Examples
    --------
    >>> from nncore.threadpool import serial_blas
    >>> with serial_blas():
    ...     pass  # nncore.kernels' *_parallel kernels called from here
    """
    changed = [(library, library.num_threads) for library in _kernels_blas()]
    changed = [(library, n) for library, n in changed if n != 1]
    for library, _ in changed:
        library.set_num_threads(1)
    try:
        yield
    finally:
        for library, n in changed:
            library.set_num_threads(n)


def blas_threads():
    """The thread count of each BLAS library loaded, as ``{filepath: num_threads}``."""
    return {info["filepath"]: info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}


# --------------------------------------------------------------------------
# A busy machine: how many cores other processes hold, and the thread count to use
# --------------------------------------------------------------------------

#: Seconds over which :func:`busy_cores` samples the CPU time of the machine.
BUSY_INTERVAL = 0.2

#: Another process "holds" a core when it keeps at least this share of one busy (:func:`free_cores`).
HELD_SHARE = 0.5


def _cpu_jiffies(cpus):
    """``(busy, total)`` CPU time of the cores `cpus`, in clock ticks, from ``/proc/stat``."""
    busy = total = 0
    with open("/proc/stat", encoding="ascii") as stat:
        for line in stat:
            name, *fields = line.split()
            if not name.startswith("cpu") or name == "cpu" or int(name[3:]) not in cpus:
                continue
            # user nice system idle iowait irq softirq steal (guest time is counted in user already)
            ticks = [int(field) for field in fields[:8]]
            total += sum(ticks)
            busy += sum(ticks) - ticks[3] - ticks[4]
    return busy, total


def busy_cores(interval=BUSY_INTERVAL):
    """How many of this process's cores other processes keep busy now, averaged over `interval` seconds.

    On Linux: the CPU time ``/proc/stat`` counts as busy on the cores this
    process may run on (``os.sched_getaffinity``) during `interval`, less this
    process's own CPU time over it (``os.times``), in cores. Elsewhere: the
    1-minute load average less one (this process's thread that asks), an
    estimate that lags a minute behind. Call it while this process's own
    parallel threads are idle: their spinning counts as this process's time,
    but a pool that spins on would still keep the measurement busy.

    Returns
    -------
    float or None
        From 0 to the number of cores; None where the system tells neither.
    """
    try:
        cpus = os.sched_getaffinity(0)
        hz = os.sysconf("SC_CLK_TCK")
        busy0, total0 = _cpu_jiffies(cpus)
        own0 = os.times()
        time.sleep(interval)
        busy1, total1 = _cpu_jiffies(cpus)
        own1 = os.times()
    except (AttributeError, OSError, ValueError):
        try:
            return max(0.0, os.getloadavg()[0] - 1.0)
        except (AttributeError, OSError):
            return None
    if total1 <= total0:
        return 0.0
    own = (own1.user - own0.user) + (own1.system - own0.system)
    others = (busy1 - busy0 - own * hz) / (total1 - total0)  # a share of the cores' time
    return float(min(max(others * len(cpus), 0.0), len(cpus)))


def _free(busy):
    held = 0 if busy is None else int(busy + (1 - HELD_SHARE))
    return max(1, min(MAX_THREADS, MAX_THREADS - held))


def free_cores(interval=BUSY_INTERVAL):
    """The cores no other process holds (:func:`busy_cores`, a core held from :data:`HELD_SHARE` of it), at least 1.

    This is the thread count nncore's commands use when the user gives none
    (:func:`default_threads`): on a machine where another process keeps one of
    two cores busy, two threads of OpenBLAS (which spin while they wait and
    split the work evenly ahead of time) run at the pace of the one that shares
    its core, several times slower than one thread alone.

    Returns
    -------
    int
        From 1 to :data:`MAX_THREADS`.
    """
    return _free(busy_cores(interval))


def default_threads(interval=BUSY_INTERVAL):
    """The thread count ``nncore compare`` and ``nncore course`` use without ``--threads``: the free cores.

    Returns
    -------
    threads : int
        :func:`free_cores`.
    busy : float or None
        :func:`busy_cores`, for the commands' warning.
    """
    busy = busy_cores(interval)
    return _free(busy), busy


#: The most :func:`wait_until_idle` waits (seconds): longer than OpenBLAS's threads spin by default
#: (about 0.1 s, when ``OPENBLAS_THREAD_TIMEOUT`` was not set before NumPy loaded it).
IDLE_WAIT_SECONDS = 0.3

#: The window :func:`wait_until_idle` measures the process's CPU time over (seconds). Linux charges a
#: thread running on another core at each scheduler tick (1 to 10 ms), so a spinning thread shows
#: in a window of two ticks or more.
IDLE_WINDOW = 0.01

#: The process counts as idle in a window when it used less than this share of one core.
IDLE_SHARE = 0.1


def wait_until_idle(longest=IDLE_WAIT_SECONDS, window=IDLE_WINDOW):
    """Sleep until this process's threads (OpenBLAS's, Numba's) stop using the CPU, or `longest` seconds.

    After a call, BLAS and threading-layer threads may spin a while before they sleep, and a
    timing started meanwhile shares the cores with them. While the calling thread sleeps,
    the process's CPU time (:func:`time.process_time`, all threads) grows only by what they
    use: the wait ends after the first `window` in which it grew by less than
    :data:`IDLE_SHARE` of the window. With nncore's settings (``OPENBLAS_THREAD_TIMEOUT=4``,
    TBB) that is the first window; a fixed pause long enough for any setting cost 0.3 s.

    Parameters
    ----------
    longest : float
        Seconds after which it returns even if the threads still spin.
    window : float
        Seconds of each measurement.

    Returns
    -------
    float
        The seconds waited.

    Examples
    --------
    >>> 0.0 < wait_until_idle(longest=0.05) < 1.0
    True
    """
    start = time.perf_counter()
    while True:
        cpu, wall = time.process_time(), time.perf_counter()
        time.sleep(window)
        now = time.perf_counter()
        if time.process_time() - cpu < IDLE_SHARE * (now - wall) or now - start >= longest:
            return now - start
