"""nncore's Numba kernels: the public API for a Numba user's own ``@njit`` code.

The JIT tier (:mod:`nncore.jit`) is built from these kernels; they are public so that a Numba
user can call them from Python or from their own ``@njit`` and ``@njit(parallel=True)``
functions (mini-batches, momentum, a schedule of their own), with no validation inside and no
dispatch cost from compiled code. The names below are the API (``__all__``); the submodules are
its implementation.

Conventions of every kernel:

* the course's shapes: one unit per row, one sample per column (``A`` is (n, m)), ``W`` (n, n_prev),
  ``b`` (n, 1) or (n,);
* every array of one call has one floating dtype, float64 or float32 (the integer ``dims`` and
  ``codes`` of :class:`Packed` excepted), and is C-contiguous (``np.ascontiguousarray``); a kernel
  compiled for other layouts or mixed dtypes is slower or fails to type;
* outputs are buffers the caller allocates, overwritten; each kernel's docstring says which may
  alias an input;
* the activation is an integer code, :data:`SIGMOID`, :data:`TANH`, :data:`RELU`,
  :data:`LEAKY_RELU` (:data:`CODES` by name) or :data:`IDENTITY`: in compiled code a global
  constant, so the kernel's one branch on it costs nothing;
* serial kernels may be called inside a user's ``prange`` (each iteration with its own output
  buffers); the ``*_parallel`` kernels split a large layer among ``threads`` threads and must not
  be (a parallel region nested in each thread);
* nothing is checked; :mod:`nncore.kernel_checks` has the same kernels behind the checks of
  their preconditions, for Python callers while debugging.

Contents:

* activation codes: :data:`SIGMOID`, :data:`TANH`, :data:`RELU`, :data:`LEAKY_RELU`,
  :data:`IDENTITY`, :data:`CODES`;
* scalars (compiled code and Python): :func:`exp`, :func:`tanh`, :func:`sigmoid`, :func:`log`,
  :func:`log1m`, vectorizable inside a loop (:mod:`~nncore.kernels.simdmath`);
* whole arrays, 1-D or 2-D, at SIMD speed: :func:`activation_forward`,
  :func:`activation_backward`, :func:`exp_into`, :func:`log_into`, :func:`tanh_into`,
  :func:`sigmoid_into` (:mod:`~nncore.kernels.elementwise`);
* one dense layer: :func:`dense_forward`, :func:`dense_backward`, their ``*_parallel`` forms,
  :func:`output_gradient` (sigmoid with cross-entropy), :func:`cost` (:mod:`~nncore.kernels.layer`);
* training: :func:`update`, :func:`train_step`, :func:`train_step_parallel`
  (:mod:`~nncore.kernels.step`) over the flat buffers of :class:`Packed`, whose layers
  :func:`layer_W`, :func:`layer_b` and :func:`layer_block` view (:mod:`~nncore.kernels.packed`).

Implementation modules: :mod:`~nncore.kernels.config` (compiler settings, the only place),
:mod:`~nncore.kernels.cache` (the source-keyed cache), :mod:`~nncore.kernels.gemm`
(register-blocked products), :mod:`~nncore.kernels.partition` and :mod:`~nncore.kernels.layout`
(threads and input layout), :mod:`~nncore.kernels.dense` (the fused passes),
:mod:`~nncore.kernels.packed` (the compiled training loop), :mod:`~nncore.kernels.logistic`,
:mod:`~nncore.kernels.basics`.
"""

from nncore.kernels.elementwise import (
    CODES,
    IDENTITY,
    LEAKY_RELU,
    RELU,
    SIGMOID,
    TANH,
    activation_backward,
    activation_forward,
    exp_into,
    log_into,
    sigmoid_into,
    tanh_into,
)
from nncore.kernels.layer import (
    cost,
    dense_backward,
    dense_backward_parallel,
    dense_forward,
    dense_forward_parallel,
    output_gradient,
)
from nncore.kernels.packed import Packed, layer_b, layer_block, layer_W
from nncore.kernels.simdmath import exp, log, log1m, sigmoid, tanh
from nncore.kernels.step import train_step, train_step_parallel, update

__all__ = [
    "SIGMOID",
    "TANH",
    "RELU",
    "LEAKY_RELU",
    "IDENTITY",
    "CODES",
    "exp",
    "tanh",
    "sigmoid",
    "log",
    "log1m",
    "activation_forward",
    "activation_backward",
    "exp_into",
    "log_into",
    "tanh_into",
    "sigmoid_into",
    "dense_forward",
    "dense_forward_parallel",
    "dense_backward",
    "dense_backward_parallel",
    "output_gradient",
    "cost",
    "update",
    "train_step",
    "train_step_parallel",
    "Packed",
    "layer_W",
    "layer_b",
    "layer_block",
]
