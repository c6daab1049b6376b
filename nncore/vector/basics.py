"""The course's NumPy basics, vectorized."""

import numpy as np
from scipy.special import expit

from nncore.contract import implements


@implements
def sigmoid_derivative(x):
    """``s = expit(x)``, then ``s * (1 - s)``."""
    s = expit(x, out=np.empty_like(x))  # out=: an ndarray even for 0-d x, not a NumPy scalar
    s *= 1 - s
    return s


@implements
def image2vector(image):
    """``image.reshape(-1, 1)``, copied: never a view of the caller's image (as the other tiers)."""
    return image.reshape(-1, 1).copy()


@implements
def normalize_rows(x):
    """Each row divided by its largest |entry| first, so neither a square nor the norm overflows."""
    scale = np.max(np.abs(x), axis=1, keepdims=True)
    with np.errstate(under="ignore"):  # tiny entries' quotients and squares underflow to the right 0
        y = x / np.where(scale > 0, scale, 1)
        norm = np.sqrt(np.sum(y * y, axis=1, keepdims=True))
        return np.divide(y, norm, out=y, where=norm > 0)


@implements
def softmax(x):
    """``exp(x - max)`` per row, divided by its row sum."""
    # x - max below -max_float is -inf, and exp of a very negative entry underflows: both the right 0
    with np.errstate(over="ignore", under="ignore"):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        e /= e.sum(axis=1, keepdims=True)
    return e


@implements
def l1_loss(yhat, y):
    """``np.sum(np.abs(y - yhat))``."""
    return float(np.sum(np.abs(y - yhat)))


@implements
def l2_loss(yhat, y):
    """``d = (y - yhat).ravel()``, then ``np.dot(d, d)``."""
    d = (y - yhat).ravel()
    with np.errstate(under="ignore"):  # squares of tiny differences underflow to the right 0
        return float(np.dot(d, d))
