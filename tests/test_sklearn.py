"""nncore.sklearn: scikit-learn's own estimator checks, the course's planar run, saving, and sweeps through joblib.

* ``parametrize_with_checks`` runs every check of ``sklearn.utils.estimator_checks`` on both
  estimators with their default parameters, in the vector and the JIT tiers; the checks that
  may fail are ``nncore.sklearn.EXPECTED_FAILED_CHECKS``, and one that passes while listed
  fails the suite (``xfail_strict``).
* ``NetworkClassifier`` fitted on ``X.T`` gives the course's planar run bit for bit, as
  ``nncore.Network`` does.
* nncore's errors reach the scikit-learn user unchanged; scikit-learn's conventions (labels of
  any type, DataFrames, feature counts) hold.
* Saving goes through nncore's ``.npz`` format; the estimators pickle.
* ``cross_val_score``, ``Pipeline`` and ``GridSearchCV``, sequentially and in joblib's
  processes, give the scores computed fold by fold by hand. The Dask cluster runs are in
  ``test_sweeps.py``.
"""

import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import nncore
from nncore.sklearn import EXPECTED_FAILED_CHECKS, LogisticRegression, NetworkClassifier

# --------------------------------------------------------------------------
# scikit-learn's checks
# --------------------------------------------------------------------------


@parametrize_with_checks(
    [NetworkClassifier(), NetworkClassifier(tier="jit"), LogisticRegression(), LogisticRegression(tier="jit")],
    expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS,
    xfail_strict=True,
)
def test_scikit_learn_estimator_checks(estimator, check, monkeypatch):
    # check_array_api_input skips itself unless SCIPY_ARRAY_API=1 is set; on NumPy arrays, the
    # only ones these estimators take, SciPy computes the same either way.
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    check(estimator)


def test_at_most_three_checks_are_expected_to_fail_each_with_its_reason():
    assert len(EXPECTED_FAILED_CHECKS) <= 3
    assert all(isinstance(reason, str) and len(reason) > 20 for reason in EXPECTED_FAILED_CHECKS.values())


def test_binary_only_is_declared_in_the_tags():
    for estimator in (NetworkClassifier(), LogisticRegression()):
        tags = estimator.__sklearn_tags__()
        assert tags.estimator_type == "classifier" and tags.classifier_tags.multi_class is False


def test_import_nncore_does_not_import_scikit_learn():
    code = "import sys, nncore; nncore.Network([2, 1]); print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# --------------------------------------------------------------------------
# The course's planar run
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planar():
    """The planar flower: X (2, 400) and Y (1, 400), course-shaped."""
    return nncore.datasets.planar()


def test_network_classifier_reproduces_the_course_planar_run(planar):
    X, Y = planar
    clf = NetworkClassifier(
        hidden_layer_sizes=(4,),
        activation="tanh",
        learning_rate=1.2,
        max_iter=10000,
        init="scaled",
        random_state=2,
    ).fit(X.T, Y.ravel())
    net = nncore.Network([2, 4, 1], ["tanh", "sigmoid"], init="scaled", seed=2).fit(
        X, Y, learning_rate=1.2, num_iterations=10000
    )
    np.testing.assert_array_equal(clf.loss_curve_, net.costs_)
    np.testing.assert_array_equal(clf.loss_curve_iterations_, np.arange(0, 10000, 100))
    assert round(clf.loss_curve_[0], 6) == 0.693048 and round(clf.loss_curve_[70], 6) == 0.217504  # the course's
    for key, value in net.parameters_.items():
        np.testing.assert_array_equal(clf.estimator_.parameters_[key], value)
    assert clf.score(X.T, Y.ravel()) == net.score(X, Y) == 362 / 400  # 90.5 %
    np.testing.assert_array_equal(clf.predict_proba(X.T)[:, 1], net.predict_proba(X)[0])
    assert clf.n_iter_ == 10000 and clf.n_features_in_ == 2


def test_logistic_regression_is_nncores_from_zero_weights(planar):
    X, Y = planar
    clf = LogisticRegression(learning_rate=0.5, max_iter=300).fit(X.T, Y.ravel())
    model = nncore.LogisticRegression().fit(X, Y, learning_rate=0.5, num_iterations=300)
    np.testing.assert_array_equal(clf.loss_curve_, model.costs_)
    np.testing.assert_array_equal(clf.coef_, model.w_.T)
    assert clf.intercept_.tolist() == [model.b_] and clf.coef_.shape == (1, 2)
    assert clf.score(X.T, Y.ravel()) == model.score(X, Y)


# --------------------------------------------------------------------------
# scikit-learn's conventions
# --------------------------------------------------------------------------


