"""The ``nncore compare`` tool: the tiers side by side on the course's workloads.

:func:`compare` runs each workload (:mod:`nncore.bench.workloads`) in each
tier of :data:`nncore.TIERS` (:mod:`nncore.bench.measure`) and the course's
dot-product demo (:mod:`nncore.bench.dot`), and returns the figures;
:mod:`nncore.bench.report` prints them as a table or JSON and
:mod:`nncore.bench.command` is the command line around it.
"""

import os
import platform

import numba
import numpy as np

from nncore._version import __version__
from nncore.bench import measure
from nncore.bench.dot import N
from nncore.bench.progress import Progress
from nncore.bench.workloads import DEFAULT_WORKLOADS, WORKLOADS
from nncore.course.data import STAND_IN, stand_in_cats
from nncore.datasets import data_folder
from nncore.threadpool import blas_threads, get_num_threads
from nncore.tiers import TIERS

#: The name of the dot-product demo in ``--workloads``.
DOT = "dot"

#: Everything ``--workloads`` accepts, in the order they run.
CHOICES = (*WORKLOADS, DOT)


def _load_average():
    """The 1-minute load average, or None where the system does not tell."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def _jit_code(tiers):
    """The vector width of the JIT tier's code on this CPU, in words (:mod:`nncore.kernels.target`)."""
    if "jit" not in tiers:
        return None
    from nncore.kernels import target

    return target.describe()


def _environment(tiers=TIERS):
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
        "jit_code": _jit_code(tiers),
    }


def _cat_data(workload, dtype, folder):
    """`workload`'s cat data (:class:`nncore.course.data.Data`) and what it is.

    Where the course's files cannot be read, the data are
    :func:`nncore.course.data.stand_in_cats` and the dict says why.
    """
    try:
        data = workload.load(dtype, folder)
        return data, {"folder": str(data_folder(folder)), "found": True, "stand_in": False, "message": None}
    except (FileNotFoundError, ValueError, ImportError) as err:
        return stand_in_cats(dtype), {"folder": folder, "found": False, "stand_in": True, "message": str(err)}


def _jit_plan(workload, data, tiers):
    """The paths the JIT tier's layers took (:mod:`nncore.jit.planner`), in words; None without a JIT row."""
    if "jit" not in tiers:
        return None
    if workload.trainer == "optimize":
        return "one fused pass over X per iteration (nncore.kernels.logistic), no plan"
    from nncore.jit.planner import training_plan

    return training_plan(data.train_x, workload.layer_dims, workload.activations)


def _precompile(workloads, tiers, dtype, progress):
    """Compile the JIT tier's kernels for `workloads` in worker processes first, where not done yet
    (:func:`nncore.jit.precompile.precompile`); the report, or None when nothing was compiled."""
    if "jit" not in tiers:
        return None
    from nncore.jit import precompile

    tasks = set()
    for name in workloads:
        if name == DOT:
            tasks.add("dot")
        else:
            tasks.update(("optimize",) if WORKLOADS[name].trainer == "optimize" else precompile.NETWORK)

    def show(settled, total):
        progress.note(f"jit: compiling the kernels in worker processes, {settled}/{total} done (once, then cached)")

    report = precompile.precompile(tasks, dtype, on_progress=show)
    line = precompile.describe(report)
    if line:
        progress.message(line)
    return report


def compare(
    workloads=(*DEFAULT_WORKLOADS, DOT),
    tiers=TIERS,
    iterations=None,
    loop_iterations=None,
    repeats=3,
    dtype="float64",
    data=None,
    progress=None,
):
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
    progress : nncore.bench.progress.Progress, optional

    Returns
    -------
    results : dict
        ``{"environment", "dtype", "repeats", "tiers", "jit_precompiled", "cat_data", "workloads", "dot"}``;
        ``"jit_precompiled"`` is what :func:`nncore.jit.precompile.precompile` compiled in worker
        processes before the first workload (None: nothing, the kernels were in the cache);
        ``"cat_data"`` is ``{"folder", "found", "stand_in", "message"}`` once a cat
        workload ran (None before): without the course's files the cat workloads
        run on :func:`nncore.course.data.stand_in_cats`, their ``"data"`` is
        :data:`nncore.course.data.STAND_IN` (else ``"the course's files"``) and
        their rows' accuracies are None.
        Each workload is ``{"name", ..., "data", "skipped", "rows", "jit_plan"}`` with one row per tier
        (see :func:`nncore.bench.measure.measure_workload`; rows keep private ``"_..."``
        entries, which :func:`nncore.bench.report.to_json` drops), "dot" the rows of
        :func:`nncore.bench.measure.measure_dot` or None; ``"jit_plan"`` says which path
        each of the JIT tier's passes took (:func:`nncore.jit.planner.training_plan`).
    """
    progress = progress or Progress(1, enabled=False)
    dtype = np.dtype(dtype)
    results = {
        "environment": _environment(tiers),
        "dtype": dtype.name,
        "repeats": repeats,
        "tiers": list(tiers),
        "cat_data": None,
        "workloads": [],
        "dot": None,
    }
    results["jit_precompiled"] = _precompile(workloads, tiers, dtype, progress)
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
            "data": None,
            "skipped": None,
            "rows": [],
        }
        results["workloads"].append(entry)
        if workload.needs_cat_data:
            if results["cat_data"] is None:
                cats, results["cat_data"] = _cat_data(workload, dtype, data)
            loaded, stand_in = cats, results["cat_data"]["stand_in"]
            entry["data"] = STAND_IN if stand_in else "the course's files"
        else:
            loaded, stand_in = workload.load(dtype), False
        entry["m_train"] = loaded.train_x.shape[1]
        entry["m_test"] = None if loaded.test_x is None else loaded.test_x.shape[1]
        entry["rows"] = measure.measure_workload(workload, loaded, tiers, its, loop_its, repeats, dtype, progress)
        entry["jit_plan"] = _jit_plan(workload, loaded, tiers)
        if stand_in:  # what a network learns from random pixels means nothing
            for row in entry["rows"]:
                if row["status"] == "ok":
                    row["train_accuracy"] = row["test_accuracy"] = None
    return results
