"""The cheap paths of the checked calls (issue 11, item 4): the same contract as the full checks, for less.

* :func:`nncore.validation.all_finite`, which every finiteness check goes through, is exact: False for
  any array with a nan or an inf anywhere (every position, both dtypes, any memory order), True for
  finite arrays whose sum overflows (``[1e308, 1e308]``), and it never warns.
* A predicate of :data:`nncore.validation.FAST_CHECKS` may say True only when the full checker
  would return the very arguments it was given; it never raises, whatever it is given. Hypothesis
  draws valid calls and spoils them one argument at a time to try it.
* :func:`nncore.contract.implements` skips the checker exactly then: positional calls of valid,
  ready arrays; keywords, conversions and errors take the checker, so the messages are the
  checker's, word for word.
"""

import inspect
import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers import TIERS
from nncore import contract, validation
from nncore.interface import ACTIVATIONS, SPEC, LayerCache

FLOATS = [np.float64, np.float32]
BAD = [np.nan, np.inf, -np.inf]

# --------------------------------------------------------------------------
# all_finite
# --------------------------------------------------------------------------


def _layouts(a):
    """`a` (2-D) as it is, Fortran-ordered, and as a strided view holding the same entries."""
    wide = np.zeros((a.shape[0], 2 * a.shape[1]), a.dtype)
    wide[:, ::2] = a
    return {"C": a, "F": np.asfortranarray(a), "strided": wide[:, ::2]}


SIZES = sorted({1, 2, 3, 4, 7, 8, 15, validation._TINY_SIZE, validation._TINY_SIZE + 1, 17, 33, 800})


def _compiled_finite(*arrays):
    """The JIT tier's compiled check (:func:`nncore.kernels.elementwise.finite`), which the fast paths
    use once the JIT tier is imported (:func:`nncore.validation.use_finite_check`)."""
    from nncore.kernels.elementwise import finite

    return finite(*arrays)


#: The finiteness checks the fast paths may use; each must answer exactly as the other.
FINITE_CHECKS = {"numpy": validation.all_finite, "compiled": _compiled_finite}


