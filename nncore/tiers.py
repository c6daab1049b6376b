"""The tier registry: one name per implementation of the tier interface.

Tests, benchmarks and the command line iterate over :data:`TIERS` and fetch a
tier with :func:`get_tier`; adding a tier here adds it everywhere.
"""

import importlib

#: Tier name -> module implementing :mod:`nncore.interface`, slowest first.
#: ``nncore.loop`` is installed from the repository's top-level ``reference/`` folder.
TIER_MODULES = {
    "loop": "nncore.loop",
    "vector": "nncore.vector",
    "jit": "nncore.jit",
}

DESCRIPTIONS = {
    "loop": "explicit loops over samples, units and features (the course's pseudocode)",
    "vector": "vectorized NumPy",
    "jit": "Numba @njit(parallel=True) kernels and compiled training loops",
}


#: Names of the tiers, slowest first.
TIERS = tuple(TIER_MODULES)


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
