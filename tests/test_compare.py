"""``nncore compare``: the figures it measures (tiny configurations) and how it reports them."""

import io
import json
import math
import sys
import time
import types

import numpy as np
import pytest

import nncore
from helpers import REFERENCE, TOLERANCES
from nncore import bench as compare
from nncore.bench import measure, report
from nncore.bench.dot import vectors
from nncore.bench.progress import Progress
from nncore.bench.workloads import WORKLOADS
from nncore.cli import main
from nncore.course.data import STAND_IN, cat_data, planar_data, stand_in_cats
from nncore.threadpool import MAX_THREADS, get_num_threads

#: The course's first planar cost (nn_model, seed 2): "Cost after iteration 0: 0.693048".
PLANAR_COST_0 = 0.6930480201239823

FAST_TIERS = [name for name in nncore.TIERS if name != "loop"]


def run_json(capsys, *options):
    """Run ``nncore compare --json`` with `options`; return (exit status, parsed JSON, stderr)."""
    status = main(["compare", "--json", *options])
    out, err = capsys.readouterr()
    return status, json.loads(out), err


def rows_by_tier(workload):
    return {row["tier"]: row for row in workload["rows"]}


def loop_accuracy(parameters, activations, X, Y):
    """The fraction of the samples of `X` that the loop tier's ``predict`` gets right."""
    parameters = {key: np.asarray(value, np.float64) for key, value in parameters.items()}
    return float(np.mean(REFERENCE.predict(X, parameters, list(activations)) == Y))


def assert_agrees_with_loop(row, reference, dtype):
    """The differences the command reports are within the test suite's shared tolerances."""
    rtol, atol = TOLERANCES[np.dtype(dtype)]
    assert row["max_cost_difference"] <= atol + rtol * max(map(abs, reference["costs"]))
    assert row["max_parameter_difference"] <= atol + rtol
    # ... and they are what they claim: the costs of the common iterations, compared here too
    n = reference["iterations"]
    np.testing.assert_allclose(row["costs"][:n], reference["costs"], rtol=rtol, atol=atol)


@pytest.fixture(scope="module")
def planar_run():
    """Every tier on the planar network: 30 iterations, the loop tier 3, 2 timed runs."""
    return compare.compare(["planar"], nncore.TIERS, iterations=30, loop_iterations=3, repeats=2)


def test_planar_rows_agree_and_time(planar_run):
    (workload,) = planar_run["workloads"]
    assert (workload["name"], workload["iterations"], workload["compared_iterations"]) == ("planar", 30, 3)
    assert workload["m_train"] == 400 and workload["m_test"] is None
    rows = rows_by_tier(workload)
    assert list(rows) == list(nncore.TIERS)
    assert all(row["status"] == "ok" for row in rows.values()), rows
    loop = rows["loop"]
    assert loop["iterations"] == 3 and len(loop["costs"]) == 3
    assert loop["max_cost_difference"] == 0 and loop["speedup_vs_loop"] == 1
    for row in rows.values():
        assert row["costs"][0] == pytest.approx(PLANAR_COST_0, rel=1e-12)
        assert row["final_cost"] == row["costs"][-1]
        assert row["seconds_per_iteration"] == np.median(row["seconds_per_iteration_runs"]) > 0
        assert row["speedup_vs_loop"] > 0 and row["speedup_vs_vector"] > 0
        assert row["speedup_vs_loop"] == pytest.approx(loop["seconds_per_iteration"] / row["seconds_per_iteration"])
        planar = planar_data()
        expected = loop_accuracy(row["_parameters"], ("tanh", "sigmoid"), planar.train_x, planar.train_y)
        assert row["train_accuracy"] == expected and row["test_accuracy"] is None
    for name in FAST_TIERS:
        row = rows[name]
        assert row["iterations"] == 30 and len(row["costs"]) == 30 and row["repeats"] == 2
        assert row["costs"] == sorted(row["costs"], reverse=True)  # gradient descent at lr 1.2 lowers the cost here
        assert_agrees_with_loop(row, loop, np.float64)
    assert rows["vector"]["speedup_vs_vector"] == 1
    # the fast tiers, 30 iterations in, agree with each other on the cost and the accuracy
    finals = {rows[name]["final_cost"] for name in FAST_TIERS}
    assert max(finals) - min(finals) <= TOLERANCES[np.dtype(np.float64)][0]


