"""Issue 10's table: the vector and JIT tiers per training iteration, as a user program calls them.

``python tools/tier_table.py [--quick] [--cases NAME ...] [--repeats N] [--json FILE] [--export FILE.npz]``

Per case, the two tiers' public functions (``nncore.vector.train``, ``nncore.jit.train``,
``optimize`` for logistic regression) are called one after another in this one process with
no pause between them, as a program that mixes NumPy and nncore calls them (``nncore compare``
instead waits before each tier until the other pool's spinning threads sleep). After an
untimed warm-up run of each tier (compilation, first touch), the tiers alternate, the order
flipped each round (vector, jit; jit, vector; ...), for ``--repeats`` rounds (default 5); the
median time per iteration is kept. Every run records the cost at every iteration, as
``nncore compare`` does (``--cost-every``).

Cases (``--cases``; default all):

* ``planar``: ``[2, 4, 1]`` tanh/sigmoid on the planar flower, m = 400;
* ``logreg-optimize``: logistic regression on the cat images (12288 x 209), ``optimize``;
* ``logreg-train``: the same as a one-unit sigmoid network, ``train``;
* ``cats-F``, ``cats-C``: ``[12288, 20, 7, 5, 1]`` ReLU x3/sigmoid on the cat images, float64,
  X Fortran-ordered (as ``flatten_images`` returns it) and C-ordered;
* ``cats-float32``: the same in float32, X Fortran-ordered;
* ``cats-1-thread``: ``cats-F`` with 1 Numba and 1 BLAS thread (``nncore.threads(1)``);
* ``wide``: ``[1024, 512, 256, 1]`` ReLU on 16384 seeded random samples (the ``wide`` workload
  of ``nncore compare`` on a quarter of its samples).

The cat images are the course's files when ``$NNCORE_DATA`` (or ``--data``) names their folder,
else the asv suite's stand-in (``asv_bench/benchmarks/bench_training.py``'s ``problem``: 209
seeded random images of the same shape and layout); the table says which. Before the cases,
this machine is measured (:func:`nncore.bench.machine.measure`, at each thread count used) and
each case gets its lower bound (:func:`nncore.bench.machine.iteration_bound`) and the JIT tier's
distance from it. ``--quick`` runs few iterations, 3 rounds and small machine probes: a smoke
test, not figures.

``--export FILE.npz`` also writes the data, initial weights and settings of the cases
``tools/torch_table.py`` times in PyTorch (planar, logistic regression, the cat network, and
``wide`` when chosen), with the vector tier's costs of the first iterations for its check.

Output: a Markdown table (case, vector, jit, vector/jit, bound, jit/bound) on standard output,
and every figure as JSON in ``--json`` (default ``tier_table.json``). Run on a quiet machine.
"""

import argparse
import dataclasses
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import nncore
from nncore.bench import machine
from nncore.bench.report import seconds
from nncore.bench.workloads import WORKLOADS
from nncore.course.data import Data, cat_data
from nncore.threadpool import MAX_THREADS, blas_threads, get_num_threads

ROOT = Path(__file__).resolve().parents[1]

#: Iterations per timed run: (full, --quick).
ITERATIONS = {"planar": (1000, 20), "logreg": (200, 5), "cats": (50, 3), "wide": (3, 1)}

#: Machine probes of --quick: small, so the smoke test is fast (the bounds are then rough).
QUICK_PROBES = {"gemm_sizes": {"float64": 512, "float32": 512}, "dram_bytes": 64 * 2**20, "repeats": 3}

#: Iterations of the vector tier's costs written by --export, for torch_table.py's check.
CHECK_ITERATIONS = 3

TIERS = ("vector", "jit")


@dataclasses.dataclass
class Case:
    """One row of the table."""

    name: str
    text: str
    kind: str  # "planar", "logreg", "cats" or "wide": the data and the iteration counts
    trainer: str = "train"  # or "optimize"
    dtype: str = "float64"
    order: str = "F"
    threads: int = MAX_THREADS


CASES = {
    c.name: c
    for c in (
        Case("planar", "planar [2,4,1] tanh, m = 400", "planar"),
        Case("logreg-optimize", "cat logistic regression (12288 x 209), `optimize`", "logreg", trainer="optimize"),
        Case("logreg-train", "the same as a one-unit network, `train`", "logreg"),
        Case("cats-F", "cat [12288,20,7,5,1], X Fortran-ordered", "cats"),
        Case("cats-C", "the same, X C-ordered", "cats", order="C"),
        Case("cats-float32", "the same in float32 (X Fortran-ordered)", "cats", dtype="float32"),
        Case("cats-1-thread", "the same (float64, F) with 1 Numba and 1 BLAS thread", "cats", threads=1),
        Case("wide", "wide [1024,512,256,1] on 16384 samples", "wide"),
    )
}


