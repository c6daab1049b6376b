"""One dense layer for a Numba user's own code: forward, backward and the output's gradient.

The kernels of :mod:`nncore.kernels.dense` with the course's arguments: ``b`` and ``db`` of
shape (n, 1) (or (n,)), the activation by its code, the backward pass from ``dA`` and the
layer's cache, ``dW`` and ``db`` divided by m as in the course. Each comes serial (callable
inside a user's ``prange``, one layer per iteration with its own buffers) and, for large
layers, parallel (``*_parallel``, split among ``threads`` threads: never inside a ``prange``,
where Numba would nest a parallel region in each thread).

Products whose three dimensions reach :data:`nncore.kernels.dense.BLAS_MIN_DIM` go to BLAS: a
serial kernel hands it the whole product (BLAS may use threads of its own;
:func:`nncore.set_num_threads` sets their count), a parallel one each thread's block, so call the
``*_parallel`` kernels inside :func:`nncore.threadpool.serial_blas` (BLAS on one thread inside
each of the kernel's), as the JIT tier does.
"""

import numpy as np

from nncore.kernels import dense
from nncore.kernels.config import inline, kernel, parallel_kernel
from nncore.kernels.dense import ESTIMATE
from nncore.kernels.elementwise import IDENTITY, cross_entropy, grad_from_output
from nncore.kernels.layout import flat


@inline
def _forward(W, b, A_prev, transposed, Z, A, code, threads):
    dense.forward(W, flat(b), A_prev, transposed, Z, A, code, ESTIMATE, threads, None)


@inline
def _backward(dA, A, A_prev, transposed, W, code, dZ, dW, db, dA_prev, with_dA_prev, threads):
    grad_from_output(flat(dA), flat(A), flat(dZ), code)
    db_flat = flat(db)
    dense.grads(dZ, A_prev, transposed, dW, db_flat, ESTIMATE, threads, None)
    m = dZ.shape[1]
    # Divided, not multiplied by 1/m: the same roundings as the course's dW = (1/m) ... in the tiers.
    for i in range(dW.shape[0]):
        for j in range(dW.shape[1]):
            dW[i, j] /= m
        db_flat[i] /= m
    if with_dA_prev:
        dense.backprop(W, dZ, dA_prev, IDENTITY, dA_prev, ESTIMATE, threads, None)


@kernel
def dense_forward(W, b, A_prev, transposed, Z, A, code):
    """``Z = W @ A_prev + b`` and ``A = g(Z)`` into the caller's buffers; serial, callable inside ``prange``.

    The product, the bias and the activation are fused, a block of 256 samples at a time, so the
    activation runs on columns still in cache. No check of any kind (see :mod:`nncore.kernel_checks`).

    Parameters
    ----------
    W : ndarray of shape (n, n_prev), C-contiguous, float64 or float32
        The layer's weights, read only.
    b : ndarray of shape (n, 1) or (n,), C-contiguous, W's dtype
        The bias, read only.
    A_prev : ndarray of shape (n_prev, m), C-contiguous, W's dtype; (m, n_prev) when `transposed`
        The layer's input, read only. `transposed`: stored one sample per row (``X.T`` made
        C-contiguous), the faster layout for wide inputs (:data:`nncore.kernels.layout.XT_MIN_FEATURES`).
    transposed : bool
        How `A_prev` is stored.
    Z : ndarray of shape (n, m), C-contiguous, W's dtype
        Overwritten with the pre-activation; must not overlap `W`, `b` or `A_prev`.
    A : ndarray of shape (n, m), C-contiguous, W's dtype
        Overwritten with g(Z). May be `Z` itself (the activation is applied in place; Z is then
        not kept), but must not overlap it partially, nor `W`, `b` or `A_prev`.
    code : int
        The activation: ``SIGMOID``, ``TANH``, ``RELU``, ``LEAKY_RELU``, or ``IDENTITY`` (the linear
        part alone). A global constant in compiled code, so the branch on it costs nothing.
    """
    _forward(W, b, A_prev, transposed, Z, A, code, 1)


@parallel_kernel
def dense_forward_parallel(W, b, A_prev, transposed, Z, A, code, threads):
    """:func:`dense_forward` split among `threads` threads when the layer is large; parallel, never inside ``prange``.

    Layers of fewer than :data:`nncore.kernels.partition.PARALLEL_MIN_WORK` multiply-adds run on the
    calling thread. For a given thread count the result repeats bit for bit. The JIT tier's
    ``linear_forward`` and ``linear_activation_forward`` are this kernel.

    Parameters
    ----------
    W, b, A_prev, transposed, Z, A, code
        As in :func:`dense_forward`.
    threads : int
        The threads to split the samples among (``numba.get_num_threads()``, read by the caller).
    """
    _forward(W, b, A_prev, transposed, Z, A, code, threads)


