"""nncore.gradient_check: the course's gradient_check_n, on every tier, and catching broken backward passes.

The course's own test case (``gradient_check_n_test_case``: seed 1, a
relu-relu-sigmoid network on 3 samples) is rebuilt here: with its deliberately
buggy backward pass (``dW2`` times 2, ``db1`` times 4) the course prints
``difference = 0.2850931567761624``, and the correct pass is below 2e-7.
"""

import pickle
import types

import numpy as np
import pytest

import nncore
from helpers import problem
from nncore import gradcheck
from nncore.vector import activations as vector_activations

NETWORKS = {
    "logistic": ([3, 1], ["sigmoid"]),
    "tanh hidden": ([3, 4, 1], ["tanh", "sigmoid"]),
    "relu hidden": ([3, 4, 1], ["relu", "sigmoid"]),
    "leaky hidden": ([3, 4, 1], ["leaky_relu", "sigmoid"]),
    "deep mixed": ([2, 3, 3, 2, 1], ["relu", "tanh", "leaky_relu", "sigmoid"]),
}


def course_test_case():
    """The course's gradient_check_n_test_case, with Y as a (1, m) row."""
    rs = np.random.RandomState(1)
    x = rs.randn(4, 3)
    y = np.array([[1, 1, 0]])
    parameters = {}
    for key, shape in (("W1", (5, 4)), ("b1", (5, 1)), ("W2", (3, 5)), ("b2", (3, 1)), ("W3", (1, 3)), ("b3", (1, 1))):
        parameters[key] = rs.randn(*shape)
    return x, y, parameters, ["relu", "relu", "sigmoid"]


def with_backward(tier, backward):
    """A tier-like namespace: the tier's forward pass and cost, and `backward`."""
    return types.SimpleNamespace(
        model_forward=tier.model_forward, compute_cost=tier.compute_cost, model_backward=backward
    )


def course_bug(tier):
    """The course's buggy backward_propagation_n: dW2 twice too large, db1 four times."""

    def backward(AL, Y, caches, activations):
        grads = tier.model_backward(AL, Y, caches, activations)
        return {**grads, "dW2": grads["dW2"] * 2, "db1": grads["db1"] * 4}

    return backward


def test_the_course_test_case(any_tier):
    X, Y, parameters, activations = course_test_case()
    right = nncore.gradient_check(X, Y, parameters, activations, tier=any_tier)
    assert right < gradcheck.RIGHT and right.ok and not right.bug
    wrong = nncore.gradient_check(X, Y, parameters, activations, tier=with_backward(any_tier, course_bug(any_tier)))
    assert wrong == pytest.approx(0.2850931567761624, rel=1e-8)
    assert wrong.bug and not wrong.ok
    assert max(wrong.by_parameter, key=wrong.by_parameter.get) == "db1"
    assert {key for key, value in wrong.by_parameter.items() if value > gradcheck.BUG} == {"dW2", "db1"}


@pytest.mark.parametrize("name", NETWORKS)
def test_every_tier_passes(any_tier, rng, name):
    layer_dims, activations = NETWORKS[name]
    X, Y, parameters = problem(rng, layer_dims, 5, np.float64, weight_scale=2.0)
    difference = nncore.gradient_check(X, Y, parameters, activations, tier=any_tier)
    assert isinstance(difference, float) and difference.ok, repr(difference)
    assert all(value < gradcheck.RIGHT for value in difference.by_parameter.values()), difference.by_parameter
    assert list(difference.by_parameter) == [f"d{key}" for key in parameters]


def test_the_tier_name_and_module_give_the_same_difference(any_tier, rng):
    X, Y, parameters = problem(rng, [2, 3, 1], 4, np.float64)
    by_name = nncore.gradient_check(
        X, Y, parameters, ["tanh", "sigmoid"], tier=next(n for n in nncore.TIERS if nncore.get_tier(n) is any_tier)
    )
    by_module = nncore.gradient_check(X, Y, parameters, ["tanh", "sigmoid"], tier=any_tier)
    assert float(by_name) == float(by_module)


def test_float32_inputs_are_checked_in_float64_and_not_modified(rng):
    X, Y, parameters = problem(rng, [3, 4, 1], 5, np.float32)
    before = {key: value.copy() for key, value in parameters.items()}
    difference = nncore.gradient_check(X, Y, parameters, ["tanh", "sigmoid"], epsilon=1e-7)
    assert difference.ok, repr(difference)
    for key, value in parameters.items():
        assert value.dtype == np.float32
        np.testing.assert_array_equal(value, before[key])


@pytest.mark.parametrize(
    "key, factor",
    [("dW1", -1.0), ("db2", 1.01), ("dW2", 0.0)],
    ids=["sign of dW1", "db2 off by 1%", "dW2 dropped"],
)
def test_a_broken_model_backward_is_caught_in_every_tier(any_tier, rng, monkeypatch, key, factor):
    X, Y, parameters = problem(rng, [3, 4, 1], 5, np.float64, weight_scale=2.0)
    original = any_tier.model_backward

    def broken(AL, Y, caches, activations):
        grads = original(AL, Y, caches, activations)
        return {**grads, key: grads[key] * factor}

    monkeypatch.setattr(any_tier, "model_backward", broken)
    difference = nncore.gradient_check(X, Y, parameters, ["tanh", "sigmoid"], tier=any_tier)
    assert not difference.ok
    assert max(difference.by_parameter, key=difference.by_parameter.get) == key
    assert difference.by_parameter[key] > gradcheck.BUG
    if factor != 1.01:  # a 1% error in one small gradient may stay in the "look closer" band overall
        assert difference.bug


