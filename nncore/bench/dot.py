"""The course's vectorization demo: one dot product three ways.

The course times ``c += a[i] * b[i]`` over two 1,000,000-element arrays
against ``np.dot(a, b)`` and quotes NumPy as "about 300 times faster".
:data:`METHODS` holds the same dot product as that Python loop, as NumPy's
``np.dot`` and as a compiled kernel; ``nncore compare`` and the asv suite
time them.
"""

import numpy as np

#: Length of the course's vectors.
N = 1_000_000


def python_dot(a, b):
    """``c += a[i] * b[i]`` for every i: the course's explicit loop, on the arrays themselves.

    Parameters
    ----------
    a, b : ndarray of shape (n,)

    Returns
    -------
    c : float
    """
    c = 0.0
    for i in range(len(a)):
        c += a[i] * b[i]
    return float(c)


def numpy_dot(a, b):
    """``np.dot(a, b)``: one BLAS call."""
    return float(np.dot(a, b))


def jit_dot(a, b):
    """The dot product as the JIT tier's compiled loop, :func:`nncore.jit.dot` (compiled on first call)."""
    from nncore.jit import dot  # imports Numba: only when this method runs

    return float(dot(a, b))


#: name -> (label, function(a, b) -> float), slowest first.
METHODS = {
    "python": ("Python loop", python_dot),
    "numpy": ("np.dot", numpy_dot),
    "jit": ("JIT kernel", jit_dot),
}


def vectors(n=N, dtype=np.float64, seed=0):
    """Two seeded vectors of `n` uniform draws in [0, 1), as the course's ``np.random.rand(n)``.

    Returns
    -------
    a, b : ndarray of shape (n,), `dtype`
    """
    rng = np.random.default_rng(seed)
    return rng.random(n).astype(dtype), rng.random(n).astype(dtype)
