"""Sweeps on a Dask cluster: a grid search and the course's planar-hidden-sizes, against the local runs.

One ``LocalCluster`` for the module: two worker processes of one thread each, on 127.0.0.1
only, no dashboard; it and its client are closed in the fixtures' ``finally``. Deselect these
tests with ``-m 'not dask'``.
"""

import joblib
import numpy as np
import pytest
from distributed import Client, LocalCluster, get_task_stream
from sklearn.model_selection import GridSearchCV, StratifiedKFold

import nncore
from nncore import course
from nncore.course import parallel
from nncore.course.command import main
from nncore.sklearn import NetworkClassifier

pytestmark = pytest.mark.dask

#: Seconds the cluster gets to start, and each call on it to answer.
TIMEOUT = 60


@pytest.fixture(scope="module")
def cluster():
    """A two-worker LocalCluster on the loopback interface."""
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None, timeout=TIMEOUT
    )
    try:
        yield cluster
    finally:
        cluster.close(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def client(cluster):
    """A client of `cluster`, with both workers up."""
    client = Client(cluster, timeout=TIMEOUT, set_as_default=False)
    try:
        client.wait_for_workers(2, timeout=TIMEOUT)
        yield client
    finally:
        client.close(timeout=TIMEOUT)


def grid_search():
    X, Y = nncore.datasets.planar()
    search = GridSearchCV(
        NetworkClassifier((4,), "tanh", max_iter=200, init="scaled", random_state=2),
        {"hidden_layer_sizes": [(2,), (4,)], "learning_rate": [0.5, 1.2]},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        n_jobs=-1,
    )
    return search, X.T, Y.ravel()


def test_a_grid_search_on_the_cluster_scores_as_the_local_one(client):
    search, X, y = grid_search()
    local = search.set_params(n_jobs=1).fit(X, y).cv_results_
    search, X, y = grid_search()
    with get_task_stream(client=client) as tasks, joblib.parallel_config(backend="dask", client=client):
        remote = search.fit(X, y).cv_results_
    assert remote["params"] == local["params"]
    for k in range(3):
        np.testing.assert_array_equal(remote[f"split{k}_test_score"], local[f"split{k}_test_score"])
    # It ran there: the 12 fits (4 settings x 3 folds) on both of the cluster's workers.
    workers = {task["worker"] for task in tasks.data}
    assert len(tasks.data) >= 12 and workers == set(client.scheduler_info()["workers"])


def test_the_course_sweep_on_the_cluster_equals_the_sequential_runs(cluster):
    sweep = course.planar_hidden_sizes(
        hidden_sizes=(3, 1, 2), num_iterations=50, cost_every=10, scheduler=cluster.scheduler_address
    )
    assert sweep.values() == [3, 1, 2] and (sweep.pool, sweep.workers) == ("dask", 2)
    assert sweep.max_cost_difference == 0.0 and sweep.wall_time == sweep.parallel_wall_time
    alone = course.planar(n_h=1, num_iterations=50, cost_every=10)
    np.testing.assert_array_equal(sweep.runs[1].costs, alone.costs)


def test_the_command_runs_the_sweep_on_the_cluster(cluster, capsys):
    address = cluster.scheduler_address
    assert main(["planar-hidden-sizes", "--iterations", "20", "--scheduler", address, "--workers", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("Accuracy for 1 hidden units: ")
    assert lines[8].startswith("7 trainings in parallel (2 dask): ") and "one after another: " in lines[8]
    assert lines[9] == "largest cost difference between the parallel and the sequential runs: 0"


def test_a_scheduler_that_does_not_answer_is_named(monkeypatch, capsys):
    monkeypatch.setattr(parallel, "DASK_TIMEOUT", 1)
    with pytest.raises(ValueError, match=r"no Dask scheduler answered at 'tcp://127.0.0.1:9' within 1 s"):
        course.planar_hidden_sizes(hidden_sizes=(1,), num_iterations=1, sequential=False, scheduler="tcp://127.0.0.1:9")
    assert (
        main(["planar-hidden-sizes", "--iterations", "1", "--no-sequential", "--scheduler", "tcp://127.0.0.1:9"]) == 1
    )
    assert "`dask scheduler`" in capsys.readouterr().err


def test_a_pool_and_a_scheduler_are_not_both_taken():
    with pytest.raises(ValueError, match="pool 'threads' runs on this machine, but a Dask scheduler address was given"):
        course.planar_hidden_sizes(hidden_sizes=(1,), num_iterations=1, pool="threads", scheduler="tcp://127.0.0.1:9")
    with pytest.raises(ValueError, match=r"unknown pool 'dask'.*needs a scheduler address"):
        course.planar_hidden_sizes(hidden_sizes=(1,), num_iterations=1, pool="dask", sequential=False)
