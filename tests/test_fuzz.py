"""Tests that try to break every public function of every tier (issue 5, item 6).

Hypothesis draws a valid call of each function (shapes with n and m from 1
to 4, float64 or float32 data, networks of 1 to 3 layers). Then

* **invalid calls**: one argument of the valid call is replaced by a bad
  value from :data:`CORRUPTIONS` (a rank-1 array, a NaN, a complex dtype, a
  label of 2, an unknown activation, ``learning_rate=0``, ...). Every tier
  must raise the documented ``ValueError`` or ``TypeError`` with the same
  message, one that names an argument of the call; never another exception
  (an ``IndexError`` from a kernel, a ``ZeroDivisionError``), never a result.
  The cases are enumerated, not sampled, so every (function, argument, bad
  value) is tried: run ``python tests/test_fuzz.py`` for the tally by kind.
* **valid variants**: the arrays of the valid call are handed over in other
  forms nncore documents as accepted (Fortran order, strided views, nested
  lists, integer and boolean arrays, float16); each tier's result must equal
  its result on the same values as C-ordered arrays of the computation's
  float dtype.

The estimators' ``fit``/``predict`` and :func:`nncore.gradient_check` are
fuzzed the same way, since they share the arguments' roles.
"""

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nncore
from helpers import TIERS, assert_tiers_agree, labels, network, networks, normal, seeds, sizes, uniform
from nncore.interface import ACTIVATIONS, FUNCTIONS, SPEC, LayerCache

# --------------------------------------------------------------------------
# Valid calls
# --------------------------------------------------------------------------

dtypes = st.sampled_from([np.dtype(np.float64), np.dtype(np.float32)])
any_shape = st.lists(sizes, min_size=0, max_size=3).map(tuple)


def _cache(rng, n_prev, n, m, dtype):
    A_prev, W, b = normal(rng, (n_prev, m), dtype), normal(rng, (n, n_prev), dtype), normal(rng, (n, 1), dtype)
    Z = W @ A_prev + b
    return LayerCache(A_prev, W, b, Z, np.tanh(Z))


