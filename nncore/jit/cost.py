"""The JIT tier's cost: the cross-entropy of :mod:`nncore.kernels.elementwise`."""

import numpy as np

from nncore.contract import implements
from nncore.interface import probability_bounds
from nncore.kernels.elementwise import cross_entropy


@implements
def compute_cost(AL, Y):
    """A compiled loop accumulating in float64."""
    # float(): a Python float whether the kernel is compiled or runs as Python (NUMBA_DISABLE_JIT)
    return float(
        cross_entropy(
            np.ascontiguousarray(AL).reshape(-1), np.ascontiguousarray(Y).reshape(-1), *probability_bounds(AL.dtype)
        )
    )
