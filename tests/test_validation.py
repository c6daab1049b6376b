"""The validation's messages, word for word, for each bad input the issue lists, in every tier.

Every public function of every tier validates through ``nncore.validation``
(the ``@implements`` decorator), so a bad input gets the same error, whose
message says what was expected, what was found and how to fix it. The broad
search for bad inputs is ``test_fuzz.py``; here each row reads as the
message a user sees.
"""

import inspect
import re

import numpy as np
import pytest

import nncore
from helpers import TIERS
from nncore import validation
from nncore.interface import FUNCTIONS, SPEC

M = 209
rng = np.random.default_rng(5)
X = rng.normal(size=(3, M))
Y = (rng.random((1, M)) > 0.5).astype(float)
P = nncore.initialize_parameters([3, 4, 1], rng=1)
A = ["relu", "sigmoid"]
GRADS = {"d" + key: value for key, value in P.items()}


def _set(mapping, key, value):
    return {**mapping, key: value}


#: (function, arguments, error, the whole message).
MESSAGES = {
    "rank-1 labels": (
        "train",
        (X, Y.ravel(), P, A, 0.1, 1),
        ValueError,
        "Y must have shape (1, m) = (1, 209); got a rank-1 array of shape (209,). Use Y.reshape(1, -1).",
    ),
    "3-D X": (
        "model_forward",
        (X[:, :, None], P, A),
        ValueError,
        "X must have shape (n_x, m); got a 3-D array of shape (3, 209, 1). Flatten it to two dimensions, "
        "e.g. images with X.reshape(X.shape[0], -1).T (nncore.datasets.flatten_images).",
    ),
    "transposed X": (
        "train",
        (X.T, Y, P, A, 0.1, 1),
        ValueError,
        "parameters['W1'] must have shape (n[1], n_x) with n_x = 209 (X has n_x = 209); got shape (4, 3). "
        "X looks transposed: samples must be its columns, so use X.T.",
    ),
    "sample counts differ": (
        "train",
        (X, Y[:, :200], P, A, 0.1, 1),
        ValueError,
        "Y has 200 samples but X has m = 209 (its columns); they must match.",
    ),
    "n_x does not match W1": (
        "predict",
        (X[:2], P, A),
        ValueError,
        "parameters['W1'] must have shape (n[1], n_x) with n_x = 2 (X has n_x = 2); got shape (4, 3). "
        "Check the layer sizes, or transpose if rows and columns are swapped.",
    ),
    "a layer's bias missing": (
        "model_forward",
        (X, {k: P[k] for k in ("W1", "b1", "W2")}, A),
        ValueError,
        "parameters must have exactly the keys ['W1', 'b1', 'W2', 'b2']; missing ['b2']. "
        "Each layer l needs W<l> and b<l>.",
    ),
    "a layer missing": (
        "model_forward",
        (X, {k: P[k] for k in ("W1", "b1")}, A),
        ValueError,
        "activations has 2 names but the parameters have 1 layer (W1); give one activation per layer.",
    ),
    "a layer too many": (
        "model_forward",
        (X, P, ["relu", "relu", "sigmoid"]),
        ValueError,
        "activations has 3 names but the parameters have 2 layers (W1, W2); give one activation per layer.",
    ),
    "a stray W0": (
        "model_forward",
        (X, {"W0": P["W1"], "b0": P["b1"], **P}, A),
        ValueError,
        "parameters must have exactly the keys ['W1', 'b1', 'W2', 'b2']; unexpected ['W0', 'b0']. "
        "Each layer l needs W<l> and b<l>.",
    ),
    "transposed X in logistic regression": (
        "propagate",
        (np.zeros((3, 1)), 0.0, X.T, Y),
        ValueError,
        "w must have shape (n_x, 1) with n_x = 209 (X has n_x = 209); got shape (3, 1). "
        "X looks transposed: samples must be its columns, so use X.T.",
    ),
    "transposed A_prev": (
        "linear_forward",
        (X.T, P["W1"], P["b1"]),
        ValueError,
        "W must have shape (n[l], n[l-1]) with n[l-1] = 209 (the rows of A_prev); got W of shape (4, 3). "
        "Samples are the columns of A_prev. A_prev looks transposed: samples must be its columns, so use A_prev.T.",
    ),
    "inconsistent layer shapes": (
        "model_forward",
        (X, _set(P, "W2", np.ones((1, 5))), A),
        ValueError,
        "parameters['W2'] must have shape (n[2], n[1]) with n[1] = 4 (W1 has n[1] = 4); got shape (1, 5). "
        "Check the layer sizes, or transpose if rows and columns are swapped.",
    ),
    "labels outside {0, 1}": (
        "train",
        (X, np.where(Y == 1, 2, 0), P, A, 0.1, 1),
        ValueError,
        f"Y must hold binary labels 0 or 1; found {int(Y.sum())} other values, the first 2 at index "
        f"{(0, int(np.argmax(Y)))}. Map the classes to 0 and 1 first, e.g. (labels == positive_class).astype(float).",
    ),
    "m = 0": (
        "model_forward",
        (X[:, :0], P, A),
        ValueError,
        "X has no samples: its shape is (3, 0), so m = 0. Pass at least one sample (one column).",
    ),
    "n_x = 0": (
        "propagate",
        (np.zeros((0, 1)), 0.0, X[:0], Y),
        ValueError,
        "X has no features: its shape is (0, 209), so n = 0. Pass at least one feature (one row).",
    ),
    "nan in X": (
        "model_forward",
        (np.where(X > 2, np.nan, X), P, A),
        ValueError,
        f"X must be finite; it holds {int((X > 2).sum())} nan and 0 inf values (the first at index "
        f"{tuple(int(i) for i in np.argwhere(X > 2)[0])}). Remove or impute them first, e.g. with np.nan_to_num, "
        f"or lower the learning rate if they came from training.",
    ),
    "inf in a parameter": (
        "train",
        (X, Y, _set(P, "b2", np.full((1, 1), -np.inf)), A, 0.1, 1),
        ValueError,
        "parameters['b2'] must be finite; it holds 0 nan and 1 inf values (the first at index (0, 0)). "
        "Remove or impute them first, e.g. with np.nan_to_num, or lower the learning rate if they came from training.",
    ),
    "strings": (
        "sigmoid",
        (["1", "2"],),
        TypeError,
        "Z must be an array of real numbers (float32 or float64); got strings (dtype <U1). "
        "Convert it with np.asarray(Z, dtype=np.float64).",
    ),
    "complex": (
        "compute_cost",
        (np.full((1, 2), 0.5 + 0j), [[0, 1]]),
        TypeError,
        "AL must be an array of real numbers (float32 or float64); got complex numbers (dtype complex128). "
        "Convert it with np.asarray(AL, dtype=np.float64).",
    ),
    "objects": (
        "softmax",
        (np.array([[1.0, None]]),),
        TypeError,
        "x must be an array of real numbers (float32 or float64); got Python objects (dtype object). "
        "Convert it with np.asarray(x, dtype=np.float64).",
    ),
    "ragged lists": (
        "l1_loss",
        ([[1, 2], [3]], [[1, 2], [3, 4]]),
        TypeError,
        None,  # numpy's own words follow "could not convert"
    ),
    "unknown activation": (
        "model_forward",
        (X, P, ["rectifier", "sigmoid"]),
        ValueError,
        "unknown activations[0] (layer 1) 'rectifier'; expected one of 'sigmoid', 'tanh', 'relu', 'leaky_relu'.",
    ),
    "output layer not a sigmoid": (
        "model_backward",
        (np.full((1, 2), 0.5), [[0, 1]], nncore.get_tier("vector").model_forward(X[:, :2], P, A)[1], ["relu", "relu"]),
        ValueError,
        "the output layer's activation must be 'sigmoid' for the cross-entropy cost; got activations[-1] = 'relu'. "
        "Use e.g. activations=['relu', 'sigmoid'].",
    ),
    "learning_rate 0": (
        "train",
        (X, Y, P, A, 0, 1),
        ValueError,
        "learning_rate must be > 0 and finite, e.g. 0.0075; got 0.0.",
    ),
    "learning_rate nan": (
        "update_parameters",
        (P, GRADS, float("nan")),
        ValueError,
        "learning_rate must be > 0 and finite, e.g. 0.0075; got nan.",
    ),
    "learning_rate a string": (
        "optimize",
        (np.zeros((3, 1)), 0.0, X, Y, 5, "0.01"),
        TypeError,
        "learning_rate must be a positive number, e.g. 0.0075; got str '0.01'.",
    ),
    "num_iterations < 0": (
        "train",
        (X, Y, P, A, 0.1, -1),
        ValueError,
        "num_iterations must be an integer >= 0; got -1.",
    ),
    "num_iterations a float": (
        "train",
        (X, Y, P, A, 0.1, 2.0),
        TypeError,
        "num_iterations must be an integer >= 0; got float 2.0. Use int(2.0).",
    ),
    "cost_every 0": (
        "optimize",
        (np.zeros((3, 1)), 0.0, X, Y, 5, 0.1, 0),
        ValueError,
        "cost_every must be an integer >= 1; got 0.",
    ),
    "masked entries": (
        "normalize_rows",
        (np.ma.masked_array([[1.0, 2.0]], mask=[[False, True]]),),
        ValueError,
        "x is a masked array with 1 masked entries; nncore ignores masks, so it would compute on the hidden "
        "values. Fill them (x.filled(value)) or drop those samples first.",
    ),
}


