"""The JIT tier's size-dependent paths agree with the vector tier.

The JIT tier picks its kernels by size and layout: plain loops for tiny products,
register-blocked kernels, a one-sample-per-row input for wide inputs (free when
X is Fortran-ordered; copied by ``train``, read as it is by one-pass functions
when C-ordered), threads
for large layers and BLAS for products whose dimensions all reach
``BLAS_MIN_DIM``. The cross-tier tests use small shapes; these use shapes
just past each threshold, so every path runs (with the thresholds of
nncore/jit/dense.py and nncore/jit/network.py as they are).
"""

import numpy as np
import pytest

import nncore
from helpers import assert_tiers_agree, labels, problem, uniform

pytestmark = pytest.mark.skipif("jit" not in nncore.TIERS, reason="the JIT tier is not installed")


@pytest.fixture(scope="module")
def limits():
    from nncore.kernels import dense, layout

    return dense.BLAS_MIN_DIM, layout.XT_MIN_FEATURES


NETWORKS = {
    # every product of the hidden layer goes to BLAS; the input is read one sample per row
    "blas": lambda blas, xt: [blas + 2, blas + 1, blas + 3, 1],
    # a wide input (one sample per row) into a narrow layer: the register-blocked kernels
    "wide input": lambda blas, xt: [xt + 5, 7, 1],
    # a narrow input in the course's layout
    "narrow input": lambda blas, xt: [xt - 1, 9, 1],
    # a single sigmoid unit: train runs logistic regression's fused pass
    "one unit": lambda blas, xt: [xt + 5, 1],
}


#: X's memory order: C (copied or read in the course's layout) or Fortran (read one sample per row for free).
ORDERS = ["C", "F"]


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("shape", NETWORKS, ids=list(NETWORKS))
def test_train_agrees_with_vector_tier(shape, order, limits, dtype, rng):
    layer_dims = NETWORKS[shape](*limits)
    m = limits[0] + 5
    X, Y, parameters = problem(rng, layer_dims, m, dtype)
    X = np.asarray(X / np.sqrt(layer_dims[0]), order=order)
    activations = ["relu"] * (len(layer_dims) - 2) + ["sigmoid"]
    jit, vector = nncore.get_tier("jit"), nncore.get_tier("vector")
    for threads in (1, 2):
        with nncore.threads(min(threads, nncore.threadpool.MAX_THREADS)):
            ours = jit.train(X, Y, parameters, activations, 0.1, 4, 1)
        ref = vector.train(X, Y, parameters, activations, 0.1, 4, 1)
        assert_tiers_agree(f"jit.train[{shape}, {order}, threads={threads}]", ours, ref, dtype=dtype)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("shape", NETWORKS, ids=list(NETWORKS))
def test_one_pass_functions_agree_with_vector_tier(shape, order, limits, dtype, rng):
    layer_dims = NETWORKS[shape](*limits)
    X, Y, parameters = problem(rng, layer_dims, limits[0] + 5, dtype)
    X = np.asarray(X / np.sqrt(layer_dims[0]), order=order)
    activations = ["tanh"] * (len(layer_dims) - 2) + ["sigmoid"]
    jit, vector = nncore.get_tier("jit"), nncore.get_tier("vector")
    AL, caches = jit.model_forward(X, parameters, activations)
    AL_ref, caches_ref = vector.model_forward(X, parameters, activations)
    assert_tiers_agree(f"jit.model_forward[{shape}, {order}]", AL, AL_ref, dtype=dtype)
    grads = jit.model_backward(AL, Y, caches, activations)
    assert_tiers_agree(
        f"jit.model_backward[{shape}, {order}]",
        grads,
        vector.model_backward(AL_ref, Y, caches_ref, activations),
        dtype=dtype,
    )
    # predict thresholds AL: compare where the vector tier's AL is not within rounding of 0.5
    clear = np.abs(AL_ref - 0.5) > 1e-4
    assert clear.any()
    np.testing.assert_array_equal(
        jit.predict(X, parameters, activations)[clear], vector.predict(X, parameters, activations)[clear]
    )


