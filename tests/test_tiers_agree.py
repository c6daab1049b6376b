"""Every interface function of every tier agrees with the loop tier (the reference).

Shapes are small and drawn by Hypothesis, with n and m down to 1 and equal
sizes common; data are seeded random draws, in float64 and float32. Each test
is one call to :func:`helpers.compare`, which also checks that no argument
was modified and that the dtypes are kept.
"""

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import nncore
from helpers import (
    BROKEN_TIERS,
    REFERENCE,
    TIERS,
    assert_tiers_agree,
    compare,
    labels,
    network,
    networks,
    normal,
    problem,
    seeds,
    sizes,
    uniform,
)
from nncore.contract import missing
from nncore.interface import ACTIVATIONS, FUNCTIONS

ELEMENTWISE = list(ACTIVATIONS)
BACKWARD = [f"{name}_backward" for name in ACTIVATIONS]
shapes = st.lists(sizes, min_size=0, max_size=3).map(tuple)


def test_every_registered_tier_imports_and_implements_the_interface():
    assert not BROKEN_TIERS, f"registered tiers that fail to import: {BROKEN_TIERS}"
    assert "loop" in TIERS and "vector" in TIERS
    for name, module in TIERS.items():
        assert missing(module) == [], f"tier {name!r} lacks {missing(module)}"
        # every interface function is exported; a tier may add kernels of its own (nncore.jit.dot)
        assert set(FUNCTIONS) <= set(module.__all__)


def test_the_comparison_helper_reports_a_difference():
    ref = {"dW1": np.array([[1.0, -2.0], [3.0, 1e-12]]), "db1": 0.5}
    ours = {"dW1": np.array([[1.0, -2.0], [3.0, 1e-12 + 1e-9]]), "db1": 0.5}
    with pytest.raises(AssertionError, match=r"\['dW1'\].*\n.*at \(1, 1\)"):
        assert_tiers_agree("grads", ours, ref)
    ours["dW1"][1, 1] = 1e-12 + 1e-11  # below the floor 1e-10 * max|ref|
    assert_tiers_agree("grads", ours, ref)
    with pytest.raises(AssertionError, match="dtype"):
        assert_tiers_agree("grads", {**ours, "dW1": ours["dW1"].astype(np.float32)}, ref)


# --------------------------------------------------------------------------
# Activations and the element-wise basics
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(shape=shapes, seed=seeds)
def test_elementwise(tier, dtype, name, shape, seed):
    rng = np.random.default_rng(seed)
    compare(tier, name, normal(rng, shape, dtype, scale=3))


@pytest.mark.parametrize("name", BACKWARD + ["sigmoid_derivative"])
@given(shape=shapes, seed=seeds)
def test_derivatives(tier, dtype, name, shape, seed):
    """Z within +-4: further out float32's ``1 - A**2`` cancels (see helpers.network)."""
    rng = np.random.default_rng(seed)
    dA, Z = normal(rng, shape, dtype), uniform(rng, shape, dtype, 4.0)
    compare(tier, name, *((Z,) if name == "sigmoid_derivative" else (dA, Z)))


# --------------------------------------------------------------------------
# One layer
# --------------------------------------------------------------------------


def layer(seed, n_prev, n, m, dtype):
    """``(A_prev, W, b)`` of one random layer."""
    A_prev, _, parameters = problem(np.random.default_rng(seed), [n_prev, n], m, dtype)
    return A_prev, parameters["W1"], parameters["b1"]


@given(n_prev=sizes, n=sizes, m=sizes, seed=seeds)
@example(n_prev=3, n=3, m=3, seed=0)
@example(n_prev=1, n=1, m=1, seed=0)
def test_linear_forward(tier, dtype, n_prev, n, m, seed):
    compare(tier, "linear_forward", *layer(seed, n_prev, n, m, dtype))


@pytest.mark.parametrize("activation", ACTIVATIONS)
@given(n_prev=sizes, n=sizes, m=sizes, seed=seeds)
@example(n_prev=2, n=2, m=2, seed=0)
def test_linear_activation_forward(tier, dtype, activation, n_prev, n, m, seed):
    compare(tier, "linear_activation_forward", *layer(seed, n_prev, n, m, dtype), activation)