def small_network(**params):
    """The planar network, trained briefly."""
    return NetworkClassifier(
        **{"hidden_layer_sizes": (4,), "activation": "tanh", "learning_rate": 1.2, "max_iter": 300, "init": "scaled"}
        | {"random_state": 2, **params}
    )


def test_constructors_only_store_their_arguments():
    clf = NetworkClassifier(hidden_layer_sizes=(0, -1), activation="softplus", tier="gpu", random_state="x")
    assert clf.get_params() == {
        "hidden_layer_sizes": (0, -1),
        "activation": "softplus",
        "learning_rate": 0.0075,
        "max_iter": 2500,
        "init": "he",
        "tier": "gpu",
        "dtype": "float64",
        "random_state": "x",
    }
    assert LogisticRegression(max_iter=-5).get_params() == {
        "learning_rate": 0.005,
        "max_iter": -5,
        "tier": "vector",
        "dtype": "float64",
    }
    twin = clone(small_network()).set_params(max_iter=7)
    assert twin.get_params()["max_iter"] == 7 and twin.get_params()["hidden_layer_sizes"] == (4,)


def test_labels_of_any_type_come_back_as_given(planar):
    X, Y = planar
    y = np.where(Y.ravel() == 1, "yes", "no")
    clf = small_network().fit(X.T, y)
    net = nncore.Network([2, 4, 1], ["tanh", "sigmoid"], init="scaled", seed=2).fit(X, Y, 1.2, 300)
    assert clf.classes_.tolist() == ["no", "yes"]  # classes_[1] is the network's output 1
    np.testing.assert_array_equal(clf.predict(X.T), np.where(net.predict(X)[0] == 1, "yes", "no"))
    proba = clf.predict_proba(X.T)
    assert proba.shape == (400, 2)
    np.testing.assert_array_equal(proba[:, 1], net.predict_proba(X)[0])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    decision = clf.decision_function(X.T)
    assert decision.shape == (400,)
    np.testing.assert_allclose(expit(decision), proba[:, 1], rtol=1e-13)
    np.testing.assert_array_equal(decision > 0, clf.predict(X.T) == "yes")
    labels = np.where(Y.ravel() == 1, 7, -3)
    np.testing.assert_array_equal(
        small_network().fit(X.T, labels).predict(X.T), np.where(clf.predict(X.T) == "yes", 7, -3)
    )


def test_a_data_frame_gives_feature_names(planar):
    X, Y = planar
    frame = pd.DataFrame(X.T, columns=["x1", "x2"])
    clf = small_network().fit(frame, pd.Series(Y.ravel()))
    assert clf.feature_names_in_.tolist() == ["x1", "x2"] and clf.n_features_in_ == 2
    np.testing.assert_array_equal(clf.predict_proba(frame), small_network().fit(X.T, Y.ravel()).predict_proba(X.T))
    with pytest.raises(ValueError, match="Feature names unseen at fit time"):
        clf.predict(frame.rename(columns={"x2": "y"}))


def test_float32_computes_in_float32(planar):
    X, Y = planar
    clf = small_network(dtype="float32").fit(X.T, Y.ravel())
    assert clf.estimator_.parameters_["W1"].dtype == np.float32
    assert clf.predict_proba(X.T).dtype == np.float32 and clf.decision_function(X.T).dtype == np.float32


def test_more_than_two_classes_are_refused_with_the_fix(planar):
    X, _ = planar
    with pytest.raises(ValueError, match=r"Only binary classification is supported.*3 classes \(0, 1, 2\)") as info:
        small_network().fit(X.T, np.arange(400) % 3)
    assert "OneVsRestClassifier(NetworkClassifier())" in str(info.value)
    with pytest.raises(ValueError, match="needs samples of two classes to train; y holds one class, 'a'"):
        LogisticRegression().fit(X.T, ["a"] * 400)


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"activation": "softplus"}, ValueError, r"unknown activations\[0\] \(layer 1\) 'softplus'"),
        ({"learning_rate": -1.0}, ValueError, "learning_rate must be > 0 and finite"),
        ({"max_iter": -1}, ValueError, "num_iterations must be an integer >= 0; got -1"),
        ({"hidden_layer_sizes": (4, 0)}, ValueError, r"layer_dims\[2\] must be an integer >= 1; got 0"),
        ({"tier": "gpu"}, ValueError, "unknown tier 'gpu'; available tiers are 'loop', 'vector', 'jit'"),
        ({"init": "xavier"}, ValueError, "unknown init 'xavier'"),
        ({"dtype": "float16"}, TypeError, "dtype must be float32 or float64; got float16"),
    ],
)
def test_nncores_errors_reach_the_user_unchanged(planar, params, error, message):
    X, Y = planar
    with pytest.raises(error, match=message):
        small_network(**params).fit(X.T, Y.ravel())


