"""nncore: the neural-network math of "Neural Networks and Deep Learning" in three tiers.

The same functions (:mod:`nncore.interface`) exist as explicit loops (tier
``"loop"``, :mod:`nncore.loop`, the repository's ``reference/`` folder), as vectorized NumPy (``"vector"``,
:mod:`nncore.vector`) and as Numba kernels (``"jit"``, :mod:`nncore.jit`), and
agree numerically. Pick one with :func:`get_tier`.
"""

import os as _os
import sys as _sys

# OpenBLAS's threads spin for about 0.1 s after each call before they sleep, and on a machine of
# few cores a JIT-tier call made meanwhile (or a BLAS call after the JIT tier's threads, which spin
# too) shares the cores with them. OpenBLAS reads OPENBLAS_THREAD_TIMEOUT once, when NumPy (or
# SciPy) loads it: set before that, its threads sleep as soon as their work is done (2**4 cycles).
# Left alone when the user set it, and out of reach once NumPy is imported (docs/performance.md,
# "Two pools of threads", has the figures and what to do then).
if "numpy" not in _sys.modules:
    _os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

from nncore import datasets  # noqa: E402
from nncore._version import __version__  # noqa: E402
from nncore.errors import NotFittedError, TrainingDiverged  # noqa: E402
from nncore.estimators import LogisticRegression, Network  # noqa: E402
from nncore.gradcheck import gradient_check  # noqa: E402
from nncore.initializers import initialize_parameters  # noqa: E402
from nncore.interface import ACTIVATIONS, LayerCache  # noqa: E402
from nncore.persistence import load_parameters, save_parameters  # noqa: E402
from nncore.tiers import TIERS, get_tier  # noqa: E402

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
