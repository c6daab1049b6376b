"""The JIT tier's planner: every path it can choose is right, its decisions are kept, pinned and shown.

Whatever the planner would pick on this machine, each path (``serial``, ``threads``, ``blas``,
and the rule of thumb) is forced in turn through ``NNCORE_PLAN`` and checked against the loop
tier at the tier tolerances, with the input in both layouts and with 1 and 2 threads.
"""

import json

import numpy as np
import pytest

import nncore
from helpers import REFERENCE, assert_tiers_agree, problem

pytestmark = pytest.mark.skipif("jit" not in nncore.TIERS, reason="the JIT tier is not installed")

planner = pytest.importorskip("nncore.jit.planner")

#: Small networks, each layer shape a different kind: an input read one sample per row
#: (70 features reach ``XT_MIN_FEATURES`` when X is Fortran-ordered), and a narrow one.
NETWORKS = {"wide input": [70, 5, 3, 1], "narrow input": [3, 6, 4, 1]}

MODES = ["serial", "threads", "blas", "estimate"]


def _activations(layer_dims):
    return ["relu"] * (len(layer_dims) - 2) + ["sigmoid"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("shape", NETWORKS, ids=list(NETWORKS))
def test_every_forced_path_trains_as_the_loop_tier(shape, order, mode, dtype, rng, monkeypatch):
    layer_dims = NETWORKS[shape]
    X, Y, parameters = problem(rng, layer_dims, 37, dtype)
    X = np.asarray(X, order=order)
    activations = _activations(layer_dims)
    ref = REFERENCE.train(X, Y, parameters, activations, 0.1, 3, 1)
    monkeypatch.setenv(planner.PLAN_ENV, mode)
    jit = nncore.get_tier("jit")
    for threads in (1, 2):
        with nncore.threads(min(threads, nncore.threadpool.MAX_THREADS)):
            ours = jit.train(X, Y, parameters, activations, 0.1, 3, 1)
            predictions = jit.predict(X, parameters, activations)
        assert_tiers_agree(f"jit.train[{shape}, {order}, {mode}, threads={threads}]", ours, ref, dtype=dtype)
        assert_tiers_agree("jit.predict", predictions, REFERENCE.predict(X, parameters, activations), dtype=dtype)


@pytest.mark.parametrize("mode", ["serial", "threads", "blas"])
def test_model_backward_on_a_forced_path_agrees_with_the_loop_tier(mode, rng, monkeypatch):
    layer_dims = NETWORKS["wide input"]
    X, Y, parameters = problem(rng, layer_dims, 37, np.float64)
    X = np.asfortranarray(X)
    activations = _activations(layer_dims)
    AL, caches = REFERENCE.model_forward(X, parameters, activations)
    ref = REFERENCE.model_backward(AL, Y, caches, activations)
    monkeypatch.setenv(planner.PLAN_ENV, mode)
    jit = nncore.get_tier("jit")
    AL_jit, caches_jit = jit.model_forward(X, parameters, activations)
    assert_tiers_agree(f"jit.model_backward[{mode}]", jit.model_backward(AL_jit, Y, caches_jit, activations), ref)


def test_training_repeats_bit_for_bit_for_a_fixed_plan_and_thread_count(rng, monkeypatch):
    layer_dims = NETWORKS["wide input"]
    X, Y, parameters = problem(rng, layer_dims, 53, np.float64)
    X = np.asfortranarray(X)
    jit = nncore.get_tier("jit")
    for mode in ("serial", "threads", "blas"):
        monkeypatch.setenv(planner.PLAN_ENV, mode)
        first, costs = jit.train(X, Y, parameters, _activations(layer_dims), 0.1, 5, 1)
        again, costs_again = jit.train(X, Y, parameters, _activations(layer_dims), 0.1, 5, 1)
        np.testing.assert_array_equal(costs, costs_again, err_msg=mode)
        for key in first:
            np.testing.assert_array_equal(first[key], again[key], err_msg=f"{mode}: {key}")


def test_forced_and_estimate_plans():
    dims, codes = [70, 5, 3, 1], [2, 2, 0]
    blas = planner.Planner("blas").network_plan(dims, codes, 37, np.float64, True, 2)
    assert blas.shape == (3, 3) and (blas == planner.dense.BLAS).all()
    estimate = planner.Planner("estimate").network_plan(dims, codes, 37, np.float64, True, 2)
    assert (estimate == planner.dense.ESTIMATE).all()
    assert planner.describe(blas) == "L1 F=blas G=blas | L2 F=blas B=blas G=blas | L3 F=blas B=blas G=blas"
    assert planner.describe(estimate).startswith("L1 F=~ G=~ | L2 F=~ B=~ G=~")


@pytest.mark.parametrize(("m", "expected"), [(1, 1), (2, 2), (209, 256), (256, 256), (400, 512), (16384, 16384)])
def test_samples_are_filed_by_the_next_power_of_two(m, expected):
    assert planner.shape_class(m) == expected


def test_a_measured_plan_is_kept_in_the_plan_file_and_read_back_without_timing(tmp_path, monkeypatch):
    path = tmp_path / "plan-test.json"
    monkeypatch.setattr(planner, "plan_file", lambda: path)
    dims, codes = [70, 5, 1], [2, 0]
    plan = planner.Planner("measure").network_plan(dims, codes, 37, np.float64, False, 2)
    assert ((plan >= planner.dense.SERIAL) & (plan <= planner.dense.BLAS)).sum() == 5  # all but layer 1's backprop
    data = json.loads(path.read_text())
    assert data["version"] == planner.FILE_VERSION and data["machine"]["llvm_cpu"]
    entry = data["decisions"]["forward 5x70x64 float64 N t2"]
    assert entry["path"] in entry["seconds"] and min(entry["seconds"], key=entry["seconds"].get) == entry["path"]

    def no_timing(*args):
        raise AssertionError("a decision in the plan file was timed again")

    monkeypatch.setattr(planner, "time_paths", no_timing)
    again = planner.Planner("measure").network_plan(dims, codes, 37, np.float64, False, 2)
    np.testing.assert_array_equal(again, plan)
    pinned = planner.Planner(str(path)).network_plan(dims, codes, 40, np.float64, False, 2)  # 40 -> class 64
    np.testing.assert_array_equal(pinned, plan)


def test_a_pinned_plan_is_used_as_it_is_and_never_rewritten(tmp_path):
    path = tmp_path / "pinned.json"
    decisions = {"forward 5x70x64 float64 N t2": {"path": "blas"}, "grads 5x70x64 float64 N t2": {"path": "serial"}}
    path.write_text(json.dumps({"version": planner.FILE_VERSION, "decisions": decisions}))
    before = path.read_text()
    plan = planner.Planner(str(path)).network_plan([70, 5, 1], [2, 0], 37, np.float64, False, 2)
    assert planner.describe(plan) == "L1 F=blas G=serial | L2 F=~ B=~ G=~"  # layer 2 is not in the file
    assert path.read_text() == before


def test_a_corrupt_plan_file_is_replanned_with_a_warning(tmp_path, monkeypatch):
    path = tmp_path / "plan-test.json"
    path.write_text("{not json")
    monkeypatch.setattr(planner, "plan_file", lambda: path)
    with pytest.warns(RuntimeWarning, match="unreadable.*planning afresh"):
        plan = planner.Planner("measure").network_plan([3, 4, 1], [1, 0], 20, np.float64, False, 1)
    assert (plan[:, planner.FORWARD] >= 0).all()
    assert json.loads(path.read_text())["decisions"]


def test_a_bad_pinned_plan_is_refused_with_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such plan file. Expected 'measure', 'estimate'"):
        planner.Planner(str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": planner.FILE_VERSION, "decisions": {"k": {"path": "gpu"}}}))
    with pytest.raises(ValueError, match="not a readable plan file .*'gpu'.*unset it to plan by measuring"):
        planner.Planner(str(bad))


def test_threads_saving_decisions_at_once_leave_a_readable_file(tmp_path):
    import threading

    path = tmp_path / "plan-test.json"
    writers = [
        threading.Thread(target=planner._write, args=(path, {f"forward {i}x1x1 float64 N t1": {"path": "serial"}}))
        for i in range(16)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert len(json.loads(path.read_text())["decisions"]) == 16  # one lock: no decision lost in this process
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary left behind
