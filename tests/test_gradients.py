"""Analytic gradients against central differences of the cost, in every tier (float64).

The numerical gradient perturbs each parameter by +-h and differences
``compute_cost(model_forward(...))`` of the same tier; its error is O(h**2)
from truncation plus O(eps / h) from rounding, about 1e-10 relative with
h = 1e-6, well below the 1e-7 demanded of
``||num - ana|| / (||num|| + ||ana||)``. The ReLUs have a kink at 0 where the
difference quotient is not the derivative, so the data are redrawn until no
pre-activation lies within 1e-4 of 0 (a perturbation moves Z by about 1e-6).
"""

import numpy as np
import pytest

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


def relative_difference(numerical, analytic):
    return np.linalg.norm(numerical - analytic) / (np.linalg.norm(numerical) + np.linalg.norm(analytic))


def away_from_kinks(tier, rng, layer_dims, activations, m=5):
    """A problem whose pre-activations all lie at least KINK_MARGIN from 0."""
    for _ in range(100):
        X, Y, parameters = problem(rng, layer_dims, m, np.float64, weight_scale=2.0)
        _, caches = tier.model_forward(X, parameters, activations)
        if all(np.abs(cache.Z).min() > KINK_MARGIN for cache in caches):
            return X, Y, parameters
    raise AssertionError("could not draw a problem away from the kinks")


def numerical_gradient(cost, values):
    """Central differences of ``cost()`` with respect to each entry of each array in `values`."""
    gradients = []
    for value in values:
        gradient = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            saved = value[index]
            value[index] = saved + H
            up = cost()
            value[index] = saved - H
            down = cost()
            value[index] = saved
            gradient[index] = (up - down) / (2 * H)
        gradients.append(gradient)
    return np.concatenate([g.ravel() for g in gradients])


@pytest.mark.parametrize("net", NETWORKS.values(), ids=NETWORKS.keys())
def test_model_backward_matches_central_differences(any_tier, rng, net):
    layer_dims, activations = net
    X, Y, parameters = away_from_kinks(any_tier, rng, layer_dims, activations)

    def cost():
        return any_tier.compute_cost(any_tier.model_forward(X, parameters, activations)[0], Y)

    AL, caches = any_tier.model_forward(X, parameters, activations)
    grads = any_tier.model_backward(AL, Y, caches, activations)
    keys = list(parameters)
    analytic = np.concatenate([grads["d" + key].ravel() for key in keys])
    numerical = numerical_gradient(cost, [parameters[key] for key in keys])
    assert relative_difference(numerical, analytic) < 1e-7


def test_propagate_matches_central_differences(any_tier, rng):
    X, Y, parameters = problem(rng, [4, 1], 7, np.float64, weight_scale=2.0)
    w, b = parameters["W1"].T.copy(), np.array([[0.3]])

    def cost():
        as_layer = {"W1": w.T, "b1": b}
        return any_tier.compute_cost(any_tier.model_forward(X, as_layer, ["sigmoid"])[0], Y)

    grads, propagated_cost = any_tier.propagate(w, float(b[0, 0]), X, Y)
    assert propagated_cost == pytest.approx(cost(), rel=1e-12)
    analytic = np.concatenate([grads["dw"].ravel(), [grads["db"]]])
    assert relative_difference(numerical_gradient(cost, [w, b]), analytic) < 1e-7
