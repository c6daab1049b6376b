"""The JIT tier: the tier interface as Numba kernels (tier ``"jit"``).

The functions here validate their arguments and call the compiled kernels of
:mod:`nncore.kernels`. Dense layers run on register-blocked, vectorized matrix
kernels with the bias and the activation fused in
(:mod:`nncore.kernels.gemm`, :mod:`nncore.kernels.dense`),
in a samples-major layout; activations use vectorizable exp/tanh/sigmoid
(:mod:`nncore.kernels.simdmath`); ``train`` and ``optimize`` run every iteration
inside compiled code over buffers allocated once. Large layers are split among
threads (:func:`nncore.set_num_threads`); results for a fixed thread count are
deterministic. Compiler settings live in :mod:`nncore.kernels.config` only.
"""

from nncore import threadpool as _threadpool  # noqa: F401  (chooses Numba's threading layer first)
from nncore.interface import FUNCTIONS  # noqa: E402
from nncore.jit.activations import (
    leaky_relu,
    leaky_relu_backward,
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
    tanh,
    tanh_backward,
)
from nncore.jit.basics import dot, image2vector, l1_loss, l2_loss, normalize_rows, sigmoid_derivative, softmax
from nncore.jit.cost import compute_cost
from nncore.jit.layers import linear_activation_backward, linear_activation_forward, linear_backward, linear_forward
from nncore.jit.logistic import optimize, propagate
from nncore.jit.model import model_backward, model_forward, predict, train, update_parameters
from nncore.kernels.elementwise import finite as _finite  # noqa: E402
from nncore.validation import use_finite_check as _use_finite_check  # noqa: E402

# The checked functions' fast paths (nncore.validation) test a small layer's arrays for nan and inf in
# one compiled call each instead of NumPy calls: validation itself imports nothing of Numba's.
_use_finite_check(_finite)

__all__ = [*FUNCTIONS, "dot"]
