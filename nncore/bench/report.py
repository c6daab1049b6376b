"""What ``nncore compare`` shows: the text table, the JSON and the plot.

All three read the ``results`` dict of :func:`nncore.bench.compare`.
Output is plain ASCII, so it prints on any terminal.
"""

import numpy as np

from nncore.course.data import STAND_IN


def to_json(results):
    """`results` without the private ``"_..."`` entries (trained parameters), ready for ``json.dumps``."""
    if isinstance(results, dict):
        return {key: to_json(value) for key, value in results.items() if not str(key).startswith("_")}
    if isinstance(results, list):
        return [to_json(value) for value in results]
    return results


def _significant(value):
    """`value` with 3 significant digits for values from 0.001 to 999, no exponent."""
    if value >= 99.95:
        return f"{value:.0f}"
    if value >= 9.995:
        return f"{value:.1f}"
    if value >= 0.9995:
        return f"{value:.2f}"
    return f"{value:.3g}"


def seconds(value):
    """A duration with 3 significant digits and a unit: ``"5.01 ms"``, ``"41.0 us"``."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if value >= 0.9995 * scale:
            return f"{_significant(value / scale)} {unit}"
    return f"{_significant(value / 1e-9)} ns"


def ratio(value):
    """A speed-up: ``"1,380x"``, ``"23.9x"``, ``"0.0419x"``; ``"-"`` when unknown."""
    if value is None:
        return "-"
    return f"{value:,.0f}x" if value >= 99.95 else f"{_significant(value)}x"


def difference(value):
    if value is None:
        return "-"
    return "0" if value == 0 else f"{value:.2e}"


def _number(value, spec):
    return "-" if value is None else format(value, spec)


def _grid(headers, rows, indent="  "):
    """Columns padded to their widest cell: the first left-aligned, the others right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    lines = []
    for cells in (headers, *rows):
        padded = [str(cells[0]).ljust(widths[0])] + [str(c).rjust(w) for c, w in zip(cells[1:], widths[1:])]
        lines.append(indent + "  ".join(padded).rstrip())
    return lines


def bound_text(bound):
    """One line: ``"1.98 ms (206 MFLOP at 104 GFLOP/s; X 20.5 MB once at 58.0 GB/s (cache): 0.35 ms)"``."""
    scale, unit = (1e9, "GFLOP") if bound["flops"] >= 1e9 else (1e6, "MFLOP")
    flops = f"{bound['flops'] / scale:.3g} {unit} at {bound['gemm_flops_per_second'] / 1e9:.3g} GFLOP/s"
    passes = "once" if bound["x_passes"] == 1 else f"{bound['x_passes']} times"
    data = (
        f"X {bound['x_bytes'] / 1e6:.3g} MB {passes} at {bound['bytes_per_second'] / 1e9:.3g} GB/s ({bound['level']})"
    )
    first, second = (flops, data) if bound["limited_by"] == "flops" else (data, flops)
    other = bound["byte_seconds"] if bound["limited_by"] == "flops" else bound["flop_seconds"]
    return f"{seconds(bound['seconds'])} ({first}; {second}: {seconds(other)})"


def machine_lines(machine):
    """The machine's figures as a few lines of text."""
    notable = [f for f in _NOTABLE_FEATURES if f in machine["llvm_features"]]
    threads = machine["threads"]
    gemm, bandwidth = machine["gemm"], machine["bandwidth"]
    return [
        f"machine: {machine['cpu_model']}; LLVM host CPU {machine['llvm_cpu']} ({', '.join(notable) or 'no AVX2'}); "
        f"{machine['cpu_count']} cores; threads: Numba {threads['numba']}, BLAS {threads['blas']}",
        f"  GEMM: dgemm {gemm['float64']['flops_per_second'] / 1e9:.3g} GFLOP/s (n = {gemm['float64']['n']}), "
        f"sgemm {gemm['float32']['flops_per_second'] / 1e9:.3g} GFLOP/s (n = {gemm['float32']['n']}); "
        f"read: {bandwidth['cache']['bytes'] / 1e6:.3g} MB at {bandwidth['cache']['bytes_per_second'] / 1e9:.3g} "
        f"GB/s, {bandwidth['dram']['bytes'] / 1e6:.3g} MB at {bandwidth['dram']['bytes_per_second'] / 1e9:.3g} "
        f"GB/s (measured in {machine['seconds']:.1f} s)",
    ]


#: The CPU features :func:`machine_lines` names, when LLVM lists them.
_NOTABLE_FEATURES = ("avx2", "fma", "avx512f", "avx512vl", "avx512bw", "avx512vnni", "avx512bf16", "amx-tile")


HEADERS = (
    "tier",
    "iterations",
    "time/iteration",
    "vs loop",
    "vs vector",
    "max|d cost|",
    "max|d params|",
    "final cost",
    "train acc",
    "test acc",
)


