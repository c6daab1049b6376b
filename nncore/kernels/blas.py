"""BLAS's matrix product on row-major blocks, called from compiled code on the calling thread.

The JIT tier keeps one pool of threads, Numba's: a pass that multiplies by BLAS splits the
product into blocks among its own threads, and each thread calls ``gemm`` on its block and then
applies the bias and activation (or the derivative) to that block while it is still in cache.
BLAS itself then runs on one thread inside each of ours (:func:`nncore.threadpool.serial_blas`
sets that for the duration of a JIT-tier call): a BLAS library with threads of its own, called
from inside Numba's parallel region, would put two pools of spinning threads on the same cores.

The product is SciPy's ``dgemm``/``sgemm`` through ``numba_xxgemm``, the helper Numba's own
``np.dot`` calls: a symbol of Numba's helper library, resolved by name, so the kernels that call
it stay in the on-disk cache. Unlike ``np.dot`` it takes blocks of larger arrays as they lie
(rows of any stride, the columns contiguous), so no block is copied.
"""

import numba.np.linalg
import numpy as np
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from nncore.kernels.config import inline

# Loads scipy.linalg.cython_blas, where numba_xxgemm finds dgemm and sgemm.
numba.np.linalg.ensure_blas()

#: ``numba_xxgemm(kind, transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)``: the
#: column-major ``c = alpha op(a) op(b) + beta c`` of the BLAS of `kind` (``d`` or ``s``),
#: every pointer untyped so that one declaration serves both dtypes.
_xxgemm = types.ExternalFunction(
    "numba_xxgemm",
    types.intc(
        types.char,
        types.char,
        types.char,
        types.intp,
        types.intp,
        types.intp,
        types.voidptr,
        types.voidptr,
        types.intp,
        types.voidptr,
        types.intp,
        types.voidptr,
        types.voidptr,
        types.intp,
    ),
)

_N, _T, _D, _S = ord("N"), ord("T"), ord("d"), ord("s")


@intrinsic
def _address(typingctx, array):
    """The address of the first element of `array` (any layout), as a void pointer."""
    if not isinstance(array, types.Array):
        return None

    def codegen(context, builder, signature, args):
        view = context.make_array(signature.args[0])(context, builder, args[0])
        return builder.bitcast(view.data, cgutils.voidptr_t)

    return types.voidptr(array), codegen


@inline
def _rows_stride(X):
    """The distance between the rows of a 2-D block whose columns are contiguous, in elements."""
    return max(X.strides[0] // X.itemsize, X.shape[1], 1)


@inline
def product(A, a_transposed, B, b_transposed, C, scalars):
    """``C = op(A) @ op(B)`` by BLAS, on the calling thread; `op` transposes where asked.

    Inlined. Every array is 2-D with contiguous columns (rows may lie apart: a block of a larger
    C-contiguous array, such as ``Z[:, lo:hi]``), and of one dtype, float64 or float32.

    Parameters
    ----------
    A : ndarray of shape (M, K), or (K, M) when `a_transposed`
        Read only.
    a_transposed : bool
        Whether `A` holds op(A) transposed.
    B : ndarray of shape (K, N), or (N, K) when `b_transposed`
        Read only.
    b_transposed : bool
        Whether `B` holds op(B) transposed.
    C : ndarray of shape (M, N)
        Overwritten; must not overlap `A` or `B`.
    scalars : ndarray of shape (2,), the dtype of `C`
        Scratch for BLAS's alpha and beta (written here: 1 and 0).
    """
    M, N = C.shape
    K = A.shape[0] if a_transposed else A.shape[1]
    scalars[0] = 1
    scalars[1] = 0
    # Row-major C = op(A) op(B) is column-major C.T = op(B).T op(A).T: BLAS gets B first, and
    # a row-major buffer is its own transpose in column-major terms.
    _xxgemm(
        _D if C.itemsize == 8 else _S,
        _T if b_transposed else _N,
        _T if a_transposed else _N,
        N,
        M,
        K,
        _address(scalars),
        _address(B),
        _rows_stride(B),
        _address(A),
        _rows_stride(A),
        _address(scalars[1:]),
        _address(C),
        _rows_stride(C),
    )


if numba.config.DISABLE_JIT:  # pragma: no branch - the coverage run: kernels run as Python

    def product(A, a_transposed, B, b_transposed, C, scalars):  # noqa: F811
        """:func:`product` as Python: Numba's helper and intrinsic exist only in compiled code."""
        np.matmul(A.T if a_transposed else A, B.T if b_transposed else B, out=C)
