"""nncore.Network and nncore.LogisticRegression against the course's recipes and results."""

import os
from pathlib import Path

import numpy as np
import pytest

import nncore
from helpers import assert_tiers_agree
from nncore import LogisticRegression, Network, NotFittedError
from nncore.datasets import flatten_images, load_cat, planar


def course_nn_model(X, Y, n_h, learning_rate, num_iterations, cost_every):
    """The course's planar nn_model (tanh hidden layer, sigmoid output), written out."""
    rng = np.random.RandomState(2)  # the course's initialize_parameters seeds 2
    W1 = rng.randn(n_h, X.shape[0]) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = rng.randn(1, n_h) * 0.01
    b2 = np.zeros((1, 1))
    m, costs = X.shape[1], []
    for i in range(num_iterations):
        A1 = np.tanh(W1 @ X + b1)
        A2 = 1 / (1 + np.exp(-(W2 @ A1 + b2)))
        if i % cost_every == 0:
            costs.append(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m)
        dZ2 = A2 - Y
        dW2, db2 = dZ2 @ A1.T / m, np.sum(dZ2, axis=1, keepdims=True) / m
        dZ1 = W2.T @ dZ2 * (1 - A1**2)
        dW1, db1 = dZ1 @ X.T / m, np.sum(dZ1, axis=1, keepdims=True) / m
        W1, b1 = W1 - learning_rate * dW1, b1 - learning_rate * db1
        W2, b2 = W2 - learning_rate * dW2, b2 - learning_rate * db2
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, np.array(costs)


def fitted(estimator, X):
    """What a fit leaves and a prediction gives, for comparing tiers with :func:`assert_tiers_agree`."""
    return {
        "costs_": estimator.costs_,
        "parameters_": estimator.parameters_,
        "predict_proba": estimator.predict_proba(X),
    }


@pytest.fixture(scope="module")
def flower():
    return planar()


@pytest.fixture(scope="module")
def small():
    """40 flower points, a small problem every tier trains in a moment."""
    X, Y = planar()
    columns = np.r_[0:20, 380:400]
    return X[:, columns], Y[:, columns]


# --------------------------------------------------------------------------
# Network on the planar data
# --------------------------------------------------------------------------


def test_planar_network_matches_the_course_recipe(flower):
    X, Y = flower
    net = Network([2, 4, 1], ["tanh", "sigmoid"], init="scaled", seed=2)
    assert net.fit(X, Y, learning_rate=1.2, num_iterations=1000) is net
    parameters, costs = course_nn_model(X, Y, 4, 1.2, 1000, 100)
    np.testing.assert_allclose(net.costs_, costs, rtol=1e-12)
    for key, value in parameters.items():
        np.testing.assert_allclose(net.parameters_[key], value, rtol=1e-9, atol=1e-12, err_msg=key)
    # the course's printed cost at iteration 0 is 0.693048
    assert round(net.costs_[0], 6) == 0.693048
    np.testing.assert_array_equal(net.cost_iterations_, np.arange(0, 1000, 100))
    assert np.all(np.diff(net.costs_) < 0)
    assert net.score(X, Y) >= 0.88


def test_planar_network_course_accuracy(flower):
    """The course's nn_model, 10000 iterations: cost 0.288083 at 1000, "Accuracy: 90%" (printed with %d)."""
    X, Y = flower
    net = Network([2, 4, 1], ["tanh", "sigmoid"], init="scaled", seed=2)
    net.fit(X, Y, learning_rate=1.2, num_iterations=10000, cost_every=1000)
    assert round(net.costs_[1], 6) == 0.288083
    assert net.score(X, Y) == 0.905


def test_predict_proba_predict_score(flower):
    X, Y = flower
    net = Network([2, 4, 1], ["tanh", "sigmoid"], init="scaled", seed=2).fit(X, Y, 1.2, 200)
    proba = net.predict_proba(X)
    assert proba.shape == (1, 400) and proba.dtype == np.float64
    assert np.all((proba > 0) & (proba < 1))
    predictions = net.predict(X)
    np.testing.assert_array_equal(predictions, (proba > 0.5).astype(float))
    assert net.score(X, Y) == np.mean(predictions == Y)
    # 348 of the 400 points; the loop tier's predictions from the same weights agree.
    loop_predictions = nncore.get_tier("loop").predict(X, net.parameters_, net.activations)
    assert net.score(X, Y) == np.mean(loop_predictions == Y) == 0.87
    assert net.score(X, 1 - Y) == 0.13