@pytest.mark.parametrize("cache_form", ["LayerCache", "course tuple"])
@given(n_prev=sizes, n=sizes, m=sizes, seed=seeds)
@example(n_prev=3, n=3, m=3, seed=0)
def test_linear_backward(tier, dtype, cache_form, n_prev, n, m, seed):
    A_prev, W, b = layer(seed, n_prev, n, m, dtype)
    cache = REFERENCE.linear_activation_forward(A_prev, W, b, "relu")[1]
    cache = cache if cache_form == "LayerCache" else (A_prev, W, b)
    dZ = normal(np.random.default_rng(seed + 1), (n, m), dtype)
    compare(tier, "linear_backward", dZ, cache)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("cache_form", ["LayerCache", "course tuple"])
@given(n_prev=sizes, n=sizes, m=sizes, seed=seeds)
@example(n_prev=3, n=3, m=3, seed=0)
def test_linear_activation_backward(tier, dtype, activation, cache_form, n_prev, n, m, seed):
    A_prev, W, b = layer(seed, n_prev, n, m, dtype)
    cache = REFERENCE.linear_activation_forward(A_prev, W, b, activation)[1]
    if cache_form == "course tuple":  # ((A_prev, W, b), Z): the tier has no A to reuse
        cache = (tuple(cache[:3]), cache.Z)
    dA = normal(np.random.default_rng(seed + 1), (n, m), dtype)
    compare(tier, "linear_activation_backward", dA, cache, activation)


# --------------------------------------------------------------------------
# The L-layer model
# --------------------------------------------------------------------------


@given(net=networks(max_layers=4, sigmoid_output=False), m=sizes, seed=seeds)
@example(net=([2, 2, 2], ["leaky_relu", "tanh"]), m=2, seed=0)
def test_model_forward(tier, dtype, net, m, seed):
    layer_dims, activations = net
    X, _, parameters = problem(np.random.default_rng(seed), layer_dims, m, dtype)
    compare(tier, "model_forward", X, parameters, activations)


@given(m=sizes, seed=seeds)
@example(m=1, seed=0)
def test_compute_cost(tier, dtype, m, seed):
    rng = np.random.default_rng(seed)
    compare(tier, "compute_cost", rng.random((1, m)).astype(dtype), labels(rng, m, dtype))


def test_compute_cost_clips_saturated_outputs(tier, dtype):
    """AL of exactly 0 and 1 on the wrong labels: both clip to the same large finite cost."""
    AL = np.array([[0.0, 1.0, 0.0, 1.0, 0.5]], dtype)
    Y = np.array([[1, 0, 0, 1, 1]], dtype)
    _, ref = compare(tier, "compute_cost", AL, Y)
    assert 20 < ref < np.inf  # (-log(tiny) - log(eps / 2)) / 5 is 21 in float32, 149 in float64


@given(net=networks(max_layers=4), m=sizes, seed=seeds)
@example(net=([3, 3, 3, 1], ["relu", "tanh", "sigmoid"]), m=3, seed=0)
@example(net=([1, 1], ["sigmoid"]), m=1, seed=0)
def test_model_backward(tier, dtype, net, m, seed):
    layer_dims, activations = net
    X, Y, parameters = problem(np.random.default_rng(seed), layer_dims, m, dtype)
    AL, caches = REFERENCE.model_forward(X, parameters, activations)
    compare(tier, "model_backward", AL, Y, caches, activations)


@given(net=networks(max_layers=3, sigmoid_output=False), seed=seeds)
def test_update_parameters(tier, dtype, net, seed):
    rng = np.random.default_rng(seed)
    parameters = network(rng, net[0], dtype)
    grads = {"d" + key: normal(rng, value.shape, dtype) for key, value in parameters.items()}
    compare(tier, "update_parameters", parameters, grads, 0.0075)


