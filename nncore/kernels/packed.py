"""The L-layer network as flat buffers, and its compiled training loop.

A network's parameters live in one flat array ``theta``: for each layer
``W[l]`` (row-major, n[l] x n[l-1]) then ``b[l]`` (n[l]). Activations and
gradients of all layers live in two more flat arrays, one (n[l], m) block per
layer (the course's layout, C-contiguous). Kernels take these buffers with the
layer sizes and activation codes as small integer arrays, so one compiled
:func:`train_loop` (per dtype) serves every depth, and a training run
allocates everything once.

The arrays of one call share one floating dtype (float64 or float32), except
``dims``, ``codes`` and ``plan`` (int64) and ``costs`` (float64). A *plan* says which path
(:data:`nncore.kernels.dense.PATHS`) each layer's three passes take: an int64 array of shape
(L, 3), columns :data:`FORWARD`, :data:`BACKPROP` and :data:`GRADS`, made by the JIT tier's
planner (:mod:`nncore.jit.planner`); :data:`ESTIMATE_PLAN` (no rows) leaves every pass to the
rule of thumb (:func:`nncore.kernels.dense.estimate_path`). Below, L is the number of
layers, ``dims = [n_x, n[1], ..., n[L]]``, P = ``theta.size`` = the sum of
n[l] (n[l-1] + 1), and an *activation-sized* buffer has m (n[1] + ... + n[L])
elements (:meth:`Packed.activation_size`).
"""

import numpy as np

from nncore.kernels import dense
from nncore.kernels.config import inline, kernel
from nncore.kernels.dense import ESTIMATE
from nncore.kernels.elementwise import CODES, cross_entropy

#: The columns of a plan: the path of each layer's forward pass, of its step to the layer
#: below (dZ_prev), and of its gradients (dW, db).
FORWARD, BACKPROP, GRADS = 0, 1, 2

#: A plan with no rows: every pass takes the rule of thumb's path.
ESTIMATE_PLAN = np.zeros((0, 3), np.int64)


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
        """Length of a flat buffer holding every layer's (n[l], m) block."""
        return int(m * self.dims[1:].sum())


@kernel
def layer_W(theta, dims, l):
    """The view of ``W[l + 1]`` (0-based layer index l) in `theta`.

    Parameters
    ----------
    theta : ndarray of shape (P,)
        Flat parameters (or gradients, in the same layout).
    dims : ndarray of int64, shape (L + 1,)
        Layer sizes.
    l : int
        0-based layer index, 0 <= l < L.

    Returns
    -------
    ndarray of shape (n[l + 1], n[l]), C-contiguous
        A view: writing it writes `theta`.
    """
    offset = 0
    for j in range(l):
        offset += dims[j + 1] * (dims[j] + 1)
    return theta[offset : offset + dims[l + 1] * dims[l]].reshape((dims[l + 1], dims[l]))


@kernel
def layer_b(theta, dims, l):
    """The view of ``b[l + 1]`` (0-based layer index l) in `theta`, 1-D.

    Parameters
    ----------
    theta : ndarray of shape (P,)
        Flat parameters (or gradients).
    dims : ndarray of int64, shape (L + 1,)
        Layer sizes.
    l : int
        0-based layer index.

    Returns
    -------
    ndarray of shape (n[l + 1],)
        A view into `theta`.
    """
    offset = dims[l + 1] * dims[l]
    for j in range(l):
        offset += dims[j + 1] * (dims[j] + 1)
    return theta[offset : offset + dims[l + 1]]


@kernel
def layer_block(buffer, dims, m, l):
    """The (n[l + 1], m) view of layer l's block in an activation-sized `buffer`.

    Parameters
    ----------
    buffer : ndarray, 1-D, activation-sized for `m` samples
        Activations or deltas of every layer.
    dims : ndarray of int64, shape (L + 1,)
        Layer sizes.
    m : int
        Number of samples.
    l : int
        0-based layer index.

    Returns
    -------
    ndarray of shape (n[l + 1], m), C-contiguous
        A view into `buffer`.
    """
    offset = 0
    for j in range(l):
        offset += m * dims[j + 1]
    return buffer[offset : offset + m * dims[l + 1]].reshape((dims[l + 1], m))


@inline
def path_of(plan, l, column):
    """The path of layer l's pass `column` in `plan`; ``ESTIMATE`` for a plan without that row.

    Parameters
    ----------
    plan : ndarray of int64, shape (L, 3) or (0, 3)
        A plan (or :data:`ESTIMATE_PLAN`).
    l : int
        0-based layer index.
    column : int
        :data:`FORWARD`, :data:`BACKPROP` or :data:`GRADS`.

    Returns
    -------
    int
    """
    if l < plan.shape[0]:
        return plan[l, column]
    return ESTIMATE


