"""The command line of the course's experiments: ``python -m nncore course NAME``.

:func:`add_arguments` fills an argparse parser and :func:`run` runs the parsed
command, returning the exit code: 0 when the experiment ran, 1 when it could
not (no cat data, training diverged), 2 for a usage error (``--plot`` without
matplotlib). ``python -m nncore.course NAME`` runs the same on its own.
"""

import argparse
import importlib.util
import json
import sys

from nncore.course.experiments import CAT_EXPERIMENTS, EXPERIMENTS
from nncore.course.parallel import POOLS
from nncore.course.recipes import RECIPES
from nncore.course.results import Sweep
from nncore.errors import TrainingDiverged
from nncore.options import positive_int, thread_count
from nncore.tiers import TIERS

#: How each experiment's notebook prints a cost: ``"%f"`` or the full ``str(cost)``.
#: The sweeps print none, as in the course.
COST_FORMATS = {
    "logreg-cats": "{:f}",
    "planar": "{:f}",
    "two-layer-cats": "{}",
    "deep-cats": "{:f}",
}


def add_arguments(parser):
    """Add the course command's arguments to `parser` (an ``argparse.ArgumentParser``).

    Returns
    -------
    parser
    """
    parser.add_argument(
        "name", metavar="NAME", choices=list(EXPERIMENTS), help=f"the experiment: {', '.join(EXPERIMENTS)}"
    )
    parser.add_argument("--tier", choices=TIERS, default="vector", help="the tier that computes (default: vector)")
    parser.add_argument(
        "--data",
        metavar="FOLDER",
        help="the folder holding train_catvnoncat.h5 and test_catvnoncat.h5, for the cat experiments "
        "(default: $NNCORE_DATA)",
    )
    parser.add_argument(
        "--plot",
        metavar="FILE.png",
        help="save the cost curve (and the planar decision boundaries) to FILE.png; needs matplotlib",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON instead of text")
    parser.add_argument(
        "--iterations", type=positive_int, metavar="N", help="train N iterations instead of the course's number"
    )
    parser.add_argument(
        "--threads",
        type=thread_count,
        metavar="N",
        help="threads for Numba's kernels and BLAS (default: the cores no other process keeps busy, "
        "measured at the start; all of them on an idle machine)",
    )
    parser.add_argument(
        "--pool",
        choices=POOLS,
        help="planar-hidden-sizes: run the trainings in processes or threads "
        "(default: threads for jit, processes otherwise)",
    )
    parser.add_argument(
        "--workers", type=int, metavar="N", help="planar-hidden-sizes: N parallel workers (default: one per core)"
    )
    parser.add_argument(
        "--no-sequential",
        dest="sequential",
        action="store_false",
        help="planar-hidden-sizes: skip the one-after-another run that the parallel time is compared with",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="planar-hidden-sizes: run the trainings on the Dask cluster whose scheduler is at ADDRESS "
        "(tcp://HOST:8786, from `dask scheduler`) instead of --pool; needs the 'dask' extra",
    )
    return parser


def _experiment_kwargs(args):
    kwargs = {"tier": args.tier}
    if args.name in CAT_EXPERIMENTS:
        kwargs["data"] = args.data
    if args.iterations is not None:
        kwargs["num_iterations"] = args.iterations
    if args.name == "planar-hidden-sizes":
        kwargs.update(pool=args.pool, workers=args.workers, sequential=args.sequential, scheduler=args.scheduler)
    return kwargs


def _header(run):
    layers = f"layers {list(run.layer_dims)} ({', '.join(run.activations)})"
    settings = f"learning rate {run.learning_rate}, {run.num_iterations} iterations"
    return f"{run.experiment} on the {run.tier} tier: {layers}, {settings}"


def _accuracy_lines(run):
    lines = [f"train accuracy: {run.train_accuracy * 100} %"]
    if run.test_accuracy is not None:
        lines.append(f"test accuracy: {run.test_accuracy * 100} %")
    return lines


def report(result):
    """The text :func:`run` prints for `result` (a Training or a Sweep), as lines."""
    if not isinstance(result, Sweep):
        cost = COST_FORMATS[result.experiment]
        lines = [_header(result)]
        lines += [
            f"Cost after iteration {i}: {cost.format(c)}"
            for i, c in zip(result.cost_iterations.tolist(), result.costs.tolist())
        ]
        return lines + _accuracy_lines(result) + [f"wall time: {result.wall_time:.3g} s"]
    lines = [f"{result.experiment} on the {result.tier} tier"]
    for run in result.runs:
        if result.varied == "n_h":
            lines.append(f"Accuracy for {run.n_h} hidden units: {run.train_accuracy * 100} %")
        else:
            lines += [f"learning rate is: {run.learning_rate}", *_accuracy_lines(run), "-" * 55]
    lines.append(result.timing_line())
    if result.max_cost_difference is not None:
        lines.append(
            f"largest cost difference between the parallel and the sequential runs: {result.max_cost_difference:.3g}"
        )
    return lines


def _threads(n):
    """`n` threads for Numba and BLAS inside the block (see :mod:`nncore.threadpool`); None: the free cores.

    Where other processes hold a core (:func:`nncore.threadpool.busy_cores`), one line on standard
    error says so, and how many threads run.
    """
    from nncore.threadpool import HELD_SHARE, default_threads, threads

    count, busy = default_threads()
    if busy is not None and busy >= HELD_SHARE:
        running = f"running on {count} thread{'s' * (count != 1)}, the cores free (--threads N to choose)"
        if n is not None:
            running = f"running on --threads {n}; 1 is steadier"
        print(
            f"nncore course: the machine is busy: other processes keep {busy:.1f} cores busy, so the wall "
            f"time varies; {running}.",
            file=sys.stderr,
        )
    return threads(count if n is None else n)


def _precompile(args):
    """With ``--tier jit``, compile the experiment's kernels in worker processes first where not done yet
    (:func:`nncore.jit.precompile.precompile`), saying so on standard error."""
    if args.tier != "jit":
        return
    from nncore.jit import precompile

    network = RECIPES[args.name].trainer == "train"
    tasks = (*precompile.NETWORK, "predict") if network else ("optimize",)

    def starting(settled, total):
        if settled == 0:
            print("nncore course: jit: compiling the kernels in worker processes ...", file=sys.stderr, flush=True)

    line = precompile.describe(precompile.precompile(tasks, on_progress=starting))
    if line:
        print("\n".join(f"nncore course: {part}" for part in line.splitlines()), file=sys.stderr)


def run(args):
    """Run the experiment `args` names (parsed by a parser :func:`add_arguments` filled).

    Returns
    -------
    int
        The exit code: 0 on success, 1 when the experiment could not run
        (no cat data, training diverged), 2 when ``--plot`` is asked for
        without matplotlib (argparse exits with 2 for a bad option, such as
        a thread count out of range, before this is called).
    """
    if args.plot and importlib.util.find_spec("matplotlib") is None:
        print(
            "nncore course: --plot needs matplotlib, which is not installed: pip install matplotlib (or, from "
            "the checkout, pip install -e '.[plot]')",
            file=sys.stderr,
        )
        return 2
    from nncore.compiling import COMPILING, CompileWatch  # imports Numba, as every tier run does

    def compiling():
        print(f"nncore course: {args.tier}: {COMPILING} ...", file=sys.stderr, flush=True)

    try:
        with _threads(args.threads), CompileWatch(compiling) as watch:
            _precompile(args)
            result = EXPERIMENTS[args.name](**_experiment_kwargs(args))
    except (FileNotFoundError, ImportError, TrainingDiverged, ValueError) as err:
        print(f"nncore course: {err}", file=sys.stderr)
        return 1
    if watch.count:
        print(f"nncore course: {watch.line(args.name)}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print("\n".join(report(result)))
    if args.plot:
        from nncore.course import plots

        plots.save(result, args.plot)
        if not args.json:
            print(f"figure saved to {args.plot}")
    return 0


def main(argv=None):
    """``python -m nncore.course NAME [options]``; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m nncore.course", description="Run one of the course's experiments as the course runs it."
    )
    return run(add_arguments(parser).parse_args(argv))
