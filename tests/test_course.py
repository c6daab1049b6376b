"""nncore.course: the course's experiments in every tier, against the course's published numbers.

* Short runs: every experiment in every tier on a few iterations (the cat
  experiments on small synthetic "images", so the loop tier is quick and no
  data is needed, and on a few real images when NNCORE_DATA is set) agrees
  with the loop tier through ``assert_tiers_agree``.
* Full runs of the vector tier reproduce the course's published costs (to the
  digits the course prints) and accuracies (as exact fractions of the
  samples). Where the course's own runs disagree with each other, so do
  runs of ours perturbed by 1e-15: see the planar tests.
* Full runs of every other compiled tier (jit) agree with the vector tier's.
* The command line: output format, --json, --plot, missing data.
"""

import functools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import REFERENCE, TIERS, assert_tiers_agree
from nncore import course, datasets
from nncore.course import CatData, Sweep
from nncore.course.command import main
from nncore.datasets import CAT_DATA_HELP, flatten_images

# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


def synthetic_cats(m_train=12, m_test=6, side=4):
    """CatData of random side x side RGB "images", labelled 1 where the red channel is brighter."""
    rng = np.random.RandomState(0)
    images = rng.randint(0, 256, (m_train + m_test, side, side, 3)).astype(np.uint8)
    X = flatten_images(images)
    Y = (X[0::3].mean(axis=0, keepdims=True) > X[1::3].mean(axis=0, keepdims=True)).astype(np.float64)
    return CatData(X[:, :m_train], Y[:, :m_train], X[:, m_train:], Y[:, m_train:])


# --------------------------------------------------------------------------
# Short runs in every tier
# --------------------------------------------------------------------------

#: Shortened settings per experiment: few iterations, the cost recorded often.
SHORT = {
    "logreg-cats": dict(num_iterations=30, cost_every=10),
    "logreg-cats-rates": dict(num_iterations=20, cost_every=10),
    "planar": dict(num_iterations=40, cost_every=10),
    "planar-hidden-sizes": dict(num_iterations=10, cost_every=5),
    "two-layer-cats": dict(num_iterations=20, cost_every=5),
    "deep-cats": dict(num_iterations=20, cost_every=5),
}

COMPARED = [name for name in TIERS if name != "loop"]


def _short(name, tier, data=None):
    kwargs = dict(SHORT[name], tier=tier)
    if name in course.CAT_EXPERIMENTS:
        kwargs["data"] = synthetic_cats() if data is None else data
    return course.EXPERIMENTS[name](**kwargs)


@functools.cache
def _short_reference(name):
    return _short(name, "loop")


def _runs(result):
    return result.runs if isinstance(result, Sweep) else [result]


def loop_accuracy(run, X, Y):
    """The fraction of the samples of `X` that the loop tier's ``predict`` with `run`'s parameters gets right."""
    return float(np.mean(REFERENCE.predict(X, run.parameters, list(run.activations)) == Y))


def assert_results_agree(ours, ref):
    """Same settings, costs and parameters within the tiers' tolerance, the same accuracies."""
    assert type(ours) is type(ref)
    ours_runs, ref_runs = _runs(ours), _runs(ref)
    assert len(ours_runs) == len(ref_runs)
    for o, r in zip(ours_runs, ref_runs):
        assert (o.layer_dims, o.activations, o.learning_rate, o.num_iterations) == (
            r.layer_dims,
            r.activations,
            r.learning_rate,
            r.num_iterations,
        )
        np.testing.assert_array_equal(o.cost_iterations, r.cost_iterations)
        assert_tiers_agree(
            f"{o.experiment} {o.layer_dims} lr={o.learning_rate}",
            {"costs": o.costs, "parameters": o.parameters},
            {"costs": r.costs, "parameters": r.parameters},
            tier=o.tier,
        )
        assert (o.train_accuracy, o.test_accuracy) == (r.train_accuracy, r.test_accuracy)