def _workload_lines(workload, repeats):
    lines = [f"{workload['name']}: {workload['description']}"]
    if workload["skipped"]:
        return lines + [f"  skipped: {workload['skipped']}"]
    if workload.get("data") == STAND_IN:
        lines.append(f"  {STAND_IN}: timed on seeded random images of the same shape; no accuracies.")
    rows, problems, notes = [], [], []
    bound = workload.get("bound")  # with --bounds: the machine's lower bound per iteration
    for row in workload["rows"]:
        if row["status"] != "ok":
            problems.append(f"  {row['tier']:<{len(HEADERS[0])}}  {row['status']}: {row['reason']}")
            continue
        loop = row["tier"] == "loop"
        cells = (
            row["tier"],
            f"{row['iterations']}{'*' if loop else ''}",
            seconds(row["seconds_per_iteration"]),
            ratio(row["speedup_vs_loop"]),
            ratio(row["speedup_vs_vector"]),
            "ref" if loop else difference(row["max_cost_difference"]),
            "ref" if loop else difference(row["max_parameter_difference"]),
            _number(row["final_cost"], ".6f"),
            _number(row["train_accuracy"], ".1%"),
            _number(row["test_accuracy"], ".1%"),
        )
        rows.append((*cells, ratio(row.get("time_over_bound"))) if bound else cells)
        if loop:
            n, runs = row["iterations"], row["repeats"]
            its = f"{n} iteration{'s' * (n != 1)}"
            notes.append(
                f"  * loop: time per iteration measured on {its} ({runs} run{'s' * (runs != 1)}); "
                f"its cost and accuracy are after {its}."
            )
    headers = (*HEADERS, "vs bound") if bound else HEADERS
    table = (_grid(headers, rows) if rows else []) + problems
    if bound:
        notes.append(f"  lower bound per iteration: {bound_text(bound)}; vs bound: time / bound.")
    n = workload["compared_iterations"]
    if any(row["tier"] == "loop" and row["status"] == "ok" for row in workload["rows"]):
        first = "first iteration" if n == 1 else f"first {n} iterations"
        notes.append(f"  max|d ...|: largest difference from the loop tier's costs and parameters over the {first}.")
    timed = [row["tier"] for row in workload["rows"] if row["status"] == "ok" and row["tier"] != "loop"]
    if timed:
        notes.append(f"  {', '.join(timed)}: median of {repeats} timed run{'s' * (repeats != 1)} after a warm-up.")
    if workload.get("jit_plan"):
        notes.append(f"  jit plan: {workload['jit_plan']}.")
    return lines + table + notes


def stand_in_line(results):
    """The one message about the cat data: which workloads ran on stand-in images, why, where the files are."""
    names = [w["name"] for w in results["workloads"] if w.get("data") == STAND_IN]
    return f"{', '.join(names)} on stand-in images: {results['cat_data']['message']}"


def _dot_lines(dot):
    lines = [
        f"dot product of two {dot['n']:,}-element vectors (the course's vectorization demo, "
        f"which quotes np.dot ~300x faster than the loop)"
    ]
    rows = []
    for row in dot["rows"]:
        rows.append(
            (row["label"], seconds(row["seconds"]), ratio(row["speedup_vs_python"]), ratio(row["speedup_vs_numpy"]))
        )
    return lines + _grid(("method", "time/call", "vs Python loop", "vs np.dot"), rows)


def busy_text(environment):
    """The warning for a machine where other processes hold a core (:func:`nncore.threadpool.busy_cores`), or None."""
    from nncore.threadpool import HELD_SHARE

    busy, cores = environment.get("busy_cores"), environment.get("cpu_count")
    if busy is None or busy < HELD_SHARE:
        return None
    threads = environment["threads"]
    used = threads["numba"]
    text = (
        f"The machine is busy: other processes keep {busy:.1f} of its {cores} cores busy, so timings vary from "
        f"run to run. "
    )
    if threads.get("chosen_by") == "free cores":
        return text + f"Running on {used} thread{'s' * (used != 1)}, the cores free (--threads N to choose)."
    return text + "--threads 1 is steadier (without --threads, nncore uses the cores free)."


def table(results):
    """The report as text: a header line, one block per workload, the dot-product demo."""
    env = results["environment"]
    threads = env["threads"]
    blas = "" if threads["blas"] is None else f", BLAS {threads['blas']}"
    lines = [
        f"nncore {env['nncore']} compare: {results['dtype']}, threads: Numba {threads['numba']}{blas}; "
        f"Python {env['python']}, NumPy {env['numpy']}, Numba {env['numba']}"
    ]
    if env.get("jit_code"):
        lines.append(f"jit code: {env['jit_code']}")
    busy_line = busy_text(env)
    if busy_line:
        lines.append(busy_line)
    if results.get("machine"):
        lines += machine_lines(results["machine"])
    if results["cat_data"] and not results["cat_data"]["found"]:
        lines.append(stand_in_line(results))
    for workload in results["workloads"]:
        if workload["skipped"]:
            continue
        lines += [""] + _workload_lines(workload, results["repeats"])
    if results["dot"]:
        lines += [""] + _dot_lines(results["dot"])
    return "\n".join(lines)


