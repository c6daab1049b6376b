"""The course's NumPy basics, written as loops."""

import math

import numpy as np

from nncore.contract import implements

from .activations import DERIVATIVE, apply


@implements
def sigmoid_derivative(x):
    """Per entry: ``s = sigmoid(x)``, ``ds = s * (1 - s)``."""
    return apply(DERIVATIVE["sigmoid"], x)


@implements
def image2vector(image):
    """Copies the pixels one by one in C order (depth fastest) into a new column."""
    length, height, depth = image.shape
    v = np.empty((length * height * depth, 1), image.dtype)
    row = 0
    for i in range(length):
        for j in range(height):
            for k in range(depth):
                v[row, 0] = image[i, j, k]
                row += 1
    return v


@implements
def normalize_rows(x):
    """Per row: divide by the largest |entry| (so no norm overflows), then by ``math.hypot(*row)``.

    Zero rows stay zero.
    """
    n, m = x.shape
    out = np.zeros((n, m), x.dtype)
    for i in range(n):
        scale = max(abs(float(x[i, j])) for j in range(m))
        if scale > 0:
            row = [float(x[i, j]) / scale for j in range(m)]
            norm = math.hypot(*row)
            for j in range(m):
                out[i, j] = row[j] / norm
    return out


@implements
def softmax(x):
    """Per row: ``e_j = exp(x_j - max(row))``, then each ``e_j / sum(e)``."""
    n, m = x.shape
    s = np.empty((n, m), x.dtype)
    for i in range(n):
        row = [float(x[i, j]) for j in range(m)]
        top = max(row)
        e = [math.exp(value - top) for value in row]
        total = sum(e)
        for j in range(m):
            s[i, j] = e[j] / total
    return s


@implements
def l1_loss(yhat, y):
    """``sum |y - yhat|`` over every entry, in a Python float."""
    loss = 0.0
    for index in np.ndindex(y.shape):
        loss += abs(float(y[index]) - float(yhat[index]))
    return loss


@implements
def l2_loss(yhat, y):
    """``sum (y - yhat) ** 2`` over every entry, in a Python float."""
    loss = 0.0
    for index in np.ndindex(y.shape):
        d = float(y[index]) - float(yhat[index])
        loss += d * d
    return loss
