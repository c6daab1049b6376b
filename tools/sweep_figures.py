"""Wall times of one grid search run sequentially, in joblib's processes and on a two-worker Dask cluster.

``python tools/sweep_figures.py [--data FOLDER] [--planar-iterations N] [--cat-iterations N]``: a ``GridSearchCV`` of
:class:`nncore.sklearn.NetworkClassifier` over hidden sizes x learning rates (3-fold), on the
planar flower and on the cat images (``--data``, default ``$NNCORE_DATA``; skipped without
them), three ways:

* ``n_jobs=1``: one fit after another in this process;
* ``n_jobs=2``: joblib's loky processes on this machine (started beforehand, timed apart);
* ``dask``: ``joblib.parallel_config(backend="dask")`` on a ``LocalCluster`` of two worker
  processes of one thread each, on 127.0.0.1 (the cluster's start is timed apart).

Each way must give the same scores (checked); the table printed is Markdown. The machine's
load average is printed before and after: other processes on it slow the parallel runs first.
"""

import argparse
import time

import joblib
import numpy as np
from distributed import Client, LocalCluster
from sklearn.model_selection import GridSearchCV, StratifiedKFold

import nncore
from nncore.datasets import flatten_images, load_cat
from nncore.sklearn import NetworkClassifier


def loadavg():
    with open("/proc/loadavg") as file:
        return " ".join(file.read().split()[:3])


def problems(data, iterations):
    """(name, estimator, grid, X, y) of each grid search."""
    X, Y = nncore.datasets.planar()
    yield (
        "planar (400 x 2)",
        NetworkClassifier(activation="tanh", max_iter=iterations["planar"], init="scaled", random_state=2),
        {"hidden_layer_sizes": [(1,), (4,), (20,)], "learning_rate": [0.5, 1.2]},
        X.T,
        Y.ravel(),
    )
    try:
        train_x_orig, train_y, *_ = load_cat(data)
    except (FileNotFoundError, ImportError) as err:
        print(f"skipping the cat data: {err}")
        return
    yield (
        "cats (209 x 12288)",
        NetworkClassifier(max_iter=iterations["cats"], random_state=1),
        {"hidden_layer_sizes": [(7,), (20, 7, 5)], "learning_rate": [0.0075, 0.015]},
        flatten_images(train_x_orig).T,
        train_y.ravel(),
    )


def _import_sklearn_estimators():
    """Import nncore.sklearn (nncore and scikit-learn) in a worker."""
    import nncore.sklearn  # noqa: F401


def start_loky(n_jobs):
    """Start joblib's loky workers (kept for the searches that follow); returns the seconds taken."""
    start = time.perf_counter()
    joblib.Parallel(n_jobs=n_jobs)(joblib.delayed(_import_sklearn_estimators)() for _ in range(n_jobs))
    return time.perf_counter() - start


def timed_search(estimator, grid, X, y, n_jobs):
    search = GridSearchCV(estimator, grid, cv=StratifiedKFold(3, shuffle=True, random_state=0), n_jobs=n_jobs)
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start, search.cv_results_["mean_test_score"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="the cat data's folder (default: $NNCORE_DATA)")
    parser.add_argument("--planar-iterations", type=int, default=2000)
    parser.add_argument("--cat-iterations", type=int, default=300)
    args = parser.parse_args(argv)
    iterations = {"planar": args.planar_iterations, "cats": args.cat_iterations}
    print(f"load average before: {loadavg()}", flush=True)
    start = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None)
    client = Client(cluster)
    client.wait_for_workers(2)
    cluster_start = time.perf_counter() - start
    loky_start = start_loky(2)
    rows = []
    try:
        for name, estimator, grid, X, y in problems(args.data, iterations):
            n_fits = 3 * int(np.prod([len(values) for values in grid.values()])) + 1
            sequential, scores = timed_search(estimator, grid, X, y, 1)
            processes, scores_processes = timed_search(estimator, grid, X, y, 2)
            with joblib.parallel_config(backend="dask", client=client):
                dask, scores_dask = timed_search(estimator, grid, X, y, -1)
            same = np.array_equal(scores, scores_processes) and np.array_equal(scores, scores_dask)
            rows.append((name, n_fits, estimator.max_iter, sequential, processes, dask, same, scores.max()))
            print(f"{name}: {sequential:.1f} s, {processes:.1f} s, {dask:.1f} s (load {loadavg()})", flush=True)
    finally:
        client.close()
        cluster.close()
    print(
        f"load average after: {loadavg()}; start-up, not in the table: LocalCluster {cluster_start:.1f} s, "
        f"loky workers {loky_start:.1f} s"
    )
    print("| data | fits | iterations | n_jobs=1 | n_jobs=2 (loky) | 2 Dask workers | same scores | best |")
    print("|---|---|---|---|---|---|---|---|")
    for name, n_fits, n_iter, sequential, processes, dask, same, best in rows:
        print(
            f"| {name} | {n_fits} | {n_iter} | {sequential:.1f} s | {processes:.1f} s "
            f"({sequential / processes:.2f}x) | {dask:.1f} s ({sequential / dask:.2f}x) | {same} | {best:.3f} |"
        )


if __name__ == "__main__":
    main()