@pytest.mark.parametrize("check", FINITE_CHECKS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", FLOATS, ids=["float64", "float32"])
def test_a_bad_entry_at_any_position_is_found(dtype, size, check):
    all_finite = FINITE_CHECKS[check]
    rows = 2 if size % 2 == 0 else 1
    base = np.arange(size, dtype=dtype).reshape(rows, -1) - size / 2
    for layout, a in _layouts(base).items():
        assert all_finite(a) is True, layout
    positions = range(size) if size <= 64 else [0, 1, size // 2, size - 2, size - 1]
    for flat, bad in itertools.product(positions, BAD):
        a = base.copy()
        a.reshape(-1)[flat] = bad
        for layout, view in _layouts(a).items():
            assert all_finite(view) is False, (layout, flat, bad)


@pytest.mark.parametrize("check", FINITE_CHECKS)
@pytest.mark.parametrize("dtype", FLOATS, ids=["float64", "float32"])
@pytest.mark.parametrize("size", [2, 8, validation._TINY_SIZE + 2, 800, validation._SUM_FIRST_SIZE])
def test_finite_entries_whose_sum_overflows_are_finite(dtype, size, check):
    all_finite = FINITE_CHECKS[check]
    largest = np.finfo(dtype).max
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        same_sign = np.full(size, largest, dtype)
        assert all_finite(same_sign) is True
        alternating = same_sign.copy()
        alternating[1::2] = -largest
        assert all_finite(alternating) is True
        assert all_finite(np.array([1e308, 1e308])) is True
        for bad in BAD:
            spoilt = same_sign.copy()
            spoilt[-1] = bad
            assert all_finite(spoilt) is False
            assert all_finite(spoilt[::-1]) is False


def test_empty_scalar_and_other_dtypes():
    assert validation.all_finite(np.empty((0, 3))) is True
    assert validation.all_finite(np.array(2.0)) is True
    assert validation.all_finite(np.array(np.nan, np.float32)) is False
    assert validation.all_finite(np.array([1, 2], np.int64)) is True
    assert validation.all_finite(np.array([np.inf], np.float16)) is False
    assert validation.all_finite(np.array([1.0, np.nan], ">f8")) is False
    assert validation.all_finite(np.array([1e300, 1e300], ">f8")) is True


#: The checks of several arrays at once that the fast paths call (:func:`validation.use_finite_check`).
EACH_FINITE_CHECKS = {"numpy": validation._each_finite, "compiled": _compiled_finite}


@pytest.mark.parametrize("check", EACH_FINITE_CHECKS)
@pytest.mark.parametrize("count", [1, 2, 3])
def test_finite_check_of_several_arrays(check, count):
    each_finite = EACH_FINITE_CHECKS[check]
    rng = np.random.default_rng(count)
    # A layer's arrays: mixed dtypes and layouts, one of them a (n, 1) bias.
    arrays = [rng.standard_normal((3, 5)), np.asfortranarray(rng.standard_normal((4, 3))), rng.standard_normal((4, 1))]
    arrays[1] = arrays[1].astype(np.float32)
    arrays = arrays[:count]
    assert each_finite(*arrays) is True
    for position, bad in itertools.product(range(count), BAD):
        spoilt = [a.copy(order="A") for a in arrays]
        spoilt[position].flat[-1] = bad
        assert each_finite(*spoilt) is False, (position, bad)


def test_jit_tier_registers_the_compiled_check():
    import nncore.jit  # noqa: F401  (registers the check when first imported)
    from nncore.kernels.elementwise import finite

    assert validation._finite_check is finite


float_arrays = st.sampled_from(FLOATS).flatmap(
    lambda dtype: hnp.arrays(
        dtype,
        hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=40),
        elements=st.floats(width=np.finfo(dtype).bits, allow_nan=True, allow_infinity=True),
    )
)


@settings(max_examples=300)
@given(float_arrays)
def test_all_finite_is_isfinite_all(a):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert validation.all_finite(a) is bool(np.isfinite(a).all())
        if a.ndim:
            assert validation.all_finite(a[..., ::-1]) is bool(np.isfinite(a).all())
        if a.dtype in validation._FLOATS:  # the compiled check the fast paths use with the JIT tier
            assert _compiled_finite(a) is bool(np.isfinite(a).all())


def test_require_finite_message_is_unchanged():
    a = np.zeros((2, 3))
    a[1, 0] = np.inf
    a[1, 2] = np.nan
    with pytest.raises(ValueError) as raised:
        validation.require_finite(a, "A_prev")
    assert str(raised.value) == (
        "A_prev must be finite; it holds 1 nan and 1 inf values (the first at index (1, 0)). Remove or impute "
        "them first, e.g. with np.nan_to_num, or lower the learning rate if they came from training."
    )


# --------------------------------------------------------------------------
# The predicates agree with the checkers
# --------------------------------------------------------------------------


def _normal(rng, shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


@st.composite
def valid_call(draw, name):
    """Valid positional arguments of `name`, as ready float arrays."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from(FLOATS))
    n_prev, n, m = (draw(st.integers(1, 5)) for _ in range(3))
    activation = draw(st.sampled_from(ACTIVATIONS))
    if name in ACTIVATIONS or name == "sigmoid_derivative":
        return (_normal(rng, draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)), dtype),)
    if name.endswith("_backward") and name[: -len("_backward")] in ACTIVATIONS or name in ("l1_loss", "l2_loss"):
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
        return _normal(rng, shape, dtype), _normal(rng, shape, dtype)
    A_prev, W, b = _normal(rng, (n_prev, m), dtype), _normal(rng, (n, n_prev), dtype), _normal(rng, (n, 1), dtype)
    if name == "linear_forward":
        return A_prev, W, b
    if name == "linear_activation_forward":
        return A_prev, W, b, activation
    Z = W @ A_prev + b
    A = draw(st.sampled_from([None, np.tanh(Z)]))
    cache = LayerCache(A_prev, W, b, draw(st.sampled_from([Z, None])) if name == "linear_backward" else Z, A)
    grad = _normal(rng, (n, m), dtype)
    return (grad, cache) if name == "linear_backward" else (grad, cache, activation)


class _Sub(np.ndarray):
    pass


def _read_only(a):
    a = a.copy()
    a.flags.writeable = False
    return a


def _with(a, value):
    a = a.copy()
    if a.size:
        a.reshape(-1)[a.size // 2] = value
    return a


#: Ways to spoil or to reshape an array argument: each gives something the checker refuses or converts.
ARRAY_CHANGES = {
    "nan": lambda a: _with(a, np.nan),
    "inf": lambda a: _with(a, np.inf),
    "-inf": lambda a: _with(a, -np.inf),
    "huge": lambda a: _with(a, np.finfo(a.dtype).max),  # finite: the fast path may take it
    "list": lambda a: a.tolist(),
    "float16": lambda a: a.astype(np.float16),
    "int": lambda a: a.astype(np.int64),
    "bool": lambda a: a > 0,
    "other float": lambda a: a.astype(np.float32 if a.dtype == np.float64 else np.float64),
    "byte-swapped": lambda a: a.astype(a.dtype.newbyteorder()),
    "complex": lambda a: a.astype(np.complex128),
    "object": lambda a: a.astype(object),
    "read-only": _read_only,
    "subclass": lambda a: a.view(_Sub),
    "masked": lambda a: np.ma.masked_array(a),
    "Fortran": np.asfortranarray,
    "strided": lambda a: np.repeat(a, 2, axis=-1)[..., ::2] if a.ndim else a,
    "transposed": lambda a: a.T,
    "rank-1": lambda a: a.reshape(-1),
    "extra axis": lambda a: a[..., None],
    "no columns": lambda a: a[..., :0] if a.ndim else a,
    "no rows": lambda a: a[:0] if a.ndim else a,
    "scalar": lambda a: np.float64(a.reshape(-1)[0]) if a.size else 0.0,
    "none": lambda a: None,
}

#: Ways to spoil the activation's name.
ACTIVATION_CHANGES = {
    "unknown": lambda s: "softplus",
    "upper case": str.upper,
    "str subclass": lambda s: type("Name", (str,), {})(s),
    "numpy str": np.str_,
    "bytes": str.encode,
    "none": lambda s: None,
    "array": lambda s: np.array([s]),
    "number": lambda s: 1,
}


def _change_cache(cache, draw):
    how = draw(st.sampled_from(["field", "course tuple", "linear tuple", "subclass", "list", "no Z"]))
    if how == "field":
        fields = [f for f, value in zip(LayerCache._fields, cache) if isinstance(value, np.ndarray)]
        field = draw(st.sampled_from(fields))
        change = ARRAY_CHANGES[draw(st.sampled_from(sorted(ARRAY_CHANGES)))]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return cache._replace(**{field: change(getattr(cache, field))})
    if how == "course tuple":
        return ((cache.A_prev, cache.W, cache.b), cache.Z)
    if how == "linear tuple":
        return (cache.A_prev, cache.W, cache.b)
    if how == "subclass":
        return type("Cache", (LayerCache,), {})(*cache)
    if how == "list":
        return list(cache)
    return cache._replace(Z=None)


@st.composite
def changed_call(draw, name):
    """A valid call of `name`, with none, one or two of its arguments spoilt or converted."""
    args = list(draw(valid_call(name)))
    for _ in range(draw(st.integers(0, 2))):
        position = draw(st.integers(0, len(args) - 1))
        value = args[position]
        if isinstance(value, str):
            args[position] = ACTIVATION_CHANGES[draw(st.sampled_from(sorted(ACTIVATION_CHANGES)))](value)
        elif isinstance(value, LayerCache):
            args[position] = _change_cache(value, draw)
        elif isinstance(value, np.ndarray) and value.dtype.kind == "f":  # a second change needs floats
            change = ARRAY_CHANGES[draw(st.sampled_from(sorted(ARRAY_CHANGES)))]
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # nan to int, a second change over a first: the checker's business
                args[position] = change(value)
    return tuple(args)


def _same(returned, given):
    if isinstance(given, LayerCache):
        return type(returned) is LayerCache and all(r is g for r, g in zip(returned, given))
    return returned is given


@pytest.mark.parametrize("name", sorted(validation.FAST_CHECKS))
@settings(max_examples=150)
@given(data=st.data())
def test_a_fast_yes_is_the_checkers_answer(name, data):
    """True from a predicate: the checker accepts and returns these very arguments; it never raises."""
    args = data.draw(changed_call(name))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fast = validation.FAST_CHECKS[name](*args)
    assert fast is True or fast is False
    try:
        checked = validation.CHECKS[name](**dict(zip(inspect.signature(SPEC[name]).parameters, args)))
    except Exception:  # the documented TypeError or ValueError, or a gap of the checker's: never a fast yes
        assert fast is False
        return
    if fast:
        assert all(_same(value, given) for value, given in zip(checked.values(), args))


@pytest.mark.parametrize("name", sorted(validation.FAST_CHECKS))
@settings(max_examples=30)
@given(data=st.data())
def test_valid_ready_arrays_take_the_fast_path(name, data):
    args = data.draw(valid_call(name))
    assert validation.FAST_CHECKS[name](*args) is True


def test_every_fast_path_is_an_interface_function_of_its_arity():
    for name, fast in validation.FAST_CHECKS.items():
        assert name in validation.CHECKS
        assert len(inspect.signature(fast).parameters) == len(inspect.signature(SPEC[name]).parameters), name


def test_the_layer_predicates_on_hand_picked_cases():
    rng = np.random.default_rng(0)
    A_prev, W, b = rng.standard_normal((2, 400)), rng.standard_normal((4, 2)), rng.standard_normal((4, 1))
    fast = validation.FAST_CHECKS["linear_activation_forward"]
    assert fast(A_prev, W, b, "tanh")
    assert fast(A_prev.astype(np.float32), W.astype(np.float32), b.astype(np.float32), "relu")
    assert fast(np.asfortranarray(A_prev), W, b, "sigmoid")  # order is left as it is, by both paths
    assert not fast(A_prev, W, b, "Tanh")
    assert not fast(A_prev, W.astype(np.float32), b, "tanh")  # two dtypes: the checker casts
    assert not fast(A_prev, W, b.reshape(-1), "tanh")
    assert not fast(A_prev, W.T, b, "tanh")
    assert not fast(A_prev[:, :0], W, b, "tanh")
    assert fast(np.full((2, 400), 1e308), W, b, "tanh")  # finite, however large
    for array in range(3):
        for bad in BAD:
            args = [A_prev, W, b]
            args[array] = _with(args[array], bad)
            assert not fast(*args, "tanh")


# --------------------------------------------------------------------------
# The contract's wrapper
# --------------------------------------------------------------------------


def _spied(monkeypatch, name):
    """A fresh @implements wrapper of `name` over a recording function, with the checker counted."""
    calls = {"check": 0, "func": []}
    check = validation.CHECKS[name]

    def counting_check(**kwargs):
        calls["check"] += 1
        return check(**kwargs)

    monkeypatch.setitem(validation.CHECKS, name, counting_check)
    parameters = list(inspect.signature(SPEC[name]).parameters)
    namespace = {}
    exec(f"def {name}({', '.join(parameters)}):\n    return ({', '.join(parameters)},)", namespace)
    recorded = namespace[name]

    def func(*args, **kwargs):
        calls["func"].append((args, kwargs))
        return recorded(*args, **kwargs)

    func.__signature__ = inspect.signature(recorded)
    func.__name__ = name
    return contract.implements(func), calls


def test_a_valid_positional_call_skips_the_checker_and_passes_the_arguments_on(monkeypatch):
    checked, calls = _spied(monkeypatch, "linear_activation_forward")
    rng = np.random.default_rng(1)
    A_prev, W, b = rng.standard_normal((2, 5)), rng.standard_normal((3, 2)), rng.standard_normal((3, 1))
    returned = checked(A_prev, W, b, "relu")
    assert calls["check"] == 0
    assert all(r is g for r, g in zip(returned, (A_prev, W, b, "relu")))
    checked(A_prev, W, b, activation="relu")  # keywords: the checker, as before
    assert calls["check"] == 1
    returned = checked(A_prev.tolist(), W, b, "relu")  # a conversion: the checker
    assert calls["check"] == 2 and type(returned[0]) is np.ndarray
    with pytest.raises(ValueError) as raised:
        checked(_with(A_prev, np.nan), W, b, "relu")
    assert calls["check"] == 3
    assert str(raised.value).startswith("A_prev must be finite; it holds 1 nan and 0 inf values")
    with pytest.raises(TypeError, match="missing a required argument: 'activation'"):
        checked(A_prev, W, b)  # the binding's own error
    with pytest.raises(TypeError, match="too many positional arguments"):
        checked(A_prev, W, b, "relu", "extra")


def test_functions_without_a_fast_path_always_check(monkeypatch):
    name = "compute_cost"
    assert name not in validation.FAST_CHECKS
    checked, calls = _spied(monkeypatch, name)
    checked(np.full((1, 3), 0.5), np.ones((1, 3)))
    assert calls["check"] == 1


# --------------------------------------------------------------------------
# The tiers: the same results and the same messages
# --------------------------------------------------------------------------


@pytest.mark.parametrize("tier", list(TIERS.values()), ids=list(TIERS))
@pytest.mark.parametrize("dtype", FLOATS, ids=["float64", "float32"])
def test_checked_layer_calls_equal_the_unchecked_ones(tier, dtype):
    rng = np.random.default_rng(2)
    A_prev, W, b = (rng.standard_normal(shape).astype(dtype) for shape in ((2, 40), (4, 2), (4, 1)))
    for activation in ACTIVATIONS:
        A, cache = tier.linear_activation_forward(A_prev, W, b, activation)
        expected, _ = tier.linear_activation_forward.unchecked(A_prev, W, b, activation)
        np.testing.assert_array_equal(A, expected)
        assert A.dtype == dtype and cache.A_prev is A_prev
        dA = rng.standard_normal(A.shape).astype(dtype)
        for got, want in zip(
            tier.linear_activation_backward(dA, cache, activation),
            tier.linear_activation_backward.unchecked(dA, cache, activation),
        ):
            np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(getattr(tier, activation)(A_prev), getattr(tier, activation).unchecked(A_prev))


@pytest.mark.parametrize("tier", list(TIERS.values()), ids=list(TIERS))
def test_the_messages_are_the_checkers(tier):
    rng = np.random.default_rng(3)
    A_prev, W, b = rng.standard_normal((2, 7)), rng.standard_normal((4, 2)), rng.standard_normal((4, 1))
    huge = np.full((2, 7), 1e308)
    A, _ = tier.linear_activation_forward(huge, np.full((4, 2), 1e-308), b, "tanh")  # finite: accepted
    assert np.isfinite(A).all()
    cases = [
        (_with(A_prev, np.nan), W, b, "tanh"),
        (A_prev, _with(W, np.inf), b, "tanh"),
        (A_prev, W, _with(b, -np.inf), "tanh"),
        (A_prev, W.T, b, "tanh"),
        (A_prev, W, b, "softplus"),
        (A_prev, W, b, None),
        (A_prev.astype(np.complex128), W, b, "tanh"),
        (A_prev, W, b.ravel(), "tanh"),
    ]
    for args in cases:
        with pytest.raises((TypeError, ValueError)) as expected:
            validation.check_linear_activation_forward(*args)
        with pytest.raises(type(expected.value)) as raised:
            tier.linear_activation_forward(*args)
        assert str(raised.value) == str(expected.value)


def _assert_same_result(got, expected):
    if isinstance(expected, (tuple, list)):
        assert type(got) is type(expected) and len(got) == len(expected)
        for g, e in zip(got, expected):
            _assert_same_result(g, e)
    elif isinstance(expected, np.ndarray):
        assert type(got) is np.ndarray and got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
    else:
        assert type(got) is type(expected)
        np.testing.assert_equal(got, expected)  # nan equals nan here


@pytest.mark.parametrize("tier", list(TIERS.values()), ids=list(TIERS))
@pytest.mark.parametrize("name", sorted(validation.FAST_CHECKS))
@settings(max_examples=20)
@given(data=st.data())
def test_a_positional_call_behaves_as_the_keyword_call(tier, name, data):
    """Keywords always take the checker; the same call made positionally gives the same result or error."""
    args = data.draw(changed_call(name))
    function = getattr(tier, name)
    keywords = dict(zip(inspect.signature(SPEC[name]).parameters, args))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # huge finite inputs may overflow in the math, alike both ways
        try:
            expected = function(**keywords)
        except Exception as error:  # whatever it is, e.g. Numba's TypingError on a byte-swapped array
            with pytest.raises(type(error)) as raised:
                function(*args)
            assert str(raised.value) == str(error)
            return
        got = function(*args)
    _assert_same_result(got, expected)


#: The tiers' own first tries (``implements(fast_call=...)``): (tier, name) pairs.
FAST_CALLS = [
    (tier_name, name)
    for tier_name, tier in TIERS.items()
    for name in sorted(validation.FAST_CHECKS)
    if getattr(getattr(tier, name), "fast_call", None) is not None
]


def _cache_fields_equal(got, expected):
    if isinstance(expected, LayerCache):
        assert type(got) is LayerCache
        assert got.A_prev is expected.A_prev and got.W is expected.W and got.b is expected.b
        np.testing.assert_array_equal(got.Z, expected.Z)
        np.testing.assert_array_equal(got.A, expected.A)
    else:
        _assert_same_result(got, expected)


@pytest.mark.skipif(not FAST_CALLS, reason="no tier has a fast call")
@pytest.mark.parametrize(("tier_name", "name"), FAST_CALLS, ids=[f"{t}-{n}" for t, n in FAST_CALLS])
@settings(max_examples=150)
@given(data=st.data())
def test_a_fast_call_answers_only_where_the_predicate_says_yes(tier_name, name, data):
    """A tier's fast call returns a result only for calls the checker returns unchanged, and then the
    unchecked function's result, bit for bit (the same arrays in the cache)."""
    args = data.draw(changed_call(name))
    function = getattr(TIERS[tier_name], name)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # huge finite inputs may overflow in the math
        got = function.fast_call(*args)
        if got is NotImplemented:
            return
        assert validation.FAST_CHECKS[name](*args) is True
        expected = function.unchecked(*args)
    if isinstance(expected, tuple):
        assert type(got) is tuple and len(got) == len(expected)
        for g, e in zip(got, expected):
            _cache_fields_equal(g, e)
    else:
        _assert_same_result(got, expected)


@pytest.mark.skipif("jit" not in TIERS, reason="the JIT tier is not installed")
def test_the_jit_tiers_small_layer_takes_its_fast_call():
    jit = TIERS["jit"]
    rng = np.random.default_rng(4)
    A_prev, W, b = rng.standard_normal((2, 400)), rng.standard_normal((4, 2)), rng.standard_normal((4, 1))
    for dtype in FLOATS:
        args = [a.astype(dtype) for a in (A_prev, W, b)]
        A, cache = jit.linear_activation_forward.fast_call(*args, "tanh")
        np.testing.assert_array_equal(A, jit.linear_activation_forward.unchecked(*args, "tanh")[0])
        assert cache.A_prev is args[0] and cache.A is A
        Z = jit.linear_forward.fast_call(*args)
        np.testing.assert_array_equal(Z, cache.Z)
    # Where it does not answer, the call goes the usual way: a Fortran-ordered input, a big layer, an
    # input that is not finite (then the checker's error).
    assert jit.linear_activation_forward.fast_call(np.asfortranarray(A_prev), W, b, "tanh") is NotImplemented
    assert jit.linear_forward.fast_call(rng.standard_normal((2, 2**17)), W, b) is NotImplemented
    spoilt = _with(A_prev, np.nan)
    assert jit.linear_activation_forward.fast_call(spoilt, W, b, "tanh") is NotImplemented
    with pytest.raises(ValueError, match="A_prev must be finite"):
        jit.linear_activation_forward(spoilt, W, b, "tanh")


def test_a_fast_call_needs_a_predicate():
    def compute_cost(AL, Y):
        return 0.0

    with pytest.raises(TypeError, match="a fast_call needs a predicate"):
        contract.implements(fast_call=lambda AL, Y: NotImplemented)(compute_cost)
