"""Properties every tier's activations and basics have, whatever the input (Hypothesis).

Ranges, monotonicity, the derivative identities, finiteness without warnings
at extreme inputs, and the softmax and row-normalization invariants. Each tier
is checked on its own, so these catch a mistake the reference shares.
Identities within one tier hold to a few ulps (:func:`ulps`), not to the
cross-tier tolerances.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

FORWARD = ["sigmoid", "tanh", "relu", "leaky_relu"]


def ulps(dtype, k=4):
    """k units in the last place of 1 in `dtype`: the tolerance of an identity within one tier."""
    return k * float(np.finfo(dtype).eps)


def vectors(dtype, bound=None, min_size=1, max_size=12):
    """1-D arrays of finite `dtype` entries, within +-bound when given."""
    bound = float(np.finfo(dtype).max) if bound is None else bound
    width = np.dtype(dtype).itemsize * 8
    elements = st.floats(-bound, bound, allow_nan=False, allow_infinity=False, width=width)
    return hnp.arrays(dtype, st.integers(min_size, max_size), elements=elements)


def matrices(dtype, elements, max_side=5):
    return hnp.arrays(dtype, st.tuples(st.integers(1, max_side), st.integers(1, max_side)), elements=elements)


def quietly(function, *args):
    """Call `function`, failing on any warning (overflow, invalid value, ...)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return function(*args)


def extremes(dtype):
    """The largest finite values, +-1e4 and +-1000, and a few ordinary ones."""
    big = float(np.finfo(dtype).max)
    return np.array([-big, -1e4, -1000.0, -1.0, 0.0, 1.0, 1000.0, 1e4, big], dtype)


# --------------------------------------------------------------------------
# Activations
# --------------------------------------------------------------------------


@given(data=st.data())
def test_ranges(any_tier, dtype, data):
    Z = data.draw(vectors(dtype))
    s, t = any_tier.sigmoid(Z), any_tier.tanh(Z)
    r, lr = any_tier.relu(Z), any_tier.leaky_relu(Z)
    assert ((0 <= s) & (s <= 1)).all()
    assert ((-1 <= t) & (t <= 1)).all()
    assert (r >= 0).all() and (r[Z > 0] == Z[Z > 0]).all()
    assert (np.sign(lr) * np.sign(Z) >= 0).all() and (np.abs(lr) <= np.abs(Z)).all() and (lr[Z > 0] == Z[Z > 0]).all()
    assert all(a.dtype == dtype and a.shape == Z.shape for a in (s, t, r, lr))


@pytest.mark.parametrize("name", FORWARD)
@given(data=st.data())
def test_monotone(any_tier, dtype, name, data):
    Z = np.sort(data.draw(vectors(dtype, bound=1e4)))
    assert (np.diff(getattr(any_tier, name)(Z).astype(np.float64)) >= 0).all()


@pytest.mark.parametrize("name", FORWARD)
def test_known_values(any_tier, dtype, name):
    points = [-3.0, -0.5, 0.0, 0.5, 3.0]
    A = getattr(any_tier, name)(np.array(points, dtype)).astype(np.float64)
    expected = {
        "sigmoid": [1 / (1 + math.exp(-z)) for z in points],
        "tanh": [math.tanh(z) for z in points],
        "relu": [0, 0, 0, 0.5, 3],
        "leaky_relu": [-0.03, -0.005, 0, 0.5, 3],
    }[name]
    np.testing.assert_allclose(A, expected, rtol=ulps(dtype), atol=ulps(dtype))


@given(data=st.data())
def test_derivative_identities(any_tier, dtype, data):
    Z = data.draw(vectors(dtype, bound=50.0))
    ones = np.ones_like(Z)
    s, t = any_tier.sigmoid(Z), any_tier.tanh(Z)
    tol = {"rtol": ulps(dtype), "atol": ulps(dtype)}
    np.testing.assert_allclose(any_tier.sigmoid_backward(ones, Z), s * (1 - s), **tol)
    np.testing.assert_allclose(any_tier.tanh_backward(ones, Z), 1 - t * t, **tol)
    np.testing.assert_allclose(any_tier.sigmoid_derivative(Z), any_tier.sigmoid_backward(ones, Z), **tol)
    dA = data.draw(vectors(dtype, bound=10.0, min_size=Z.size, max_size=Z.size))
    np.testing.assert_array_equal(any_tier.relu_backward(dA, Z), np.where(Z > 0, dA, 0))
    np.testing.assert_allclose(any_tier.leaky_relu_backward(dA, Z), np.where(Z > 0, dA, 0.01 * dA), **tol)
    np.testing.assert_allclose(any_tier.sigmoid_backward(dA, Z), dA * any_tier.sigmoid_backward(ones, Z), **tol)