@st.composite
def valid_call(draw, name):
    """A dict of valid keyword arguments for `name`."""
    rng = np.random.default_rng(draw(seeds))
    dtype = draw(dtypes)
    n_prev, n, m = draw(sizes), draw(sizes), draw(sizes)
    activation = draw(st.sampled_from(ACTIVATIONS))
    if name in ACTIVATIONS:
        return {"Z": normal(rng, draw(any_shape), dtype, 3)}
    if name == "sigmoid_derivative":
        return {"x": normal(rng, draw(any_shape), dtype, 3)}
    if name.endswith("_backward") and name[: -len("_backward")] in ACTIVATIONS:
        shape = draw(any_shape)
        return {"dA": normal(rng, shape, dtype), "Z": normal(rng, shape, dtype, 3)}
    if name in ("l1_loss", "l2_loss"):
        shape = draw(any_shape)
        return {"yhat": normal(rng, shape, dtype), "y": normal(rng, shape, dtype)}
    if name in ("linear_forward", "linear_activation_forward"):
        cache = _cache(rng, n_prev, n, m, dtype)
        call = {"A_prev": cache.A_prev, "W": cache.W, "b": cache.b}
        return call if name == "linear_forward" else {**call, "activation": activation}
    if name == "linear_backward":
        return {"dZ": normal(rng, (n, m), dtype), "cache": _cache(rng, n_prev, n, m, dtype)}
    if name == "linear_activation_backward":
        return {"dA": normal(rng, (n, m), dtype), "cache": _cache(rng, n_prev, n, m, dtype), "activation": activation}
    if name == "compute_cost":
        return {"AL": rng.uniform(0, 1, (1, m)).astype(dtype), "Y": labels(rng, m, dtype)}
    if name in ("normalize_rows", "softmax"):
        return {"x": normal(rng, (n, m), dtype, 3)}
    if name == "image2vector":
        return {"image": normal(rng, (n_prev, n, m), dtype)}
    if name in ("propagate", "optimize"):
        call = {
            "w": normal(rng, (n_prev, 1), dtype),
            "b": float(rng.normal()),
            "X": normal(rng, (n_prev, m), dtype),
            "Y": labels(rng, m, dtype),
        }
        if name == "optimize":
            call.update(num_iterations=draw(st.integers(0, 3)), learning_rate=0.1, cost_every=draw(st.integers(1, 3)))
        return call
    sigmoid_output = name in ("model_backward", "train", "gradient_check", "Network.fit")
    layer_dims, activations = draw(networks(sigmoid_output=sigmoid_output))
    if name == "predict":
        layer_dims[-1] = 1  # predictions are binary labels: one output unit
    parameters = network(rng, layer_dims, dtype)
    X = uniform(rng, (layer_dims[0], m), dtype, 2.0)
    if name in ("model_forward", "predict"):
        return {"X": X, "parameters": parameters, "activations": activations}
    if name == "update_parameters":
        grads = {"d" + key: normal(rng, value.shape, dtype) for key, value in parameters.items()}
        return {"parameters": parameters, "grads": grads, "learning_rate": 0.05}
    Y = labels(rng, m, dtype)
    if name == "model_backward":
        AL, caches = nncore.get_tier("vector").model_forward(X, parameters, activations)
        return {"AL": AL, "Y": Y, "caches": caches, "activations": activations}
    if name == "train":
        return {
            "X": X,
            "Y": Y,
            "parameters": parameters,
            "activations": activations,
            "learning_rate": 0.1,
            "num_iterations": draw(st.integers(0, 3)),
            "cost_every": draw(st.integers(1, 3)),
        }
    if name == "gradient_check":
        return {"X": X, "Y": Y, "parameters": parameters, "activations": activations, "epsilon": 1e-7}
    if name == "Network.fit":
        return {
            "X": X,
            "Y": Y,
            "layer_dims": layer_dims,
            "activations": activations,
            "learning_rate": 0.1,
            "num_iterations": 2,
        }
    if name == "Network.predict":
        return {"X": X, "n_x": layer_dims[0]}
    if name == "LogisticRegression.fit":
        return {"X": X, "Y": Y}
    raise AssertionError(name)


# --------------------------------------------------------------------------
# The functions and their arguments' roles
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    """An argument's role, and which of its axes must agree with other arguments."""

    role: str
    rows_bound: bool = False
    cols_bound: bool = False


ELEMENTWISE = {"Z": Arg("array")}
PAIR = {"dA": Arg("paired"), "Z": Arg("paired")}

