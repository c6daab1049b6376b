"""Fused dense-layer passes, serial on a block of rows or split among threads.

Layout: samples are rows (``AT`` of shape (m, n) is the course's ``A.T``).

* forward: ``ZT = AT_prev @ W.T + b`` then ``AT = g(ZT)``, one block of
  samples at a time, so the activation runs on rows still in cache;
* backprop: ``dAT_prev = dZT @ W`` then ``dZT_prev = dAT_prev * g'(AT_prev)``,
  again per block of samples;
* grads: ``dW = dZT.T @ AT_prev`` and ``db = sum of dZT over samples``, split
  by columns of dW (features), so no two threads write one element and each
  element is summed in the same order whatever the thread count.

The ``*_rows`` kernels are serial. :func:`forward`, :func:`backprop` and
:func:`grads` split the rows (or columns) among threads with ``prange`` over
thread ids, each thread writing only its own block, when a layer has enough
work to pay for waking the threads (:data:`PARALLEL_MIN_WORK` multiply-adds);
else they call the serial kernel and no thread wakes. The thread count is an
argument (``numba.get_num_threads()`` read by the Python caller): read inside a
parallel kernel it would keep the kernel out of the on-disk cache. They are inlined into
the compiled training loop (a parallel kernel calling another parallel kernel
could not be cached), and ``*_kernel`` compiles each on its own for Python
callers.
"""

from numba import prange

from nncore.jit import gemm
from nncore.jit.config import inline, kernel, parallel_kernel
from nncore.jit.elementwise import activate, grad_from_output

#: Multiply-adds below which a layer pass runs on one thread: waking the
#: pool costs a few microseconds, about 10^5 multiply-adds here.
PARALLEL_MIN_WORK = 1 << 18

#: Row blocks handed to threads are multiples of this (the register tiles'
#: height), so a row's arithmetic never depends on the thread count.
ROW_ALIGN = 4

#: Column blocks of dW handed to threads are multiples of this (a whole
#: number of vector iterations), for the same reason.
COL_ALIGN = 128

#: Samples per block of the fused passes: ZT and AT rows of a block stay in L2.
BLOCK = 128


