"""Two Python threads training two different networks with the JIT tier at once (issue 5, item 7).

Numba's default threading layer may fall back to "workqueue", which aborts
the interpreter when two threads enter parallel kernels at the same time;
:mod:`nncore.threadpool` selects the "threadsafe" layer (OpenMP or TBB) instead.
(Checked: with ``NUMBA_THREADING_LAYER=workqueue`` the threaded tests here
abort the interpreter ("Fatal Python error: Aborted").)
Each run here is compared with the same run made alone, bit for bit: the
JIT tier's kernels split work over a fixed number of threads and reduce in a
fixed order, so a run's result does not depend on what other threads do.
"""

import threading
import time

import numpy as np

import nncore
from helpers import problem

jit = nncore.get_tier("jit")

ROUNDS = 3

#: Sizes whose layers do enough work (m * n[l-1] * n[l] >= 2**18 multiply-adds)
#: for the JIT tier to run them as parallel kernels, so both threads are inside
#: Numba's thread pool at once.
DEEP, M = [64, 32, 8, 1], 2048
DEEP_ACTIVATIONS = ["relu", "tanh", "sigmoid"]


def runs(seed):
    """Two different training runs: an L-layer network and logistic regression, on their own data."""
    rng = np.random.default_rng(seed)
    X1, Y1, parameters = problem(rng, DEEP, M, np.float64)
    X2, Y2, _ = problem(rng, [128, 1], M, np.float32)
    w = np.zeros((128, 1), np.float32)
    return {
        "deep": lambda: jit.train(X1, Y1, parameters, DEEP_ACTIVATIONS, 0.05, 20, 5),
        "logistic": lambda: jit.optimize(w, 0.0, X2, Y2, 40, 0.01, 10),
    }


def flatten(result):
    """Every array in a (nested) result, in order, as (path, array)."""
    if isinstance(result, dict):
        return [item for key in sorted(result) for item in flatten_at(key, result[key])]
    if isinstance(result, (tuple, list)):
        return [item for i, value in enumerate(result) for item in flatten_at(str(i), value)]
    return [("", np.asarray(result))]


def flatten_at(prefix, value):
    return [(f"{prefix}/{path}", array) for path, array in flatten(value)]


def assert_identical(ours, alone, name):
    ours, alone = flatten(ours), flatten(alone)
    assert [path for path, _ in ours] == [path for path, _ in alone]
    for (path, a), (_, b) in zip(ours, alone):
        assert a.dtype == b.dtype, f"{name} {path}"
        np.testing.assert_array_equal(a, b, err_msg=f"{name} {path}: differs when run beside another thread")


def in_threads(calls):
    """Run each of `calls` ROUNDS times in its own thread, all starting together; their results."""
    barrier = threading.Barrier(len(calls))
    results = {name: [] for name in calls}
    spans, errors = {}, []

    def work(name, call):
        try:
            barrier.wait()
            start = time.perf_counter()
            for _ in range(ROUNDS):
                results[name].append(call())
            spans[name] = (start, time.perf_counter())
        except BaseException as err:  # reported in the main thread
            errors.append((name, err))

    threads = [threading.Thread(target=work, args=item, name=item[0]) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a training thread hung"
    assert not errors, errors
    starts, ends = zip(*spans.values())
    assert max(starts) < min(ends), f"the threads did not run at the same time: {spans}"
    return results


def test_the_threading_layer_is_threadsafe():
    import numba

    jit.train(*problem(np.random.default_rng(0), [2, 1], 4, np.float64), ["sigmoid"], 0.1, 1, 1)  # starts the pool
    assert numba.threading_layer() in ("omp", "tbb")


def test_two_threads_train_as_they_do_alone():
    calls = runs(seed=5)
    alone = {name: call() for name, call in calls.items()}  # also compiles
    results = in_threads(calls)
    for name, outcomes in results.items():
        assert len(outcomes) == ROUNDS
        for outcome in outcomes:
            assert_identical(outcome, alone[name], name)


def test_two_threads_train_the_same_architecture_on_different_data():
    """Same shapes, hence the same compiled kernels and buffer sizes, in both threads at once."""
    rng = np.random.default_rng(11)
    problems = [problem(rng, DEEP, M, np.float64) for _ in range(2)]
    calls = {
        f"network {i}": (lambda X=X, Y=Y, p=p: jit.train(X, Y, p, DEEP_ACTIVATIONS, 0.05, 20, 5))
        for i, (X, Y, p) in enumerate(problems)
    }
    alone = {name: call() for name, call in calls.items()}
    assert not np.array_equal(alone["network 0"][0]["W1"], alone["network 1"][0]["W1"])
    for name, outcomes in in_threads(calls).items():
        for outcome in outcomes:
            assert_identical(outcome, alone[name], name)


def test_two_estimators_fit_in_threads():
    rng = np.random.default_rng(3)
    data = [problem(rng, DEEP, M, np.float64)[:2] for _ in range(2)]
    nets = [nncore.Network(DEEP, DEEP_ACTIVATIONS, seed=i, tier="jit") for i in range(2)]
    alone = [net.fit(X, Y, learning_rate=0.05, num_iterations=20).parameters_ for net, (X, Y) in zip(nets, data)]
    calls = {
        str(i): (lambda net=net, X=X, Y=Y: net.fit(X, Y, learning_rate=0.05, num_iterations=20).parameters_)
        for i, (net, (X, Y)) in enumerate(zip(nets, data))
    }
    for name, outcomes in in_threads(calls).items():
        for outcome in outcomes:
            assert_identical(outcome, alone[int(name)], f"Network {name}")