@pytest.mark.parametrize("name", list(course.EXPERIMENTS))
def test_short_run_in_the_loop_tier_follows_the_recipe(name):
    result = _short_reference(name)
    its, every = SHORT[name]["num_iterations"], SHORT[name]["cost_every"]
    runs = _runs(result)
    assert [len(run.parameters) // 2 for run in runs] == [len(run.layer_dims) - 1 for run in runs]
    for run in runs:
        assert run.experiment == name and run.tier == "loop" and run.num_iterations == its
        np.testing.assert_array_equal(run.cost_iterations, np.arange(0, its, every))
        assert run.costs.dtype == np.float64 and run.costs[-1] < run.costs[0]
        assert run.wall_time > 0
        if name in course.CAT_EXPERIMENTS:
            data = synthetic_cats()
            assert run.train_accuracy == loop_accuracy(run, data.train_x, data.train_y)
            assert run.test_accuracy == loop_accuracy(run, data.test_x, data.test_y)
        else:
            assert run.train_accuracy == loop_accuracy(run, *datasets.planar()) and run.test_accuracy is None
    if name == "planar-hidden-sizes":
        assert result.values() == list(course.experiments.HIDDEN_SIZES)
        assert result.max_cost_difference == 0.0  # the loop tier sums in one order whatever the threads
    if name == "logreg-cats-rates":
        assert result.values() == list(course.experiments.LEARNING_RATES)


@pytest.mark.parametrize("name", list(course.EXPERIMENTS))
@pytest.mark.parametrize("tier", COMPARED)
def test_short_runs_agree_with_the_loop_tier(name, tier):
    assert_results_agree(_short(name, tier), _short_reference(name))


@pytest.mark.data
@pytest.mark.parametrize("tier", COMPARED)
def test_short_cat_runs_on_real_images_agree_with_the_loop_tier(cats, tier):
    few = CatData(cats.train_x[:, :10], cats.train_y[:, :10], cats.test_x[:, :5], cats.test_y[:, :5])
    for name in course.CAT_EXPERIMENTS:
        settings = dict(tier=tier, data=few, num_iterations=2, cost_every=1)
        ours = course.EXPERIMENTS[name](**settings)
        ref = course.EXPERIMENTS[name](**dict(settings, tier="loop"))
        assert _runs(ours)[0].layer_dims[0] == 12288
        assert_results_agree(ours, ref)


# --------------------------------------------------------------------------
# Full runs of the vector tier against the course's published numbers
# --------------------------------------------------------------------------

#: The course's printed costs (``%f``), every 100 iterations.
LOGREG_COSTS = [
    0.693147,
    0.584508,
    0.466949,
    0.376007,
    0.331463,
    0.303273,
    0.279880,
    0.260042,
    0.242941,
    0.228004,
    0.214820,
    0.203078,
    0.192544,
    0.183033,
    0.174399,
    0.166521,
    0.159305,
    0.152667,
    0.146542,
    0.140872,
]
DEEP_COSTS = [
    0.771749,
    0.672053,
    0.648263,
    0.611507,
    0.567047,
    0.540138,
    0.527930,
    0.465477,
    0.369126,
    0.391747,
    0.315187,
    0.272700,
    0.237419,
    0.199601,
    0.189263,
    0.161189,
    0.148214,
    0.137775,
    0.129740,
    0.121225,
    0.113821,
    0.107839,
    0.102855,
    0.100897,
    0.092878,
]
#: The course's planar costs at 0, 1000, ..., 7000; after 7000 the published runs differ.
PLANAR_COSTS = [0.693048, 0.288083, 0.254385, 0.233864, 0.226792, 0.222644, 0.219731, 0.217504]


@functools.cache
def _full(name, tier="vector", folder=None):
    """The experiment as the course runs it; the cat experiments read `folder`."""
    kwargs = {"tier": tier}
    if name in course.CAT_EXPERIMENTS:
        kwargs["data"] = course.cat_data(folder)
    return course.EXPERIMENTS[name](**kwargs)


@pytest.mark.data
def test_logreg_cats_gives_the_course_results(cat_folder):
    result = _full("logreg-cats", folder=cat_folder)
    assert result.cost_iterations.tolist() == list(range(0, 2000, 100))
    np.testing.assert_array_equal(np.round(result.costs, 6), LOGREG_COSTS)
    assert (result.train_accuracy, result.test_accuracy) == (207 / 209, 35 / 50)
    assert (result.train_accuracy * 100, result.test_accuracy * 100) == (99.04306220095694, 70.0)
    assert result.parameters["W1"].shape == (1, 12288) and result.parameters["b1"].shape == (1, 1)


@pytest.mark.data
def test_logreg_cats_rates_give_the_course_results(cat_folder):
    result = _full("logreg-cats-rates", folder=cat_folder)
    assert result.values() == [0.01, 0.001, 0.0001]
    assert [(run.train_accuracy, run.test_accuracy) for run in result.runs] == [
        (208 / 209, 34 / 50),
        (186 / 209, 32 / 50),
        (143 / 209, 18 / 50),
    ]
    percent = [(run.train_accuracy * 100, run.test_accuracy * 100) for run in result.runs]
    assert percent == [(99.52153110047847, 68.0), (88.99521531100478, 64.0), (68.42105263157895, 36.0)]
    assert all(len(run.costs) == 15 for run in result.runs)


def test_planar_gives_the_course_results():
    result = _full("planar")
    assert result.cost_iterations.tolist() == list(range(0, 10000, 1000))
    np.testing.assert_array_equal(np.round(result.costs[:8], 6), PLANAR_COSTS)
    # From iteration 8000 on, training is chaotic: perturbing the initial weights by 1e-15
    # moved our cost at 9000 over 0.218555-0.218629 and the accuracy between 90.5 and 90.75 %;
    # the course's published runs print 0.218558-0.218612 at 9000, and "90%" ("%d" of 90.5).
    assert abs(result.costs[8] - 0.2195) < 1e-4 and abs(result.costs[9] - 0.2186) < 1e-4
    assert result.train_accuracy in (362 / 400, 363 / 400) and int(result.train_accuracy * 100) == 90
    assert result.test_accuracy is None


def test_planar_hidden_sizes_give_the_course_results():
    result = _full("planar-hidden-sizes")
    assert result.values() == [1, 2, 3, 4, 5, 20, 50]
    accuracies = [run.train_accuracy * 100 for run in result.runs]
    # The course: 67.5, 67.25, 90.75, 90.5, 91.25, 90.0, 90.75 %. For 20 and 50 hidden units a
    # 1e-15 perturbation of the initial weights gave 90.0 or 90.5 and 90.75 or 90.25 (the latter
    # is what another version of the course's notebook prints), so only those two may differ.
    assert accuracies[:5] == [67.5, 67.25, 90.75, 90.5, 91.25]
    assert accuracies[5] in (90.0, 90.5) and accuracies[6] in (90.75, 90.25)
    assert result.pool == "processes" and result.workers == min(course.parallel.cores(), 7)
    assert result.sequential_wall_time > 0 and result.parallel_wall_time > 0
    assert result.max_cost_difference < 1e-12


@pytest.mark.data
def test_two_layer_cats_gives_the_course_results(cat_folder):
    result = _full("two-layer-cats", folder=cat_folder)
    # The course prints the full float: 0.6930497356599888 and 0.048554785628770206.
    assert result.costs[0] == pytest.approx(0.6930497356599888, rel=1e-14)
    assert result.costs[-1] == pytest.approx(0.048554785628770206, rel=1e-10)
    assert result.cost_iterations[-1] == 2400
    assert (result.train_accuracy, result.test_accuracy) == (1.0, 36 / 50)


@pytest.mark.data
def test_deep_cats_gives_the_course_results(cat_folder):
    result = _full("deep-cats", folder=cat_folder)
    np.testing.assert_array_equal(np.round(result.costs, 6), DEEP_COSTS)
    assert (result.train_accuracy, result.test_accuracy) == (206 / 209, 40 / 50)
    assert [result.parameters[f"W{l}"].shape for l in range(1, 5)] == [(20, 12288), (7, 20), (5, 7), (1, 5)]


# --------------------------------------------------------------------------
# Full runs of the other tiers against the vector tier's
# --------------------------------------------------------------------------

#: Experiment -> the tolerance profile (tests/helpers.py: PROFILES) of its full runs' costs, tier against
#: vector tier, before the iteration CHAOTIC_FROM names.
FULL_PROFILES = {"logreg-cats-rates": "full-run-overshooting"}

#: Where the planar trainings are chaotic (profile "full-run-chaotic"; the accuracy may move by up to 2
#: of the 400 points): experiment -> first iteration affected.
CHAOTIC_FROM = {"planar": 8000, "planar-hidden-sizes": 4000}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(course.EXPERIMENTS))
@pytest.mark.parametrize("tier", [name for name in COMPARED if name != "vector"])
def test_full_runs_agree_with_the_vector_tier(name, tier, request):
    folder = request.getfixturevalue("cat_folder") if name in course.CAT_EXPERIMENTS else None
    ours, ref = _runs(_full(name, tier, folder)), _runs(_full(name, folder=folder))
    chaotic_from = CHAOTIC_FROM.get(name, np.inf)
    for o, r in zip(ours, ref):
        what = f"{name} {o.layer_dims} lr={o.learning_rate} costs"
        calm = r.cost_iterations < chaotic_from
        profile = FULL_PROFILES.get(name, "full-run")
        assert_tiers_agree(what, o.costs[calm], r.costs[calm], tier=tier, profile=profile)
        assert_tiers_agree(f"{what} (chaotic)", o.costs[~calm], r.costs[~calm], tier=tier, profile="full-run-chaotic")
        if name in CHAOTIC_FROM:
            assert abs(o.train_accuracy - r.train_accuracy) * 400 <= 2 + 1e-9  # 2 of the 400 points
        else:
            assert (o.train_accuracy, o.test_accuracy) == (r.train_accuracy, r.test_accuracy)