def test_a_broken_activation_derivative_is_caught_in_the_layers_below_it(rng, monkeypatch):
    """tanh' written as 1 - A instead of 1 - A**2 in the vector tier's table: dW2 stays right."""

    def wrong_tanh_backward(dA, A, out):
        np.subtract(1, A, out=out)
        out *= dA
        return out

    monkeypatch.setitem(vector_activations.BACKWARD_FROM_A, "tanh", wrong_tanh_backward)
    X, Y, parameters = problem(rng, [3, 4, 1], 5, np.float64, weight_scale=2.0)
    difference = nncore.gradient_check(X, Y, parameters, ["tanh", "sigmoid"], tier="vector")
    assert difference.bug
    assert difference.by_parameter["dW1"] > 1e-3 and difference.by_parameter["db1"] > 1e-3
    assert difference.by_parameter["dW2"] < gradcheck.RIGHT and difference.by_parameter["db2"] < gradcheck.RIGHT


def test_a_non_finite_backward_is_a_bug():
    X, Y, parameters, activations = course_test_case()
    vector = nncore.get_tier("vector")

    def nan_backward(AL, Y, caches, activations):
        return {**vector.model_backward(AL, Y, caches, activations), "db3": np.full((1, 1), np.nan)}

    difference = nncore.gradient_check(X, Y, parameters, activations, tier=with_backward(vector, nan_backward))
    assert difference == np.inf and difference.bug and difference.by_parameter["db3"] == np.inf


def test_a_backward_of_the_wrong_shape_is_reported():
    X, Y, parameters, activations = course_test_case()
    vector = nncore.get_tier("vector")

    def transposed(AL, Y, caches, activations):
        grads = vector.model_backward(AL, Y, caches, activations)
        return {**grads, "dW1": grads["dW1"].T}

    with pytest.raises(ValueError, match=r"dW1 of shape \(4, 5\) for W1 of shape \(5, 4\)"):
        nncore.gradient_check(X, Y, parameters, activations, tier=with_backward(vector, transposed))


def test_zero_gradients_agree():
    """A constant cost and a zero backward: both gradients are zero, the difference is 0."""
    zeros = types.SimpleNamespace(
        model_forward=nncore.get_tier("vector").model_forward,
        compute_cost=lambda AL, Y: 0.5,
        model_backward=lambda AL, Y, caches, activations: {
            f"d{k}": np.zeros_like(v) for k, v in zip(["W1", "b1"], caches[0][1:3])
        },
    )
    difference = nncore.gradient_check([[1.0, 2.0]], [[0, 1]], {"W1": [[0.3]], "b1": [[0.1]]}, ["sigmoid"], tier=zeros)
    assert difference == 0.0 and difference.ok


def test_the_result_is_a_float_with_the_courses_reading():
    d = gradcheck.GradientDifference(1e-9, {"dW1": 1e-9})
    assert isinstance(d, float) and d.difference == 1e-9 and type(d.difference) is float
    assert repr(d) == "GradientDifference(1e-09, right)"
    assert repr(gradcheck.GradientDifference(1e-5, {})) == "GradientDifference(1e-05, check closer)"
    assert repr(gradcheck.GradientDifference(0.3, {})) == "GradientDifference(0.3, bug)"
    copy = pickle.loads(pickle.dumps(d))
    assert copy == d and copy.by_parameter == {"dW1": 1e-9}


@pytest.mark.parametrize(
    "change, error, message",
    [
        (
            {"Y": [1, 1, 0]},
            ValueError,
            r"Y must have shape \(1, m\) = \(1, 3\); got a rank-1 array of shape \(3,\)\. Use Y\.reshape\(1, -1\)",
        ),
        ({"X": np.zeros((3, 4))}, ValueError, r"'W1'.*n_x = 3"),
        ({"Y": [[1, 2, 0]]}, ValueError, "binary labels"),
        ({"activations": ["relu", "relu", "tanh"]}, ValueError, "output layer's activation must be 'sigmoid'"),
        ({"activations": ["relu", "sigmoid"]}, ValueError, "2 names but the parameters have 3 layers"),
        ({"epsilon": 0}, ValueError, "epsilon must be > 0 and finite"),
        ({"epsilon": float("nan")}, ValueError, "epsilon must be > 0 and finite"),
        ({"epsilon": "1e-7"}, TypeError, "epsilon must be a positive number"),
        ({"tier": "gpu"}, ValueError, "unknown tier 'gpu'"),
        ({"tier": types.SimpleNamespace(model_forward=len)}, TypeError, r"lacks \['compute_cost', 'model_backward'\]"),
        ({"parameters": {"W1": np.ones((1, 4))}, "activations": ["sigmoid"]}, ValueError, r"missing \['b1'\]"),
    ],
)
def test_bad_input_is_refused_as_everywhere_else(change, error, message):
    X, Y, parameters, activations = course_test_case()
    arguments = {"X": X, "Y": Y, "parameters": parameters, "activations": activations, **change}
    with pytest.raises(error, match=message):
        nncore.gradient_check(**arguments)


def test_two_output_units_are_refused():
    parameters = {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1))}
    with pytest.raises(ValueError, match="output layer must have one unit"):
        nncore.gradient_check(np.ones((3, 2)), [[0, 1]], parameters, ["sigmoid"])