def test_default_architecture_relu_hidden_sigmoid_output(small):
    X, Y = small
    net = Network([2, 5, 3, 1], seed=1)
    assert net.activations == ["relu", "relu", "sigmoid"]
    expected = nncore.initialize_parameters([2, 5, 3, 1], "he", rng=1)
    trained, costs = nncore.get_tier("vector").train(X, Y, expected, net.activations, 0.05, 30, 10)
    net.fit(X, Y, learning_rate=0.05, num_iterations=30, cost_every=10)
    np.testing.assert_array_equal(net.costs_, costs)
    for key, value in trained.items():
        np.testing.assert_array_equal(net.parameters_[key], value, err_msg=key)


# --------------------------------------------------------------------------
# Tiers, dtype, initial parameters
# --------------------------------------------------------------------------


@pytest.mark.parametrize("tier", nncore.TIERS)
def test_tiers_agree_through_network(small, tier):
    X, Y = small
    ours = Network([2, 3, 1], ["tanh", "sigmoid"], init="scaled", seed=3, tier=tier)
    theirs = Network([2, 3, 1], ["tanh", "sigmoid"], init="scaled", seed=3, tier="loop")
    ours.fit(X, Y, learning_rate=0.5, num_iterations=50, cost_every=10)
    theirs.fit(X, Y, learning_rate=0.5, num_iterations=50, cost_every=10)
    assert_tiers_agree("Network", fitted(ours, X), fitted(theirs, X), tier=tier)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_float32_is_kept(small):
    X, Y = small
    net = Network([2, 3, 1], ["tanh", "sigmoid"], init="scaled", seed=3, dtype=np.float32)
    net.fit(X, Y, learning_rate=0.5, num_iterations=50, cost_every=10)
    assert all(value.dtype == np.float32 for value in net.parameters_.values())
    assert net.predict_proba(X).dtype == np.float32
    assert net.predict(X).dtype == np.float32
    reference = Network([2, 3, 1], ["tanh", "sigmoid"], init="scaled", seed=3).fit(X, Y, 0.5, 50, cost_every=10)
    np.testing.assert_allclose(net.costs_, reference.costs_, rtol=1e-5)


def test_initial_parameters_are_used_and_not_modified(small):
    X, Y = small
    initial = nncore.initialize_parameters([2, 3, 1], "scaled", rng=3)
    copies = {key: value.copy() for key, value in initial.items()}
    net = Network([2, 3, 1], ["tanh", "sigmoid"], seed=99).fit(X, Y, 0.5, 50, initial_parameters=initial, cost_every=10)
    same = Network([2, 3, 1], ["tanh", "sigmoid"], init="scaled", seed=3).fit(X, Y, 0.5, 50, cost_every=10)
    for key in initial:
        np.testing.assert_array_equal(initial[key], copies[key], err_msg=key)
        np.testing.assert_array_equal(net.parameters_[key], same.parameters_[key], err_msg=key)
    assert net.parameters_["W1"] is not initial["W1"]


def test_initial_parameters_must_fit_layer_dims(small):
    X, Y = small
    initial = nncore.initialize_parameters([2, 4, 1], "scaled", rng=3)
    with pytest.raises(ValueError, match=r"initial_parameters\['W1'\] must have shape .* = \(3, 2\)"):
        Network([2, 3, 1], ["tanh", "sigmoid"]).fit(X, Y, initial_parameters=initial)
    with pytest.raises(ValueError, match="has 2 layers but layer_dims"):
        Network([2, 3, 2, 1], ["tanh", "tanh", "sigmoid"]).fit(X, Y, initial_parameters=initial)


# --------------------------------------------------------------------------
# repr and errors
# --------------------------------------------------------------------------


def test_repr_before_and_after_fit(small):
    X, Y = small
    net = Network([2, 3, 1], ["tanh", "sigmoid"], init="scaled", seed=3)
    assert repr(net) == (
        "Network(layer_dims=[2, 3, 1], activations=['tanh', 'sigmoid'], init='scaled', seed=3, "
        "tier='vector', dtype='float64')  # not fitted"
    )
    net.fit(X, Y, 0.5, 50, cost_every=10)
    assert repr(net).endswith(f"# fitted, cost {net.costs_[-1]:.6g} at iteration 40")
    assert repr(LogisticRegression()) == "LogisticRegression(tier='vector', dtype='float64')  # not fitted"