def test_non_finite_inputs_get_nncores_error(planar):
    X, Y = planar
    bad = X.T.copy()
    bad[3, 1] = np.nan
    with pytest.raises(
        ValueError, match=r"X must be finite; it holds 1 nan and 0 inf values \(the first at index \(1, 3\)\)"
    ):
        small_network().fit(bad, Y.ravel())
    clf = small_network().fit(X.T, Y.ravel())
    with pytest.raises(ValueError, match="X must be finite"):
        clf.predict(bad)


def test_scikit_learns_errors_for_its_conventions(planar):
    X, Y = planar
    clf = small_network()
    with pytest.raises(NotFittedError):
        clf.predict(X.T)
    with pytest.raises(ValueError, match="Reshape your data"):
        clf.fit(X.T[:, 0], Y.ravel())
    clf.fit(X.T, Y.ravel())
    with pytest.raises(ValueError, match="X has 400 features, but NetworkClassifier is expecting 2 features"):
        clf.predict(X)


def test_an_int_is_one_hidden_layer_and_none_is_a_sigmoid_unit(planar):
    X, Y = planar
    assert small_network(hidden_layer_sizes=3).fit(X.T, Y.ravel()).estimator_.layer_dims == [2, 3, 1]
    unit = small_network(hidden_layer_sizes=()).fit(X.T, Y.ravel()).estimator_
    assert unit.layer_dims == [2, 1] and unit.activations == ["sigmoid"]


# --------------------------------------------------------------------------
# Saving, loading, pickling
# --------------------------------------------------------------------------


@pytest.mark.parametrize("tier", ["vector", "jit"])
def test_a_pickled_estimator_predicts_the_same(planar, tier):
    X, Y = planar
    for clf in (small_network(tier=tier), LogisticRegression(max_iter=50, tier=tier)):
        clf.fit(X.T, np.where(Y.ravel() == 1, "b", "a"))
        twin = pickle.loads(pickle.dumps(clf))
        np.testing.assert_array_equal(twin.predict_proba(X.T), clf.predict_proba(X.T))
        np.testing.assert_array_equal(twin.predict(X.T), clf.predict(X.T))
        assert twin.get_params() == clf.get_params()


def test_save_and_load_give_the_same_estimator(planar, tmp_path):
    X, Y = planar
    frame = pd.DataFrame(X.T, columns=["x1", "x2"])
    y = np.where(Y.ravel() == 1, "yes", "no").astype(object)
    clf = small_network(hidden_layer_sizes=(5, 3), activation="relu", learning_rate=0.5).fit(frame, y)
    path = tmp_path / "clf.npz"
    clf.save(path)
    loaded = NetworkClassifier.load(path)
    assert loaded.get_params() == clf.get_params()
    assert loaded.classes_.tolist() == ["no", "yes"] and loaded.feature_names_in_.tolist() == ["x1", "x2"]
    assert loaded.n_features_in_ == 2 and loaded.n_iter_ == 300
    np.testing.assert_array_equal(loaded.loss_curve_, clf.loss_curve_)
    np.testing.assert_array_equal(loaded.loss_curve_iterations_, clf.loss_curve_iterations_)
    np.testing.assert_array_equal(loaded.predict_proba(frame), clf.predict_proba(frame))
    np.testing.assert_array_equal(loaded.predict(frame), clf.predict(frame))
    np.testing.assert_array_equal(loaded.decision_function(frame), clf.decision_function(frame))
    # A plain nncore file: the weights and the metadata, without pickles.
    parameters, metadata = nncore.load_parameters(path)
    np.testing.assert_array_equal(parameters["W2"], clf.estimator_.parameters_["W2"])
    assert metadata["classes"] == ["no", "yes"] and metadata["activations"] == ["relu", "relu", "sigmoid"]
    with np.load(path, allow_pickle=False) as archive:
        assert archive["meta.param_hidden_layer_sizes"].tolist() == [5, 3]
    jit = NetworkClassifier.load(path, tier="jit")
    assert jit.tier == "jit" and jit.estimator_.tier == "jit"
    np.testing.assert_allclose(jit.predict_proba(frame), clf.predict_proba(frame), rtol=1e-12)


