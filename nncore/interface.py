"""The tier interface: every function each tier implements, with its one docstring.

A tier (``nncore.loop``, ``nncore.vector``, ``nncore.jit``) defines each function
below under the same name and with the same signature, and decorates it with
:func:`nncore.contract.implements`. The decorator

* checks at import time that the signature matches the one here, so tiers
  cannot drift apart;
* validates and coerces the arguments with :mod:`nncore.validation` before
  the tier's code runs, so every tier rejects bad input in the same words and
  receives arrays of one floating dtype;
* gives the public function the docstring written here, followed by the
  tier's own note on how it computes the result.

Shapes follow the course: ``X`` is ``(n_x, m)`` with one sample per column,
``W[l]`` is ``(n[l], n[l-1])``, ``b[l]`` is ``(n[l], 1)`` and ``Y`` is
``(1, m)``. Parameters are a dict ``{"W1", "b1", ...}``, gradients a dict
``{"dW1", "db1", ...}``.
"""

from typing import NamedTuple

import numpy as np

#: Activation names accepted wherever ``activation`` or ``activations`` appears.
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")

#: Slope of leaky ReLU for negative inputs.
LEAKY_SLOPE = 0.01


class LayerCache(NamedTuple):
    """What a layer's forward pass keeps for its backward pass.

    The first three fields are the course's ``linear_cache`` and the fourth its
    ``activation_cache``, so ``cache[:3]`` is ``(A_prev, W, b)``.

    Attributes
    ----------
    A_prev : ndarray of shape (n[l-1], m)
        The layer's input.
    W : ndarray of shape (n[l], n[l-1])
    b : ndarray of shape (n[l], 1)
    Z : ndarray of shape (n[l], m)
        The pre-activation ``W @ A_prev + b``.
    A : ndarray of shape (n[l], m)
        The layer's output ``g(Z)``.
    """

    A_prev: np.ndarray
    W: np.ndarray
    b: np.ndarray
    Z: np.ndarray
    A: np.ndarray


def probability_bounds(dtype):
    """The interval ``[tiny, nextafter(1, 0)]`` of `dtype` that the cost clips AL into.

    These are the representable numbers nearest 0 and 1: every AL strictly
    inside (0, 1) is left as it is, and 0 or 1 become finite.
    """
    t = np.dtype(dtype).type
    return np.finfo(t).tiny, np.nextafter(t(1), t(0))


SPEC = {}
"""Interface stubs by name, in the order the course introduces them."""


def _spec(stub):
    SPEC[stub.__name__] = stub
    return stub


# --------------------------------------------------------------------------
# Activations and their derivatives
# --------------------------------------------------------------------------


@_spec
def sigmoid(Z):
    """Logistic sigmoid, ``A = 1 / (1 + exp(-Z))``, element-wise.

    Finite for every finite input: no overflow warning and no inf or nan at
    ``Z = +-1000``.

    Parameters
    ----------
    Z : array_like of any shape
        Pre-activations, usually of shape (n, m).

    Returns
    -------
    A : ndarray of the same shape and floating dtype, values in [0, 1]
    """


@_spec
def tanh(Z):
    """Hyperbolic tangent, ``A = tanh(Z)``, element-wise.

    Parameters
    ----------
    Z : array_like of any shape

    Returns
    -------
    A : ndarray of the same shape and floating dtype, values in [-1, 1]
    """


@_spec
def relu(Z):
    """Rectified linear unit, ``A = max(0, Z)``, element-wise.

    Parameters
    ----------
    Z : array_like of any shape

    Returns
    -------
    A : ndarray of the same shape and floating dtype
    """


@_spec
def leaky_relu(Z):
    """Leaky ReLU, ``A = Z`` where ``Z > 0`` else ``0.01 * Z``, element-wise.

    Parameters
    ----------
    Z : array_like of any shape

    Returns
    -------
    A : ndarray of the same shape and floating dtype
    """


@_spec
def sigmoid_backward(dA, Z):
    """Gradient through a sigmoid, ``dZ = dA * s * (1 - s)`` with ``s = sigmoid(Z)``.

    Parameters
    ----------
    dA : array_like
        Gradient of the cost with respect to the activation.
    Z : array_like of the same shape as `dA`
        The pre-activation the forward pass saw.

    Returns
    -------
    dZ : ndarray of the same shape
    """


@_spec
def tanh_backward(dA, Z):
    """Gradient through tanh, ``dZ = dA * (1 - tanh(Z) ** 2)``.

    Parameters
    ----------
    dA : array_like
    Z : array_like of the same shape as `dA`

    Returns
    -------
    dZ : ndarray of the same shape
    """


@_spec
def relu_backward(dA, Z):
    """Gradient through ReLU, ``dZ = dA`` where ``Z > 0`` else 0.

    The derivative at ``Z = 0`` is taken as 0, as in the course.

    Parameters
    ----------
    dA : array_like
    Z : array_like of the same shape as `dA`

    Returns
    -------
    dZ : ndarray of the same shape
    """


