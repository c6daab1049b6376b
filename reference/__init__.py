"""The loop tier: the tier interface as explicit loops (tier ``"loop"``).

Every function of :mod:`nncore.interface`, ported from the course's
pseudocode one sample, unit and feature at a time. NumPy arrays only hold the
inputs and outputs: each entry is read into a Python float, every sum
accumulates in Python floats (so float32 inputs are computed in double and
rounded once when stored), and the scalar math is :mod:`math`'s. It is slow on
purpose and meant to be obviously correct: the tests check the vectorized and
JIT tiers against it.
"""

from nncore.interface import FUNCTIONS as __all__  # noqa: E402

from .activations import (
    leaky_relu,
    leaky_relu_backward,
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
    tanh,
    tanh_backward,
)
from .basics import (
    image2vector,
    l1_loss,
    l2_loss,
    normalize_rows,
    sigmoid_derivative,
    softmax,
)
from .cost import compute_cost
from .layers import (
    linear_activation_backward,
    linear_activation_forward,
    linear_backward,
    linear_forward,
)
from .logistic import optimize, propagate
from .model import model_backward, model_forward, predict, train, update_parameters
