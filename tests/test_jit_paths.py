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
from helpers import assert_tiers_agree, problem

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