def test_unknown_tier_lists_the_tiers():
    with pytest.raises(ValueError, match=r"unknown tier 'fast'; available tiers are .*'vector'"):
        Network([2, 1], tier="fast")
    with pytest.raises(ValueError, match="unknown tier 'fast'"):
        LogisticRegression(tier="fast")


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"layer_dims": [2]}, ValueError, "at least one layer"),
        ({"layer_dims": [2, 0, 1]}, ValueError, r"layer_dims\[1\] must be an integer >= 1; got 0"),
        ({"layer_dims": [2, 1.5]}, TypeError, r"layer_dims\[1\] must be an integer"),
        ({"layer_dims": "21"}, TypeError, "sequence of layer sizes"),
        ({"layer_dims": [2, 3, 1], "activations": ["tanh"]}, ValueError, "1 names but the parameters have 2 layers"),
        ({"layer_dims": [2, 3, 1], "activations": ["tanh", "relu"]}, ValueError, "must be 'sigmoid'"),
        ({"layer_dims": [2, 1], "init": "xavier"}, ValueError, "unknown init 'xavier'"),
        ({"layer_dims": [2, 1], "seed": "1"}, TypeError, "rng must be an int seed"),
        ({"layer_dims": [2, 1], "dtype": np.int64}, TypeError, "float32 or float64"),
    ],
)
def test_constructor_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        Network(**kwargs)


def test_wrong_n_x_gets_the_tiers_message(small):
    """One message per mistake: the estimator validates as the tier's own function does."""
    X, Y = small
    expected = (
        "parameters['W1'] must have shape (n[1], n_x) with n_x = 2 (X has n_x = 2); got shape (1, 3). "
        "Check the layer sizes, or transpose if rows and columns are swapped."
    )
    with pytest.raises(ValueError) as raised:
        Network([3, 1], seed=0).fit(X, Y)
    assert str(raised.value) == expected
    parameters = nncore.initialize_parameters([3, 1], rng=0)
    with pytest.raises(ValueError) as from_tier:
        nncore.get_tier("vector").train(X, Y, parameters, ["sigmoid"], 0.0075, 1)
    assert str(from_tier.value) == expected

    net = Network([2, 1], seed=0).fit(X, Y, num_iterations=1)
    transposed = (
        "parameters['W1'] must have shape (n[1], n_x) with n_x = 40 (X has n_x = 40); got shape (1, 2). "
        "X looks transposed: samples must be its columns, so use X.T."
    )
    for method, args in ((net.predict, (X.T,)), (net.predict_proba, (X.T,)), (net.score, (X.T, Y))):
        with pytest.raises(ValueError) as raised:
            method(*args)
        assert str(raised.value) == transposed
    with pytest.raises(ValueError) as from_tier:
        nncore.get_tier("vector").predict(X.T, net.parameters_, net.activations)
    assert str(from_tier.value) == transposed


def test_logistic_regression_predict_gets_the_same_message(small):
    X, Y = small
    model = LogisticRegression().fit(X, Y, num_iterations=1)
    with pytest.raises(ValueError, match=r"^parameters\['W1'\] must have shape .* X looks transposed.*use X\.T\.$"):
        model.predict(X.T)


def test_labels_must_match_samples(small):
    X, Y = small
    with pytest.raises(ValueError, match="Y has 39 samples but X has m = 40"):
        Network([2, 1], seed=0).fit(X, Y[:, 1:])


def test_unfitted_estimators_refuse_to_predict(small):
    X, Y = small
    for estimator in (Network([2, 1]), LogisticRegression()):
        for method, args in ((estimator.predict, (X,)), (estimator.predict_proba, (X,)), (estimator.score, (X, Y))):
            with pytest.raises(NotFittedError, match="not fitted yet; call fit"):
                method(*args)
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)


def test_divergence_leaves_the_estimator_as_it_was(small):
    X, Y = small
    net = Network([2, 1], init="scaled", seed=3)

    def diverge():
        # errstate: the overflow on the way to inf is expected; TrainingDiverged reports it.
        with (
            pytest.raises(nncore.TrainingDiverged, match="at iteration 1"),
            np.errstate(over="ignore", invalid="ignore"),
        ):
            net.fit(X * 1e10, Y, learning_rate=1e300, num_iterations=20, cost_every=1)

    diverge()
    assert not hasattr(net, "parameters_")
    net.fit(X, Y, learning_rate=0.1, num_iterations=10)
    before = {key: value.copy() for key, value in net.parameters_.items()}
    diverge()
    for key, value in before.items():
        np.testing.assert_array_equal(net.parameters_[key], value, err_msg=key)


