"""This machine's own limits, and the lower bound they put on a training iteration.

:func:`measure` takes, in a few seconds and with the thread counts in force
(:func:`nncore.threads`), the figures a training iteration cannot beat:

* the GEMM rate, dgemm and sgemm through NumPy's BLAS on square products large
  enough to be compute bound (median of a few products after a warm-up);
* the read bandwidth of an array the size of the cat images' X (20.5 MB, which
  lives in the last-level cache where it fits) and of a DRAM-sized one
  (512 MB), read by :func:`_read_words`, a parallel reduction compiled with
  the project's options (:func:`nncore.kernels.config.kernel`);
* the CPU's model name, and the name and features LLVM (hence Numba) compiles
  for.

Why a compiled reduction: a NumPy sum runs on one thread, so it measures one
core, not the machine; Python threads each summing a slice would measure
NumPy's summation loop as much as memory. The kernel sums the array's 64-bit
words as integers, whose addition is associative: LLVM vectorizes it at full
width with no fast-math flag, so the loop runs at load speed. It is compiled
in each process (``cache=False``, about a second): nncore's on-disk cache is
keyed by the sources of ``nncore/kernels/`` only, and would go on serving the
old code of a kernel outside that folder after an edit of it.

:func:`iteration_bound` turns the figures into the lower bound of one
training iteration: the FLOPs of its matrix products over the GEMM rate, or the
bytes of X it must read over the bandwidth of the level X lives in, whichever
is larger (:func:`network_flops`, :func:`x_bytes`, :func:`bandwidth_level`);
:func:`workload_bounds` does it for each workload of
:data:`nncore.bench.workloads.WORKLOADS`. ``nncore compare --bounds`` prints them
next to each tier's time (:func:`add_bounds`; :mod:`nncore.bench.report` formats them);
``python -m nncore.bench.machine`` prints them alone.
"""

import math
import os
import statistics
import time

import numba
import numpy as np

from nncore.cpu import cpu_model, llvm_host
from nncore.threadpool import blas_threads, get_num_threads

#: Side of the square products timed, per dtype: compute bound on any current CPU, about
#: 0.1 s each at 100 GFLOP/s (float64) or 200 GFLOP/s (float32).
GEMM_SIZES = {"float64": 1536, "float32": 2048}

#: Bytes of the cache-level read: the cat images' training X in float64, (12288, 209).
CACHE_BYTES = 12288 * 209 * 8

#: Bytes of the DRAM-level read: far larger than any last-level cache.
DRAM_BYTES = 512 * 2**20

#: Timed runs of each figure; the median is kept.
REPEATS = 5

#: A timed read of the cache-sized array repeats the read until it lasts this long (seconds).
MIN_TIMING = 0.01

#: X up to this many bytes is taken to live in the cache level, larger in DRAM: the geometric
#: mean of the two probes (101 MB), so each X is timed at the bandwidth of the probe nearer its size.
LEVEL_SPLIT = math.isqrt(CACHE_BYTES * DRAM_BYTES)

#: How many times each tier (vector, jit) reads X in a training iteration today: the forward
#: product ``W1 @ X`` and the backward ``dW1 = dZ1 @ X.T`` (logistic regression: ``w.T @ X`` and
#: ``X @ dZ.T``). The bound counts one read: a column-blocked pass can do both while X is in cache.
TIER_X_PASSES = 2


def network_flops(layer_dims, m):
    """Floating-point operations of the matrix products of one training iteration.

    A layer of ``n`` units over ``n_prev`` inputs does three products of
    ``2 * n * n_prev * m`` FLOPs each: the forward ``W @ A_prev``, ``dW = dZ @
    A_prev.T`` and ``dA_prev = W.T @ dZ``; the first layer skips ``dA_prev``
    (the tiers compute no ``dA0``). Bias, activations and the update are left
    out: they are O(n * m) and only raise the true time.

    Parameters
    ----------
    layer_dims : sequence of int
        ``(n_x, n_1, ..., n_L)``; logistic regression is ``(n_x, 1)``.
    m : int
        Samples.

    Returns
    -------
    flops : int
        ``2 * m * (3 * sum(n_l * n_{l-1}) - n_1 * n_x)``.
    """
    dims = [int(d) for d in layer_dims]
    products = [n_prev * n for n_prev, n in zip(dims, dims[1:])]
    return 2 * int(m) * (3 * sum(products) - products[0])


def x_bytes(n_x, m, dtype):
    """Bytes of the input X, ``(n_x, m)`` in `dtype`: what one read of it moves.

    Parameters
    ----------
    n_x, m : int
    dtype : numpy dtype or str

    Returns
    -------
    int
    """
    return int(n_x) * int(m) * np.dtype(dtype).itemsize


def bandwidth_level(nbytes):
    """``"cache"`` for an X of at most :data:`LEVEL_SPLIT` bytes, else ``"dram"``.

    Parameters
    ----------
    nbytes : int

    Returns
    -------
    str
    """
    return "cache" if nbytes <= LEVEL_SPLIT else "dram"