@_spec
def leaky_relu_backward(dA, Z):
    """Gradient through leaky ReLU, ``dZ = dA`` where ``Z > 0`` else ``0.01 * dA``.

    Parameters
    ----------
    dA : array_like
    Z : array_like of the same shape as `dA`

    Returns
    -------
    dZ : ndarray of the same shape
    """


# --------------------------------------------------------------------------
# One layer
# --------------------------------------------------------------------------


@_spec
def linear_forward(A_prev, W, b):
    """Linear part of a layer's forward pass, ``Z = W @ A_prev + b``.

    Parameters
    ----------
    A_prev : array_like of shape (n[l-1], m)
        Activations of the previous layer (or the input X).
    W : array_like of shape (n[l], n[l-1])
    b : array_like of shape (n[l], 1)

    Returns
    -------
    Z : ndarray of shape (n[l], m)
    """


@_spec
def linear_activation_forward(A_prev, W, b, activation):
    """One layer's forward pass, ``A = g(W @ A_prev + b)``.

    Parameters
    ----------
    A_prev : array_like of shape (n[l-1], m)
    W : array_like of shape (n[l], n[l-1])
    b : array_like of shape (n[l], 1)
    activation : {"sigmoid", "tanh", "relu", "leaky_relu"}

    Returns
    -------
    A : ndarray of shape (n[l], m)
    cache : LayerCache
        ``(A_prev, W, b, Z, A)`` for the backward pass.
    """


@_spec
def linear_backward(dZ, cache):
    """Linear part of a layer's backward pass.

    ``dW = dZ @ A_prev.T / m``, ``db = sum(dZ, axis=1) / m`` and
    ``dA_prev = W.T @ dZ``.

    Parameters
    ----------
    dZ : array_like of shape (n[l], m)
    cache : LayerCache or tuple (A_prev, W, b)
        What the forward pass kept; only its first three fields are read.

    Returns
    -------
    dA_prev : ndarray of shape (n[l-1], m)
    dW : ndarray of shape (n[l], n[l-1])
    db : ndarray of shape (n[l], 1)
    """


@_spec
def linear_activation_backward(dA, cache, activation):
    """One layer's backward pass: ``dZ = dA * g'(Z)``, then :func:`linear_backward`.

    Parameters
    ----------
    dA : array_like of shape (n[l], m)
    cache : LayerCache
        What :func:`linear_activation_forward` returned.
    activation : {"sigmoid", "tanh", "relu", "leaky_relu"}
        The activation the forward pass used.

    Returns
    -------
    dA_prev : ndarray of shape (n[l-1], m)
    dW : ndarray of shape (n[l], n[l-1])
    db : ndarray of shape (n[l], 1)
    """


# --------------------------------------------------------------------------
# The L-layer model
# --------------------------------------------------------------------------


@_spec
def model_forward(X, parameters, activations):
    """Forward pass through all L layers.

    Parameters
    ----------
    X : array_like of shape (n_x, m)
    parameters : dict
        ``{"W1": (n[1], n_x), "b1": (n[1], 1), ..., "WL": ..., "bL": ...}``.
    activations : sequence of str, length L
        One activation name per layer, e.g. ``["relu", "relu", "sigmoid"]``.

    Returns
    -------
    AL : ndarray of shape (n[L], m)
        Output of the last layer.
    caches : list of LayerCache, length L
    """


@_spec
def compute_cost(AL, Y):
    """Binary cross-entropy, ``-mean(Y log AL + (1 - Y) log(1 - AL))``.

    ``AL`` is clipped to ``[tiny, 1 - eps / 2]`` of its dtype (the representable
    numbers nearest 0 and 1) so that a saturated output gives a large finite
    cost instead of inf or nan; every other input gives the exact formula.

    Parameters
    ----------
    AL : array_like of shape (1, m)
        Predicted probabilities.
    Y : array_like of shape (1, m)
        Labels, 0 or 1.

    Returns
    -------
    cost : float
    """


@_spec
def model_backward(AL, Y, caches, activations):
    """Backward pass through all L layers for the cross-entropy cost.

    The output layer must be a sigmoid; its gradient is ``dZL = AL - Y``.

    Parameters
    ----------
    AL : array_like of shape (1, m)
    Y : array_like of shape (1, m)
    caches : list of LayerCache, length L
        What :func:`model_forward` returned.
    activations : sequence of str, length L

    Returns
    -------
    grads : dict
        ``{"dW1": (n[1], n_x), "db1": (n[1], 1), ..., "dWL", "dbL"}``, the
        gradients of the cost. No gradient is returned for the input X.
    """


@_spec
def update_parameters(parameters, grads, learning_rate):
    """One gradient-descent step, ``W = W - learning_rate * dW`` (and b).

    Parameters
    ----------
    parameters : dict
        ``{"W1", "b1", ..., "WL", "bL"}``.
    grads : dict
        ``{"dW1", "db1", ..., "dWL", "dbL"}`` of matching shapes.
    learning_rate : float
        Positive and finite.

    Returns
    -------
    parameters : dict
        New arrays; the caller's dict and arrays are not modified.
    """


