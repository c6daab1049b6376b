"""Issue 10's PyTorch comparison: the same networks written by hand in torch tensors, timed per iteration.

Runs in its own virtual environment, outside nncore's dependencies (this script never imports
nncore; torch is not in pyproject.toml)::

    python3 -m venv /tmp/torch-venv && /tmp/torch-venv/bin/pip install torch==2.13.0 numpy h5py
    .venv/bin/python tools/tier_table.py --json tier_table.json --export torch_cases.npz
    /tmp/torch-venv/bin/python tools/torch_table.py torch_cases.npz --nncore tier_table.json

(``torch==2.13.0`` resolves to the CPU build on this project's machines; elsewhere pin the
``+cpu`` wheel from PyTorch's CPU index, as the default wheel pulls in GPU libraries.) Add
``--quick`` to both for a smoke test, and ``--cases ... wide`` to tier_table.py to export the
wide network too.

``tools/tier_table.py --export`` writes the data, the initial weights and the settings of each
case, in float64, exactly as nncore trains them (X samples as columns, in its order). Each case
here is the course's training loop in torch tensors: the forward ``Z = W @ A_prev + b``, the
cost at every iteration (``--cost-every``, as nncore's harness), ``dZL = AL - Y``, the backward
without ``dA0``, then the in-place update ``W -= learning_rate * dW``; logistic regression as
the course's ``optimize``. ``torch.set_num_threads`` is nncore's thread count (the file's,
``--threads`` to change). The first iterations' costs are checked against nncore's vector tier
(printed as ``max|d cost|``). Timing as tier_table.py: an untimed warm-up run, then the median
of ``--repeats`` (5) runs.

Cases: planar (float64), logreg (float64), cats in float64 and float32, wide (float64, when
exported). Prints a Markdown table (case, torch, and with ``--nncore FILE.json`` the JIT
tier's time from tier_table.py and torch / jit) and writes ``--json`` (default
``torch_table.json``).
"""

import argparse
import json
import platform
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

#: The rows: (row name, exported case, dtype, tier_table.py's case for the JIT column).
ROWS = (
    ("planar", "planar", torch.float64, "planar"),
    ("logreg", "logreg", torch.float64, "logreg-optimize"),
    ("cats-float64", "cats", torch.float64, "cats-F"),
    ("cats-float32", "cats", torch.float32, "cats-float32"),
    ("wide", "wide", torch.float64, "wide"),
)

#: --quick: iterations per run.
QUICK_ITERATIONS = {"planar": 20, "logreg": 5, "cats": 3, "wide": 1}


def _seconds(value):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value / 1e-9:.3g} ns"


def _cost(AL, Y):
    """The cross-entropy cost, as nncore computes it (log(1 - AL) as log1p(-AL))."""
    return -(Y * torch.log(AL) + (1 - Y) * torch.log1p(-AL)).mean()


def _activate(name, Z):
    if name == "relu":
        return torch.relu(Z)
    if name == "tanh":
        return torch.tanh(Z)
    if name == "sigmoid":
        return torch.sigmoid(Z)
    raise ValueError(f"activation {name!r} is not written here")


def _derivative(name, Z, A):
    """dA/dZ of `name`, from Z (relu) or A (tanh, sigmoid)."""
    if name == "relu":
        return (Z > 0).to(Z.dtype)
    if name == "tanh":
        return 1 - A * A
    return A * (1 - A)


def train_network(X, Y, Ws, bs, activations, learning_rate, iterations, cost_every):
    """`iterations` of gradient descent on the network, the weights updated in place; returns the costs."""
    m = X.shape[1]
    costs = []
    L = len(Ws)
    for i in range(iterations):
        As, Zs = [X], []
        for W, b, name in zip(Ws, bs, activations):
            Z = torch.addmm(b, W, As[-1])  # W @ A_prev + b, b broadcast along the samples
            Zs.append(Z)
            As.append(_activate(name, Z))
        AL = As[-1]
        if i % cost_every == 0:
            costs.append(float(_cost(AL, Y)))
        dZ = AL - Y  # the sigmoid output's dZL
        grads = []
        for layer in range(L - 1, -1, -1):
            dW = dZ @ As[layer].T / m
            db = dZ.sum(dim=1, keepdim=True) / m
            grads.append((dW, db))
            if layer > 0:  # no dA0
                dA = Ws[layer].T @ dZ
                dZ = dA * _derivative(activations[layer - 1], Zs[layer - 1], As[layer])
        for (dW, db), W, b in zip(reversed(grads), Ws, bs):
            W.sub_(learning_rate * dW)
            b.sub_(learning_rate * db)
    return costs