@inline
def block_of(n, parts, t, align):
    """The range [lo, hi) of part `t` when [0, n) is cut into `parts` aligned parts."""
    per = -(-n // parts)
    per = -(-per // align) * align
    lo = min(t * per, n)
    return lo, min(lo + per, n)


@kernel
def forward_rows(AT_prev, W, b, ZT, AT, code, r_lo, r_hi):
    """Rows [r_lo, r_hi) of ``ZT = AT_prev @ W.T + b`` and ``AT = g(ZT)``.

    Parameters
    ----------
    AT_prev : ndarray of shape (m, n_prev), C-contiguous
    W : ndarray of shape (n, n_prev), C-contiguous
    b : ndarray of shape (n,)
    ZT, AT : ndarray of shape (m, n), C-contiguous
        May be the same array (the activation is then applied in place).
    code : int
        Activation code (:data:`nncore.jit.elementwise.CODES`).
    """
    for lo in range(r_lo, r_hi, BLOCK):
        hi = min(lo + BLOCK, r_hi)
        for r in range(lo, hi):
            ZT[r, :] = b
        gemm.dot_rows(AT_prev, W, ZT, lo, hi)
        activate(ZT[lo:hi].reshape(-1), AT[lo:hi].reshape(-1), code)


@kernel
def backprop_rows(dZT, W, AT_prev, code_prev, dZT_prev, r_lo, r_hi):
    """Rows [r_lo, r_hi) of ``dZT_prev = (dZT @ W) * g'(AT_prev)``."""
    for lo in range(r_lo, r_hi, BLOCK):
        hi = min(lo + BLOCK, r_hi)
        dZT_prev[lo:hi, :] = 0
        gemm.axpy_rows(dZT, W, dZT_prev, lo, hi, 0, W.shape[1])
        block = dZT_prev[lo:hi].reshape(-1)
        grad_from_output(block, AT_prev[lo:hi].reshape(-1), block, code_prev)


@kernel
def grads_cols(dZ, AT_prev, dW, db, k_lo, k_hi, with_db):
    """Columns [k_lo, k_hi) of ``dW = dZ @ AT_prev``, and ``db`` when `with_db`.

    Parameters
    ----------
    dZ : ndarray of shape (n, m), C-contiguous
        The layer's gradient in the course's layout (units by samples).
    AT_prev : ndarray of shape (m, n_prev), C-contiguous
    dW : ndarray of shape (n, n_prev), C-contiguous
    db : ndarray of shape (n,)
    """
    dW[:, k_lo:k_hi] = 0
    gemm.axpy_rows(dZ, AT_prev, dW, 0, dW.shape[0], k_lo, k_hi)
    if with_db:
        for u in range(dZ.shape[0]):
            db[u] = dZ[u].sum()


@kernel
def transpose_into(src, dst):
    """``dst[j, i] = src[i, j]`` (a serial kernel: inside a parallel kernel an
    array expression would become a parfor of its own)."""
    for i in range(src.shape[0]):
        for j in range(src.shape[1]):
            dst[j, i] = src[i, j]


@inline
def parallel_worth(work, threads):
    """Whether `work` multiply-adds pay for waking `threads` threads."""
    return work >= PARALLEL_MIN_WORK and threads > 1


@inline
def forward(AT_prev, W, b, ZT, AT, code, threads):
    """The whole of :func:`forward_rows`, split by samples among threads when worth it."""
    m, n_prev = AT_prev.shape
    if parallel_worth(m * n_prev * W.shape[0], threads):
        for t in prange(threads):
            lo, hi = block_of(m, threads, t, ROW_ALIGN)
            forward_rows(AT_prev, W, b, ZT, AT, code, lo, hi)
    else:
        forward_rows(AT_prev, W, b, ZT, AT, code, 0, m)


@inline
def backprop(dZT, W, AT_prev, code_prev, dZT_prev, threads):
    """The whole of :func:`backprop_rows`, split by samples among threads when worth it."""
    m, n = dZT.shape
    if parallel_worth(m * n * W.shape[1], threads):
        for t in prange(threads):
            lo, hi = block_of(m, threads, t, ROW_ALIGN)
            backprop_rows(dZT, W, AT_prev, code_prev, dZT_prev, lo, hi)
    else:
        backprop_rows(dZT, W, AT_prev, code_prev, dZT_prev, 0, m)


@inline
def grads(dZT, AT_prev, dW, db, dZ, threads):
    """``dW = dZT.T @ AT_prev`` and ``db``, split by columns of dW when worth it.

    `dZ` (n, m) is scratch for ``dZT.T``, the layout the axpy kernel reads.
    """
    transpose_into(dZT, dZ)
    n_prev = dW.shape[1]
    if parallel_worth(dZT.size * n_prev, threads):
        for t in prange(threads):
            lo, hi = block_of(n_prev, threads, t, COL_ALIGN)
            grads_cols(dZ, AT_prev, dW, db, lo, hi, t == 0)
    else:
        grads_cols(dZ, AT_prev, dW, db, 0, n_prev, True)


# Entry points for Python callers: the inline passes above compiled on their own.


@parallel_kernel
def forward_kernel(AT_prev, W, b, ZT, AT, code, threads):
    forward(AT_prev, W, b, ZT, AT, code, threads)


@parallel_kernel
def backprop_kernel(dZT, W, AT_prev, code_prev, dZT_prev, threads):
    backprop(dZT, W, AT_prev, code_prev, dZT_prev, threads)


@parallel_kernel
def grads_kernel(dZT, AT_prev, dW, db, dZ, threads):
    grads(dZT, AT_prev, dW, db, dZ, threads)
