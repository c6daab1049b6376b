"""The vector tier: the tier interface in vectorized NumPy (tier ``"vector"``).

Whenever possible, no explicit for-loops: one BLAS call per matrix product,
SciPy's ``expit`` for the sigmoid, buffers reused across training iterations,
and no gradient for the input X. float32 and float64 inputs keep their dtype.
"""

from nncore.interface import FUNCTIONS as __all__  # noqa: E402
from nncore.vector.activations import (
    leaky_relu,
    leaky_relu_backward,
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
    tanh,
    tanh_backward,
)
from nncore.vector.basics import (
    image2vector,
    l1_loss,
    l2_loss,
    normalize_rows,
    sigmoid_derivative,
    softmax,
)
from nncore.vector.cost import compute_cost
from nncore.vector.layers import (
    linear_activation_backward,
    linear_activation_forward,
    linear_backward,
    linear_forward,
)
from nncore.vector.logistic import optimize, propagate
from nncore.vector.model import model_backward, model_forward, predict, train, update_parameters
