"""nncore.jit.precompile: the JIT tier's kernels compiled in worker processes before first use."""

import json

import numpy as np
import pytest

from nncore.jit import precompile


@pytest.fixture
def stamp(tmp_path, monkeypatch):
    """The stamp file in a folder of this test's own (the kernels' cache itself is shared)."""
    path = tmp_path / "precompiled.json"
    monkeypatch.setattr(precompile, "stamp_file", lambda: path)
    return path


def test_pending_adds_the_tasks_needed_first_in_start_order(stamp):
    assert precompile.pending(["train", "dot"]) == ["train", "dot"]
    assert precompile.pending(["dot", "predict"]) == ["products", "forward", "predict", "dot"]
    assert precompile.pending(["predict"], "float32") == ["products", "forward", "predict"]
    assert precompile.pending(["backprop"]) == ["products", "backprop"]


def test_pending_skips_the_tasks_of_the_stamp_for_that_dtype_only(stamp):
    stamp.write_text(json.dumps({"float64": ["forward", "dot"]}))
    assert precompile.pending(["predict", "dot"]) == ["predict"]  # forward done: its products are not needed
    assert precompile.pending(["grads"]) == ["products", "grads"]
    assert precompile.pending(["dot"], np.float32) == ["dot"]


def test_an_unreadable_stamp_counts_as_nothing_done(stamp):
    stamp.write_text("{not json")
    assert precompile.pending(["dot"]) == ["dot"]


def test_an_unknown_task_is_named_with_the_choices(stamp):
    with pytest.raises(ValueError, match=r"unknown precompile task 'fwd'; expected one of products, train, forward"):
        precompile.pending(["fwd"])


def test_one_worker_or_nothing_left_does_nothing(stamp):
    assert precompile.precompile(["dot", "optimize"], workers=1) is None
    stamp.write_text(json.dumps({"float64": ["dot", "optimize"]}))
    assert precompile.precompile(["dot", "optimize"], workers=2) is None


def test_workers_compile_the_tasks_and_record_them(stamp):
    seen = []
    report = precompile.precompile(["optimize", "dot"], workers=2, on_progress=lambda *step: seen.append(step))
    assert report["failed"] == {}
    assert report["tasks"] == ["optimize", "dot"] and report["workers"] == 2 and report["compiled"] >= 0
    assert seen == [(0, 2), (1, 2), (2, 2)]
    assert json.loads(stamp.read_text()) == {"float64": ["dot", "optimize"]}
    assert precompile.pending(["optimize", "dot"]) == []


def test_a_worker_that_cannot_start_leaves_its_tasks_to_the_first_call(stamp, monkeypatch):
    monkeypatch.setattr(precompile.sys, "executable", str(stamp.parent / "no-python-here"))
    report = precompile.precompile(["train", "predict"], workers=2)
    assert set(report["failed"]) == {"products", "forward", "train", "predict"}
    assert all(message.startswith("not run: FileNotFoundError") for message in report["failed"].values())
    assert not stamp.exists()
    line = precompile.describe(report, "/cache")
    assert "jit: predict failed in its worker (not run: FileNotFoundError" in line
    assert line.endswith("it compiles on its first call instead.")


def test_a_task_runs_in_this_process_too():
    precompile.run_task("dot", "float32")
    assert precompile.run_task("dot", "float32") == 0  # compiled now, or loaded from the cache before
    with pytest.raises(ValueError, match="unknown precompile task"):
        precompile.run_task("nothing", "float64")
