"""The binary cross-entropy cost, one sample at a time."""

import math

from nncore.contract import implements
from nncore.interface import probability_bounds


def clip_limits(dtype):
    """The cost's clip interval ``[tiny, 1 - eps / 2]`` of `dtype`, as Python floats."""
    low, high = probability_bounds(dtype)
    return float(low), float(high)


def sample_loss(a, y, limits):
    """``-(y log a + (1 - y) log(1 - a))`` for one sample, with `a` clipped to `limits`."""
    low, high = limits
    a = min(max(a, low), high)
    return -(y * math.log(a) + (1.0 - y) * math.log1p(-a))


@implements
def compute_cost(AL, Y):
    """The course's ``compute_cost`` as a sum over samples, each AL clipped to ``[tiny, 1 - eps / 2]``."""
    m = AL.shape[1]
    limits = clip_limits(AL.dtype)
    J = 0.0
    for i in range(m):
        J += sample_loss(float(AL[0, i]), float(Y[0, i]), limits)
    return J / m