@pytest.mark.parametrize(
    "name", ["sigmoid", "tanh", "relu", "leaky_relu", "sigmoid_derivative", "sigmoid_backward", "tanh_backward"]
)
def test_finite_and_silent_at_extremes(any_tier, dtype, name):
    Z = extremes(dtype)
    args = (Z,) if name in FORWARD + ["sigmoid_derivative"] else (np.ones_like(Z), Z)
    A = quietly(getattr(any_tier, name), *args)
    assert A.dtype == dtype and np.isfinite(A).all()
    if name == "sigmoid":
        assert A[0] == 0 and A[-1] == 1 and A[4] == 0.5
    if name in ("sigmoid_derivative", "sigmoid_backward", "tanh_backward"):
        assert A[0] == A[1] == A[-2] == A[-1] == 0


# --------------------------------------------------------------------------
# Softmax and row normalization
# --------------------------------------------------------------------------


def finite(dtype, bound=None):
    bound = float(np.finfo(dtype).max) if bound is None else bound
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False, width=np.dtype(dtype).itemsize * 8)


@given(data=st.data())
def test_softmax_rows_are_distributions(any_tier, dtype, data):
    """Any finite entries, the largest included: no overflow, rows in [0, 1] summing to 1."""
    x = data.draw(matrices(dtype, finite(dtype)))
    s = quietly(any_tier.softmax, x)
    assert s.dtype == dtype and ((0 <= s) & (s <= 1)).all()
    np.testing.assert_allclose(s.astype(np.float64).sum(axis=1), 1.0, rtol=0, atol=ulps(dtype, 2 * x.shape[1]))
    assert (s[np.arange(len(x)), x.argmax(axis=1)] == s.max(axis=1)).all()


@given(data=st.data(), shift=st.integers(-1000, 1000))
def test_softmax_is_shift_invariant(any_tier, dtype, data, shift):
    """Entries on a grid of 1/8 in [-50, 50]: x + shift and x - max are exact, so equality is exact."""
    x = data.draw(matrices(dtype, st.integers(-400, 400).map(lambda k: k / 8)))
    np.testing.assert_array_equal(any_tier.softmax(x + dtype.type(shift)), any_tier.softmax(x))


@given(data=st.data())
def test_normalize_rows_gives_unit_rows(any_tier, dtype, data):
    """Entries up to max / 100 (so a row's norm is finite); zero rows stay zero."""
    bound = 1e300 if dtype == np.float64 else float(np.float32(1e36))
    x = data.draw(matrices(dtype, finite(dtype, bound)))
    x[0] = 0
    y = quietly(any_tier.normalize_rows, x).astype(np.float64)
    assert (y[0] == 0).all() and (np.abs(y) <= 1 + ulps(dtype)).all()
    normal = np.abs(x).max(axis=1) >= np.finfo(dtype).tiny  # subnormal rows cannot be normalized to an ulp
    norms = np.array([math.hypot(*row) for row in y[normal]])
    np.testing.assert_allclose(norms, 1.0, rtol=0, atol=ulps(dtype, 2 + x.shape[1]))
    assert (np.sign(y) * np.sign(x) >= 0).all()  # signs kept (tiny entries may round to 0)


@given(data=st.data())
def test_losses(any_tier, dtype, data):
    yhat = data.draw(vectors(dtype, bound=100.0))
    y = data.draw(vectors(dtype, bound=100.0, min_size=yhat.size, max_size=yhat.size))
    l1, l2 = any_tier.l1_loss(yhat, y), any_tier.l2_loss(yhat, y)
    assert type(l1) is float and type(l2) is float and l1 >= 0 and l2 >= 0
    assert any_tier.l1_loss(y, y) == 0 and any_tier.l2_loss(y, y) == 0
    # Squares below the smallest normal number are subnormal in `dtype`, each rounded to within
    # half of its smallest subnormal: a relative bound alone fails there (float32: a difference of
    # 4.6e-22 squares to 2.158e-43 against 2.153e-43; found by the "thorough" profile).
    underflow = max(1e-300, y.size * float(np.finfo(dtype).smallest_subnormal))
    assert l2 <= l1 * float(np.abs(y.astype(np.float64) - yhat).max()) * (1 + ulps(dtype, y.size)) + underflow
