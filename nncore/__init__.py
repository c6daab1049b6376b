"""nncore: the neural-network math of "Neural Networks and Deep Learning" in three tiers.

The same functions (:mod:`nncore.interface`) exist as explicit loops (tier
``"loop"``, :mod:`nncore.loop`, the repository's ``reference/`` folder), as vectorized NumPy (``"vector"``,
:mod:`nncore.vector`) and as Numba kernels (``"jit"``, :mod:`nncore.jit`), and
agree numerically. Pick one with :func:`get_tier`.
"""

from nncore import datasets
from nncore._version import __version__
from nncore.errors import NotFittedError, TrainingDiverged
from nncore.estimators import LogisticRegression, Network
from nncore.gradcheck import gradient_check
from nncore.initializers import initialize_parameters
from nncore.interface import ACTIVATIONS, LayerCache
from nncore.persistence import load_parameters, save_parameters
from nncore.tiers import TIERS, get_tier

#: Imported on first use: they import Numba, which the loop and vector tiers do not need.
_THREAD_FUNCTIONS = ("get_num_threads", "set_num_threads", "threads")


def __getattr__(name):
    if name in _THREAD_FUNCTIONS:
        import importlib

        return getattr(importlib.import_module("nncore.threadpool"), name)
    raise AttributeError(f"module 'nncore' has no attribute {name!r}")


__all__ = [
    "__version__",
    "ACTIVATIONS",
    "LayerCache",
    "LogisticRegression",
    "Network",
    "NotFittedError",
    "TIERS",
    "TrainingDiverged",
    "datasets",
    "get_num_threads",
    "get_tier",
    "gradient_check",
    "initialize_parameters",
    "load_parameters",
    "save_parameters",
    "set_num_threads",
    "threads",
]