# --------------------------------------------------------------------------
# Parallel runs
# --------------------------------------------------------------------------


@pytest.mark.parametrize("pool", ["processes", "threads"])
def test_the_sweep_in_either_pool_equals_the_sequential_runs(pool):
    sweep = course.planar_hidden_sizes(hidden_sizes=(3, 1, 2), num_iterations=50, cost_every=10, pool=pool, workers=2)
    assert sweep.values() == [3, 1, 2] and (sweep.pool, sweep.workers) == (pool, 2)
    assert sweep.max_cost_difference == 0.0
    alone = course.planar(n_h=1, num_iterations=50, cost_every=10)
    np.testing.assert_array_equal(sweep.runs[1].costs, alone.costs)
    assert sweep.wall_time == sweep.parallel_wall_time


def test_the_sweep_without_a_parallel_run_is_timed_sequentially():
    sweep = course.planar_hidden_sizes(hidden_sizes=(2,), num_iterations=10, parallel=False)
    assert sweep.parallel_wall_time is None and sweep.pool is None and sweep.max_cost_difference is None
    assert sweep.wall_time == sweep.sequential_wall_time > 0
    assert "one after another" in sweep.timing_line()
    with pytest.raises(ValueError, match="parallel=True or sequential=True"):
        course.planar_hidden_sizes(parallel=False, sequential=False)