@inline
def forward_all(X, transposed, theta, dims, codes, plan, acts, threads, table):
    """Forward pass of every layer into `acts` (activation applied in place); returns AL.

    Inlined; each layer's pass is :func:`nncore.kernels.dense.forward_kernel`, split among threads
    when its plan says so.

    Parameters
    ----------
    X : ndarray of shape (n_x, m), C-contiguous; (m, n_x) when `transposed`
        The network's input, read only.
    transposed : bool
        Whether `X` is stored one sample per row (:func:`nncore.kernels.layout.input_layout`).
    theta : ndarray of shape (P,)
        Flat parameters, read only.
    dims : ndarray of int64, shape (L + 1,)
        Layer sizes.
    codes : ndarray of int64, shape (L,)
        Activation codes of the layers.
    plan : ndarray of int64, shape (L, 3) or (0, 3)
        The path of each layer's passes (only the :data:`FORWARD` column is read).
    acts : ndarray, activation-sized
        Overwritten with every layer's output A (Z is not kept).
    threads : int
        Threads to split each layer's pass among (``numba.get_num_threads()``).
    table : ndarray of int64, shape (7,), or None
        The part and block kernels' addresses (:func:`nncore.kernels.dense.part_table`), or None to call
        them directly.

    Returns
    -------
    ndarray of shape (n[L], m)
        AL, the last layer's block of `acts` (a view).
    """
    m = X.shape[0] if transposed else X.shape[1]
    A_prev = X
    for l in range(codes.size):
        A = layer_block(acts, dims, m, l)
        W, b = layer_W(theta, dims, l), layer_b(theta, dims, l)
        dense.forward_kernel(
            W, b, A_prev, transposed and l == 0, A, A, codes[l], path_of(plan, l, FORWARD), threads, table
        )
        A_prev = A
    return A_prev


