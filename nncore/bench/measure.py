"""Timing and agreement of the tiers on the course's workloads, and the dot-product demo.

For each workload, every tier first trains for the workload's loop-tier
iteration count N with the cost recorded at every iteration. For the loop
tier that run is the measurement; for the others it is the warm-up (JIT
compilation and the first touch of buffers happen there, untimed) and the run
compared with the loop tier's: the largest difference of the N costs and of
the parameters after N iterations. Then each fast tier trains for the full
iteration count `repeats` times, timed; the median time per iteration is
reported. All runs record the cost at every iteration, as the course's
training loops compute it.

The speed-ups are ratios of times measured in this one process: a row's
figure against the loop tier's and the vector tier's.
"""

import math
import statistics
import time
import traceback
from dataclasses import dataclass

import numpy as np

from nncore.bench.dot import METHODS, vectors
from nncore.compiling import COMPILING, CompileWatch
from nncore.errors import TrainingDiverged
from nncore.threadpool import wait_until_idle
from nncore.tiers import get_tier

#: The loop tier repeats its run (up to `repeats` times) only when one run takes less than this (seconds).
LOOP_REPEAT_LIMIT = 0.5

#: The tiers and dot methods that start no thread (Python loops): no wait is needed after them.
_THREADLESS = ("loop", "python")

#: Whether what ran last may have left threads spinning (anything before compare: maybe).
_last_ran = {"threads": True}


def _settle(name):
    """Wait until the threads of what ran last are asleep (:func:`nncore.threadpool.wait_until_idle`),
    unless it started none; then remember whether `name` (a tier or a dot method, about to run) does.

    OpenBLAS's threads spin for about 0.1 s after a call unless ``OPENBLAS_THREAD_TIMEOUT`` was set
    before NumPy loaded it, and a call made meanwhile shares the cores with them (a JIT deep-cats
    run right after the vector tier took twice as long).
    """
    if _last_ran["threads"]:
        wait_until_idle()
    _last_ran["threads"] = name not in _THREADLESS


#: A fast call (the dot demo) is repeated within one timing until the timing lasts this long (seconds).
MIN_TIMING = 0.02


def max_difference(ours, reference):
    """The largest ``|ours - reference|`` over arrays or dicts of arrays and floats, as a float."""
    if isinstance(reference, dict):
        return max((max_difference(ours[key], reference[key]) for key in reference), default=0.0)
    ours, reference = np.asarray(ours, np.float64), np.asarray(reference, np.float64)
    if ours.shape != reference.shape:
        return math.inf
    return float(np.max(np.abs(ours - reference), initial=0.0))


def _timed(run):
    started = time.perf_counter()
    result = run()
    return result, time.perf_counter() - started


@dataclass(frozen=True)
class Timing:
    """How each tier runs on a workload.

    Attributes
    ----------
    iterations : int
        Iterations of each timed run of a fast tier.
    compared : int
        Iterations of the run compared with the loop tier: the loop tier's
        measured run, the fast tiers' warm-up (at least 1).
    repeats : int
        Timed runs per fast tier; the loop tier repeats its run (up to this
        many times) only when one run is shorter than :data:`LOOP_REPEAT_LIMIT`.
    """

    iterations: int
    compared: int
    repeats: int


def measure_tier(workload, name, data, start, timing, progress):
    """One row of the table: tier `name` trained on `workload`.

    Parameters
    ----------
    workload : nncore.bench.workloads.Workload
    name : str
        A name in :data:`nncore.TIERS`.
    data : nncore.course.data.Data
        The samples, in the computation's dtype.
    start : dict
        The initial parameters (:meth:`Workload.initial_parameters`); not modified.
    timing : Timing
    progress : nncore.bench.progress.Progress

    Returns
    -------
    row : dict
        JSON-ready figures, plus the private ``"_check"`` (parameters and costs
        after `compared` iterations) and ``"_parameters"`` (after the timed runs).

    Raises
    ------
    Exception
        Whatever the tier raises, e.g. :class:`nncore.TrainingDiverged`, or
        AttributeError when it lacks the function that trains `workload`.
    """
    tier = get_tier(name)
    iterations, compared, repeats = timing.iterations, timing.compared, timing.repeats
    label = f"{workload.name}: {name}, " + (f"{compared} iterations" if name == "loop" else "warm-up")
    progress.start(label)
    _settle(name)  # the previous tier's BLAS or OpenMP threads may still be spinning
    warm_up = max(compared, 1)  # a fast tier warms up even when the loop tier does not run
    with CompileWatch(lambda: progress.note(f"{workload.name}: {name}: {COMPILING}")) as watch:
        (check_parameters, check_costs), seconds = _timed(lambda: workload.run(tier, data, start, warm_up))
    if watch.count:
        progress.message(watch.line(workload.name))
        progress.note(label)
    if name == "loop":
        times = [seconds / compared]
        while len(times) < repeats and seconds < LOOP_REPEAT_LIMIT:
            progress.note(f"{workload.name}: loop, run {len(times) + 1}/{repeats}")
            _, seconds = _timed(lambda: workload.run(tier, data, start, compared))
            times.append(seconds / compared)
        parameters, costs, done = check_parameters, check_costs, compared
    else:
        times = []
        for r in range(repeats):
            progress.start(f"{workload.name}: {name}, run {r + 1}/{repeats}")
            (parameters, costs), seconds = _timed(lambda: workload.run(tier, data, start, iterations))
            times.append(seconds / iterations)
        done = iterations
    scorer = get_tier("vector")
    row = {
        "tier": name,
        "status": "ok",
        "iterations": done,
        "repeats": len(times),
        "seconds_per_iteration": statistics.median(times),
        "seconds_per_iteration_runs": times,
        "final_cost": float(costs[-1]) if len(costs) else None,
        "train_accuracy": workload.accuracy(scorer, parameters, data.train_x, data.train_y),
        "test_accuracy": (
            workload.accuracy(scorer, parameters, data.test_x, data.test_y) if data.test_x is not None else None
        ),
        "costs": [float(c) for c in costs],
        "compile_seconds": watch.seconds,
        "_check": (check_parameters, check_costs),
        "_parameters": parameters,
    }
    return row