#: Function -> its arguments' roles. Estimator methods and gradient_check are called through ENTRY_POINTS.
SIGNATURES = {
    **{name: ELEMENTWISE for name in ACTIVATIONS},
    **{f"{name}_backward": PAIR for name in ACTIVATIONS},
    "sigmoid_derivative": {"x": Arg("array")},
    "l1_loss": {"yhat": Arg("paired"), "y": Arg("paired")},
    "l2_loss": {"yhat": Arg("paired"), "y": Arg("paired")},
    "linear_forward": {
        "A_prev": Arg("matrix", rows_bound=True),
        "W": Arg("matrix", True, True),
        "b": Arg("column", rows_bound=True),
    },
    "linear_activation_forward": {
        "A_prev": Arg("matrix", rows_bound=True),
        "W": Arg("matrix", True, True),
        "b": Arg("column", rows_bound=True),
        "activation": Arg("activation"),
    },
    "linear_backward": {"dZ": Arg("matrix", True, True), "cache": Arg("linear_cache")},
    "linear_activation_backward": {
        "dA": Arg("matrix", True, True),
        "cache": Arg("cache"),
        "activation": Arg("activation"),
    },
    "model_forward": {
        "X": Arg("matrix", rows_bound=True),
        "parameters": Arg("parameters"),
        "activations": Arg("activations"),
    },
    "predict": {
        "X": Arg("matrix", rows_bound=True),
        "parameters": Arg("parameters"),
        "activations": Arg("activations"),
    },
    "compute_cost": {"AL": Arg("probabilities", cols_bound=True), "Y": Arg("labels", cols_bound=True)},
    "model_backward": {
        "AL": Arg("probabilities", cols_bound=True),
        "Y": Arg("labels", cols_bound=True),
        "caches": Arg("caches"),
        "activations": Arg("output_activations"),
    },
    "update_parameters": {"parameters": Arg("parameters"), "grads": Arg("grads"), "learning_rate": Arg("rate")},
    "train": {
        "X": Arg("matrix", True, True),
        "Y": Arg("labels", cols_bound=True),
        "parameters": Arg("parameters"),
        "activations": Arg("output_activations"),
        "learning_rate": Arg("rate"),
        "num_iterations": Arg("count0"),
        "cost_every": Arg("count1"),
    },
    "propagate": {
        "w": Arg("column", rows_bound=True),
        "b": Arg("scalar"),
        "X": Arg("matrix", True, True),
        "Y": Arg("labels", cols_bound=True),
    },
    "optimize": {
        "w": Arg("column", rows_bound=True),
        "b": Arg("scalar"),
        "X": Arg("matrix", True, True),
        "Y": Arg("labels", cols_bound=True),
        "num_iterations": Arg("count0"),
        "learning_rate": Arg("rate"),
        "cost_every": Arg("count1"),
    },
    "image2vector": {"image": Arg("image")},
    "normalize_rows": {"x": Arg("matrix")},
    "softmax": {"x": Arg("matrix")},
    "gradient_check": {
        "X": Arg("matrix", True, True),
        "Y": Arg("labels", cols_bound=True),
        "parameters": Arg("parameters"),
        "activations": Arg("output_activations"),
        "epsilon": Arg("rate"),
    },
    "Network.fit": {
        "X": Arg("matrix", True, True),
        "Y": Arg("labels", cols_bound=True),
        "learning_rate": Arg("rate"),
        "num_iterations": Arg("count0"),
    },
    "Network.predict": {"X": Arg("matrix", rows_bound=True)},
    "LogisticRegression.fit": {"X": Arg("matrix", cols_bound=True), "Y": Arg("labels", cols_bound=True)},
}
assert set(FUNCTIONS) <= set(SIGNATURES)


def _network_fit(tier, X, Y, layer_dims, activations, **fit):
    return nncore.Network(layer_dims, activations, seed=0, tier=tier).fit(X, Y, **fit)


def _network_predict(tier, X, n_x):
    net = nncore.Network([n_x, 1], seed=0, tier=tier).fit(np.ones((n_x, 2)), [[0, 1]], num_iterations=1)
    return net.predict(X)


#: Entry points beyond the tier functions: name -> call(tier_name, **arguments).
ENTRY_POINTS = {
    "gradient_check": lambda tier, **kw: nncore.gradient_check(**kw, tier=tier),
    "Network.fit": _network_fit,
    "Network.predict": _network_predict,
    "LogisticRegression.fit": lambda tier, X, Y: nncore.LogisticRegression(tier=tier).fit(X, Y, num_iterations=2),
}


def call(tier_name, name, arguments):
    if name in ENTRY_POINTS:
        return ENTRY_POINTS[name](tier_name, **arguments)
    return getattr(TIERS[tier_name], name)(**arguments)


def tiers_defining(name):
    return [t for t, module in TIERS.items() if name in ENTRY_POINTS or hasattr(module, name)]


# --------------------------------------------------------------------------
# Bad values, by role
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Corruption:
    label: str
    kind: str
    error: type
    change: object  # value -> bad value
    names_partner: bool = False  # the message may name the argument it disagrees with instead


def _with(value, index_value):
    bad = np.array(value, dtype=np.result_type(value, np.float64) if value.dtype.kind != "f" else value.dtype)
    bad.reshape(-1)[0] = index_value
    return bad


def _masked(value):
    mask = np.zeros(np.shape(value), bool)
    mask.reshape(-1)[0] = True
    return np.ma.masked_array(value, mask=mask)


def _append(value, axis):
    """One more row (axis 0) or column (axis 1), of zeros."""
    pad = [(0, 0)] * value.ndim
    pad[axis] = (0, 1)
    return np.pad(value, pad)


