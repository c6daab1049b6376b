"""Numerical stability at the extremes, in every tier and dtype (issue 5, item 2).

Each function is called on inputs out to ``|z| = 1e4`` and to the largest
finite number of its dtype, under ``np.errstate(over/divide/invalid="raise")``
and with warnings as errors, so any overflow, division by zero or nan on the
way is a failure. Results must be finite and correct: equal, to a few units
in the last place, to a reference computed here with Python's ``math`` in
double precision by formulas that never overflow.

Values below the dtype's smallest normal number (``tiny``) may flush to zero,
so every comparison has an absolute floor of ``tiny``; derivatives such as
``s (1 - s)``, formed from a rounded ``s``, are exact only to ``eps`` in
absolute terms (their largest value is 0.25), so they get a floor of ``eps``.
"""

import math

import numpy as np
import pytest

import nncore
from nncore.interface import LEAKY_SLOPE

pytestmark = pytest.mark.filterwarnings("error")

#: Units in the last place allowed against the double-precision reference.
ULPS = 8


def raising():
    """Overflow, division by zero and invalid operations raise instead of warning."""
    return np.errstate(over="raise", divide="raise", invalid="raise")


def extremes(dtype):
    """A row of pre-activations from -max to +max: +-1e4, the exp overflow points, tiny, 0."""
    fi = np.finfo(dtype)
    positive = [float(fi.tiny), 1e-3, 1.0, 20.0, 40.0, 88.0, 100.0, 700.0, 750.0, 1000.0, 1e4, float(fi.max)]
    return np.array([[-z for z in reversed(positive)] + [0.0] + positive], dtype)