# --------------------------------------------------------------------------
# LogisticRegression
# --------------------------------------------------------------------------


def course_logistic(X, Y, learning_rate, num_iterations):
    """The course's model(): propagate and optimize from zeros, written out."""
    w, b, m, costs = np.zeros((X.shape[0], 1)), 0.0, X.shape[1], []
    for i in range(num_iterations):
        A = 1 / (1 + np.exp(-(w.T @ X + b)))
        if i % 100 == 0:
            costs.append(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m)
        dw, db = X @ (A - Y).T / m, np.sum(A - Y) / m
        w, b = w - learning_rate * dw, b - learning_rate * db
    return w, b, np.array(costs)


def test_logistic_regression_small_problem():
    rng = np.random.RandomState(0)
    X = rng.randn(3, 60)
    Y = (X[0:1] - 2 * X[2:3] > 0).astype(float)
    model = LogisticRegression().fit(X, Y, learning_rate=0.1, num_iterations=500)
    w, b, costs = course_logistic(X, Y, 0.1, 500)
    np.testing.assert_allclose(model.w_, w, rtol=1e-10)
    assert model.b_ == pytest.approx(b, rel=1e-10)
    np.testing.assert_allclose(model.costs_, costs, rtol=1e-12)
    assert model.w_.shape == (3, 1) and isinstance(model.b_, float)
    np.testing.assert_array_equal(model.parameters_["W1"], model.w_.T)
    assert model.parameters_["b1"].tolist() == [[model.b_]]
    expected = (1 / (1 + np.exp(-(w.T @ X + b))) > 0.5).astype(float)
    np.testing.assert_array_equal(model.predict(X), expected)
    assert model.score(X, Y) == np.mean(expected == Y) >= 0.95
    np.testing.assert_array_equal(model.cost_iterations_, np.arange(0, 500, 100))


@pytest.mark.parametrize("tier", nncore.TIERS)
def test_logistic_regression_tiers_agree(tier):
    rng = np.random.RandomState(1)
    X = rng.randn(4, 30)
    Y = (X[1:2] > 0).astype(float)
    ours = LogisticRegression(tier=tier).fit(X, Y, learning_rate=0.1, num_iterations=200)
    theirs = LogisticRegression(tier="loop").fit(X, Y, learning_rate=0.1, num_iterations=200)
    assert_tiers_agree(
        "LogisticRegression", {**fitted(ours, X), "b_": ours.b_}, {**fitted(theirs, X), "b_": theirs.b_}, tier=tier
    )
    np.testing.assert_array_equal(ours.w_, ours.parameters_["W1"].T)


def test_logistic_regression_float32():
    X = np.random.RandomState(2).randn(3, 20)
    Y = (X[0:1] > 0).astype(float)
    model = LogisticRegression(dtype=np.float32).fit(X, Y, learning_rate=0.1, num_iterations=100)
    assert model.w_.dtype == np.float32 and model.predict(X).dtype == np.float32
    assert model.parameters_["b1"].dtype == np.float32


@pytest.fixture(scope="module")
def cats():
    folder = os.environ.get("NNCORE_DATA")
    if not folder or not all((Path(folder) / name).is_file() for name in ("train_catvnoncat.h5", "test_catvnoncat.h5")):
        pytest.skip("no cat data: set NNCORE_DATA to the folder holding the two .h5 files")
    pytest.importorskip("h5py")
    train_x_orig, train_y, test_x_orig, test_y, _ = load_cat(folder)
    return flatten_images(train_x_orig), train_y, flatten_images(test_x_orig), test_y


@pytest.mark.data
def test_logistic_regression_on_cats_gives_the_course_results(cats):
    train_x, train_y, test_x, test_y = cats
    model = LogisticRegression().fit(train_x, train_y, learning_rate=0.005, num_iterations=2000)
    assert len(model.costs_) == 20 and model.cost_iterations_[-1] == 1900
    assert round(model.costs_[0], 6) == 0.693147
    assert round(model.costs_[-1], 6) == 0.140872
    assert model.score(train_x, train_y) * 100 == pytest.approx(99.04306220095694, abs=1e-9)
    assert model.score(test_x, test_y) * 100 == pytest.approx(70.0, abs=1e-9)