@_spec
def train(X, Y, parameters, activations, learning_rate, num_iterations, cost_every=100):
    """Batch gradient descent on the cross-entropy cost.

    Each iteration runs :func:`model_forward`, :func:`model_backward` and
    :func:`update_parameters`. The cost is recorded *before* the update at
    iterations ``0, cost_every, 2 * cost_every, ...``.

    Parameters
    ----------
    X : array_like of shape (n_x, m)
    Y : array_like of shape (1, m)
        Labels, 0 or 1.
    parameters : dict
        Initial ``{"W1", "b1", ...}``; not modified.
    activations : sequence of str, length L
        The last must be ``"sigmoid"``.
    learning_rate : float
        Positive and finite.
    num_iterations : int
        Non-negative.
    cost_every : int, default 100
        Positive.

    Returns
    -------
    parameters : dict
        The trained parameters, new arrays.
    costs : ndarray of shape (ceil(num_iterations / cost_every),), float64

    Raises
    ------
    nncore.TrainingDiverged
        When a gradient becomes inf or nan (the learning rate is too large);
        the message names the iteration and the learning rate.
    """


@_spec
def predict(X, parameters, activations):
    """Predicted labels: 1 where the network's output is > 0.5, else 0.

    Parameters
    ----------
    X : array_like of shape (n_x, m)
    parameters : dict
    activations : sequence of str, length L

    Returns
    -------
    predictions : ndarray of shape (1, m)
        0.0 or 1.0, in the floating dtype of the computation.
    """


# --------------------------------------------------------------------------
# Logistic regression, in the course's own form
# --------------------------------------------------------------------------


@_spec
def propagate(w, b, X, Y):
    """Cost and gradients of logistic regression, ``A = sigmoid(w.T @ X + b)``.

    Parameters
    ----------
    w : array_like of shape (n_x, 1)
    b : float
    X : array_like of shape (n_x, m)
    Y : array_like of shape (1, m)

    Returns
    -------
    grads : dict
        ``{"dw": ndarray of shape (n_x, 1), "db": float}``.
    cost : float
    """


@_spec
def optimize(w, b, X, Y, num_iterations, learning_rate, cost_every=100):
    """Gradient descent for logistic regression, as the course's ``optimize``.

    The cost is recorded before the update at iterations ``0, cost_every, ...``.

    Parameters
    ----------
    w : array_like of shape (n_x, 1)
        Initial weights; not modified.
    b : float
    X : array_like of shape (n_x, m)
    Y : array_like of shape (1, m)
    num_iterations : int
    learning_rate : float
    cost_every : int, default 100

    Returns
    -------
    params : dict
        ``{"w": ndarray of shape (n_x, 1), "b": float}``.
    grads : dict
        ``{"dw", "db"}`` of the last iteration (before its update).
    costs : ndarray of shape (ceil(num_iterations / cost_every),), float64

    Raises
    ------
    nncore.TrainingDiverged
        When a gradient becomes inf or nan.
    """


# --------------------------------------------------------------------------
# The course's NumPy basics
# --------------------------------------------------------------------------


@_spec
def sigmoid_derivative(x):
    """Derivative of the sigmoid, ``s * (1 - s)`` with ``s = sigmoid(x)``.

    Parameters
    ----------
    x : array_like of any shape

    Returns
    -------
    ds : ndarray of the same shape
    """


@_spec
def image2vector(image):
    """Flatten an image into a column vector, in C order.

    Parameters
    ----------
    image : array_like of shape (length, height, depth)

    Returns
    -------
    v : ndarray of shape (length * height * depth, 1)
    """


@_spec
def normalize_rows(x):
    """Divide each row by its Euclidean norm (the course's ``normalizeRows``).

    A row of zeros stays zero.

    Parameters
    ----------
    x : array_like of shape (n, m)

    Returns
    -------
    x_normalized : ndarray of shape (n, m)
    """


@_spec
def softmax(x):
    """Row-wise softmax, ``exp(x) / sum(exp(x), axis=1)``.

    Computed with the row maximum subtracted, so large entries do not overflow.

    Parameters
    ----------
    x : array_like of shape (n, m)

    Returns
    -------
    s : ndarray of shape (n, m)
        Each row sums to 1.
    """


@_spec
def l1_loss(yhat, y):
    """L1 loss, ``sum(|y - yhat|)``.

    Parameters
    ----------
    yhat : array_like of any shape
    y : array_like of the same shape

    Returns
    -------
    loss : float
    """


@_spec
def l2_loss(yhat, y):
    """L2 loss, ``sum((y - yhat) ** 2)``.

    Parameters
    ----------
    yhat : array_like of any shape
    y : array_like of the same shape

    Returns
    -------
    loss : float
    """


#: The interface's function names.
FUNCTIONS = tuple(SPEC)