LONG_DOUBLE = np.finfo(np.longdouble).bits > 64

#: What any array argument can be given instead of real, finite numbers.
NOT_REAL = [
    Corruption("nan", "non-finite values (nan, inf)", ValueError, lambda v: _with(v, np.nan)),
    Corruption("inf", "non-finite values (nan, inf)", ValueError, lambda v: _with(v, np.inf)),
    Corruption("-inf", "non-finite values (nan, inf)", ValueError, lambda v: _with(v, -np.inf)),
    Corruption("complex", "non-real dtypes and objects", TypeError, lambda v: v.astype(np.complex128)),
    Corruption("object dtype", "non-real dtypes and objects", TypeError, lambda v: v.astype(object)),
    Corruption("strings", "non-real dtypes and objects", TypeError, lambda v: v.astype(str)),
    Corruption("datetime64", "non-real dtypes and objects", TypeError, lambda v: np.zeros(v.shape, "datetime64[s]")),
    Corruption("None", "non-real dtypes and objects", TypeError, lambda v: None),
    Corruption("dict", "non-real dtypes and objects", TypeError, lambda v: {"values": v}),
    Corruption("ragged list", "non-real dtypes and objects", TypeError, lambda v: [[1.0, 2.0], [3.0]]),
    Corruption("masked entry", "masked arrays", ValueError, _masked),
    *(
        [Corruption("longdouble", "non-real dtypes and objects", TypeError, lambda v: v.astype(np.longdouble))]
        if LONG_DOUBLE
        else []
    ),
]

MATRIX_SHAPES = [
    Corruption("rank-1", "wrong rank or shape", ValueError, lambda v: v.ravel()),
    Corruption("rank-3", "wrong rank or shape", ValueError, lambda v: v[..., None]),
    Corruption("0-d", "wrong rank or shape", ValueError, lambda v: v.ravel()[0]),
    Corruption("no columns", "empty (m = 0 or n = 0)", ValueError, lambda v: v[:, :0]),
    Corruption("no rows", "empty (m = 0 or n = 0)", ValueError, lambda v: v[:0]),
]
EXTRA_ROW = Corruption(
    "one row too many", "wrong rank or shape", ValueError, lambda v: _append(v, 0), names_partner=True
)
EXTRA_COLUMN = Corruption(
    "one column too many", "wrong rank or shape", ValueError, lambda v: _append(v, 1), names_partner=True
)

PROBABILITIES = [
    Corruption("AL = 1.5", "probabilities outside [0, 1]", ValueError, lambda v: _with(v, 1.5)),
    Corruption("AL = -0.1", "probabilities outside [0, 1]", ValueError, lambda v: _with(v, -0.1)),
]
LABELS = [
    Corruption("label 2", "labels outside {0, 1}", ValueError, lambda v: _with(v, 2)),
    Corruption("label -1", "labels outside {0, 1}", ValueError, lambda v: _with(v, -1)),
    Corruption("label 0.5", "labels outside {0, 1}", ValueError, lambda v: _with(v, 0.5)),
]
PAIRED = [
    Corruption(
        "shape unlike its partner",
        "wrong rank or shape",
        ValueError,
        lambda v: np.zeros(np.size(v) + 1),
        names_partner=True,
    )
]
IMAGE = [
    Corruption("rank-2", "wrong rank or shape", ValueError, lambda v: v[..., 0]),
    Corruption("rank-4", "wrong rank or shape", ValueError, lambda v: v[..., None]),
]
SCALAR = [
    Corruption("two numbers", "bias b not a number", ValueError, lambda v: [v, v]),
    Corruption("nan", "non-finite values (nan, inf)", ValueError, lambda v: float("nan")),
    Corruption("inf", "non-finite values (nan, inf)", ValueError, lambda v: float("inf")),
    Corruption("string", "bias b not a number", TypeError, lambda v: "0.5"),
    Corruption("None", "bias b not a number", TypeError, lambda v: None),
    Corruption("complex", "bias b not a number", TypeError, lambda v: complex(v, 1)),
]