def require_matplotlib():
    """Import matplotlib's Figure, or raise ImportError saying how to install it."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(
            "--plot needs matplotlib, which is not installed: pip install matplotlib (or, from the checkout, "
            "pip install -e '.[plot]')."
        ) from None
    return Figure


def _boundary_axes(ax, workload):
    """The planar data and the decision boundary of the fastest tier's trained network."""
    from nncore.bench.workloads import WORKLOADS
    from nncore.course.plots import decision_boundary
    from nncore.datasets import planar

    ran = [row for row in workload["rows"] if row["status"] == "ok"]
    best = min(ran, key=lambda row: row["seconds_per_iteration"])
    decision_boundary(ax, best["_parameters"], WORKLOADS["planar"].activations, *planar())
    ax.set_title(f"planar decision boundary ({best['tier']}, {best['iterations']} iterations)")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")


#: A cost curve "zig-zags" when at least this share of its steps change direction.
ZIGZAG_SHARE = 0.25

#: Iterations of the running mean drawn through a zig-zagging cost curve.
RUNNING_MEAN = 10


def zigzags(costs):
    """Whether the cost goes up and down from one iteration to the next (:data:`ZIGZAG_SHARE` of its steps)."""
    steps = np.sign(np.diff(np.asarray(costs, np.float64)))
    if len(steps) < 2 * RUNNING_MEAN:
        return False
    return float(np.mean(steps[1:] * steps[:-1] < 0)) >= ZIGZAG_SHARE


def _running(costs, window):
    """The running mean, minimum and maximum of `costs` over `window` iterations, and their iterations (centred)."""
    costs = np.asarray(costs, np.float64)
    windows = np.lib.stride_tricks.sliding_window_view(costs, window)
    x = np.arange(len(windows)) + (window - 1) / 2
    return x, windows.mean(axis=1), windows.min(axis=1), windows.max(axis=1)


def _cost_axes(ax, workload):
    """One workload's cost per iteration, one curve per tier (a band and its running mean where it zig-zags)."""
    from nncore.course.plots import tier_colour

    rows = [row for row in workload["rows"] if row["status"] == "ok"]
    zigzag = any(zigzags(row["costs"]) for row in rows)
    for i, row in enumerate(rows):
        costs = row["costs"]
        label = f"{row['tier']} ({seconds(row['seconds_per_iteration'])}/it)"
        # the tiers agree, so their curves coincide: the earlier ones are drawn wider, underneath
        width = 1.5 + 2.5 * (len(rows) - 1 - i)
        colour = tier_colour(row["tier"])
        if zigzag and len(costs) >= 2 * RUNNING_MEAN:
            x, mean, low, high = _running(costs, RUNNING_MEAN)
            if i == 0:  # the tiers' bands coincide: one, in grey
                band = f"range over {RUNNING_MEAN} iterations"
                ax.fill_between(x, low, high, color="#999999", alpha=0.3, linewidth=0, label=band)
            ax.plot(x, mean, color=colour, linewidth=width, alpha=0.8, label=label)
        else:
            ax.plot(
                np.arange(len(costs)),
                costs,
                marker="o" if len(costs) < 5 else None,
                color=colour,
                linewidth=width,
                alpha=0.8,
                label=label,
            )
    if zigzag:
        ax.text(
            0.98,
            0.55,
            f"The cost zig-zags: at learning rate {workload['learning_rate']:g} each step\n"
            "overshoots along the steepest direction, so the cost\n"
            "goes up and down from one iteration to the next.\n"
            f"Grey: its range over {RUNNING_MEAN} iterations; lines: the mean.",
            transform=ax.transAxes,
            ha="right",
            va="center",
            fontsize="x-small",
            bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8, "linewidth": 0.5},
        )
    title = f"{workload['name']}: cost per iteration"
    if workload.get("data") == STAND_IN:
        title += f"\n({STAND_IN})"
    ax.set_title(title, fontsize="medium")
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    ax.legend(loc="upper right", fontsize="small")


def plot(results, path):
    """Save the cost curve of every tier per workload, and the planar decision boundary, to `path`."""
    Figure = require_matplotlib()
    ran = [w for w in results["workloads"] if any(row["status"] == "ok" for row in w["rows"])]
    planar = [w for w in ran if w["name"] == "planar"]
    panels = len(ran) + len(planar)
    if panels == 0:
        raise ValueError("nothing to plot: no workload ran")
    fig = Figure(figsize=(5 * panels, 4.3), layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False)[0]
    for ax, workload in zip(axes, ran):
        _cost_axes(ax, workload)
    if planar:
        _boundary_axes(axes[-1], planar[0])
    fig.savefig(path, dpi=100)
    return path