@given(net=networks(max_layers=3), m=sizes, seed=seeds)
def test_predict(tier, dtype, net, m, seed):
    layer_dims, activations = net
    X, _, parameters = problem(np.random.default_rng(seed), layer_dims, m, dtype, weight_scale=3)
    AL, _ = REFERENCE.model_forward(X, parameters, activations)
    decided = np.abs(AL - 0.5) > 1e-4  # where rounding cannot flip the label
    ours, ref = tier.predict(X, parameters, activations), REFERENCE.predict(X, parameters, activations)
    assert ours.dtype == ref.dtype == dtype and ours.shape == ref.shape == (1, m)
    assert set(np.unique(ours)) <= {0.0, 1.0}
    np.testing.assert_array_equal(ours[decided], ref[decided])
    np.testing.assert_array_equal(ref, (AL > 0.5).astype(dtype))


TRAINING_RUNS = {
    "logistic": ([3, 1], ["sigmoid"], 6, 0.5, 50, 10),
    "planar": ([2, 4, 1], ["tanh", "sigmoid"], 8, 1.2, 60, 1),
    "L-layer": ([4, 5, 3, 1], ["relu", "leaky_relu", "sigmoid"], 7, 0.3, 50, 7),
    "mixed": ([3, 3, 3, 2, 1], ["sigmoid", "tanh", "relu", "sigmoid"], 4, 0.5, 55, 100),
    "one sample": ([2, 2, 1], ["leaky_relu", "sigmoid"], 1, 0.1, 50, 20),
}