def test_json_output_float32(capsys):
    status, results, err = run_json(
        capsys,
        "--workloads",
        "planar",
        "--iterations",
        "5",
        "--loop-iterations",
        "2",
        "--repeats",
        "1",
        "--dtype",
        "float32",
    )
    # nothing on standard error but, where the float32 kernels were not compiled yet, the compile notices
    assert status == 0 and [line for line in err.splitlines() if not line.startswith("jit: ")] == []
    assert results["dtype"] == "float32" and results["repeats"] == 1 and results["tiers"] == list(nncore.TIERS)
    assert results["dot"] is None and results["cat_data"] is None
    assert set(results["environment"]) >= {"nncore", "numpy", "numba", "threads"}
    rows = rows_by_tier(results["workloads"][0])
    for name in FAST_TIERS:
        assert rows[name]["status"] == "ok" and rows[name]["iterations"] == 5
        assert_agrees_with_loop(rows[name], rows["loop"], np.float32)
        assert rows[name]["max_parameter_difference"] > 0  # float32 computed as float32, the loop tier in double
    assert not any(key.startswith("_") for row in rows.values() for key in row)  # no arrays in the JSON


def test_threads_and_tier_selection(capsys):
    status, results, _ = run_json(
        capsys,
        "--workloads",
        "planar",
        "--tiers",
        "vector",
        "--iterations",
        "3",
        "--repeats",
        "1",
        "--threads",
        "1",
    )
    assert status == 0 and results["environment"]["threads"]["numba"] == 1
    (row,) = results["workloads"][0]["rows"]
    assert row["tier"] == "vector" and row["iterations"] == 3
    # without the loop tier there is nothing to compare with and no 'vs loop'
    assert row["max_cost_difference"] is None and row["speedup_vs_loop"] is None
    assert get_num_threads() == MAX_THREADS  # restored afterwards


def test_dot_demo_values_and_ratios():
    rows = measure.measure_dot(10_000, np.float64, 2, Progress(1, enabled=False))
    a, b = vectors(10_000)
    by_method = {row["method"]: row for row in rows}
    assert list(by_method) == ["python", "numpy", "jit"]
    for row in rows:
        assert row["status"] == "ok"
        assert row["value"] == pytest.approx(float(np.dot(a, b)), rel=1e-12)
        assert row["seconds"] > 0 and row["speedup_vs_python"] > 0 and row["speedup_vs_numpy"] > 0
    assert by_method["python"]["speedup_vs_python"] == 1
    assert by_method["numpy"]["speedup_vs_python"] > 1  # even at 10,000 entries


def test_tier_without_the_function_is_an_error_row(monkeypatch):
    """Every tier implements the interface; one that does not fails, it is not skipped."""
    real = measure.get_tier
    monkeypatch.setattr(measure, "get_tier", lambda name: types.SimpleNamespace() if name == "new" else real(name))
    workload = WORKLOADS["planar"]
    rows = measure.measure_workload(
        workload, workload.load(), ["new", "vector"], 2, 1, 1, np.float64, Progress(1, enabled=False)
    )
    reason = "AttributeError: 'types.SimpleNamespace' object has no attribute 'train'"
    assert (rows[0]["tier"], rows[0]["status"], rows[0]["reason"]) == ("new", "error", reason)
    assert rows[1]["status"] == "ok"
    text = report.table(
        {
            **compare.compare([], []),
            "workloads": [
                {
                    "name": "planar",
                    "description": workload.description,
                    "skipped": None,
                    "compared_iterations": 1,
                    "rows": rows,
                }
            ],
        }
    )
    assert f"\n  new   error: {reason}\n" in text


def test_a_failing_tier_is_an_error_row_and_exit_status_1(capsys, monkeypatch):
    def train(*args):
        raise RuntimeError("kernel exploded\nsecond line")

    real = measure.get_tier
    monkeypatch.setattr(
        measure, "get_tier", lambda name: types.SimpleNamespace(train=train) if name == "jit" else real(name)
    )
    status = main(
        [
            "compare",
            "--json",
            "--workloads",
            "planar",
            "--tiers",
            "vector",
            "jit",
            "--iterations",
            "2",
            "--repeats",
            "1",
        ]
    )
    rows = rows_by_tier(json.loads(capsys.readouterr().out)["workloads"][0])
    assert status == 1
    assert rows["vector"]["status"] == "ok"
    assert rows["jit"]["status"] == "error" and rows["jit"]["reason"] == "RuntimeError: kernel exploded"
    assert "second line" in rows["jit"]["traceback"] and "Traceback" in rows["jit"]["traceback"]