def test_a_logistic_regression_keeps_its_numeric_classes_and_dtype(planar, tmp_path):
    X, Y = planar
    clf = LogisticRegression(learning_rate=0.1, max_iter=150, dtype="float32").fit(X.T, np.where(Y.ravel() == 1, 1, -1))
    clf.save(tmp_path / "lr.npz")
    loaded = LogisticRegression.load(tmp_path / "lr.npz")
    assert loaded.classes_.tolist() == [-1, 1] and loaded.classes_.dtype == clf.classes_.dtype
    assert loaded.get_params() == clf.get_params() and loaded.coef_.dtype == np.float32
    np.testing.assert_array_equal(loaded.coef_, clf.coef_)
    np.testing.assert_array_equal(loaded.intercept_, clf.intercept_)
    assert (loaded.estimator_.w_.shape, loaded.estimator_.b_) == ((2, 1), clf.estimator_.b_)
    np.testing.assert_array_equal(loaded.predict_proba(X.T), clf.predict_proba(X.T))


def test_loading_refuses_what_is_not_the_estimator(planar, tmp_path):
    X, Y = planar
    small_network().fit(X.T, Y.ravel()).save(tmp_path / "net.npz")
    with pytest.raises(ValueError, match="holds a NetworkClassifier, not a LogisticRegression saved by"):
        LogisticRegression.load(tmp_path / "net.npz")
    nncore.Network([2, 4, 1], seed=0).fit(X, Y, num_iterations=1).save(tmp_path / "course.npz")
    with pytest.raises(ValueError, match="holds nncore weights without nncore.sklearn's metadata"):
        NetworkClassifier.load(tmp_path / "course.npz")
    with pytest.raises(NotFittedError):
        small_network().save(tmp_path / "unfitted.npz")


def test_classes_that_need_pickling_are_refused_at_save(planar, tmp_path):
    X, Y = planar
    days = np.array(["2020-01-01", "2021-01-01"], dtype="datetime64[D]")
    clf = LogisticRegression(max_iter=5).fit(X.T, days[Y.ravel().astype(int)])
    with pytest.raises(TypeError, match="classes_ holds datetime64.* save\\(\\) stores numbers, bools and strings"):
        clf.save(tmp_path / "days.npz")
    assert not (tmp_path / "days.npz").exists()


def test_a_random_state_generator_is_not_saved(planar, tmp_path):
    X, Y = planar
    clf = small_network(random_state=np.random.RandomState(2)).fit(X.T, Y.ravel())
    clf.save(tmp_path / "rs.npz")
    assert NetworkClassifier.load(tmp_path / "rs.npz").random_state is None


# --------------------------------------------------------------------------
# Sweeps through joblib on this machine
# --------------------------------------------------------------------------


def by_hand(estimator, X, y, cv):
    """The test scores of `estimator` refitted on each training fold of `cv`."""
    return [clone(estimator).fit(X[train], y[train]).score(X[test], y[test]) for train, test in cv.split(X, y)]


@pytest.mark.parametrize(
    ("estimator", "least"),
    [(LogisticRegression(learning_rate=0.1, max_iter=100), 0.4), (small_network(), 0.7)],
    ids=["logistic", "network"],
)
def test_cross_val_score_of_a_pipeline(planar, estimator, least):
    X, Y = planar
    X, y = X.T, Y.ravel()
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    pipeline = make_pipeline(StandardScaler(), estimator)
    scores = cross_val_score(pipeline, X, y, cv=cv)
    assert scores.tolist() == by_hand(pipeline, X, y, cv)
    assert scores.mean() > least  # a line cannot split the flower; 4 tanh units can


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_grid_search_sequentially_and_in_processes(planar, n_jobs):
    X, Y = planar
    X, y = X.T, Y.ravel()
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    grid = {"hidden_layer_sizes": [(1,), (4,)], "learning_rate": [0.5, 1.2]}
    search = GridSearchCV(small_network(), grid, cv=cv, n_jobs=n_jobs).fit(X, y)
    for i, params in enumerate(search.cv_results_["params"]):
        expected = by_hand(small_network(**params), X, y, cv)
        assert [search.cv_results_[f"split{k}_test_score"][i] for k in range(3)] == expected
    assert search.best_params_["hidden_layer_sizes"] == (4,)
    assert search.best_estimator_.score(X, y) == small_network(**search.best_params_).fit(X, y).score(X, y)
    search = GridSearchCV(LogisticRegression(max_iter=50), {"learning_rate": [0.01, 0.1]}, cv=cv, n_jobs=n_jobs)
    search.fit(X, y)
    assert search.cv_results_["mean_test_score"].tolist() == [
        np.mean(by_hand(LogisticRegression(learning_rate=rate, max_iter=50), X, y, cv)) for rate in (0.01, 0.1)
    ]