def test_a_bad_pool_or_worker_count_is_refused():
    with pytest.raises(ValueError, match="unknown pool 'fibers'"):
        course.planar_hidden_sizes(hidden_sizes=(1,), num_iterations=1, pool="fibers", sequential=False)
    with pytest.raises(ValueError, match="workers must be a positive integer"):
        course.planar_hidden_sizes(hidden_sizes=(1,), num_iterations=1, workers=0, sequential=False)


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


def test_a_training_shows_its_costs_accuracy_time_and_parameters():
    result = course.planar(num_iterations=2000)
    text = repr(result)
    assert text.startswith("Training('planar', tier='vector', layer_dims=[2, 4, 1]")
    assert "costs: 0: 0.693048, 1000: 0.288083" in text
    assert f"accuracy: train {result.train_accuracy * 100:.10g} %" in text
    assert "wall time:" in text and "W1 (4, 2), b1 (4, 1), W2 (1, 4), b2 (1, 1)" in text
    record = json.loads(json.dumps(result.to_dict()))
    assert record["costs"] == result.costs.tolist() and record["cost_iterations"] == [0, 1000]
    assert record["parameter_shapes"]["W1"] == [4, 2] and record["test_accuracy"] is None


def test_a_long_cost_trace_is_shortened_in_the_repr():
    result = course.planar(num_iterations=120, cost_every=10)
    assert "0: 0.693048, 10: " in repr(result) and ", ..., 70: " in repr(result) and "110: " in repr(result)


def test_a_sweep_shows_one_line_per_run():
    sweep = course.planar_hidden_sizes(hidden_sizes=(1, 2), num_iterations=20, cost_every=10, parallel=False)
    lines = repr(sweep).splitlines()
    assert lines[0] == "Sweep('planar-hidden-sizes', tier='vector', varied='n_h')"
    assert lines[1].startswith("  n_h = 1: cost ") and lines[2].startswith("  n_h = 2: cost ")
    assert json.loads(json.dumps(sweep.to_dict()))["runs"][1]["layer_dims"] == [2, 2, 1]