@kernel
def dense_backward(dA, A, A_prev, transposed, W, code, dZ, dW, db, dA_prev, with_dA_prev):
    """The course's backward step of one layer into the caller's buffers; serial, callable inside ``prange``.

    ``dZ = dA * g'`` (the derivative from the cached output A), ``dW = dZ @ A_prev.T / m``,
    ``db = sum(dZ, axis=1) / m``, and, when `with_dA_prev`, ``dA_prev = W.T @ dZ``. For the
    output layer, pass the dZ of :func:`output_gradient` as `dA` with ``code=IDENTITY``.

    Parameters
    ----------
    dA : ndarray of shape (n, m), C-contiguous, float64 or float32
        The gradient in the layer's output, read only (unless it is `dZ`).
    A : ndarray of shape (n, m), C-contiguous, dA's dtype
        The layer's output g(Z) from :func:`dense_forward`, read only; not read for ``IDENTITY``.
    A_prev : ndarray of shape (n_prev, m), C-contiguous, dA's dtype; (m, n_prev) when `transposed`
        The layer's input, read only.
    transposed : bool
        How `A_prev` is stored, as in :func:`dense_forward`.
    W : ndarray of shape (n, n_prev), C-contiguous, dA's dtype
        The layer's weights, read only.
    code : int
        The layer's activation code.
    dZ : ndarray of shape (n, m), C-contiguous, dA's dtype
        Overwritten with dZ. May be `dA` itself; must not overlap `A_prev`, `W` or the outputs below.
    dW : ndarray of shape (n, n_prev), C-contiguous, dA's dtype
        Overwritten; must not overlap any input.
    db : ndarray of shape (n, 1) or (n,), C-contiguous, dA's dtype
        Overwritten; must not overlap any input.
    dA_prev : ndarray of shape (n_prev, m), C-contiguous, dA's dtype
        Overwritten when `with_dA_prev` (else not touched: any array of the dtype will do, e.g. of
        shape (0, 0)); must not overlap any input.
    with_dA_prev : bool
        Whether to compute `dA_prev` (not needed for the first layer).
    """
    _backward(dA, A, A_prev, transposed, W, code, dZ, dW, db, dA_prev, with_dA_prev, 1)


@parallel_kernel
def dense_backward_parallel(dA, A, A_prev, transposed, W, code, dZ, dW, db, dA_prev, with_dA_prev, threads):
    """:func:`dense_backward` split among `threads` threads when the layer is large; parallel, never inside ``prange``.

    Parameters
    ----------
    dA, A, A_prev, transposed, W, code, dZ, dW, db, dA_prev, with_dA_prev
        As in :func:`dense_backward`.
    threads : int
        The threads to split the passes among (``numba.get_num_threads()``, read by the caller).
    """
    _backward(dA, A, A_prev, transposed, W, code, dZ, dW, db, dA_prev, with_dA_prev, threads)


@kernel
def output_gradient(AL, Y, dZ):
    """``dZ = AL - Y``: the gradient of the cross-entropy in the sigmoid output's Z; serial, callable inside ``prange``.

    The course's ``dAL * sigmoid'(ZL)`` in one subtraction, unscaled: :func:`dense_backward`
    divides dW and db by m, as the course does.

    Parameters
    ----------
    AL : ndarray of shape (1, m) or (m,), C-contiguous, float64 or float32
        The sigmoid output, read only (unless it is `dZ`).
    Y : ndarray of AL's size, C-contiguous, AL's dtype
        The labels (0 or 1), read only.
    dZ : ndarray of AL's shape and dtype, C-contiguous
        Overwritten; may be `AL` itself.
    """
    al, y, dz = flat(AL), flat(Y), flat(dZ)
    for i in range(al.size):
        dz[i] = al[i] - y[i]


@kernel
def cost(AL, Y):
    """The cross-entropy ``-mean(Y log AL + (1 - Y) log(1 - AL))``; serial, callable inside ``prange``.

    AL is clipped to ``[tiny, nextafter(1, 0)]`` of its dtype (no log of 0), the logarithms are
    :mod:`~nncore.kernels.simdmath`'s, and the sum is accumulated in float64: the JIT tier's
    ``compute_cost``.

    Parameters
    ----------
    AL : ndarray of shape (1, m) or (m,), C-contiguous, float64 or float32
        Predicted probabilities, read only.
    Y : ndarray of AL's size, C-contiguous, AL's dtype
        Labels (0 or 1), read only.

    Returns
    -------
    float
        The cost, in float64.
    """
    one = AL.dtype.type(1)
    return cross_entropy(flat(AL), flat(Y), np.finfo(AL.dtype).tiny, np.nextafter(one, AL.dtype.type(0)))
