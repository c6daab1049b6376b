"""The tier registry: one name per implementation of the tier interface.

Tests, benchmarks and the command line iterate over :data:`TIERS` and fetch a
tier with :func:`get_tier`; adding a tier here adds it everywhere.
"""

import importlib
import importlib.util

#: Tier name -> module implementing :mod:`nncore.interface`, slowest first.
TIER_MODULES = {
    "loop": "reference",
    "vector": "nncore.vector",
    "jit": "nncore.jit",
}

DESCRIPTIONS = {
    "loop": "explicit loops over samples, units and features (the course's pseudocode)",
    "vector": "vectorized NumPy",
    "jit": "Numba @njit(parallel=True) kernels and compiled training loops",
}


def _available(module):
    """True when `module` is an importable package (a folder without
    ``__init__.py``, such as a tier under construction, does not count)."""
    try:
        spec = importlib.util.find_spec(module)
    except ImportError:  # parent package missing
        return False
    return spec is not None and spec.origin is not None


#: Names of the tiers installed, slowest first.
TIERS = tuple(name for name, module in TIER_MODULES.items() if _available(module))


def get_tier(name):
    """Return the module of tier `name`.

    Parameters
    ----------
    name : {"loop", "vector", "jit"}

    Returns
    -------
    module
        Defines every function of :mod:`nncore.interface`.

    Raises
    ------
    ValueError
        For a name not in :data:`TIERS`.
    """
    if name not in TIERS:
        known = ", ".join(map(repr, TIERS))
        raise ValueError(f"unknown tier {name!r}; available tiers are {known}.")
    return importlib.import_module(TIER_MODULES[name])