def _set(mapping, key, value):
    return {**mapping, key: value}


def _without(mapping, key):
    return {k: v for k, v in mapping.items() if k != key}


def _last(mapping, letter):
    return f"{letter}{len(mapping) // 2}"


def _dict_corruptions(prefix, what):
    W1, b1 = f"{prefix}W1", f"{prefix}b1"
    kind = f"{what} structure and shapes"
    return [
        Corruption("a list of arrays", kind, TypeError, lambda v: list(v.values())),
        Corruption("None", kind, TypeError, lambda v: None),
        Corruption("empty dict", kind, ValueError, lambda v: {}),
        Corruption(f"missing last {prefix}b", kind, ValueError, lambda v: _without(v, _last(v, prefix + "b"))),
        Corruption(f"missing {W1}", kind, ValueError, lambda v: _without(v, W1)),
        Corruption("an extra key 'c1'", kind, ValueError, lambda v: _set(v, "c1", np.zeros((1, 1)))),
        Corruption("an integer key", kind, ValueError, lambda v: _set(v, 1, np.zeros((1, 1)))),
        Corruption(
            f"{W1} with a column too many",
            kind,
            ValueError,
            lambda v: _set(v, W1, _append(v[W1], 1)),
            names_partner=True,
        ),
        Corruption(f"{b1} rank-1", kind, ValueError, lambda v: _set(v, b1, v[b1].ravel())),
        Corruption(f"{b1} of another layer's size", kind, ValueError, lambda v: _set(v, b1, _append(v[b1], 0))),
        Corruption(
            f"nan in {W1}", "non-finite values (nan, inf)", ValueError, lambda v: _set(v, W1, _with(v[W1], np.nan))
        ),
        Corruption(
            f"inf in last {prefix}b",
            "non-finite values (nan, inf)",
            ValueError,
            lambda v: _set(v, _last(v, prefix + "b"), _with(v[_last(v, prefix + "b")], np.inf)),
        ),
        Corruption(
            f"complex {W1}", "non-real dtypes and objects", TypeError, lambda v: _set(v, W1, v[W1].astype(complex))
        ),
        Corruption(f"string {b1}", "non-real dtypes and objects", TypeError, lambda v: _set(v, b1, v[b1].astype(str))),
        Corruption(f"{W1} None", "non-real dtypes and objects", TypeError, lambda v: _set(v, W1, None)),
    ]


