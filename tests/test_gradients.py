"""Analytic gradients against central differences of the cost, in every tier (float64).

``nncore.gradient_check`` perturbs each parameter by +-h and differences
``compute_cost(model_forward(...))`` of the same tier; its error is O(h**2)
from truncation plus O(eps / h) from rounding, about 1e-10 relative with
h = 1e-6, well below the 1e-7 demanded of
``||num - ana|| / (||num|| + ||ana||)``. The ReLUs have a kink at 0 where the
difference quotient is not the derivative, so the data are redrawn until no
pre-activation lies within 1e-4 of 0 (a perturbation moves Z by about 1e-6).
"""

import numpy as np
import pytest

import nncore
from helpers import problem
from nncore.interface import ACTIVATIONS

H = 1e-6
KINK_MARGIN = 1e-4
NETWORKS = {
    "logistic": ([3, 1], ["sigmoid"]),
    **{f"{a} hidden": ([3, 4, 1], [a, "sigmoid"]) for a in ACTIVATIONS},
    "deep mixed": ([2, 3, 3, 2, 1], ["relu", "tanh", "leaky_relu", "sigmoid"]),
    "deep sigmoid": ([2, 2, 2, 1], ["sigmoid", "sigmoid", "sigmoid"]),
}


def away_from_kinks(tier, rng, layer_dims, activations, m=5):
    """A problem whose pre-activations all lie at least KINK_MARGIN from 0."""
    for _ in range(100):
        X, Y, parameters = problem(rng, layer_dims, m, np.float64, weight_scale=2.0)
        _, caches = tier.model_forward(X, parameters, activations)
        if all(np.abs(cache.Z).min() > KINK_MARGIN for cache in caches):
            return X, Y, parameters
    raise AssertionError("could not draw a problem away from the kinks")


@pytest.mark.parametrize("net", NETWORKS.values(), ids=NETWORKS.keys())
def test_model_backward_matches_central_differences(any_tier, rng, net):
    layer_dims, activations = net
    X, Y, parameters = away_from_kinks(any_tier, rng, layer_dims, activations)
    difference = nncore.gradient_check(X, Y, parameters, activations, epsilon=H, tier=any_tier)
    assert difference < 1e-7, difference.by_parameter


def test_propagate_matches_central_differences(any_tier, rng):
    """propagate's gradients are model_backward's for one sigmoid layer, which central differences check."""
    X, Y, parameters = problem(rng, [4, 1], 7, np.float64, weight_scale=2.0)
    parameters["b1"] = np.array([[0.3]])
    assert nncore.gradient_check(X, Y, parameters, ["sigmoid"], epsilon=H, tier=any_tier) < 1e-7
    AL, caches = any_tier.model_forward(X, parameters, ["sigmoid"])
    layer_grads = any_tier.model_backward(AL, Y, caches, ["sigmoid"])
    grads, cost = any_tier.propagate(parameters["W1"].T, 0.3, X, Y)
    assert cost == pytest.approx(any_tier.compute_cost(AL, Y), rel=1e-12)
    np.testing.assert_allclose(grads["dw"], layer_grads["dW1"].T, rtol=1e-12, atol=1e-15)
    assert grads["db"] == pytest.approx(layer_grads["db1"][0, 0], rel=1e-12, abs=1e-15)
