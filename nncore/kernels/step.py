"""The parameter update and one training step, for a Numba user's own training loop.

:func:`train_step` is one iteration of the JIT tier's compiled ``train``
(:func:`nncore.kernels.packed.train_loop`) on its own: forward, the cost if asked, backward,
update, over the flat buffers of :class:`nncore.kernels.packed.Packed` that the caller allocates
once. A loop of :func:`train_step` on the whole set is batch gradient descent; on slices of it,
mini-batch gradient descent; any schedule of the learning rate is the caller's.
"""

import numpy as np

from nncore.kernels.config import inline, kernel
from nncore.kernels.elementwise import cross_entropy
from nncore.kernels.layout import flat
from nncore.kernels.packed import ESTIMATE_PLAN, backward_all, descend, forward_all


@kernel
def update(param, grad, learning_rate):
    """``param -= learning_rate * grad`` in place; serial, callable inside ``prange``.

    Parameters
    ----------
    param : ndarray, any shape, C-contiguous, float64 or float32
        A weight or bias array (or a flat ``theta``), updated in place.
    grad : ndarray of param's shape and dtype, C-contiguous
        Its gradient, read only; must not overlap `param`.
    learning_rate : float
        The step, converted to param's dtype first (as the tiers do).
    """
    descend(flat(param), flat(grad), param.dtype.type(learning_rate))


@inline
def _step(X, transposed, Y, theta, dims, codes, learning_rate, acts, deltas, grad, with_cost, threads):
    y = flat(Y)
    AL = forward_all(X, transposed, theta, dims, codes, ESTIMATE_PLAN, acts, threads, None)
    cost = np.nan
    if with_cost:
        one = AL.dtype.type(1)
        cost = cross_entropy(AL[0], y, np.finfo(AL.dtype).tiny, np.nextafter(one, AL.dtype.type(0)))
    backward_all(X, transposed, y, theta, dims, codes, ESTIMATE_PLAN, acts, deltas, grad, threads, None)
    descend(theta, grad, theta.dtype.type(learning_rate))
    return cost


@kernel
def train_step(X, transposed, Y, theta, dims, codes, learning_rate, acts, deltas, grad, with_cost):
    """One iteration of batch gradient descent on the samples of `X`; serial, callable inside ``prange``.

    Forward through every layer (each layer's output into `acts`), the cross-entropy of the
    output when `with_cost` (before the update, as ``train`` records it), the gradients of every
    layer into `grad` (``dZ[L] = (AL - Y) / m``, then back layer by layer, no gradient for X),
    then ``theta -= learning_rate * grad``. The same compiled passes as the JIT tier's ``train``;
    nothing is allocated. A single sigmoid output unit, as in the course.

    Parameters
    ----------
    X : ndarray of shape (n_x, m), C-contiguous, float64 or float32; (m, n_x) when `transposed`
        The samples of this step (the whole set, or a mini-batch copied into a buffer), read only.
    transposed : bool
        Whether `X` is stored one sample per row (:func:`nncore.kernels.layout.input_layout`).
    Y : ndarray of shape (1, m) or (m,), C-contiguous, X's dtype
        The labels (0 or 1), read only.
    theta : ndarray of shape (P,), X's dtype
        The flat parameters (:attr:`Packed.theta <nncore.kernels.packed.Packed>`), updated in place.
    dims : ndarray of int64, shape (L + 1,)
        Layer sizes ``[n_x, n[1], ..., n[L]]`` (:attr:`Packed.dims`), n[L] = 1.
    codes : ndarray of int64, shape (L,)
        The layers' activation codes (:attr:`Packed.codes`).
    learning_rate : float
        The step of the update, converted to theta's dtype.
    acts : ndarray of X's dtype, ``Packed.activation_size(m)`` elements
        Scratch, overwritten with every layer's output (:func:`nncore.kernels.packed.layer_block`
        views them); must not overlap anything else.
    deltas : ndarray like `acts`
        Scratch, overwritten with every layer's dZ.
    grad : ndarray of theta's shape and dtype
        Overwritten with the gradients, in theta's layout (:meth:`Packed.unpack` reads them).
    with_cost : bool
        Whether to compute the cost.

    Returns
    -------
    float
        The cost before the update (float64), or nan when not `with_cost`.
    """
    return _step(X, transposed, Y, theta, dims, codes, learning_rate, acts, deltas, grad, with_cost, 1)


@kernel
def train_step_parallel(X, transposed, Y, theta, dims, codes, learning_rate, acts, deltas, grad, with_cost, threads):
    """:func:`train_step` with each layer's passes split among `threads` threads; parallel, never inside ``prange``.

    Parameters
    ----------
    X, transposed, Y, theta, dims, codes, learning_rate, acts, deltas, grad, with_cost
        As in :func:`train_step`.
    threads : int
        The threads to split each large layer's passes among (``numba.get_num_threads()``).

    Returns
    -------
    float
        As :func:`train_step`.
    """
    return _step(X, transposed, Y, theta, dims, codes, learning_rate, acts, deltas, grad, with_cost, threads)