def iteration_bound(layer_dims, m, dtype, machine, x_passes=1):
    """The lower bound of one training iteration on the machine `machine` describes.

    Parameters
    ----------
    layer_dims : sequence of int
    m : int
        Samples.
    dtype : numpy dtype or str
        float64 (dgemm's rate) or float32 (sgemm's, and half the bytes).
    machine : dict
        From :func:`measure`.
    x_passes : int, default 1
        Reads of X the bound counts (1: the least any implementation needs).

    Returns
    -------
    bound : dict
        ``{"seconds", "limited_by" ("flops" or "bytes"), "flops", "gemm_flops_per_second",
        "flop_seconds", "x_bytes", "x_passes", "tier_x_passes", "level",
        "bytes_per_second", "byte_seconds"}``: ``seconds`` is the larger of
        ``flop_seconds`` (FLOPs over the GEMM rate) and ``byte_seconds``
        (``x_passes`` reads of X over the bandwidth of its level). An X far
        smaller than :data:`CACHE_BYTES` (the planar flower's 6.4 kB) lives in
        L1 or L2, faster than the level measured: its bytes term is then an
        estimate, not a strict bound (and negligible next to the call overheads
        that bound such a workload).
    """
    name = np.dtype(dtype).name
    flops = network_flops(layer_dims, m)
    rate = machine["gemm"][name]["flops_per_second"]
    nbytes = x_bytes(layer_dims[0], m, dtype)
    level = bandwidth_level(nbytes)
    bandwidth = machine["bandwidth"][level]["bytes_per_second"]
    flop_seconds = flops / rate
    byte_seconds = x_passes * nbytes / bandwidth
    return {
        "seconds": max(flop_seconds, byte_seconds),
        "limited_by": "flops" if flop_seconds >= byte_seconds else "bytes",
        "flops": flops,
        "gemm_flops_per_second": rate,
        "flop_seconds": flop_seconds,
        "x_bytes": nbytes,
        "x_passes": x_passes,
        "tier_x_passes": TIER_X_PASSES,
        "level": level,
        "bytes_per_second": bandwidth,
        "byte_seconds": byte_seconds,
    }


def workload_bounds(machine, dtype="float64", workloads=None):
    """:func:`iteration_bound` of each workload, on its own number of training samples.

    Parameters
    ----------
    machine : dict
        From :func:`measure`.
    dtype : numpy dtype or str
    workloads : dict, optional
        ``{name: Workload}``; default :data:`nncore.bench.workloads.WORKLOADS`.

    Returns
    -------
    dict
        ``{name: bound}``, each bound with ``"m"`` added.
    """
    if workloads is None:
        from nncore.bench.workloads import WORKLOADS as workloads
    bounds = {}
    for name, workload in workloads.items():
        m = workload.load_size()
        bounds[name] = {"m": m, **iteration_bound(workload.layer_dims, m, dtype, machine)}
    return bounds


def add_bounds(results, machine):
    """Add `machine` and each workload's bound to :func:`nncore.bench.compare`'s `results`, in place.

    Sets ``results["machine"]``; each workload that ran gets ``"bound"`` (from
    :func:`iteration_bound`, on its training samples, in the run's dtype, with
    ``"m"``), and each tier's row that ran gets ``"time_over_bound"``: its time
    per iteration over the bound.

    Parameters
    ----------
    results : dict
    machine : dict
        From :func:`measure`.

    Returns
    -------
    results : dict
    """
    results["machine"] = machine
    for workload in results["workloads"]:
        if workload["skipped"] or "m_train" not in workload:
            continue
        m = workload["m_train"]
        bound = {"m": m, **iteration_bound(workload["layer_dims"], m, results["dtype"], machine)}
        workload["bound"] = bound
        for row in workload["rows"]:
            if row["status"] == "ok":
                row["time_over_bound"] = row["seconds_per_iteration"] / bound["seconds"]
    return results


# --- the measurements -------------------------------------------------------------------------


def _read_words_py(words, nthreads):
    """The sum of `words` (int64, wrapping), each of `nthreads` threads reading one contiguous block.

    Parameters
    ----------
    words : ndarray of int64, shape (n,)
    nthreads : int

    Returns
    -------
    total : int64
    """
    n = words.size
    total = 0
    for t in numba.prange(nthreads):
        lo = n * t // nthreads
        hi = n * (t + 1) // nthreads
        block = words[lo:hi]  # indexed from zero: with lo..hi, Numba's negative-index handling
        s = np.int64(0)  # keeps the loop from vectorizing and the probe reads at half speed
        for i in range(block.size):
            s += block[i]
        total += s
    return total


_read_words = None


def _reader():
    """:func:`_read_words_py` compiled (parallel, project options, not cached), once per process."""
    global _read_words
    if _read_words is None:
        from nncore.kernels.config import kernel

        _read_words = kernel(_read_words_py, parallel=True, cache=False)
    return _read_words