def test_warm_up_is_the_compared_run_and_not_timed(monkeypatch):
    """Each fast tier trains once for the compared iterations (the warm-up), then `repeats` timed full runs."""
    calls, vector = [], nncore.get_tier("vector")
    counting = types.SimpleNamespace(train=lambda *args: calls.append(args[5]) or vector.train(*args))
    real = measure.get_tier
    monkeypatch.setattr(measure, "get_tier", lambda name: counting if name == "counting" else real(name))
    workload = WORKLOADS["planar"]
    (row,) = measure.measure_workload(
        workload, workload.load(), ["counting"], 7, 2, 3, np.float64, Progress(1, enabled=False)
    )
    assert calls == [2, 7, 7, 7]
    assert row["repeats"] == 3 and len(row["seconds_per_iteration_runs"]) == 3


# --------------------------------------------------------------------------
# The cat data
# --------------------------------------------------------------------------


def test_without_the_cat_data_the_cat_workloads_run_on_stand_in_images(capsys, monkeypatch):
    monkeypatch.delenv("NNCORE_DATA", raising=False)
    workloads = ["--workloads", "planar", "logreg-cats", "deep-cats"]  # the default set, minus the demo
    status = main(["compare", *workloads, "--tiers", "vector", "--iterations", "2", "--repeats", "1"])
    out, _ = capsys.readouterr()
    assert status == 0
    # the one message about the data: what the files are, where the course keeps them, how to point at them
    message = [line for line in out.splitlines() if "on stand-in images:" in line]
    assert len(message) == 1 and out.count("train_catvnoncat.h5") == 1
    assert message[0].startswith("logreg-cats, deep-cats on stand-in images: no folder given for the cat data")
    for text in ("train_catvnoncat.h5 and test_catvnoncat.h5", "datasets/ folder", "week 2", "week 4"):
        assert text in message[0]
    assert "--data FOLDER" in message[0] and "NNCORE_DATA=FOLDER" in message[0]
    # every workload ran; the cat ones are labelled and show no accuracies
    for name in ("planar", "logreg-cats", "deep-cats"):
        assert f"\n{name}: " in out
    blocks = out.split("\n\n")
    for block in blocks[2:]:
        assert "\n  stand-in images: the course's files were not found" in block
        (vector_row,) = [line for line in block.splitlines() if line.startswith("  vector ")]
        assert vector_row.split()[-2:] == ["-", "-"]  # train and test accuracy
    assert "stand-in" not in blocks[1] and "%" in blocks[1]  # the planar flower is real data


def test_stand_in_images_have_the_shape_and_layout_of_the_course_files():
    data = stand_in_cats()
    assert [a.shape for a in data] == [(12288, 209), (1, 209), (12288, 50), (1, 50)]
    assert data.train_x.flags.f_contiguous and data.test_x.flags.f_contiguous  # as flatten_images returns them
    pixels = np.round(data.train_x * 255)
    np.testing.assert_array_equal(pixels, data.train_x * 255)  # uint8 values divided by 255
    assert pixels.min() == 0 and pixels.max() == 255
    assert set(np.unique(data.train_y)) == {0.0, 1.0} and 0.25 < data.train_y.mean() < 0.45
    again = stand_in_cats(np.float32)
    assert again.train_x.dtype == np.float32
    np.testing.assert_array_equal(again.train_x, data.train_x.astype(np.float32))  # seeded


def test_stand_in_results_are_labelled_in_the_json_without_accuracies(capsys, monkeypatch):
    monkeypatch.delenv("NNCORE_DATA", raising=False)
    status, results, err = run_json(capsys, "--workloads", "logreg-cats", "--tiers", "vector", "--iterations", "2")
    assert status == 0  # asked for by name, run on stand-ins
    assert results["cat_data"]["found"] is False and results["cat_data"]["stand_in"] is True
    (workload,) = results["workloads"]
    assert workload["data"] == STAND_IN == "stand-in images: the course's files were not found"
    (row,) = workload["rows"]
    assert row["status"] == "ok" and row["train_accuracy"] is None and row["test_accuracy"] is None
    assert row["final_cost"] > 0
    assert err.count("nncore compare: logreg-cats on stand-in images: no folder given") == 1


