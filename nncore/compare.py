"""``nncore compare``: the tiers side by side on the course's workloads.

Runs each workload (:mod:`nncore.workloads`) in each tier of
:data:`nncore.TIERS` and the course's dot-product demo
(:mod:`nncore.vectorization`), then prints a table (:mod:`nncore.report`) or
JSON. :func:`compare` is the same thing as a function returning the figures.
"""

import argparse
import json
import os
import platform
import sys
import textwrap

import numba
import numpy as np

from nncore import measure, report
from nncore._version import __version__
from nncore.datasets import DATA_ENV, data_folder
from nncore.progress import Progress
from nncore.threadpool import MAX_THREADS, blas_threads, get_num_threads, threads
from nncore.tiers import TIERS
from nncore.vectorization import METHODS, N
from nncore.workloads import DEFAULT_WORKLOADS, WORKLOADS

#: The name of the dot-product demo in ``--workloads``.
DOT = "dot"

#: Everything ``--workloads`` accepts, in the order they run.
CHOICES = (*WORKLOADS, DOT)

DESCRIPTION = """\
Train the course's networks in every tier (loop, vector, jit, ...) and print, per
workload and tier: the median time per training iteration, the speed-up against
the loop and vector tiers, the largest difference from the loop tier's costs and
parameters, the final cost and the train/test accuracy. Then the course's
vectorization demo: a dot product of two 1,000,000-element vectors as a Python
loop, with np.dot and with a JIT kernel.

Every tier first waits 0.3 s (the previous tier's BLAS or OpenMP threads spin
that long and would share the cores), then trains for the loop tier's iteration
count (the warm-up: JIT compilation and first-touch of memory are not timed; it
is also the run that is compared with the loop tier), then for the full
iteration count, timed, --repeats times. The loop tier is timed on its own few
iterations."""


def _workload_help(name, text):
    return textwrap.fill(text, 79, initial_indent=f"  {name:<13}", subsequent_indent=" " * 15)


_WORKLOAD_HELP = "\n".join(
    [_workload_help(w.name, f"{w.description}; {w.iterations} iterations, loop tier "
                    f"{w.loop_iterations or 'only with --loop-iterations'}"
                    + ("" if w.by_default else "; only with --workloads"))
     for w in WORKLOADS.values()]
    + [_workload_help(DOT, f"dot product of two {N:,}-element vectors, three ways")]
)

EPILOG = f"""\
workloads:
{_WORKLOAD_HELP}

The cat workloads need the course's files train_catvnoncat.h5 and
test_catvnoncat.h5 in one folder, given by --data or ${DATA_ENV} (and h5py);
without them they are skipped with a note. Exit status: 0; 1 when a tier
failed (the table says how; --json has the traceback) or a workload asked for
by --workloads or --data could not run; 2 for bad options or --plot without
matplotlib."""


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text}")
    return value


def _thread_count(text):
    value = _positive(text)
    if value > MAX_THREADS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_THREADS} (the cores Numba found); got {text}")
    return value