@pytest.mark.parametrize("run", TRAINING_RUNS.values(), ids=TRAINING_RUNS.keys())
def test_train(tier, dtype, rng, run):
    """Whole trajectories: every recorded cost and the final parameters."""
    layer_dims, activations, m, learning_rate, num_iterations, cost_every = run
    X, Y, parameters = problem(rng, layer_dims, m, dtype)
    _, ref = compare(tier, "train", X, Y, parameters, activations, learning_rate, num_iterations, cost_every)
    assert ref[1].shape == (-(-num_iterations // cost_every),) and ref[1].dtype == np.float64
    assert ref[1][-1] < ref[1][0] or len(ref[1]) == 1


def test_train_without_iterations_returns_copies(any_tier, rng):
    X, Y, parameters = problem(rng, [2, 3, 1], 4, np.float64)
    trained, costs = any_tier.train(X, Y, parameters, ["relu", "sigmoid"], 0.1, 0)
    assert costs.shape == (0,) and costs.dtype == np.float64
    for key, value in parameters.items():
        np.testing.assert_array_equal(trained[key], value)
        assert not np.shares_memory(trained[key], value)


# --------------------------------------------------------------------------
# Logistic regression
# --------------------------------------------------------------------------


@given(n_x=sizes, m=sizes, b=st.floats(-2, 2), seed=seeds)
@example(n_x=1, m=1, b=0.0, seed=0)
@example(n_x=3, m=3, b=0.5, seed=0)
def test_propagate(tier, dtype, n_x, m, b, seed):
    rng = np.random.default_rng(seed)
    compare(tier, "propagate", normal(rng, (n_x, 1), dtype), b, normal(rng, (n_x, m), dtype), labels(rng, m, dtype))


@pytest.mark.parametrize("num_iterations, cost_every", [(50, 10), (60, 1), (51, 100), (0, 100)])
def test_optimize(tier, dtype, rng, num_iterations, cost_every):
    w, X, Y = normal(rng, (4, 1), dtype), normal(rng, (4, 9), dtype), labels(rng, 9, dtype)
    _, ref = compare(tier, "optimize", w, 0.25, X, Y, num_iterations, 0.5, cost_every)
    assert ref[2].shape == (-(-num_iterations // cost_every),)


# --------------------------------------------------------------------------
# Memory layouts and divergence
# --------------------------------------------------------------------------

LAYOUTS = {
    "Fortran": np.asfortranarray,
    "strided": lambda a: np.repeat(a, 2, axis=1)[:, ::2],
    "reversed": lambda a: np.flip(np.flip(a, 0).copy(), 0),
}


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_memory_layouts(tier, layout, rng):
    X, Y, parameters = problem(rng, [3, 4, 1], 5, np.float64)
    X, W1 = layout(X), layout(parameters["W1"])
    assert not X.flags.c_contiguous
    parameters = {**parameters, "W1": W1}
    compare(tier, "model_forward", X, parameters, ["tanh", "sigmoid"])
    compare(tier, "train", X, Y, parameters, ["tanh", "sigmoid"], 0.5, 5, 2)
    compare(tier, "propagate", layout(parameters["W1"][:1].T), 0.1, X, Y)
    compare(tier, "normalize_rows", X)
    compare(tier, "softmax", X)


#: A learning rate that overflows the weights in one step on inputs of scale 100.
HUGE = 1e308


@pytest.mark.parametrize("cost_every, iteration, last_finite", [(1, 1, 0), (2, 2, 0), (100, 5, 0)])
def test_divergence_is_reported_at_the_same_checkpoint(any_tier, dtype, rng, cost_every, iteration, last_finite):
    """Parameters overflow in the first update; every tier raises at the next checkpoint, without warnings."""
    X, Y, parameters = problem(rng, [3, 4, 1], 6, dtype, x_scale=100)
    parameters["W2"] *= dtype.type(1e-3)  # keep the first output away from 0 and 1
    for run in (
        lambda: any_tier.train(X, Y, parameters, ["relu", "sigmoid"], HUGE, 5, cost_every),
        lambda: any_tier.optimize(parameters["W1"][:1].T, 0.0, X, Y, 5, HUGE, cost_every),
    ):
        with pytest.raises(nncore.TrainingDiverged) as raised:
            run()
        assert (raised.value.iteration, raised.value.last_finite) == (iteration, last_finite)
        assert raised.value.learning_rate == HUGE


# --------------------------------------------------------------------------
# The course's basics
# --------------------------------------------------------------------------


@given(shape=st.tuples(sizes, sizes, sizes), seed=seeds)
def test_image2vector(tier, dtype, shape, seed):
    compare(tier, "image2vector", normal(np.random.default_rng(seed), shape, dtype))


def test_image2vector_of_uint8_pixels(tier):
    image = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    _, ref = compare(tier, "image2vector", image, dtype=np.float64)
    np.testing.assert_array_equal(ref, np.arange(24.0).reshape(-1, 1))


def test_image2vector_reads_the_logical_c_order(tier):
    image = np.arange(24.0).reshape(3, 2, 4).transpose(1, 0, 2)  # not contiguous
    _, ref = compare(tier, "image2vector", image)
    np.testing.assert_array_equal(ref, np.ascontiguousarray(image).reshape(-1, 1))


#: Row scales from tiny to huge, with room for the row norm below the dtype's maximum.
SCALES = {np.dtype(np.float64): (1e-300, 1.0, 30.0, 1e300), np.dtype(np.float32): (1e-30, 1.0, 30.0, 1e30)}
scale_indices = st.integers(0, 3)


@given(n=sizes, m=sizes, zero_row=st.booleans(), scale=scale_indices, seed=seeds)
@example(n=3, m=3, zero_row=True, scale=1, seed=0)
def test_normalize_rows(tier, dtype, n, m, zero_row, scale, seed):
    x = normal(np.random.default_rng(seed), (n, m), dtype, SCALES[dtype][scale])
    if zero_row:
        x[0] = 0
    compare(tier, "normalize_rows", x)


@given(n=sizes, m=sizes, scale=scale_indices, seed=seeds)
@example(n=1, m=1, scale=1, seed=0)
def test_softmax(tier, dtype, n, m, scale, seed):
    compare(tier, "softmax", normal(np.random.default_rng(seed), (n, m), dtype, SCALES[dtype][scale]))


@pytest.mark.parametrize("name", ["l1_loss", "l2_loss"])
@given(shape=shapes, seed=seeds)
def test_losses(tier, dtype, name, shape, seed):
    rng = np.random.default_rng(seed)
    compare(tier, name, normal(rng, shape, dtype), normal(rng, shape, dtype), dtype=dtype)