def test_a_data_folder_that_cannot_be_read_fails_after_the_stand_in_run(capsys, tmp_path):
    status, results, err = run_json(
        capsys, "--workloads", "logreg-cats", "--tiers", "vector", "--iterations", "2", "--data", str(tmp_path / "no")
    )
    assert status == 1
    assert results["cat_data"]["found"] is False and "no' does not exist" in results["cat_data"]["message"]
    assert results["workloads"][0]["data"] == STAND_IN
    assert "nncore compare: logreg-cats on stand-in images: the cat data folder" in err


@pytest.mark.data
def test_logreg_cats_all_tiers(capsys, cat_folder):
    status, results, _ = run_json(
        capsys,
        "--workloads",
        "logreg-cats",
        "--iterations",
        "4",
        "--loop-iterations",
        "1",
        "--repeats",
        "1",
        "--data",
        cat_folder,
    )
    assert status == 0 and results["cat_data"] == {
        "folder": cat_folder,
        "found": True,
        "stand_in": False,
        "message": None,
    }
    assert results["workloads"][0]["data"] == "the course's files"
    (workload,) = results["workloads"]
    assert (workload["m_train"], workload["m_test"]) == (209, 50)
    rows = rows_by_tier(workload)
    # the accuracies after 1 (loop tier) and 4 iterations, computed here with the loop tier
    cats, recipe = cat_data(cat_folder), WORKLOADS["logreg-cats"]
    expected = {}
    for iterations in (1, 4):
        w = REFERENCE.optimize(np.zeros((12288, 1)), 0.0, cats.train_x, cats.train_y, iterations, 0.005, 1)[0]
        network = recipe.network(w)
        expected[iterations] = tuple(
            loop_accuracy(network, ("sigmoid",), X, Y)
            for X, Y in ((cats.train_x, cats.train_y), (cats.test_x, cats.test_y))
        )
    for row in rows.values():
        assert row["status"] == "ok"
        assert row["costs"][0] == pytest.approx(math.log(2), rel=1e-12)  # w = 0: every output is 1/2
        assert (row["train_accuracy"], row["test_accuracy"]) == expected[row["iterations"]]
    assert rows["loop"]["iterations"] == 1 and len(rows["loop"]["costs"]) == 1
    for name in FAST_TIERS:
        assert_agrees_with_loop(rows[name], rows["loop"], np.float64)


@pytest.mark.data
def test_deep_cats_fast_tiers(capsys, cat_folder):
    """The loop tier takes ~25 s per iteration here, so only the fast tiers, against each other."""
    status, results, _ = run_json(
        capsys,
        "--workloads",
        "deep-cats",
        "--tiers",
        *FAST_TIERS,
        "--iterations",
        "3",
        "--repeats",
        "1",
        "--data",
        cat_folder,
    )
    assert status == 0
    rows = rows_by_tier(results["workloads"][0])
    first = rows["vector"]
    assert round(first["costs"][0], 6) == 0.771749  # the course: "Cost after iteration 0: 0.771749"
    for row in rows.values():
        np.testing.assert_allclose(row["costs"], first["costs"], rtol=TOLERANCES[np.dtype(np.float64)][0])
        assert row["train_accuracy"] == first["train_accuracy"] and row["test_accuracy"] == first["test_accuracy"]
        assert row["speedup_vs_loop"] is None and row["speedup_vs_vector"] > 0


# --------------------------------------------------------------------------
# The table, the plot, the progress bar
# --------------------------------------------------------------------------


def test_table(planar_run):
    text = report.table(planar_run)
    lines = text.splitlines()
    assert lines[0].startswith(f"nncore {nncore.__version__} compare: float64, threads: Numba ")
    header = next(line for line in lines if line.lstrip().startswith("tier "))
    for column in report.HEADERS:
        assert column in header
    loop = next(line for line in lines if line.lstrip().startswith("loop "))
    assert loop.split()[1] == "3*" and "ref" in loop.split()
    runs = rows_by_tier(planar_run["workloads"][0])["loop"]["repeats"]
    assert (
        f"* loop: time per iteration measured on 3 iterations ({runs} run{'s' * (runs > 1)}); "
        "its cost and accuracy are after 3 iterations."
    ) in text
    assert (
        "over the first 3 iterations" in text
        and f"  {', '.join(FAST_TIERS)}: median of 2 timed runs after a warm-up." in text
    )
    assert text.isascii()