ACTIVATION_NAMES = [
    Corruption("a string, not a list", "activation names", TypeError, lambda v: v[0]),
    Corruption("None", "activation names", TypeError, lambda v: None),
    Corruption("an integer", "activation names", TypeError, lambda v: 3),
    Corruption("an unknown name", "activation names", ValueError, lambda v: ["swish", *v[1:]]),
    Corruption("a name in capitals", "activation names", ValueError, lambda v: [v[0].upper(), *v[1:]]),
    Corruption("a number among the names", "activation names", TypeError, lambda v: [1, *v[1:]]),
    Corruption("one name too many", "activation names", ValueError, lambda v: [*v, "relu"]),
    Corruption("one name too few", "activation names", ValueError, lambda v: list(v[:-1])),
    Corruption("an empty list", "activation names", ValueError, lambda v: []),
]
OUTPUT_ACTIVATIONS = ACTIVATION_NAMES + [
    Corruption("a tanh output layer", "activation names", ValueError, lambda v: [*v[:-1], "tanh"]),
]
ACTIVATION = [
    Corruption("an unknown name", "activation names", ValueError, lambda v: "softplus"),
    Corruption("an empty name", "activation names", ValueError, lambda v: ""),
    Corruption("None", "activation names", TypeError, lambda v: None),
    Corruption("a list of one name", "activation names", TypeError, lambda v: [v]),
    Corruption("an integer", "activation names", TypeError, lambda v: 0),
]
RATE = [
    Corruption("0", "learning rate (or epsilon) not > 0 and finite", ValueError, lambda v: 0),
    Corruption("negative", "learning rate (or epsilon) not > 0 and finite", ValueError, lambda v: -0.1),
    Corruption("nan", "learning rate (or epsilon) not > 0 and finite", ValueError, lambda v: float("nan")),
    Corruption("inf", "learning rate (or epsilon) not > 0 and finite", ValueError, lambda v: float("inf")),
    Corruption("10**400", "learning rate (or epsilon) not > 0 and finite", ValueError, lambda v: 10**400),
    Corruption("-10**400", "learning rate (or epsilon) not > 0 and finite", ValueError, lambda v: -(10**400)),
    Corruption("a string", "learning rate (or epsilon) not a number", TypeError, lambda v: "0.1"),
    Corruption("None", "learning rate (or epsilon) not a number", TypeError, lambda v: None),
    Corruption("True", "learning rate (or epsilon) not a number", TypeError, lambda v: True),
    Corruption("complex", "learning rate (or epsilon) not a number", TypeError, lambda v: 0.1 + 0j),
    Corruption("a 1-element list", "learning rate (or epsilon) not a number", TypeError, lambda v: [0.1]),
    Corruption("a 0-d array", "learning rate (or epsilon) not a number", TypeError, lambda v: np.array(0.1)),
]
COUNT = [
    Corruption("1.5", "count not an integer", TypeError, lambda v: 1.5),
    Corruption("2.0", "count not an integer", TypeError, lambda v: 2.0),
    Corruption("np.float64(2)", "count not an integer", TypeError, lambda v: np.float64(2)),
    Corruption("a string", "count not an integer", TypeError, lambda v: "3"),
    Corruption("None", "count not an integer", TypeError, lambda v: None),
    Corruption("True", "count not an integer", TypeError, lambda v: True),
]
COUNT0 = COUNT + [Corruption("-1", "count out of range", ValueError, lambda v: -1)]
COUNT1 = COUNT + [Corruption("0", "count out of range", ValueError, lambda v: 0)]


def _cache_field(field, change):
    return lambda cache: cache._replace(**{field: change(getattr(cache, field))})


CACHE_BASICS = [
    Corruption("a list of its fields", "caches", TypeError, lambda c: list(c)),
    Corruption("None", "caches", TypeError, lambda c: None),
    Corruption("a dict", "caches", TypeError, lambda c: c._asdict()),
    Corruption("a 4-tuple", "caches", TypeError, lambda c: tuple(c)[:4]),
    Corruption("A_prev rank-1", "caches", ValueError, _cache_field("A_prev", np.ravel)),
    Corruption(
        "A_prev with no samples", "empty (m = 0 or n = 0)", ValueError, _cache_field("A_prev", lambda a: a[:, :0])
    ),
    Corruption("W with a column too many", "caches", ValueError, _cache_field("W", lambda a: _append(a, 1))),
    Corruption("b with a row too many", "caches", ValueError, _cache_field("b", lambda a: _append(a, 0))),
    Corruption("Z with a column too many", "caches", ValueError, _cache_field("Z", lambda a: _append(a, 1))),
    Corruption("nan in W", "non-finite values (nan, inf)", ValueError, _cache_field("W", lambda a: _with(a, np.nan))),
    Corruption(
        "inf in A_prev", "non-finite values (nan, inf)", ValueError, _cache_field("A_prev", lambda a: _with(a, np.inf))
    ),
    Corruption("complex W", "non-real dtypes and objects", TypeError, _cache_field("W", lambda a: a.astype(complex))),
]
CACHE = CACHE_BASICS + [
    Corruption("a linear cache (A_prev, W, b) without Z", "caches", TypeError, lambda c: tuple(c)[:3]),
]
CACHES = [
    Corruption("one LayerCache, not a list", "caches", TypeError, lambda cs: cs[0]),
    Corruption("None", "caches", TypeError, lambda cs: None),
    Corruption("an empty list", "caches", ValueError, lambda cs: []),
    Corruption("the last one missing", "caches", ValueError, lambda cs: cs[:-1]),
    Corruption("a string among them", "caches", TypeError, lambda cs: [*cs[:-1], "cache"]),
    Corruption(
        "nan in the first A_prev",
        "non-finite values (nan, inf)",
        ValueError,
        lambda cs: [_cache_field("A_prev", lambda a: _with(a, np.nan))(cs[0]), *cs[1:]],
    ),
    Corruption(
        "the last Z of another batch",
        "caches",
        ValueError,
        lambda cs: [*cs[:-1], _cache_field("Z", lambda a: _append(a, 1))(cs[-1])],
        names_partner=True,
    ),
]

