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
* ``cache=True`` keeps compiled code on disk between processes, in a folder
  keyed by the sources of every kernel file (:mod:`nncore.kernels.cache`): an
  edit of any of them recompiles every kernel, where Numba's own cache would
  keep serving code that inlined the old version of another file.
* ``error_model="numpy"``: division by zero gives inf/nan, as in NumPy, with
  no Python exception path in the kernels.
* the CPU features: on CPUs with AVX-512, 512-bit vectors where they measured faster
  (:data:`TARGET`, :mod:`nncore.kernels.target`).

With ``NUMBA_DISABLE_JIT=1`` (the coverage run) Numba returns each function as
it is and the kernels run as Python on NumPy arrays and scalars. Kernels then
run under ``np.errstate(all="ignore")``: compiled code gives the IEEE results
inf, 0 and nan silently, and the callers check for them (a divergence, say);
NumPy would warn instead.
"""

import functools

import numba
import numpy as np

from nncore.kernels import cache, target

#: LLVM fast-math flags for every kernel.
FASTMATH = frozenset({"nsz", "contract", "reassoc"})

#: The options of :mod:`nncore.kernels.target`'s probe: the kernels' flags, no cache.
PROBE_OPTIONS = {"fastmath": set(FASTMATH), "cache": False}

#: The vector width the kernels are compiled for on this CPU (:mod:`nncore.kernels.target`):
#: Numba's CPU features, set here, before the first kernel is made, when Numba still takes them.
TARGET = target.configure(PROBE_OPTIONS)

#: Flags of the elementary functions of :mod:`nncore.kernels.simdmath`, which are
#: compiled on their own and never take the kernels' flags: only ``contract``
#: (fused multiply-adds). ``reassoc`` would fold away the two-part ln 2 of exp's
#: range reduction and log1m's rounding-error term, and ``nnan``/``ninf`` would
#: delete their nan and overflow handling.
ELEMENTARY_FASTMATH = frozenset({"contract"})

#: Options of the elementary functions (no cache: they are inlined by LLVM
#: into cached kernels).
ELEMENTARY_OPTIONS = {"fastmath": set(ELEMENTARY_FASTMATH), "error_model": "numpy"}

_OPTIONS = {"fastmath": set(FASTMATH), "cache": True, "nogil": True, "error_model": "numpy"}

#: Options of the helpers, :func:`inline` and :func:`helper`: the kernels', not cached on their own.
_HELPER_OPTIONS = {**_OPTIONS, "cache": False}


def _compile(func, options):
    """``numba.njit(**options)(func)``, with ``cache=True`` meaning the source-keyed cache."""
    options = dict(options)
    cached = options.pop("cache", False)
    dispatcher = numba.njit(**options)(func)
    return cache.enable(dispatcher) if cached else dispatcher


def _as_compiled(func):
    """Under ``NUMBA_DISABLE_JIT=1``: `func` run as Python, with NumPy's floating-point warnings
    off, as compiled code has none (a kernel's entry point only: helpers run inside one)."""
    if not numba.config.DISABLE_JIT:
        return func

    @functools.wraps(func)
    def run(*args, **kwargs):
        with np.errstate(all="ignore"):
            return func(*args, **kwargs)

    return run


def kernel(func=None, **options):
    """``numba.njit`` with the project's options; a serial kernel.

    Parameters
    ----------
    func : function, optional
        The kernel; without it, a decorator is returned.
    **options
        Numba options overriding the project's (:data:`FASTMATH`, the cache, ``nogil``,
        ``error_model="numpy"``).

    Returns
    -------
    numba Dispatcher, or a decorator making one
        Under ``NUMBA_DISABLE_JIT=1``, the function itself run under ``np.errstate(all="ignore")``.
    """
    merged = {**_OPTIONS, **options}
    return (lambda f: _as_compiled(_compile(f, merged))) if func is None else _as_compiled(_compile(func, merged))


def parallel_kernel(func):
    """``numba.njit(parallel=True)`` with the project's options, for prange drivers.

    Parameters
    ----------
    func : function
        The kernel.

    Returns
    -------
    numba Dispatcher
        Under ``NUMBA_DISABLE_JIT=1``, as :func:`kernel`.
    """
    return _as_compiled(_compile(func, {**_OPTIONS, "parallel": True}))


def inline(func):
    """A helper inlined into the kernels that call it (no call overhead, vectorizable).

    Not cached on its own: its code is cached inside each kernel that calls it.

    Parameters
    ----------
    func : function
        The helper.

    Returns
    -------
    numba Dispatcher
    """
    return _compile(func, {**_HELPER_OPTIONS, "inline": "always"})


def helper(func):
    """A helper compiled on its own, whose code LLVM inlines into the kernels that call it.

    Numba's inlining (:func:`inline`) copies the helper's code into each call site and types and
    lowers it there again; for a helper called from many places, or a large one, that is compile
    time paid over and over (the block and coefficient helpers of :mod:`nncore.kernels.gemm`: 30.5
    s -> 21 s for the planar network's cold compile, the same speed measured). Keep :func:`inline`
    for helpers that hold a ``prange`` (a parallel loop only runs in parallel inside the parallel
    kernel's own code) and for the innermost vector loops. Not cached on its own.

    Parameters
    ----------
    func : function
        The helper.

    Returns
    -------
    numba Dispatcher
    """
    return _compile(func, _HELPER_OPTIONS)
