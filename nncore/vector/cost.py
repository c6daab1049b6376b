"""The binary cross-entropy cost, vectorized."""

import numpy as np

from nncore.contract import implements
from nncore.interface import probability_bounds


def cross_entropy(AL, Y):
    """``-mean(Y log AL + (1 - Y) log(1 - AL))`` with AL clipped to (0, 1), as a float.

    Parameters
    ----------
    AL, Y : ndarray of shape (1, m), one floating dtype
    """
    A = np.clip(AL, *probability_bounds(AL.dtype))
    y, a = Y.ravel(), A.ravel()
    total = np.dot(y, np.log(a)) + np.dot(1 - y, np.log1p(-a))
    return -float(total) / AL.shape[1]


@implements
def compute_cost(AL, Y):
    """Two dot products, ``Y . log(AL)`` and ``(1 - Y) . log1p(-AL)``."""
    return cross_entropy(AL, Y)