#: What one multiply-add costs in the loop tier, measured on deep-cats here
#: (one iteration, 1.5e8 multiply-adds, 25 s): for the estimate when it is skipped.
LOOP_SECONDS_PER_MAC = 1.6e-7


def _duration(seconds):
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.0f} hours"


def measure_workload(workload, data, tiers, iterations, loop_iterations, repeats, dtype, progress):
    """Every tier of `tiers` on `workload`: one row each (see :func:`measure_tier`).

    The loop tier's row with ``loop_iterations = 0`` has ``"status"``
    ``"skipped"`` and a ``"reason"`` (an estimate of its time); rows of tiers
    that fail (training diverged, any exception, a tier lacking the function
    that trains the workload) have ``"status"`` ``"error"``, a one-line ``"reason"`` and,
    for exceptions other than divergence, the ``"traceback"``. Differences are
    against the loop tier and speed-ups against the loop and vector tiers, when
    those ran.

    Returns
    -------
    rows : list of dict
    """
    start = workload.initial_parameters(dtype)
    compared = min(loop_iterations, iterations)
    timing = Timing(iterations, compared, repeats)
    rows = []
    for name in tiers:
        if name == "loop" and compared == 0:
            dims, m = workload.layer_dims, workload.load_size()
            macs = 3 * sum(a * b for a, b in zip(dims, dims[1:])) * m
            reason = (
                f"not run on {workload.name} by default (an iteration is {macs:.2g} multiply-adds in "
                f"Python loops, about {_duration(macs * LOOP_SECONDS_PER_MAC)} at "
                f"{LOOP_SECONDS_PER_MAC * 1e6:.2g} us each); run it with --workloads {workload.name} "
                f"--loop-iterations 1"
            )
            rows.append({"tier": name, "status": "skipped", "reason": reason})
            continue
        try:
            rows.append(measure_tier(workload, name, data, start, timing, progress))
        except TrainingDiverged as err:
            rows.append({"tier": name, "status": "error", "reason": str(err)})
        except Exception as err:  # a broken tier must not hide the others' figures
            first_line = str(err).strip().splitlines()[0] if str(err).strip() else ""
            rows.append(
                {
                    "tier": name,
                    "status": "error",
                    "reason": f"{type(err).__name__}: {first_line}",
                    "traceback": traceback.format_exc(),
                }
            )
    _add_comparisons(rows)
    return rows


def _add_comparisons(rows):
    ran = {row["tier"]: row for row in rows if row["status"] == "ok"}
    reference = ran.get("loop")
    for row in ran.values():
        if reference is None:
            row["max_cost_difference"] = row["max_parameter_difference"] = None
        else:
            (parameters, costs), (ref_parameters, ref_costs) = row["_check"], reference["_check"]
            row["max_cost_difference"] = max_difference(costs, ref_costs)
            row["max_parameter_difference"] = max_difference(parameters, ref_parameters)
        for other in ("loop", "vector"):
            row[f"speedup_vs_{other}"] = (
                ran[other]["seconds_per_iteration"] / row["seconds_per_iteration"] if other in ran else None
            )


def public(rows):
    """`rows` without the private entries (trained parameters), ready for JSON."""
    return [{key: value for key, value in row.items() if not key.startswith("_")} for row in rows]


def _time_call(function, a, b, repeats, warm_up, progress=None, label="dot product"):
    """Median seconds per call of ``function(a, b)`` over `repeats` timings, and its result."""
    number = 1
    if warm_up:
        with CompileWatch(lambda: progress and progress.note(f"{label}: {COMPILING}")) as watch:
            _, seconds = _timed(lambda: function(a, b))
        if watch.count:
            if progress is not None:
                progress.message(watch.line(label))
                progress.note(label)
            _, seconds = _timed(lambda: function(a, b))  # the first call's time was the compilation's
        number = max(1, min(1000, math.ceil(MIN_TIMING / max(seconds, 1e-9))))
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(number):
            result = function(a, b)
        times.append((time.perf_counter() - started) / number)
    return statistics.median(times), result


def measure_dot(n, dtype, repeats, progress):
    """The course's vectorization demo: a dot product of two `n`-element vectors, timed three ways.

    The compiled ones are called once first (compilation, untimed); the
    Python loop is not (it compiles nothing, and each call is long).

    Returns
    -------
    rows : list of dict
        ``{"method", "label", "status", "seconds", "value", "speedup_vs_python",
        "speedup_vs_numpy"}`` per method of :data:`nncore.bench.dot.METHODS`.
    """
    a, b = vectors(n, dtype)
    rows = []
    for method, (label, function) in METHODS.items():
        progress.start(f"dot product: {label}")
        _settle(method)  # the previous method's threads may still be spinning
        seconds, value = _time_call(
            function, a, b, repeats, warm_up=method != "python", progress=progress, label=f"dot product: {label}"
        )
        rows.append({"method": method, "label": label, "status": "ok", "seconds": seconds, "value": value})
    by_method = {row["method"]: row for row in rows}
    for row in rows:
        for other in ("python", "numpy"):
            row[f"speedup_vs_{other}"] = by_method[other]["seconds"] / row["seconds"]
    return rows
