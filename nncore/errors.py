"""Exceptions nncore raises beyond ``ValueError`` and ``TypeError``, and training's divergence rule."""

#: Training has diverged when its cost is inf or nan, or a parameter is inf, nan or beyond this
#: magnitude: far beyond any trained network's weights (about 1e1), and far below the magnitudes
#: (about 1e150 in float64, 1e19 in float32) where tiers computing the same run in a different order
#: (fused multiply-adds) disagree on whether it overflowed. ``nncore.kernels.packed.PARAMETER_BOUND``
#: is the same number for the JIT tier.
DIVERGENCE_BOUND = 1e12


class TrainingDiverged(FloatingPointError):
    """Gradient descent diverged: the learning rate is too large.

    Training checks the parameters and the cost at every iteration where it
    records a cost (0, cost_every, 2 * cost_every, ...) and after the last one,
    so the divergence happened after `last_finite` and by `iteration`. A check
    fails when the cost is inf or nan or when a parameter is inf, nan or of
    magnitude above :data:`DIVERGENCE_BOUND` (1e12), in every tier alike.

    Attributes
    ----------
    iteration : int
        The checkpoint at which non-finite parameters or cost were found
        (``num_iterations`` for the check after the last update).
    learning_rate : float
    last_finite : int or None
        The previous checkpoint, where everything was still finite.
    """

    def __init__(self, iteration, learning_rate, last_finite=None):
        self.iteration = int(iteration)
        self.learning_rate = float(learning_rate)
        self.last_finite = None if last_finite is None else int(last_finite)
        since = "" if self.last_finite is None else f" (they were finite at iteration {self.last_finite})"
        super().__init__(
            f"training diverged with learning_rate={self.learning_rate:g}: the cost was inf or nan, "
            f"or a parameter inf, nan or beyond {DIVERGENCE_BOUND:g} in magnitude, at iteration "
            f"{self.iteration}{since}. Use a "
            f"smaller learning rate (e.g. {self.learning_rate / 10:g}) or scale the inputs "
            f"to about [-1, 1]."
        )

    def __reduce__(self):
        return type(self), (self.iteration, self.learning_rate, self.last_finite)


class NotFittedError(ValueError, AttributeError):
    """An estimator was used for prediction before :meth:`fit`.

    A subclass of both ``ValueError`` and ``AttributeError``, as scikit-learn's.
    """