def add_arguments(parser):
    """Add the options of ``nncore compare`` to the argparse `parser`."""
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "--workloads", nargs="+", choices=CHOICES, metavar="NAME",
        help=f"what to run, any of {', '.join(CHOICES)} (default: all but "
        f"{', '.join(sorted(set(WORKLOADS) - set(DEFAULT_WORKLOADS)))})",
    )
    parser.add_argument(
        "--tiers", nargs="+", choices=TIERS, metavar="TIER",
        help=f"the tiers to compare, any of {', '.join(TIERS)} (default: all; the loop tier "
        "is needed for the differences and the 'vs loop' column)",
    )
    parser.add_argument(
        "--iterations", type=_positive, metavar="N",
        help="training iterations of the timed runs, for every workload (default: per workload, below)",
    )
    parser.add_argument(
        "--loop-iterations", type=_positive, metavar="N",
        help="iterations the loop tier runs and the tiers are compared over, at most --iterations "
        "(default: per workload, below)",
    )
    parser.add_argument(
        "--repeats", type=_positive, default=3, metavar="N",
        help="timed runs per workload and tier; the median is reported (default: 3)",
    )
    parser.add_argument(
        "--threads", type=_thread_count, default=MAX_THREADS, metavar="N",
        help=f"threads for Numba's kernels and BLAS, 1 to {MAX_THREADS} (default: {MAX_THREADS}, every "
        "core; on a machine other jobs keep busy, 1 gives steadier figures)",
    )
    parser.add_argument(
        "--dtype", choices=("float64", "float32"), default="float64",
        help="floating dtype of the data and parameters (default: float64)",
    )
    parser.add_argument(
        "--data", metavar="FOLDER",
        help=f"folder holding the cat data files (default: ${DATA_ENV})",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of the table")
    parser.add_argument(
        "--plot", metavar="FILE.png",
        help="also save the cost curves per tier and the planar decision boundary to this image "
        "(needs matplotlib: pip install 'nncore[plot]')",
    )


def _load_average():
    """The 1-minute load average, or None where the system does not tell."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def _environment():
    blas = blas_threads()
    return {
        "nncore": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average": _load_average(),
        "threads": {"numba": get_num_threads(), "blas": max(blas.values()) if blas else None},
    }


def _cat_data(workload, dtype, folder):
    """`workload`'s cat data (:class:`nncore.workloads.Data`) and where it is, or None and why not."""
    try:
        data = workload.load(dtype, folder)
        return data, {"folder": str(data_folder(folder)), "found": True, "message": None}
    except (FileNotFoundError, ValueError, ImportError) as err:
        return None, {"folder": folder, "found": False, "message": str(err)}


def _steps(workloads, tiers, repeats):
    per_workload = sum(1 if tier == "loop" else 1 + repeats for tier in tiers)
    return sum(len(METHODS) if name == DOT else per_workload for name in workloads)


def compare(workloads=(*DEFAULT_WORKLOADS, DOT), tiers=TIERS, iterations=None, loop_iterations=None, repeats=3,
            dtype="float64", data=None, progress=None):
    """Run the comparison and return its figures.

    Parameters
    ----------
    workloads : sequence of str
        Names from :data:`CHOICES`.
    tiers : sequence of str
        Names from :data:`nncore.TIERS`.
    iterations, loop_iterations : int, optional
        Override every workload's defaults.
    repeats : int
    dtype : {"float64", "float32"}
    data : str or path-like, optional
        The cat data folder; default ``$NNCORE_DATA``.
    progress : nncore.progress.Progress, optional

    Returns
    -------
    results : dict
        ``{"environment", "dtype", "repeats", "tiers", "cat_data", "workloads", "dot"}``;
        each workload is ``{"name", ..., "skipped", "rows"}`` with one row per tier
        (see :func:`nncore.measure.measure_workload`; rows keep private ``"_..."``
        entries, which :func:`nncore.report.to_json` drops), "dot" the rows of
        :func:`nncore.measure.measure_dot` or None.
    """
    progress = progress or Progress(1, enabled=False)
    dtype = np.dtype(dtype)
    results = {
        "environment": _environment(),
        "dtype": dtype.name,
        "repeats": repeats,
        "tiers": list(tiers),
        "cat_data": None,
        "workloads": [],
        "dot": None,
    }
    cats = None
    for name in workloads:
        if name == DOT:
            results["dot"] = {"n": N, "rows": measure.measure_dot(N, dtype, repeats, progress)}
            continue
        workload = WORKLOADS[name]
        its = iterations or workload.iterations
        loop_its = min(loop_iterations or workload.loop_iterations, its)
        entry = {
            "name": name,
            "description": workload.description,
            "layer_dims": list(workload.layer_dims),
            "activations": list(workload.activations),
            "learning_rate": workload.learning_rate,
            "iterations": its,
            "compared_iterations": loop_its,
            "skipped": None,
            "rows": [],
        }
        results["workloads"].append(entry)
        if workload.needs_cat_data:
            if results["cat_data"] is None:
                cats, results["cat_data"] = _cat_data(workload, dtype, data)
            if cats is None:
                entry["skipped"] = results["cat_data"]["message"]
                continue
            loaded = cats
        else:
            loaded = workload.load(dtype)
        entry["m_train"] = loaded.X_train.shape[1]
        entry["m_test"] = None if loaded.X_test is None else loaded.X_test.shape[1]
        entry["rows"] = measure.measure_workload(workload, loaded, tiers, its, loop_its, repeats, dtype, progress)
    return results


def run(args):
    """Run ``nncore compare`` with the parsed `args`; returns the exit status."""
    if args.plot:
        try:
            report.require_matplotlib()
        except ImportError as err:
            print(f"nncore compare: {err}", file=sys.stderr)
            return 2
    chosen = (*DEFAULT_WORKLOADS, DOT) if args.workloads is None else args.workloads
    workloads = [name for name in CHOICES if name in chosen]
    tiers = [name for name in TIERS if args.tiers is None or name in args.tiers]
    options = (workloads, tiers, args.iterations, args.loop_iterations, args.repeats, args.dtype, args.data)
    with Progress(_steps(workloads, tiers, args.repeats)) as progress, threads(args.threads):
        results = compare(*options, progress=progress)
    if args.json:
        print(json.dumps(report.to_json(results), indent=2))
    else:
        print(report.table(results))
    missing = results["cat_data"] is not None and not results["cat_data"]["found"]
    if missing and args.json:
        print(f"nncore compare: {report.skipped_line(results)}", file=sys.stderr)
    if args.plot:
        report.plot(results, args.plot)
        print(f"nncore compare: saved the plot to {args.plot}", file=sys.stderr)
    asked_for_cats = args.data is not None or args.workloads is not None
    failed = any(row["status"] == "error" for workload in results["workloads"] for row in workload["rows"])
    return 1 if failed or (missing and asked_for_cats) else 0