ROLES = {
    "array": NOT_REAL,
    "paired": NOT_REAL + PAIRED,
    "matrix": NOT_REAL + MATRIX_SHAPES,
    "column": NOT_REAL + MATRIX_SHAPES,
    "probabilities": NOT_REAL + MATRIX_SHAPES + PROBABILITIES,
    "labels": NOT_REAL + MATRIX_SHAPES + LABELS,
    "image": NOT_REAL + IMAGE,
    "scalar": SCALAR,
    "parameters": _dict_corruptions("", "parameters"),
    "grads": _dict_corruptions("d", "grads"),
    "activations": ACTIVATION_NAMES,
    "output_activations": OUTPUT_ACTIVATIONS,
    "activation": ACTIVATION,
    "rate": RATE,
    "count0": COUNT0,
    "count1": COUNT1,
    "linear_cache": CACHE_BASICS,
    "cache": CACHE,
    "caches": CACHES,
}


def corruptions(spec):
    found = list(ROLES[spec.role])
    if spec.rows_bound:
        found.append(EXTRA_ROW)
    if spec.cols_bound:
        found.append(EXTRA_COLUMN)
    return found


#: Every (function, argument, corruption) tried.
CASES = [
    pytest.param(name, arg, corruption, id=f"{name}-{arg}-{corruption.label}")
    for name, args in SIGNATURES.items()
    for arg, spec in args.items()
    for corruption in corruptions(spec)
]


def _names(name):
    return [a for a in SIGNATURES[name]] + (["layer_dims", "parameters", "W1"] if name in ENTRY_POINTS else [])


def _mentions(message, word):
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", message) is not None


