"""The course's gradient check: backpropagation against central differences.

For every parameter ``theta_i`` (every entry of every W and b), the cost is
evaluated at ``theta_i + epsilon`` and ``theta_i - epsilon`` and
``gradapprox_i = (J_plus - J_minus) / (2 epsilon)`` is compared with the
gradient ``model_backward`` computes, as the course's ``gradient_check_n``::

    difference = ||grad - gradapprox|| / (||grad|| + ||gradapprox||)

The course's reading: below 2e-7 the backward pass is right; above 1e-3 it
almost surely has a bug; in between, look closer (a ReLU input within
epsilon of its kink, or a saturated sigmoid output, where ``compute_cost``
clips, makes central differences inexact).
"""

import numpy as np

from nncore import validation
from nncore.tiers import get_tier

#: Below this relative difference the gradient is right (the course's 2e-7).
RIGHT = 2e-7

#: Above this relative difference the backward pass has a bug (the course's 1e-3).
BUG = 1e-3

_NEEDED = ("model_forward", "compute_cost", "model_backward")


class GradientDifference(float):
    """A gradient check's relative difference: a float, with the course's reading.

    Attributes
    ----------
    ok : bool
        The difference is below :data:`RIGHT` (2e-7): the gradient is right.
    bug : bool
        The difference is above :data:`BUG` (1e-3), or not finite: the backward
        pass is wrong.
    by_parameter : dict
        ``{"dW1": difference, "db1": ..., ...}``, the same measure per
        parameter, to find the layer where a bug is.
    """

    def __new__(cls, difference, by_parameter):
        self = super().__new__(cls, difference)
        self.by_parameter = by_parameter
        return self

    def __reduce__(self):
        return type(self), (float(self), self.by_parameter)

    @property
    def difference(self):
        """The relative difference as a plain float."""
        return float(self)

    @property
    def ok(self):
        return self < RIGHT

    @property
    def bug(self):
        return not self <= BUG

    def __repr__(self):
        verdict = "right" if self.ok else "bug" if self.bug else "check closer"
        return f"GradientDifference({float(self)!r}, {verdict})"


def _relative(numerical, analytic):
    """``||a - n|| / (||a|| + ||n||)``; 0 when both are zero, inf when either is not finite."""
    if not (np.isfinite(numerical).all() and np.isfinite(analytic).all()):
        return float("inf")
    denominator = np.linalg.norm(numerical) + np.linalg.norm(analytic)
    return 0.0 if denominator == 0 else float(np.linalg.norm(numerical - analytic) / denominator)


def _functions(tier):
    """The tier's model_forward, compute_cost and model_backward (unchecked, when they have that)."""
    module = get_tier(tier) if isinstance(tier, str) else tier
    missing = [name for name in _NEEDED if not callable(getattr(module, name, None))]
    if missing:
        raise TypeError(
            f"tier must be a tier name or an object with model_forward, compute_cost and "
            f"model_backward functions; {type(module).__name__} {module!r} lacks {missing}."
        )
    # The unchecked functions skip validation: the arguments are validated once, below.
    return [getattr(function, "unchecked", function) for function in (getattr(module, name) for name in _NEEDED)]


def gradient_check(X, Y, parameters, activations, epsilon=1e-7, tier="vector"):
    """Relative difference between a tier's backpropagation and central differences.

    The course's ``gradient_check_n``, over every entry of every parameter,
    using the tier's ``model_forward``, ``compute_cost`` and ``model_backward``.
    It costs two forward passes per parameter entry: use a small network and
    a few samples.

    Parameters
    ----------
    X : array_like of shape (n_x, m)
    Y : array_like of shape (1, m)
        Labels, 0 or 1.
    parameters : dict
        ``{"W1", "b1", ...}``; not modified.
    activations : sequence of str, length L
        The last must be ``"sigmoid"``.
    epsilon : float, default 1e-7
        The step of the central differences; positive and finite.
    tier : str or object, default "vector"
        A name in :data:`nncore.TIERS`, or any object (a module, a
        ``types.SimpleNamespace``) with the three functions.

    Returns
    -------
    difference : GradientDifference
        A float, ``||grad - gradapprox|| / (||grad|| + ||gradapprox||)`` (0 when
        both are zero, inf when either is not finite), with ``.ok`` (below
        2e-7: right), ``.bug`` (above 1e-3: wrong) and ``.by_parameter``.

    Notes
    -----
    Computed in float64 whatever the inputs' dtype: with epsilon = 1e-7,
    float32's 7 digits would leave nothing of ``J_plus - J_minus``.

    Examples
    --------
    >>> import nncore
    >>> X, Y = [[0.5, -1.0, 2.0]], [[1, 0, 1]]
    >>> p = nncore.initialize_parameters([1, 3, 1], rng=1)
    >>> d = nncore.gradient_check(X, Y, p, ["tanh", "sigmoid"])
    >>> d < 2e-7, d.ok
    (True, True)
    """
    forward, cost, backward = _functions(tier)
    checked = validation.check_gradient_check(X, Y, parameters, activations, epsilon)
    X, Y = checked["X"].astype(np.float64), checked["Y"].astype(np.float64)
    activations, epsilon = checked["activations"], checked["epsilon"]
    # Copies: each entry is perturbed in place and restored.
    params = {key: np.array(value, dtype=np.float64, order="C") for key, value in checked["parameters"].items()}

    AL, caches = forward(X, params, activations)
    grads = backward(AL, Y, caches, activations)

    def J():
        return cost(forward(X, params, activations)[0], Y)

    numerical, analytic, by_parameter = [], [], {}
    for key, value in params.items():
        grad = np.asarray(grads["d" + key], dtype=np.float64)
        if grad.shape != value.shape:
            raise ValueError(
                f"the tier's model_backward returned d{key} of shape {grad.shape} for {key} "
                f"of shape {value.shape}; its backward pass is wrong."
            )
        approx = np.empty_like(value)
        flat = value.reshape(-1)  # a view: value is C-contiguous
        for i in range(flat.size):
            theta = flat[i]
            flat[i] = theta + epsilon
            J_plus = J()
            flat[i] = theta - epsilon
            J_minus = J()
            flat[i] = theta
            approx.flat[i] = (J_plus - J_minus) / (2 * epsilon)
        by_parameter["d" + key] = _relative(approx, grad)
        numerical.append(approx.ravel())
        analytic.append(grad.ravel())
    return GradientDifference(_relative(np.concatenate(numerical), np.concatenate(analytic)), by_parameter)