def _stand_in_cats():
    """The asv suite's random images of the cat data's shape and layout (float64)."""
    sys.path.insert(0, str(ROOT / "asv_bench"))
    try:
        from benchmarks.bench_training import problem
    finally:
        sys.path.pop(0)
    return problem(WORKLOADS["deep-cats"])


def load_cats(folder):
    """The cat training data in float64 and what they are: the course's files, or the stand-in."""
    if folder or os.environ.get("NNCORE_DATA"):
        data = cat_data(folder)
        return Data(data.train_x, data.train_y), "the course's cat images"
    return _stand_in_cats(), "random stand-ins for the cat images (no $NNCORE_DATA)"


def problem(case, cats):
    """``(X, Y, start, activations, learning_rate, layer_dims)`` of `case`, in its dtype and order."""
    if case.kind == "planar":
        workload = WORKLOADS["planar"]
        data = workload.load()
    elif case.kind == "wide":
        workload = dataclasses.replace(WORKLOADS["wide"], samples=16384)
        data = workload.load()
    else:
        workload = WORKLOADS["logreg-cats" if case.kind == "logreg" else "deep-cats"]
        data = cats
    X = data.train_x.astype(case.dtype, order=case.order)
    Y = np.ascontiguousarray(data.train_y, dtype=case.dtype)
    start = workload.initial_parameters(np.dtype(case.dtype))
    if case.kind == "logreg" and case.trainer == "train":
        start = {key: np.array(value) for key, value in workload.network(start).items()}
    return X, Y, start, list(workload.activations), workload.learning_rate, tuple(workload.layer_dims)


def runner(case, tier_name, X, Y, start, activations, learning_rate, cost_every):
    """A function of ``n``: `case` trained for ``n`` iterations in the tier, as a user calls it."""
    tier = nncore.get_tier(tier_name)
    if case.trainer == "optimize":
        return lambda n: tier.optimize(start["w"], start["b"], X, Y, n, learning_rate, cost_every)[2]
    return lambda n: tier.train(X, Y, start, activations, learning_rate, n, cost_every)[1]


def time_case(case, cats, iterations, repeats, cost_every):
    """The median seconds per iteration of each tier, alternating, with no pause; and the final costs."""
    X, Y, start, activations, rate, dims = problem(case, cats)
    runs = {tier: runner(case, tier, X, Y, start, activations, rate, cost_every) for tier in TIERS}
    times = {tier: [] for tier in TIERS}
    costs = {}
    with nncore.threads(case.threads):
        for tier in TIERS:  # warm-up: JIT compilation, first touch of the buffers
            runs[tier](min(2, iterations))
        for r in range(repeats):
            for tier in TIERS if r % 2 == 0 else TIERS[::-1]:
                started = time.perf_counter()
                trace = runs[tier](iterations)
                times[tier].append((time.perf_counter() - started) / iterations)
                costs[tier] = float(np.asarray(trace)[-1])
    return {
        "layer_dims": list(dims),
        "m": X.shape[1],
        "iterations": iterations,
        "seconds_per_iteration": {tier: statistics.median(t) for tier, t in times.items()},
        "seconds_per_iteration_runs": times,
        "final_cost": costs,
    }


def export(path, cases, cats, quick, cost_every):
    """Write the torch cases' data, initial weights and settings to `path` (.npz), for torch_table.py."""
    chosen = {
        "planar": CASES["planar"],
        "logreg": CASES["logreg-optimize"],
        "cats": CASES["cats-F"],
        "wide": CASES["wide"] if "wide" in cases else None,
    }
    arrays, meta = {}, {}
    for name, case in chosen.items():
        if case is None:
            continue
        X, Y, start, activations, rate, dims = problem(case, cats)
        arrays[f"{name}__X"], arrays[f"{name}__Y"] = X, Y
        for key, value in start.items():
            arrays[f"{name}__{key}"] = np.asarray(value, dtype=np.float64)
        check = runner(case, "vector", X, Y, start, activations, rate, 1)(CHECK_ITERATIONS)
        meta[name] = {
            "model": "logistic" if case.trainer == "optimize" else "network",
            "layer_dims": list(dims),
            "activations": activations,
            "learning_rate": rate,
            "iterations": ITERATIONS[case.kind][1 if quick else 0],
            "cost_every": cost_every,
            "check_costs": [float(c) for c in check],
        }
    arrays["meta"] = np.array(json.dumps({"threads": MAX_THREADS, "cases": meta}))
    np.savez(path, **arrays)


