"""The L-layer network as flat buffers, and its compiled training loop.

A network's parameters live in one flat array ``theta``: for each layer
``W[l]`` (row-major, n[l] x n[l-1]) then ``b[l]`` (n[l]). Activations and
gradients of all layers live in two more flat arrays, one (n[l], m) block per
layer (the course's layout). Kernels take these buffers with the layer sizes and activation codes as
small integer arrays, so one compiled :func:`train_loop` (per dtype) serves
every depth, and a training run allocates everything once.
"""

import numpy as np

from nncore.kernels import dense
from nncore.kernels.config import inline, kernel, parallel_kernel
from nncore.kernels.elementwise import CODES, cross_entropy


class Packed:
    """A parameters dict packed into flat buffers for the kernels.

    Parameters
    ----------
    parameters : dict
        ``{"W1", "b1", ...}`` of one floating dtype (validated).
    activations : sequence of str

    Attributes
    ----------
    dims : ndarray of int64, shape (L + 1,)
        ``[n_x, n[1], ..., n[L]]``.
    codes : ndarray of int64, shape (L,)
    theta : ndarray, shape (P,)
        A copy of the parameters, flat.
    """

    def __init__(self, parameters, activations):
        L = len(activations)
        self.dims = np.array(
            [parameters["W1"].shape[1]] + [parameters[f"W{l}"].shape[0] for l in range(1, L + 1)], np.int64
        )
        self.codes = np.array([CODES[name] for name in activations], np.int64)
        self.theta = np.concatenate([parameters[f"{k}{l}"].ravel() for l in range(1, L + 1) for k in "Wb"])

    def unpack(self, theta):
        """``{"W1", "b1", ...}`` as views into the flat `theta`."""
        parameters, offset = {}, 0
        for l in range(1, self.dims.size):
            n, n_prev = self.dims[l], self.dims[l - 1]
            parameters[f"W{l}"] = theta[offset : offset + n * n_prev].reshape(n, n_prev)
            offset += n * n_prev
            parameters[f"b{l}"] = theta[offset : offset + n].reshape(n, 1)
            offset += n
        return parameters

    def activation_size(self, m):
        """Length of a flat buffer holding every layer's (m, n[l]) block."""
        return int(m * self.dims[1:].sum())


@kernel
def layer_W(theta, dims, l):
    """The view of ``W[l + 1]`` (0-based layer index l) in `theta`."""
    offset = 0
    for j in range(l):
        offset += dims[j + 1] * (dims[j] + 1)
    return theta[offset : offset + dims[l + 1] * dims[l]].reshape((dims[l + 1], dims[l]))


@kernel
def layer_b(theta, dims, l):
    """The view of ``b[l + 1]`` (0-based layer index l) in `theta`, 1-D."""
    offset = dims[l + 1] * dims[l]
    for j in range(l):
        offset += dims[j + 1] * (dims[j] + 1)
    return theta[offset : offset + dims[l + 1]]


@kernel
def layer_block(buffer, dims, m, l):
    """The (n[l + 1], m) view of layer l's block in an activation-sized `buffer`."""
    offset = 0
    for j in range(l):
        offset += m * dims[j + 1]
    return buffer[offset : offset + m * dims[l + 1]].reshape((dims[l + 1], m))


@inline
def forward_all(X, transposed, theta, dims, codes, acts, threads):
    """Forward pass of every layer into `acts` (activation applied in place); returns AL."""
    m = X.shape[0] if transposed else X.shape[1]
    A_prev = X
    for l in range(codes.size):
        A = layer_block(acts, dims, m, l)
        dense.forward(
            layer_W(theta, dims, l), layer_b(theta, dims, l), A_prev, transposed and l == 0, A, A, codes[l], threads
        )
        A_prev = A
    return A_prev


@inline
def backward_all(X, transposed, y, theta, dims, codes, acts, deltas, grad, threads):
    """Gradients of the cross-entropy into `grad` (theta's layout), from `acts`.

    ``dZL = (AL - Y) / m``; each layer then computes dW and db, and dZ of the
    layer below unless it is the first (no gradient for X).
    """
    m = X.shape[0] if transposed else X.shape[1]
    L = codes.size
    AL = layer_block(acts, dims, m, L - 1)
    dZ = layer_block(deltas, dims, m, L - 1)
    for s in range(m):
        dZ[0, s] = (AL[0, s] - y[s]) / m
    for l in range(L - 1, -1, -1):
        dW, db = layer_W(grad, dims, l), layer_b(grad, dims, l)
        if l == 0:
            dense.grads(dZ, X, transposed, dW, db, threads)
        else:
            A_prev = layer_block(acts, dims, m, l - 1)
            dense.grads(dZ, A_prev, False, dW, db, threads)
            dZ_prev = layer_block(deltas, dims, m, l - 1)
            dense.backprop(layer_W(theta, dims, l), dZ, A_prev, codes[l - 1], dZ_prev, threads)
            dZ = dZ_prev


@kernel
def all_finite(x):
    """True when every element of the 1-D `x` is finite.

    ``x * 0`` is 0 for finite x and nan for inf or nan, so the sum is finite
    exactly when every element is; unlike a loop that stops at the first bad
    element, this one vectorizes. (The kernels' fast-math flags leave out
    ``nnan``/``ninf``, so LLVM may not fold ``x * 0`` to 0.)
    """
    total = x.dtype.type(0)
    for i in range(x.size):
        total += x[i] * 0
    return np.isfinite(total)


@parallel_kernel
def train_loop(
    X,
    transposed,
    y,
    theta,
    dims,
    codes,
    learning_rate,
    num_iterations,
    cost_every,
    costs,
    lo,
    hi,
    acts,
    deltas,
    grad,
    threads,
):
    """Batch gradient descent, entirely compiled: forward, cost, backward, update.

    Writes the cost before the update of iterations 0, cost_every, ... into
    `costs` and updates `theta` in place.

    Returns
    -------
    diverged_at : int
        -1 when training finished with finite parameters; else the checkpoint
        iteration at which the cost or the parameters were not finite.
    last_finite : int
        The last checkpoint where everything was finite (-1 if none).
    """
    last_finite = -1
    step = theta.dtype.type(learning_rate)
    for i in range(num_iterations):
        AL = forward_all(X, transposed, theta, dims, codes, acts, threads)
        if i % cost_every == 0:
            cost = cross_entropy(AL[0], y, lo, hi)
            if not (np.isfinite(cost) and all_finite(theta)):
                return i, last_finite
            costs[i // cost_every] = cost
            last_finite = i
        backward_all(X, transposed, y, theta, dims, codes, acts, deltas, grad, threads)
        for j in range(theta.size):
            theta[j] -= step * grad[j]
    if not all_finite(theta):
        return num_iterations, last_finite
    return -1, last_finite


@parallel_kernel
def forward_kernel(X, transposed, theta, dims, codes, acts, threads):
    """:func:`forward_all` for Python callers."""
    return forward_all(X, transposed, theta, dims, codes, acts, threads)


@parallel_kernel
def backward_kernel(X, transposed, y, theta, dims, codes, acts, deltas, grad, threads):
    """:func:`backward_all` for Python callers."""
    backward_all(X, transposed, y, theta, dims, codes, acts, deltas, grad, threads)
