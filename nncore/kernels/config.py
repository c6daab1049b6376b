"""The one place where the JIT tier's compiler settings live.

Every kernel is compiled through :func:`kernel` or :func:`parallel_kernel`, and
the elementary functions with :data:`ELEMENTARY_OPTIONS`, so fastmath flags,
caching and the error model are set here and nowhere else (a test greps the
package for stray fastmath settings).

* ``FASTMATH`` lets LLVM reassociate sums and contract multiply-adds into
  FMAs, which is what vectorizes the dot products and reductions. It leaves
  out ``nnan`` and ``ninf`` (LLVM could then assume no inf or nan exists and
  delete the overflow handling and the divergence checks), ``arcp`` (a
  division may not become a multiplication by a rounded reciprocal: x / |x|
  stays exactly 1) and ``afn`` (libm's log in the cost stays exact).
  Reassociation changes summation order, so the JIT tier agrees with the
  others to a tolerance, not bit for bit.
* ``cache=True`` keeps compiled code in ``__pycache__`` between processes.
* ``error_model="numpy"``: division by zero gives inf/nan, as in NumPy, with
  no Python exception path in the kernels.
"""

import numba

#: LLVM fast-math flags for every kernel.
FASTMATH = frozenset({"nsz", "contract", "reassoc"})

#: Flags of the elementary functions of :mod:`nncore.kernels.simdmath`, which are
#: compiled on their own and never take the kernels' flags: only ``contract``
#: (fused multiply-adds). ``reassoc`` would fold away the two-part ln 2 of exp's
#: range reduction (214 ulp) and log1m's rounding-error term (every bit), and
#: ``nnan``/``ninf`` would delete their nan and overflow handling.
ELEMENTARY_FASTMATH = frozenset({"contract"})

#: Options of the elementary functions (no cache: they are inlined by LLVM
#: into cached kernels).
ELEMENTARY_OPTIONS = {"fastmath": set(ELEMENTARY_FASTMATH), "error_model": "numpy"}

_OPTIONS = {"fastmath": set(FASTMATH), "cache": True, "nogil": True, "error_model": "numpy"}


def kernel(func=None, **options):
    """``numba.njit`` with the project's options; a serial kernel."""
    jit = numba.njit(**{**_OPTIONS, **options})
    return jit if func is None else jit(func)


def parallel_kernel(func):
    """``numba.njit(parallel=True)`` with the project's options, for prange drivers."""
    return numba.njit(parallel=True, **_OPTIONS)(func)


def inline(func):
    """A helper inlined into the kernels that call it (no call overhead, vectorizable)."""
    return numba.njit(inline="always", **{**_OPTIONS, "cache": False})(func)