@pytest.mark.parametrize("case", MESSAGES)
def test_the_message(any_tier, case):
    name, arguments, error, message = MESSAGES[case]
    with pytest.raises(error) as raised:
        getattr(any_tier, name)(*arguments)
    if message is None:
        assert str(raised.value).startswith(
            "x must be a numeric array" if name != "l1_loss" else "yhat must be a numeric array"
        )
    else:
        assert str(raised.value) == message


def test_the_estimators_give_the_tiers_message_for_a_transposed_X():
    model = nncore.LogisticRegression().fit(X, Y, num_iterations=1)
    with pytest.raises(ValueError) as raised:
        model.predict(X.T)
    assert str(raised.value) == (
        "parameters['W1'] must have shape (n[1], n_x) with n_x = 209 (X has n_x = 209); got shape (1, 3). "
        "X looks transposed: samples must be its columns, so use X.T."
    )


@pytest.mark.parametrize("size", [6, validation._SUM_FIRST_SIZE], ids=["scanned", "summed first"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_require_finite_lets_a_sum_that_overflows_pass(dtype, size):
    """Finite entries whose sum is inf are finite (and warn about nothing); a bad entry is still found."""
    big = np.full((2, size // 2), np.finfo(dtype).max, dtype)
    assert validation.require_finite(big, "x") is None
    assert validation.check_array(big, "x") is big
    big[1, 2] = -big[1, 2]  # inf - inf in the sum is nan: the scan decides again
    validation.require_finite(big, "x")
    big[1, 1] = np.inf
    with pytest.raises(ValueError) as raised:
        validation.require_finite(big, "x")
    assert str(raised.value).startswith("x must be finite; it holds 0 nan and 1 inf values (the first at index (1, 1))")
    big[0, 0] = np.nan
    with pytest.raises(ValueError) as raised:
        validation.require_finite(big, "x")
    assert str(raised.value).startswith("x must be finite; it holds 1 nan and 1 inf values (the first at index (0, 0))")


def test_check_array():
    assert validation.check_array([[1, 2]], "x", ("1", "m"), (1, 2)).dtype == np.float64
    a = np.ones((2, 3), np.float32)
    assert validation.check_array(a, "x", ("n", "m")) is a
    assert validation.check_array(a, "x", dtype=np.float64).dtype == np.float64
    assert np.isnan(validation.check_array([np.nan], "x", finite=False)).all()
    with pytest.raises(ValueError, match=r"^x has no samples: its shape is \(2, 0\)"):
        validation.check_array(np.ones((2, 0)), "x", ("n", "m"), samples=True)
    with pytest.raises(ValueError, match=r"^x must have shape \(n, m\); got a rank-1 array of shape \(3,\)"):
        validation.check_array(np.ones(3), "x", ("n", "m"))
    with pytest.raises(
        ValueError, match=r"^x must be finite; it holds 1 nan and 0 inf values \(the first at index \(0,\)\)"
    ):
        validation.check_array([np.nan, 1.0], "x")


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: validation.check_dtype(np.int32), TypeError, "dtype must be float32 or float64; got int32."),
        (
            lambda: validation.check_layer_dims([3]),
            ValueError,
            "layer_dims needs the input size and at least one layer",
        ),
        (lambda: validation.check_layer_dims(3), TypeError, "layer_dims must be a sequence of layer sizes"),
        (lambda: validation.check_init("xavier", ("he",)), ValueError, "unknown init 'xavier'; expected one of 'he'."),
    ],
)
def test_the_estimators_setting_checks(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert str(raised.value).startswith(message)


def test_layer_dims_of():
    assert validation.layer_dims_of(nncore.initialize_parameters([5, 4, 3, 1], rng=0)) == [5, 4, 3, 1]


def test_unknown_tier_and_init_names():
    with pytest.raises(ValueError, match=r"^unknown tier 'cuda'; available tiers are 'loop', 'vector'"):
        nncore.get_tier("cuda")
    with pytest.raises(ValueError, match=r"^unknown init method 'glorot'; expected one of 'zeros', 'scaled', 'he'\.$"):
        nncore.initialize_parameters([3, 1], "glorot")
    with pytest.raises(ValueError, match=r"^unknown init 'glorot'"):
        nncore.Network([3, 1], init="glorot")


# --------------------------------------------------------------------------
# Conversions the validation documents
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "inputs, dtype",
    [
        ({"X": np.uint8, "W": np.float64}, np.float64),
        ({"X": np.uint8, "W": np.float32}, np.float32),  # integers do not vote
        ({"X": np.bool_, "W": np.int64}, np.float64),  # no float at all: float64
        ({"X": np.float16, "W": np.float16}, np.float32),  # float16 is widened
        ({"X": np.float32, "W": np.float64}, np.float64),
    ],
)
def test_integer_boolean_and_half_inputs_are_converted(any_tier, inputs, dtype):
    X_in = np.array([[0, 1, 1], [1, 0, 1]]).astype(inputs["X"])
    W = np.array([[1, -2]]).astype(inputs["W"])
    b = np.array([[1]]).astype(inputs["W"])
    Z = any_tier.linear_forward(X_in, W, b)
    assert Z.dtype == dtype
    np.testing.assert_array_equal(Z, [[-1, 2, 0]])


@pytest.mark.parametrize("labels_dtype", [np.bool_, np.int8, np.float64])
def test_labels_take_the_dtype_of_the_data(any_tier, labels_dtype):
    X32 = X[:, :6].astype(np.float32)
    P32 = {key: value.astype(np.float32) for key, value in P.items()}
    parameters, costs = any_tier.train(X32, Y[:, :6].astype(labels_dtype), P32, A, 0.1, 2, 1)
    assert all(value.dtype == np.float32 for value in parameters.values())
    assert costs.dtype == np.float64


def test_fortran_ordered_and_strided_inputs_give_the_same_training(any_tier):
    X_small, Y_small = X[:, :8], Y[:, :8]
    expected = any_tier.train(X_small, Y_small, P, A, 0.1, 3, 1)
    wide = np.zeros((3, 16))
    wide[:, ::2] = X_small
    for X_form in (np.asfortranarray(X_small), wide[:, ::2], X_small.tolist()):
        parameters, costs = any_tier.train(
            X_form, Y_small, {k: np.asfortranarray(v) for k, v in P.items()}, A, 0.1, 3, 1
        )
        np.testing.assert_allclose(costs, expected[1], rtol=1e-12)
        for key, value in expected[0].items():
            np.testing.assert_allclose(parameters[key], value, rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------
# One checker per interface function, used by every tier
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_interface_function_has_a_checker_of_its_signature(name):
    checker = validation.CHECKS[name]
    assert list(inspect.signature(checker).parameters) == list(inspect.signature(SPEC[name]).parameters)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_arguments_bind_as_signature_bind_does(name):
    """The wrappers' fast positional binding gives what inspect's does, and the same errors."""
    from nncore.contract import _binder

    signature = inspect.signature(SPEC[name])
    bind = _binder(signature)
    names = list(signature.parameters)
    for count in range(len(names) + 2):
        args = tuple(f"value {i}" for i in range(count))
        for kwargs in ({}, {names[-1]: "by keyword"}):
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as expected:
                with pytest.raises(TypeError, match=re.escape(str(expected))):
                    bind(args, kwargs)
            else:
                bound.apply_defaults()
                assert bind(args, kwargs) == bound.arguments


def test_every_tier_function_is_validated(any_tier):
    """Each public function is the @implements wrapper, whose kernel is the tier's own code."""
    for name in FUNCTIONS:
        function = getattr(any_tier, name)
        assert hasattr(function, "unchecked") and function.unchecked is not function, name


def test_passing_none_where_an_array_is_optional_internally_is_refused(any_tier):
    """An explicit None for X or Y is a bad value, not 'not given'."""
    with pytest.raises(TypeError, match="^X must be an array of real numbers"):
        any_tier.model_forward(None, P, A)
    with pytest.raises(TypeError, match="^Y must be an array of real numbers"):
        any_tier.train(X, None, P, A, 0.1, 1)


def test_tiers_present():
    assert {"loop", "vector"} <= set(TIERS)
