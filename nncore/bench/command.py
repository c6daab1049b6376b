"""The command line of ``nncore compare``: its options, and :func:`run` printing
:func:`nncore.bench.compare`'s figures as a table (:mod:`nncore.bench.report`) or JSON."""

import argparse
import json
import sys
import textwrap

from nncore.bench import CHOICES, DOT, compare, machine, report
from nncore.bench.dot import METHODS, N
from nncore.bench.progress import Progress
from nncore.bench.workloads import DEFAULT_WORKLOADS, WORKLOADS
from nncore.datasets import DATA_ENV
from nncore.options import positive_int, thread_count
from nncore.threadpool import MAX_THREADS, default_threads, threads
from nncore.tiers import TIERS

DESCRIPTION = """\
Train the course's networks in every tier (loop, vector, jit, ...) and print, per
workload and tier: the median time per training iteration, the speed-up against
the loop and vector tiers, the largest difference from the loop tier's costs and
parameters, the final cost and the train/test accuracy. Then the course's
vectorization demo: a dot product of two 1,000,000-element vectors as a Python
loop, with np.dot and with a JIT kernel.

Every tier first waits until the threads of the tier before it (BLAS, Numba's)
are asleep, as the process's CPU time shows (at most 0.3 s), then trains for
the loop tier's iteration count (the warm-up: JIT compilation and first-touch
of memory are not timed; it is also the run that is compared with the loop
tier), then for the full iteration count, timed, --repeats times. The loop tier
is timed on its own few iterations."""


def _workload_help(name, text):
    return textwrap.fill(text, 79, initial_indent=f"  {name:<13}", subsequent_indent=" " * 15)


_WORKLOAD_HELP = "\n".join(
    [
        _workload_help(
            w.name,
            f"{w.description}; {w.iterations} iterations, loop tier "
            f"{w.loop_iterations or 'only with --loop-iterations'}"
            + ("" if w.by_default else "; only with --workloads"),
        )
        for w in WORKLOADS.values()
    ]
    + [_workload_help(DOT, f"dot product of two {N:,}-element vectors, three ways")]
)

EPILOG = f"""\
workloads:
{_WORKLOAD_HELP}

The cat workloads read the course's files train_catvnoncat.h5 and
test_catvnoncat.h5 from one folder, given by --data or ${DATA_ENV}; without
them they run on seeded random images of the same shape ("stand-in images"
in the table, the JSON and the plot), with no accuracies, and one message says
where the files are. Exit status: 0; 1 when a tier failed (the table says how;
--json has the traceback) or the folder given by --data could not be read; 2
for bad options or --plot without matplotlib."""


def add_arguments(parser):
    """Add the options of ``nncore compare`` to the argparse `parser`."""
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "--workloads",
        nargs="+",
        choices=CHOICES,
        metavar="NAME",
        help=f"what to run, any of {', '.join(CHOICES)} (default: all but "
        f"{', '.join(sorted(set(WORKLOADS) - set(DEFAULT_WORKLOADS)))})",
    )
    parser.add_argument(
        "--tiers",
        nargs="+",
        choices=TIERS,
        metavar="TIER",
        help=f"the tiers to compare, any of {', '.join(TIERS)} (default: all; the loop tier "
        "is needed for the differences and the 'vs loop' column)",
    )
    parser.add_argument(
        "--iterations",
        type=positive_int,
        metavar="N",
        help="training iterations of the timed runs, for every workload (default: per workload, below)",
    )
    parser.add_argument(
        "--loop-iterations",
        type=positive_int,
        metavar="N",
        help="iterations the loop tier runs and the tiers are compared over, at most --iterations "
        "(default: per workload, below)",
    )
    parser.add_argument(
        "--repeats",
        type=positive_int,
        default=3,
        metavar="N",
        help="timed runs per workload and tier; the median is reported (default: 3)",
    )
    parser.add_argument(
        "--threads",
        type=thread_count,
        metavar="N",
        help=f"threads for Numba's kernels and BLAS, 1 to {MAX_THREADS} (default: the cores no other process "
        f"keeps busy, measured at the start: {MAX_THREADS} on an idle machine)",
    )
    parser.add_argument(
        "--dtype",
        choices=("float64", "float32"),
        default="float64",
        help="floating dtype of the data and parameters (default: float64)",
    )
    parser.add_argument(
        "--data",
        metavar="FOLDER",
        help=f"folder holding the cat data files (default: ${DATA_ENV})",
    )
    parser.add_argument(
        "--bounds",
        action="store_true",
        help="first measure this machine's GEMM rate and memory bandwidth (a few seconds, same threads) and "
        "add per workload the lower bound per iteration and each tier's time / bound",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the figures as JSON instead of the table (the table's warnings, a busy machine and "
        "stand-in images, then go to standard error)",
    )
    parser.add_argument(
        "--plot",
        metavar="FILE.png",
        help="also save the cost curves per tier and the planar decision boundary to this image "
        "(needs matplotlib: from the checkout, pip install -e '.[plot]')",
    )


def _steps(workloads, tiers, repeats):
    per_workload = sum(1 if tier == "loop" else 1 + repeats for tier in tiers)
    return sum(len(METHODS) if name == DOT else per_workload for name in workloads)


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
    if args.threads is None:
        count, busy = default_threads()
    else:
        count, busy = args.threads, default_threads()[1]
    with Progress(_steps(workloads, tiers, args.repeats)) as progress, threads(count):
        if args.bounds:
            progress.note("measuring the machine's GEMM rate and bandwidth")
            figures = machine.measure()
        results = compare(
            workloads,
            tiers,
            iterations=args.iterations,
            loop_iterations=args.loop_iterations,
            repeats=args.repeats,
            dtype=args.dtype,
            data=args.data,
            progress=progress,
        )
    results["environment"]["busy_cores"] = busy
    results["environment"]["threads"]["chosen_by"] = "--threads" if args.threads is not None else "free cores"
    if args.bounds:
        machine.add_bounds(results, figures)
    if args.json:
        print(json.dumps(report.to_json(results), indent=2))
    else:
        print(report.table(results))
    missing = results["cat_data"] is not None and not results["cat_data"]["found"]
    if args.json:  # the table's warnings, which the JSON holds as figures, on standard error
        busy = report.busy_text(results["environment"])
        if busy:
            print(f"nncore compare: {busy}", file=sys.stderr)
        if missing:
            print(f"nncore compare: {report.stand_in_line(results)}", file=sys.stderr)
    if args.plot:
        report.plot(results, args.plot)
        print(f"nncore compare: saved the plot to {args.plot}", file=sys.stderr)
    failed = any(row["status"] == "error" for workload in results["workloads"] for row in workload["rows"])
    return 1 if failed or (missing and args.data is not None) else 0