def _examples(count):
    """A few examples per case, scaled with the Hypothesis profile (20 by default)."""
    return settings(max_examples=max(2, settings.default.max_examples * count // 20))


@pytest.mark.parametrize("name, arg, corruption", CASES)
@_examples(3)
@given(data=st.data())
def test_a_bad_argument_raises_the_documented_error(name, arg, corruption, data):
    arguments = data.draw(valid_call(name), label="valid call")
    arguments[arg] = corruption.change(arguments[arg])
    messages = {}
    for tier_name in tiers_defining(name):
        with pytest.raises(corruption.error) as raised:
            call(tier_name, name, arguments)
        assert type(raised.value) in (ValueError, TypeError), f"{tier_name}: {type(raised.value).__name__}"
        messages[tier_name] = str(raised.value)
    assert len(set(messages.values())) == 1, f"the tiers' messages differ: {messages}"
    message = messages.popitem()[1]
    named = [arg] if not corruption.names_partner else _names(name)
    assert any(_mentions(message, word) for word in named), f"{message!r} names none of {named}"


# --------------------------------------------------------------------------
# Valid variants: other accepted forms of the same values
# --------------------------------------------------------------------------


def _fortran(a):
    return np.asfortranarray(a) if a.ndim >= 2 else a.copy()  # asfortranarray makes 0-d arrays 1-D


def _read_only(a):
    a.flags.writeable = False
    return a


def _strided(a):
    """The same values as a view with gaps between them (every other entry of a bigger array)."""
    if a.ndim == 0:
        return a.copy()
    big = np.zeros(tuple(2 * s for s in a.shape), a.dtype)
    view = big[tuple(slice(None, None, 2) for _ in a.shape)]
    view[...] = a
    return view


VARIANTS = {
    "Fortran order": _fortran,
    "strided view": _strided,
    "nested list": lambda a: a.tolist(),
    "int64": lambda a: np.round(a).astype(np.int64),
    "bool": lambda a: np.round(np.clip(a, 0, 1)).astype(bool),
    "float16": lambda a: a.astype(np.float16),
    "read-only": lambda a: _read_only(a.copy()),
    "np.frombuffer": lambda a: _read_only(np.frombuffer(a.tobytes(), a.dtype).reshape(a.shape)),
}
LABEL_VARIANTS = ["Fortran order", "strided view", "nested list", "int64", "bool", "read-only", "np.frombuffer"]

#: Roles whose arguments are handed over in other forms (AL, caches and parameters keep theirs).
VARIED_ROLES = {"array", "paired", "matrix", "column", "image", "labels"}


def _own_float(dtype):
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def _fixed_arrays(arguments):
    """The arrays of the call that are not varied: parameters, caches, AL."""
    for key in ("parameters", "cache", "caches", "AL"):
        value = arguments.get(key)
        if isinstance(value, dict):
            yield from value.values()
        elif isinstance(value, LayerCache):
            yield from (f for f in value if f is not None)
        elif isinstance(value, list):
            yield from (f for c in value for f in c if f is not None)
        elif value is not None:
            yield value


@pytest.mark.parametrize("name", [n for n in SIGNATURES if n not in ENTRY_POINTS])
@_examples(8)
@given(data=st.data())
def test_accepted_forms_give_the_same_result(name, data):
    """Each argument in a form nncore converts gives the result of its values as a C-ordered float array.

    The float dtype is the validation's rule: float32 if every floating input
    is float32 (float16 counts as float32), integer and boolean arrays and the
    labels do not vote, float64 otherwise.
    """
    arguments = data.draw(valid_call(name), label="valid call")
    varied = [arg for arg, spec in SIGNATURES[name].items() if spec.role in VARIED_ROLES]
    changed = dict(arguments)
    for arg in varied:
        choices = LABEL_VARIANTS if SIGNATURES[name][arg].role == "labels" else list(VARIANTS)
        variant = data.draw(st.sampled_from(["C order", *choices]), label=f"{arg} as")
        if variant != "C order":
            changed[arg] = VARIANTS[variant](arguments[arg])
    voters = [np.asarray(changed[a]) for a in varied if SIGNATURES[name][a].role != "labels"]
    floats = [_own_float(a.dtype) for a in [*voters, *_fixed_arrays(changed)] if a.dtype.kind == "f"]
    dtype = np.result_type(*floats) if floats else np.dtype(np.float64)
    canonical = dict(changed)
    for arg in varied:
        a = np.asarray(changed[arg])
        canonical[arg] = np.array(a, dtype=_own_float(a.dtype) if a.dtype.kind == "f" else dtype, order="C")
    for tier_name in tiers_defining(name):
        ours = call(tier_name, name, changed)
        ref = call(tier_name, name, canonical)
        assert_tiers_agree(f"{tier_name}.{name}", ours, ref, dtype=dtype)


# --------------------------------------------------------------------------
# The tally for the closing note: python tests/test_fuzz.py
# --------------------------------------------------------------------------


def tally():
    """(kind, error) -> number of (function, argument, bad value) cases, and the functions covered."""
    counts = Counter()
    for case in CASES:
        name, arg, corruption = case.values
        counts[corruption.kind, corruption.error.__name__] += 1
    return counts


def test_every_interface_function_is_fuzzed():
    fuzzed = {case.values[0] for case in CASES}
    assert set(SPEC) <= fuzzed
    assert sum(tally().values()) == len(CASES)


def test_hypothesis_keeps_an_example_database():
    """With none, each of the 1127 cases above looks it up one stack frame deeper (see conftest)."""
    assert settings().database is not None


if __name__ == "__main__":
    counts = tally()
    width = max(len(kind) for kind, _ in counts)
    for (kind, error), n in sorted(counts.items()):
        print(f"{kind:<{width}}  {error:<10} {n:4d}")
    print(
        f"{'total':<{width}}  {'':<10} {sum(counts.values()):4d} cases over {len(SIGNATURES)} entry points, "
        f"each tried on {', '.join(TIERS)}"
    )