@pytest.mark.parametrize("shape", NETWORKS, ids=list(NETWORKS))
def test_results_are_deterministic_for_a_thread_count(shape, limits, rng):
    """Threads own disjoint blocks of every output and sum in a fixed order: runs repeat bit for bit."""
    layer_dims = NETWORKS[shape](*limits)
    X, Y, parameters = problem(rng, layer_dims, limits[0] + 5, np.float64)
    activations = ["relu"] * (len(layer_dims) - 2) + ["sigmoid"]
    jit = nncore.get_tier("jit")
    with nncore.threads(nncore.threadpool.MAX_THREADS):
        first = jit.train(X, Y, parameters, activations, 0.1, 3, 1)
        again = jit.train(X, Y, parameters, activations, 0.1, 3, 1)
    np.testing.assert_array_equal(first[1], again[1])
    for key in parameters:
        np.testing.assert_array_equal(first[0][key], again[0][key])


needs_threads = pytest.mark.skipif(nncore.threadpool.MAX_THREADS < 2, reason="one core: no parallel path to run")


@needs_threads
@pytest.mark.parametrize("n", [1 << 16, (1 << 17) + 37], ids=["2**16", "2**17+37"])
def test_dot_parallel_path_agrees_with_the_course_loop(n, dtype, rng):
    """At 2**16 elements and more, nncore.jit.dot sums one block per thread (basics.dot_parallel).

    The loop tier has no ``dot`` (it is the JIT tier's demo, outside the interface): the reference
    is the course's explicit loop, in float64. Entries in [0, 1): no cancellation, so float32's
    tolerance bounds the blocked sum's rounding.
    """
    a, b = (
        uniform(rng, (n,), dtype, 0.5) + np.dtype(dtype).type(0.5),
        uniform(rng, (n,), dtype, 0.5) + np.dtype(dtype).type(0.5),
    )
    ref = 0.0
    for x, y in zip(a.tolist(), b.tolist()):
        ref += x * y
    with nncore.threads(nncore.threadpool.MAX_THREADS):
        ours = nncore.get_tier("jit").dot(a, b)
    assert isinstance(ours, float)
    assert_tiers_agree(f"jit.dot[{n}]", ours, ref, dtype=dtype)


def _logistic_problem(rng, dtype):
    """Features and samples with m * n_x past PARALLEL_MIN_WORK, so every thread takes a block."""
    from nncore.kernels.partition import PARALLEL_MIN_WORK

    n_x = 64
    m = PARALLEL_MIN_WORK // n_x + 101  # not a multiple of the blocks: the last part is short
    X = uniform(rng, (n_x, m), dtype, 1.0)
    w, b = uniform(rng, (n_x, 1), dtype, 0.1), 0.05
    return w, b, X, labels(rng, m, dtype)


@needs_threads
def test_logistic_parallel_pass_agrees_with_loop_tier(dtype, rng):
    from helpers import compare
    from nncore.jit import logistic

    w, b, X, Y = _logistic_problem(rng, dtype)
    jit = nncore.get_tier("jit")
    with nncore.threads(nncore.threadpool.MAX_THREADS):
        assert logistic._buffers(w, X.shape[1])[1].shape[0] > 1  # the parallel pass: one row per thread
        compare(jit, "propagate", w, b, X, Y)
        compare(jit, "optimize", w, b, X, Y, 3, 0.5, 1)


def test_small_layers_never_reach_blas():
    """jit.layers sends layers below PARALLEL_MIN_WORK multiply-adds to the serial kernel without
    asking the BLAS rule: no product with every dimension at BLAS_MIN_DIM is that small."""
    from nncore.kernels.dense import BLAS_MIN_DIM
    from nncore.kernels.partition import PARALLEL_MIN_WORK

    assert BLAS_MIN_DIM**3 >= PARALLEL_MIN_WORK