def sigmoid_ref(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def sigmoid_derivative_ref(z):
    """``e / (1 + e)**2`` with ``e = exp(-|z|)``: no cancellation, no overflow."""
    e = math.exp(-abs(z))
    return e / (1.0 + e) ** 2


def tanh_derivative_ref(z):
    """``1 - tanh(z)**2 = 4 e / (1 + e)**2`` with ``e = exp(-2|z|)``."""
    e = math.exp(-2.0 * abs(z))
    return 4.0 * e / (1.0 + e) ** 2


def assert_close(ours, ref, dtype, floor=None):
    """`ours` finite, of `dtype`, and within ULPS ulps of `ref` (absolute floor: tiny, or `floor`)."""
    fi = np.finfo(dtype)
    assert ours.dtype == dtype
    assert np.isfinite(ours).all(), ours
    atol = float(fi.tiny) if floor is None else floor
    np.testing.assert_allclose(ours.astype(np.float64), ref, rtol=ULPS * float(fi.eps), atol=atol)


def reference(function, Z):
    """`function` applied to each entry of Z as a Python float."""
    return np.array([[function(z) for z in row] for row in Z.astype(np.float64).tolist()])


# --------------------------------------------------------------------------
# Activations
# --------------------------------------------------------------------------


def test_sigmoid(any_tier, dtype):
    Z = extremes(dtype)
    with raising():
        A = any_tier.sigmoid(Z)
    assert_close(A, reference(sigmoid_ref, Z), dtype)
    assert (A >= 0).all() and (A <= 1).all()
    assert A[0, -1] == 1 and A[0, 0] == 0 and A[0, Z.shape[1] // 2] == 0.5


@pytest.mark.parametrize("z", [1e4, -1e4, 1000.0, -1000.0])
def test_sigmoid_of_a_single_extreme(any_tier, dtype, z):
    with raising():
        A = any_tier.sigmoid(np.array([[z]], dtype))
    assert A.shape == (1, 1) and A[0, 0] == (1.0 if z > 0 else 0.0)


def test_sigmoid_derivative(any_tier, dtype):
    Z = extremes(dtype)
    with raising():
        ds = any_tier.sigmoid_derivative(Z)
    assert_close(ds, reference(sigmoid_derivative_ref, Z), dtype, floor=float(np.finfo(dtype).eps))
    assert (ds >= 0).all() and (ds <= 0.25).all()


def test_tanh(any_tier, dtype):
    Z = extremes(dtype)
    with raising():
        A = any_tier.tanh(Z)
    assert_close(A, reference(math.tanh, Z), dtype)
    assert A[0, 0] == -1 and A[0, -1] == 1


@pytest.mark.parametrize("name", ["relu", "leaky_relu"])
def test_relu_and_leaky_relu(any_tier, dtype, name):
    """Exact but for leaky ReLU's product 0.01 z, rounded once in its dtype (or in double, then stored)."""
    Z = extremes(dtype)
    slope = 0.0 if name == "relu" else LEAKY_SLOPE
    with raising():
        A = getattr(any_tier, name)(Z)
    assert_close(A, reference(lambda z: z if z > 0 else slope * z, Z), dtype)
    np.testing.assert_array_equal(A[Z > 0], Z[Z > 0])


@pytest.mark.parametrize(
    "name, derivative",
    [
        ("sigmoid_backward", sigmoid_derivative_ref),
        ("tanh_backward", tanh_derivative_ref),
        ("relu_backward", lambda z: 1.0 if z > 0 else 0.0),
        ("leaky_relu_backward", lambda z: 1.0 if z > 0 else LEAKY_SLOPE),
    ],
)
@pytest.mark.parametrize("scale", [1.0, 1e30], ids=["dA=1", "dA=1e30"])
def test_activation_backward(any_tier, dtype, name, derivative, scale):
    Z = extremes(dtype)
    dA = np.full_like(Z, scale)
    with raising():
        dZ = getattr(any_tier, name)(dA, Z)
    assert_close(dZ, scale * reference(derivative, Z), dtype, floor=scale * float(np.finfo(dtype).eps))


# --------------------------------------------------------------------------
# The cost
# --------------------------------------------------------------------------


def cost_ref(AL, Y):
    """The interface's clipped cross-entropy in double precision, from AL's own dtype's limits."""
    dtype = AL.dtype.type
    low, high = float(np.finfo(dtype).tiny), float(np.nextafter(dtype(1), dtype(0)))
    total = 0.0
    for a, y in zip(AL.ravel().tolist(), Y.ravel().tolist()):
        a = min(max(a, low), high)
        total -= y * math.log(a) + (1 - y) * math.log1p(-a)
    return total / AL.size


def assert_cost(ours, ref, dtype):
    assert isinstance(ours, float) and math.isfinite(ours)
    assert ours == pytest.approx(ref, rel=ULPS * float(np.finfo(dtype).eps))


def test_cost_with_outputs_exactly_0_and_1(any_tier, dtype):
    """Wrong and saturated: -log(tiny) and -log(eps / 2) per sample; right and saturated: about 0."""
    AL = np.array([[0, 1, 0, 1]], dtype)
    Y = np.array([[1, 0, 0, 1]], dtype)
    with raising():
        cost = any_tier.compute_cost(AL, Y)
    fi = np.finfo(dtype)
    expected = (-math.log(float(fi.tiny)) - math.log(float(fi.epsneg))) / 4
    assert_cost(cost, expected, dtype)
    assert_cost(cost, cost_ref(AL, Y), dtype)
    with raising():
        right = any_tier.compute_cost(np.array([[0, 1]], dtype), np.array([[0, 1]], dtype))
    assert 0 <= right < 1e-6


@pytest.mark.parametrize("z", [1e4, 1000.0, 100.0, 30.0, 10.0])
def test_cost_of_saturating_sigmoids(any_tier, dtype, z):
    """compute_cost(sigmoid(Z), Y) at |z| up to 1e4, against the clipped formula on the same AL."""
    Z = np.array([[z, -z, z, -z, 0.5]], dtype)
    Y = np.array([[0, 1, 1, 0, 1]], dtype)
    with raising():
        AL = any_tier.sigmoid(Z)
        cost = any_tier.compute_cost(AL, Y)
    assert_cost(cost, cost_ref(AL, Y), dtype)
    if dtype == np.float64 and z <= 10:  # 1 - AL is still known to ~1e-11 relative: the exact cost
        exact = (2 * math.log1p(math.exp(z)) + 2 * math.log1p(math.exp(-z)) + math.log1p(math.exp(-0.5))) / 5
        assert cost == pytest.approx(exact, rel=1e-10)


def test_propagate_at_saturation(any_tier, dtype):
    """Logistic regression with z = w.T x + b at +-1e4: finite cost and exact gradients."""
    X = np.array([[1.0, -1.0, 1.0, -1.0]], dtype)
    Y = np.array([[1, 1, 0, 0]], dtype)
    w = np.array([[1e4]], dtype)
    with raising():
        grads, cost = any_tier.propagate(w, 0.0, X, Y)
    A = np.array([[1.0, 0.0, 1.0, 0.0]])
    np.testing.assert_array_equal(grads["dw"], X @ (A - Y).T / 4)
    assert grads["db"] == 0.0
    assert_cost(cost, cost_ref(A.astype(dtype), Y), dtype)


def test_model_forward_and_backward_at_saturation(any_tier, dtype):
    """An output layer driven to AL = 0 and 1 exactly: dZL = AL - Y keeps every gradient finite."""
    X = np.array([[1.0, -1.0, 2.0]], dtype)
    Y = np.array([[0, 0, 1]], dtype)
    parameters = {
        "W1": np.array([[1e3], [-1e3]], dtype),
        "b1": np.zeros((2, 1), dtype),
        "W2": np.array([[500.0, -500.0]], dtype),
        "b2": np.zeros((1, 1), dtype),
    }
    with raising():
        AL, caches = any_tier.model_forward(X, parameters, ["tanh", "sigmoid"])
        grads = any_tier.model_backward(AL, Y, caches, ["tanh", "sigmoid"])
    np.testing.assert_array_equal(AL, [[1, 0, 1]])  # Z2 = +-1000
    # dZ2 = AL - Y = [1, 0, 0]; A1 = [[1, -1, 1], [-1, 1, -1]]; tanh' = 1 - A1**2 = 0.
    np.testing.assert_allclose(grads["dW2"], [[1 / 3, -1 / 3]], rtol=np.finfo(dtype).eps)
    np.testing.assert_allclose(grads["db2"], [[1 / 3]], rtol=np.finfo(dtype).eps)
    np.testing.assert_array_equal(grads["dW1"], np.zeros((2, 1)))
    np.testing.assert_array_equal(grads["db1"], np.zeros((2, 1)))


# --------------------------------------------------------------------------
# The course's basics
# --------------------------------------------------------------------------


def softmax_ref(row):
    top = max(row)
    e = [math.exp(x - top) if x - top > -math.inf else 0.0 for x in row]
    return [v / sum(e) for v in e]


def test_softmax_of_huge_entries(any_tier, dtype):
    fi = np.finfo(dtype)
    big = float(fi.max)
    x = np.array(
        [[1e4, 0.0, -1e4], [1000.0, 1000.0, 999.0], [big, big, big], [big, -big, 0.0], [-big, -big, -1e4]], dtype
    )
    with raising():
        s = any_tier.softmax(x)
    ref = np.array([softmax_ref(row) for row in x.astype(np.float64).tolist()])
    assert_close(s, ref, dtype)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=ULPS * float(fi.eps))


def test_normalize_rows_of_huge_and_tiny_entries(any_tier, dtype):
    fi = np.finfo(dtype)
    small = 1e-200 if dtype == np.float64 else 1e-30  # squares underflow to 0
    x = np.array([[float(fi.max), float(fi.max)], [3 * small, 4 * small], [0.0, 0.0]], dtype)
    with raising():
        n = any_tier.normalize_rows(x)
    assert_close(n, [[2**-0.5, 2**-0.5], [0.6, 0.8], [0.0, 0.0]], dtype)


# --------------------------------------------------------------------------
# Divergence: raised, never warned about, never returned
# --------------------------------------------------------------------------


def diverging(dtype):
    X = np.array([[100.0, -200.0, 150.0, -50.0], [80.0, 10.0, -120.0, 60.0]], dtype)
    Y = np.array([[1, 0, 1, 0]], dtype)
    parameters = {
        "W1": np.full((3, 2), 0.01, dtype),
        "b1": np.zeros((3, 1), dtype),
        "W2": np.full((1, 3), 0.01, dtype),
        "b2": np.zeros((1, 1), dtype),
    }
    return X, Y, parameters


@pytest.mark.parametrize("cost_every", [1, 3, 100])
def test_divergence_raises_without_a_warning(any_tier, dtype, cost_every):
    """A learning rate of max / 10 of the dtype overflows the weights: TrainingDiverged, nothing else.

    Warnings are errors here, so an overflow warning on the way would surface
    instead of TrainingDiverged. In float32 the steps overflow float32 but not
    the double precision the loop tier computes in.
    """
    X, Y, parameters = diverging(dtype)
    huge = float(np.finfo(dtype).max) / 10
    for run in (
        lambda: any_tier.train(X, Y, parameters, ["relu", "sigmoid"], huge, 7, cost_every),
        lambda: any_tier.optimize(parameters["W1"][:1].T, 0.0, X, Y, 7, huge, cost_every),
    ):
        with pytest.raises(nncore.TrainingDiverged) as raised:
            run()
        # Raised at a checkpoint (a recorded-cost iteration, or the end), naming the one before.
        checkpoints = [*range(0, 7, cost_every), 7]
        iteration = raised.value.iteration
        assert iteration in checkpoints[1:]
        assert raised.value.last_finite == checkpoints[checkpoints.index(iteration) - 1]
        assert raised.value.learning_rate == huge
        assert f"learning_rate={huge:g}" in str(raised.value) and f"iteration {iteration}" in str(raised.value)


def test_divergence_under_raising_errstate(any_tier):
    """A caller's np.errstate(all="raise") still gets TrainingDiverged, not FloatingPointError."""
    X, Y, parameters = diverging(np.float64)
    with np.errstate(all="raise"), pytest.raises(nncore.TrainingDiverged):
        any_tier.train(X, Y, parameters, ["relu", "sigmoid"], 1e308, 4, 1)