def _median_rate(work, run, repeats):
    """``work`` over the median seconds of `repeats` timed calls of `run` (after one untimed)."""
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return work / statistics.median(times), times


def gemm_rate(n, dtype, repeats=REPEATS):
    """FLOP/s of ``A @ B`` on two ``(n, n)`` arrays of `dtype` through NumPy's BLAS.

    Parameters
    ----------
    n : int
    dtype : numpy dtype or str
    repeats : int

    Returns
    -------
    dict
        ``{"n", "flops_per_second", "seconds_runs"}``: ``2 n^3`` FLOPs over the
        median time of `repeats` products, after a warm-up product.
    """
    rng = np.random.default_rng(0)
    A = rng.random((n, n)).astype(dtype)
    B = rng.random((n, n)).astype(dtype)
    C = np.empty((n, n), dtype)
    rate, times = _median_rate(2.0 * n**3, lambda: np.matmul(A, B, out=C), repeats)
    return {"n": n, "flops_per_second": rate, "seconds_runs": times}


def read_bandwidth(nbytes, repeats=REPEATS):
    """Bytes/s of a read of an array of `nbytes` bytes by every thread in force.

    Parameters
    ----------
    nbytes : int
    repeats : int

    Returns
    -------
    dict
        ``{"bytes", "bytes_per_second", "reads_per_timing", "seconds_runs"}``: the
        median of `repeats` timings, each of ``reads_per_timing`` reads (enough
        to last :data:`MIN_TIMING`), after an untimed read.
    """
    read = _reader()
    words = np.ones(max(1, nbytes // 8), np.int64)  # written once: every page touched before timing
    nthreads = get_num_threads()
    read(words, nthreads)  # compiles on the first call of the process
    started = time.perf_counter()
    read(words, nthreads)
    once = time.perf_counter() - started
    reads = max(1, min(1000, math.ceil(MIN_TIMING / max(once, 1e-9))))

    def run():
        for _ in range(reads):
            read(words, nthreads)

    rate, times = _median_rate(reads * words.nbytes, run, repeats)
    return {"bytes": words.nbytes, "bytes_per_second": rate, "reads_per_timing": reads, "seconds_runs": times}


def measure(gemm_sizes=None, cache_bytes=None, dram_bytes=None, repeats=None):
    """Measure this machine: GEMM rates, read bandwidths, CPU names; with the thread counts in force.

    Parameters
    ----------
    gemm_sizes : dict, optional
        ``{"float64": n, "float32": n}``; default :data:`GEMM_SIZES`.
    cache_bytes, dram_bytes : int, optional
        Sizes of the two reads (default :data:`CACHE_BYTES`, :data:`DRAM_BYTES`).
    repeats : int, optional
        Default :data:`REPEATS`.

    Returns
    -------
    machine : dict
        JSON-ready: ``{"cpu_model", "llvm_cpu", "llvm_features", "cpu_count",
        "threads" {"numba", "blas"}, "gemm" {"float64", "float32"} (each from
        :func:`gemm_rate`), "bandwidth" {"cache", "dram"} (each from
        :func:`read_bandwidth`), "seconds"}`` (the measurement's own wall time).
    """
    started = time.perf_counter()
    sizes = {**GEMM_SIZES, **(gemm_sizes or {})}
    repeats = repeats or REPEATS
    host = llvm_host()
    blas = blas_threads()
    machine = {
        "cpu_model": cpu_model(),
        "llvm_cpu": host["cpu"],
        "llvm_features": host["features"],
        "cpu_count": os.cpu_count(),
        "threads": {"numba": get_num_threads(), "blas": max(blas.values()) if blas else None},
        "gemm": {name: gemm_rate(n, name, repeats) for name, n in sizes.items()},
        "bandwidth": {
            "cache": read_bandwidth(cache_bytes or CACHE_BYTES, repeats),
            "dram": read_bandwidth(dram_bytes or DRAM_BYTES, repeats),
        },
    }
    machine["seconds"] = time.perf_counter() - started
    return machine


def main(argv=None):
    """``python -m nncore.bench.machine [--threads N] [--dtype D] [--json]``: the figures and each workload's bound."""
    import argparse
    import json

    from nncore.bench.report import bound_text, machine_lines
    from nncore.options import thread_count
    from nncore.threadpool import MAX_THREADS, threads

    parser = argparse.ArgumentParser(prog="python -m nncore.bench.machine", description=main.__doc__)
    parser.add_argument("--threads", type=thread_count, default=MAX_THREADS, metavar="N")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with threads(args.threads):
        machine = measure()
    bounds = workload_bounds(machine, args.dtype)
    if args.json:
        print(json.dumps({"machine": machine, "dtype": args.dtype, "bounds": bounds}, indent=2))
        return 0
    print("\n".join(machine_lines(machine)))
    print(f"lower bound per training iteration, {args.dtype}:")
    for name, bound in bounds.items():
        print(f"  {name:<12} m = {bound['m']:<6} {bound_text(bound)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