@inline
def backward_all(X, transposed, y, theta, dims, codes, plan, acts, deltas, grad, threads, table):
    """Gradients of the cross-entropy into `grad` (theta's layout), from `acts`.

    ``dZL = (AL - Y) / m``; each layer then computes dW and db, and dZ of the
    layer below unless it is the first (no gradient for X). Only a single output
    unit (n[L] = 1) is supported, as in the course. Inlined; the passes are
    :func:`nncore.kernels.dense.grads_kernel` and :func:`~nncore.kernels.dense.backprop_kernel`.

    Parameters
    ----------
    X : ndarray of shape (n_x, m), C-contiguous; (m, n_x) when `transposed`
        The network's input, read only.
    transposed : bool
        Whether `X` is stored one sample per row.
    y : ndarray of shape (m,), contiguous
        Labels (0 or 1) in the dtype of `X`, read only.
    theta : ndarray of shape (P,)
        Flat parameters, read only.
    dims : ndarray of int64, shape (L + 1,)
        Layer sizes.
    codes : ndarray of int64, shape (L,)
        Activation codes of the layers.
    plan : ndarray of int64, shape (L, 3) or (0, 3)
        The path of each layer's passes (the :data:`BACKPROP` and :data:`GRADS` columns are read).
    acts : ndarray, activation-sized
        Every layer's output A, from :func:`forward_all`; read only.
    deltas : ndarray, activation-sized
        Scratch, overwritten with each layer's dZ; must not overlap `acts`.
    grad : ndarray of shape (P,)
        Overwritten with dW and db of every layer, in `theta`'s layout.
    threads : int
        Threads to split each layer's passes among.
    table : ndarray of int64, shape (7,), or None
        The part and block kernels' addresses (:func:`nncore.kernels.dense.part_table`), or None to call
        them directly.
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
            dense.grads_kernel(dZ, X, transposed, dW, db, path_of(plan, l, GRADS), threads, table)
        else:
            A_prev = layer_block(acts, dims, m, l - 1)
            # (the layer's input is in the course's layout; `transposed and l == 0`, False here, is written
            # as a run-time bool: a literal False would compile another specialization of the pass)
            dense.grads_kernel(dZ, A_prev, transposed and l == 0, dW, db, path_of(plan, l, GRADS), threads, table)
            dZ_prev = layer_block(deltas, dims, m, l - 1)
            W = layer_W(theta, dims, l)
            dense.backprop_kernel(W, dZ, A_prev, codes[l - 1], dZ_prev, path_of(plan, l, BACKPROP), threads, table)
            dZ = dZ_prev


@inline
def descend(theta, grad, step):
    """``theta -= step * grad`` over 1-D arrays of one length. Inlined.

    Parameters
    ----------
    theta : ndarray, 1-D
        Updated in place.
    grad : ndarray of theta's shape and dtype
        Read only; must not overlap `theta`.
    step : scalar of theta's dtype
        The learning rate.
    """
    for j in range(theta.size):
        theta[j] -= step * grad[j]


#: Training's divergence rule: a parameter beyond this magnitude (or inf, or nan) has diverged.
#: The same number as ``nncore.errors.DIVERGENCE_BOUND`` (a test checks), written out here because
#: the Numba cache is keyed by the kernels' own sources.
PARAMETER_BOUND = 1e12


@kernel
def within_bound(x):
    """True when every ``|x[i]| <= PARAMETER_BOUND`` (so none is inf or nan); serial.

    Parameters
    ----------
    x : ndarray, 1-D, floating
        Read only.

    Returns
    -------
    bool
    """
    outside = 0
    for i in range(x.size):
        outside += not (abs(x[i]) <= PARAMETER_BOUND)  # nan compares false: counted
    return outside == 0


@kernel
def train_loop(
    X,
    transposed,
    y,
    theta,
    dims,
    codes,
    plan,
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
    table,
):
    """Batch gradient descent, entirely compiled: forward, cost, backward, update.

    Writes the cost before the update of iterations 0, cost_every, ... into
    `costs` and updates `theta` in place. Serial itself; each layer's passes are the
    parallel entry kernels of :mod:`nncore.kernels.dense`, split among `threads` threads
    where the plan says so; for a given plan and thread count the result repeats bit for bit. The caller
    (:func:`nncore.jit.model.train`) allocates every buffer once.

    Parameters
    ----------
    X : ndarray of shape (n_x, m), C-contiguous; (m, n_x) when `transposed`
        The network's input, read only.
    transposed : bool
        Whether `X` is stored one sample per row (:func:`nncore.kernels.layout.input_layout`).
    y : ndarray of shape (m,), contiguous
        Labels (0 or 1) in the dtype of `X`, read only.
    theta : ndarray of shape (P,)
        Flat initial parameters (:class:`Packed`); updated in place to the trained ones.
    dims : ndarray of int64, shape (L + 1,)
        Layer sizes ``[n_x, n[1], ..., n[L]]``, n[L] = 1.
    codes : ndarray of int64, shape (L,)
        Activation codes of the layers (:data:`nncore.kernels.elementwise.CODES`).
    plan : ndarray of int64, shape (L, 3) or (0, 3)
        The path of each layer's passes (:func:`path_of`).
    learning_rate : float
        Step of the update ``theta -= learning_rate * grad``, converted to theta's dtype.
    num_iterations : int
        Number of iterations (forward, backward, update), >= 0.
    cost_every : int
        Record the cost every `cost_every` iterations, >= 1.
    costs : ndarray of float64, shape (ceil(num_iterations / cost_every),)
        Written with the cost of iterations 0, cost_every, ...; entries after a divergence are
        left as they were.
    lo, hi : float
        The bounds AL is clipped to in the cost (:func:`nncore.interface.probability_bounds`).
    acts : ndarray, activation-sized
        Scratch for every layer's output.
    deltas : ndarray, activation-sized
        Scratch for every layer's dZ; must not overlap `acts`.
    grad : ndarray of shape (P,)
        Scratch for the gradients; must not overlap `theta`.
    threads : int
        Threads to split each layer's passes among (``numba.get_num_threads()``, read by the
        caller: read here it would keep the kernel out of the cache).
    table : ndarray of int64, shape (7,), or None
        The part and block kernels' addresses (:func:`nncore.kernels.dense.part_table`), or None to call
        them directly.

    Returns
    -------
    diverged_at : int
        -1 when training finished with finite parameters; else the checkpoint
        iteration at which the cost was not finite or a parameter was not within
        :data:`PARAMETER_BOUND` (:func:`within_bound`).
    last_finite : int
        The last checkpoint where everything was finite (-1 if none).
    """
    last_finite = -1
    step = theta.dtype.type(learning_rate)
    for i in range(num_iterations):
        AL = forward_all(X, transposed, theta, dims, codes, plan, acts, threads, table)
        if i % cost_every == 0:
            cost = cross_entropy(AL[0], y, lo, hi)
            if not (np.isfinite(cost) and within_bound(theta)):
                return i, last_finite
            costs[i // cost_every] = cost
            last_finite = i
        backward_all(X, transposed, y, theta, dims, codes, plan, acts, deltas, grad, threads, table)
        descend(theta, grad, step)
    if not within_bound(theta):
        return num_iterations, last_finite
    return -1, last_finite


@kernel
def forward_kernel(X, transposed, theta, dims, codes, plan, acts, threads, table):
    """:func:`forward_all` for Python callers; parallel.

    Parameters
    ----------
    X, transposed, theta, dims, codes, plan, acts, threads, table
        As in :func:`forward_all`.

    Returns
    -------
    ndarray of shape (n[L], m)
        AL, a view into `acts`.
    """
    return forward_all(X, transposed, theta, dims, codes, plan, acts, threads, table)


@kernel
def backward_kernel(X, transposed, y, theta, dims, codes, plan, acts, deltas, grad, threads, table):
    """:func:`backward_all` for Python callers; parallel.

    Parameters
    ----------
    X, transposed, y, theta, dims, codes, plan, acts, deltas, grad, threads, table
        As in :func:`backward_all`.
    """
    backward_all(X, transposed, y, theta, dims, codes, plan, acts, deltas, grad, threads, table)