def markdown(results):
    """The table, with a header saying where it ran."""
    lines = []
    for threads, fig in results["machines"].items():
        g, b = fig["gemm"], fig["bandwidth"]
        lines.append(
            f"- {threads} thread(s): dgemm {g['float64']['flops_per_second'] / 1e9:.3g} GFLOP/s, sgemm "
            f"{g['float32']['flops_per_second'] / 1e9:.3g} GFLOP/s; read {b['cache']['bytes'] / 1e6:.3g} MB at "
            f"{b['cache']['bytes_per_second'] / 1e9:.3g} GB/s, {b['dram']['bytes'] / 1e6:.3g} MB at "
            f"{b['dram']['bytes_per_second'] / 1e9:.3g} GB/s"
        )
    env = results["environment"]
    head = [
        f"{env['cpu_model']}; LLVM host CPU {env['llvm_cpu']}; {env['cpu_count']} cores; Python {env['python']}, "
        f"NumPy {env['numpy']}, Numba {env['numba']}; data: {results['cat_data']}; "
        f"median of {results['repeats']} alternating runs, no pause; OPENBLAS_THREAD_TIMEOUT="
        f"{env['openblas_thread_timeout']}",
        *lines,
        "",
        "| case | vector | jit | vector / jit | bound | jit / bound |",
        "|---|---|---|---|---|---|",
    ]
    for row in results["cases"]:
        t = row["seconds_per_iteration"]
        bound = row["bound"]["seconds"]
        head.append(
            f"| {row['text']} | {seconds(t['vector'])} | {seconds(t['jit'])} | {t['vector'] / t['jit']:.2f}x | "
            f"{seconds(bound)} ({row['bound']['limited_by']}) | {t['jit'] / bound:.2f}x |"
        )
    return "\n".join(head)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", nargs="+", choices=CASES, metavar="NAME", help=f"any of {', '.join(CASES)}")
    parser.add_argument("--quick", action="store_true", help="few iterations, 3 rounds, small probes: a smoke test")
    parser.add_argument("--repeats", type=int, help="rounds of the alternating tiers (default 5; --quick 3)")
    parser.add_argument("--cost-every", type=int, default=1, help="record the cost every N iterations (default 1)")
    parser.add_argument("--data", metavar="FOLDER", help="the cat data folder (default $NNCORE_DATA)")
    parser.add_argument("--json", metavar="FILE", default="tier_table.json", help="default tier_table.json")
    parser.add_argument("--export", metavar="FILE.npz", help="write the torch cases for tools/torch_table.py")
    args = parser.parse_args(argv)
    cases = [CASES[name] for name in CASES if args.cases is None or name in args.cases]
    repeats = args.repeats or (3 if args.quick else 5)
    cats, cat_text = None, None
    if any(c.kind in ("logreg", "cats") for c in cases) or args.export:
        cats, cat_text = load_cats(args.data)

    machines = {}
    for n in sorted({c.threads for c in cases}, reverse=True):
        with nncore.threads(n):
            machines[n] = machine.measure(**(QUICK_PROBES if args.quick else {}))
        print(f"measured the machine with {n} thread(s) in {machines[n]['seconds']:.1f} s", file=sys.stderr)
    any_machine = next(iter(machines.values()))
    rows = []
    for case in cases:
        iterations = ITERATIONS[case.kind][1 if args.quick else 0]
        print(f"{case.name}: {iterations} iterations x {repeats} rounds x 2 tiers", file=sys.stderr)
        row = {"case": case.name, "text": case.text, **dataclasses.asdict(case)}
        row.update(time_case(case, cats, iterations, repeats, args.cost_every))
        row["bound"] = machine.iteration_bound(row["layer_dims"], row["m"], case.dtype, machines[case.threads])
        rows.append(row)
    results = {
        "environment": {
            "cpu_model": any_machine["cpu_model"],
            "llvm_cpu": any_machine["llvm_cpu"],
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "numba": __import__("numba").__version__,
            "threads": {"numba": get_num_threads(), "blas": max(blas_threads().values(), default=None)},
            "openblas_thread_timeout": os.environ.get("OPENBLAS_THREAD_TIMEOUT"),
            "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        },
        "quick": args.quick,
        "repeats": repeats,
        "cost_every": args.cost_every,
        "cat_data": cat_text,
        "machines": {str(n): fig for n, fig in machines.items()},
        "cases": rows,
    }
    print(markdown(results))
    Path(args.json).write_text(json.dumps(results, indent=2))
    print(f"wrote {args.json}", file=sys.stderr)
    if args.export:
        export(args.export, {c.name for c in cases}, cats, args.quick, args.cost_every)
        print(f"wrote {args.export}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