def test_cat_data_passes_cat_data_through_and_refuses_other_things():
    data = synthetic_cats()
    assert course.cat_data(data) is data
    with pytest.raises(TypeError, match="data must be a CatData, a folder or None"):
        course.cat_data(42)


def test_logistic_regression_is_stored_as_a_one_layer_network():
    result = course.logreg_cats(data=synthetic_cats(), num_iterations=5)
    assert result.layer_dims == (48, 1) and result.activations == ("sigmoid",)
    assert result.parameters["W1"].shape == (1, 48) and result.parameters["b1"].shape == (1, 1)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def test_the_command_prints_the_course_cost_lines_and_accuracy(capsys):
    assert main(["planar", "--iterations", "2000"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "planar on the vector tier: layers [2, 4, 1] (tanh, sigmoid), learning rate 1.2, 2000 iterations"
    assert lines[1:3] == ["Cost after iteration 0: 0.693048", "Cost after iteration 1000: 0.288083"]
    assert lines[3].startswith("train accuracy: ") and lines[3].endswith(" %")
    assert lines[4].startswith("wall time: ")


def test_the_command_prints_json(capsys):
    assert main(["planar", "--iterations", "100", "--tier", "loop", "--json", "--threads", "1"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["tier"] == "loop" and record["costs"] == [pytest.approx(0.693048, abs=5e-7)]


def test_the_command_runs_the_sweep_with_its_timing(capsys):
    assert main(["planar-hidden-sizes", "--iterations", "20", "--workers", "2", "--pool", "threads"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("Accuracy for 1 hidden units: ") and lines[7].startswith(
        "Accuracy for 50 hidden units: "
    )
    assert lines[8].startswith("7 trainings in parallel (2 threads): ") and "one after another: " in lines[8]
    assert lines[9] == "largest cost difference between the parallel and the sequential runs: 0"


def test_a_cat_experiment_without_data_says_where_to_put_the_files(capsys, monkeypatch):
    monkeypatch.delenv("NNCORE_DATA", raising=False)
    assert main(["deep-cats"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "train_catvnoncat.h5 and test_catvnoncat.h5" in err and "--data FOLDER" in err and "NNCORE_DATA" in err
    assert CAT_DATA_HELP in err  # the one message nncore compare shows too
    assert "datasets/ folder" in err and "week 2" in err and "week 4" in err


def test_a_missing_data_folder_is_named(capsys, tmp_path):
    assert main(["logreg-cats", "--data", str(tmp_path / "nowhere")]) == 1
    assert "nowhere" in capsys.readouterr().err


def test_plot_without_matplotlib_is_a_usage_error(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # find_spec then reports it missing
    assert main(["planar", "--plot", "never.png"]) == 2
    assert "pip install -e '.[plot]'" in capsys.readouterr().err
    assert not Path("never.png").exists()


@pytest.mark.parametrize("name", ["planar", "planar-hidden-sizes"])
def test_plot_saves_a_png(name, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "figure.png"
    sweep_options = ["--no-sequential"] if name == "planar-hidden-sizes" else []
    assert main([name, "--iterations", "200", "--plot", str(path), *sweep_options]) == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert capsys.readouterr().out.endswith(f"figure saved to {path}\n")


def test_the_sweep_figure_has_one_boundary_per_hidden_size_and_the_costs():
    pytest.importorskip("matplotlib")
    from nncore.course import plots

    sweep = course.planar_hidden_sizes(num_iterations=100, cost_every=50, parallel=False)
    axes = [ax for ax in plots.figure(sweep).axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes[:7]] == [
        f"n_h = {run.n_h}: {run.train_accuracy * 100:g} %" for run in sweep.runs
    ]
    assert axes[7].get_ylabel() == "cost" and len(axes[7].get_lines()) == 7 and len(axes) == 8


def test_an_unknown_experiment_is_refused_by_argparse(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["cats-and-dogs"])
    assert exit_info.value.code == 2 and "invalid choice: 'cats-and-dogs'" in capsys.readouterr().err


def test_python_m_nncore_course_runs():
    done = subprocess.run(
        [sys.executable, "-m", "nncore.course", "planar", "--iterations", "1000"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Cost after iteration 0: 0.693048" in done.stdout.splitlines()