@pytest.mark.parametrize(
    "value, text",
    [(0.392, "392 ms"), (1.34e-4, "134 us"), (9.9996e-4, "1.00 ms"), (12.34, "12.3 s"), (5e-9, "5.00 ns")],
)
def test_seconds(value, text):
    assert report.seconds(value) == text


@pytest.mark.parametrize(
    "value, text", [(None, "-"), (1, "1.00x"), (23.94, "23.9x"), (0.000342, "0.000342x"), (2920.3, "2,920x")]
)
def test_ratio(value, text):
    assert report.ratio(value) == text


def test_plot_without_matplotlib_says_how_to_install(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    status = main(["compare", "--workloads", "planar", "--plot", str(tmp_path / "costs.png")])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err == (
        "nncore compare: --plot needs matplotlib, which is not installed: pip install matplotlib "
        "(or, from the checkout, pip install -e '.[plot]').\n"
    )
    assert not (tmp_path / "costs.png").exists()


def test_plot_writes_a_png(planar_run, tmp_path):
    pytest.importorskip("matplotlib")
    path = report.plot(planar_run, tmp_path / "costs.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_draws_on_a_terminal_only():
    silent = io.StringIO()
    with Progress(2, stream=silent, delay=0, interval=0.01) as progress:
        progress.start("planar: vector")
    assert silent.getvalue() == "" and progress.done == 1

    terminal = _Terminal()
    with Progress(4, stream=terminal, delay=0, interval=0.01) as progress:
        progress.start("planar: loop")
        progress.start("planar: vector")
        deadline = time.monotonic() + 10
        while "planar: vector" not in terminal.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
    drawn = terminal.getvalue()
    assert "planar: vector" in drawn and "1/4" in drawn and drawn.endswith("\r")  # erased at the end
    assert progress.done == 2


# --------------------------------------------------------------------------
# Compilation, made visible
# --------------------------------------------------------------------------


def test_compile_watch_counts_what_numba_compiles_and_says_so():
    import numba

    from nncore.compiling import COMPILING, CompileWatch

    @numba.njit
    def fresh(x):
        return x + 1

    started = []
    with CompileWatch(lambda: started.append(True)) as watch:
        assert fresh(1) == 2
        assert fresh(2) == 3  # compiled once
    assert started == [True] and watch.count == 1 and watch.entries[0][0].endswith("fresh")
    assert watch.seconds > 0
    line = watch.line("planar")
    assert line.startswith("jit: compiled 1 kernel for planar in ") and "once: they are cached in" in line
    assert COMPILING == "compiling (once; cached for later runs)"
    with CompileWatch() as again:
        fresh(3)
    assert again.count == 0 and again.seconds == 0.0


def test_the_first_jit_call_shows_compiling_and_reports_its_time(monkeypatch):
    """measure_tier relabels the progress while Numba compiles and writes one line when it did."""
    from nncore.compiling import CompileWatch

    notes, messages = [], []
    progress = Progress(1, enabled=False)
    monkeypatch.setattr(progress, "note", notes.append)
    monkeypatch.setattr(progress, "message", messages.append)

    class Compiles(CompileWatch):
        def __enter__(self):  # as if the kernels compiled for 2 s
            super().__enter__()
            self.on_compile()
            self.entries.append(("train_kernel", 2.0))
            return self

    monkeypatch.setattr(measure, "CompileWatch", Compiles)
    workload = WORKLOADS["planar"]
    timing = measure.Timing(iterations=2, compared=1, repeats=1)
    row = measure.measure_tier(workload, "vector", planar_data(), workload.initial_parameters(), timing, progress)
    assert notes[0] == "planar: vector: compiling (once; cached for later runs)"
    assert notes[-1] == "planar: vector, warm-up"
    assert len(messages) == 1 and messages[0].startswith("jit: compiled 1 kernel for planar in 2.0 s")
    assert row["compile_seconds"] == 2.0


def test_a_zig_zagging_cost_is_drawn_as_a_band_and_its_mean():
    up_down = [1.0 + 0.1 * (-1) ** i - 0.001 * i for i in range(60)]
    assert report.zigzags(up_down) and not report.zigzags(np.linspace(1, 0, 60))
    assert not report.zigzags(up_down[:10])  # too short to tell
    x, mean, low, high = report._running(up_down, report.RUNNING_MEAN)
    assert len(x) == 60 - report.RUNNING_MEAN + 1 and x[0] == (report.RUNNING_MEAN - 1) / 2
    assert np.all(low <= mean) and np.all(mean <= high) and np.all(high - low > 0.19)