def optimize(w, b, X, Y, iterations, learning_rate, cost_every):
    """The course's logistic regression ``optimize``, w and b updated in place; returns the costs."""
    m = X.shape[1]
    costs = []
    for i in range(iterations):
        A = torch.sigmoid(w.T @ X + b)
        if i % cost_every == 0:
            costs.append(float(_cost(A, Y)))
        dZ = A - Y
        dw = X @ dZ.T / m
        db = dZ.sum() / m
        w.sub_(learning_rate * dw)
        b.sub_(learning_rate * db)
    return costs


def load(path):
    """The exported arrays (float64 NumPy) and settings."""
    store = np.load(path)
    meta = json.loads(str(store["meta"]))
    arrays = {key: store[key] for key in store.files if key != "meta"}
    return arrays, meta


def runner(case, arrays, settings, dtype, cost_every):
    """A function of ``n`` training a fresh copy of the initial weights for ``n`` iterations."""

    def tensor(key):
        return torch.from_numpy(np.array(arrays[f"{case}__{key}"], order="K")).to(dtype)

    X, Y = tensor("X"), tensor("Y")  # from_numpy keeps X's strides: Fortran-ordered stays so
    rate = settings["learning_rate"]
    if settings["model"] == "logistic":
        w0, b0 = tensor("w"), tensor("b")

        def run(n):
            return optimize(w0.clone(), b0.clone(), X, Y, n, rate, cost_every)

        return run
    L = len(settings["layer_dims"]) - 1
    W0 = [tensor(f"W{layer}") for layer in range(1, L + 1)]
    b0 = [tensor(f"b{layer}") for layer in range(1, L + 1)]

    def run(n):
        Ws, bs = [W.clone() for W in W0], [b.clone() for b in b0]
        return train_network(X, Y, Ws, bs, settings["activations"], rate, n, cost_every)

    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases_file", metavar="FILE.npz", help="written by tools/tier_table.py --export")
    parser.add_argument("--nncore", metavar="FILE.json", help="tier_table.py's JSON: adds the JIT tier's column")
    parser.add_argument("--quick", action="store_true", help="few iterations, 3 runs: a smoke test")
    parser.add_argument("--repeats", type=int, help="timed runs (default 5; --quick 3)")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: nncore's, from the file)")
    parser.add_argument("--cost-every", type=int, default=1, help="record the cost every N iterations (default 1)")
    parser.add_argument("--json", metavar="FILE", default="torch_table.json", help="default torch_table.json")
    args = parser.parse_args(argv)
    arrays, meta = load(args.cases_file)
    threads = args.threads or meta["threads"]
    torch.set_num_threads(threads)
    repeats = args.repeats or (3 if args.quick else 5)
    jit = {}
    if args.nncore:
        for row in json.loads(Path(args.nncore).read_text())["cases"]:
            jit[row["case"]] = row["seconds_per_iteration"]["jit"]
    rows = []
    with torch.inference_mode():
        for name, case, dtype, jit_case in ROWS:
            if case not in meta["cases"]:
                continue
            settings = meta["cases"][case]
            iterations = QUICK_ITERATIONS[case] if args.quick else settings["iterations"]
            run = runner(case, arrays, settings, dtype, args.cost_every)
            print(f"{name}: {iterations} iterations x {repeats} runs", file=sys.stderr)
            check = run(len(settings["check_costs"]))  # also the warm-up
            difference = max(abs(a - b) for a, b in zip(check, settings["check_costs"]))
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                run(iterations)
                times.append((time.perf_counter() - started) / iterations)
            rows.append(
                {
                    "case": name,
                    "dtype": str(dtype).removeprefix("torch."),
                    "iterations": iterations,
                    "seconds_per_iteration": statistics.median(times),
                    "seconds_per_iteration_runs": times,
                    "max_cost_difference": difference,
                    "jit_seconds_per_iteration": jit.get(jit_case),
                }
            )
    blas = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    info = torch.__config__.parallel_info().splitlines()
    backend = [line.split(":", 1)[1].strip() for line in info if line.startswith("ATen parallel backend")]
    head = (
        f"PyTorch {torch.__version__} (BLAS {blas.group(1) if blas else '?'}, parallel backend "
        f"{backend[0] if backend else '?'}), {threads} thread(s), Python {platform.python_version()}; "
        f"median of {repeats} runs; torch / jit > 1: the JIT tier is faster"
    )
    lines = [head, "", "| case | torch | jit | torch / jit | max\\|d cost\\| |", "|---|---|---|---|---|"]
    for row in rows:
        t, j = row["seconds_per_iteration"], row["jit_seconds_per_iteration"]
        jit_cells = f"{_seconds(j)} | {t / j:.2f}x" if j else "- | -"
        lines.append(f"| {row['case']} | {_seconds(t)} | {jit_cells} | {row['max_cost_difference']:.1e} |")
    print("\n".join(lines))
    results = {"torch": torch.__version__, "threads": threads, "repeats": repeats, "rows": rows}
    Path(args.json).write_text(json.dumps(results, indent=2))
    print(f"wrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
