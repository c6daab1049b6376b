"""Fused dense-layer passes in the course's layout, serial on a block or split among threads.

Activations and gradients are stored as in the course, one unit per row and
one sample per column (``A`` of shape (n, m), C-contiguous), so the hidden
layers' loops run along samples and vectorize however few units a layer has.
The network's input may instead be stored one sample per row (``XT``, shape
(m, n_x), passed with ``transposed=True``): for wide inputs such as the 12288
pixels of a cat image the first layer's products are then long dot products
over contiguous features.

* forward: ``Z = W @ A_prev + b``, then ``A = g(Z)``, a block of samples at a
  time, so the activation runs on columns still in cache;
* backprop: ``dA_prev = W.T @ dZ``, then ``dZ_prev = dA_prev * g'(A_prev)``,
  a block of samples at a time;
* grads: ``dW = dZ @ A_prev.T`` and ``db`` = the row sums of dZ.

Each pass takes one of three paths (:data:`PATHS`): the fused kernels on the calling thread
(``SERIAL``), the same split among threads (``THREADS``), or BLAS's product of each thread's block
followed by the element-wise rest on that block while it is in cache (``BLAS``,
:mod:`nncore.kernels.blas`; BLAS runs on one thread inside each of ours). Which is fastest
depends on the machine: the JIT tier's planner (:mod:`nncore.jit.planner`) times them per layer on
the running one; ``ESTIMATE`` asks for the rule of thumb :func:`estimate_path` instead, decided
here from the layer's size.

Each pass comes at four levels, twelve functions in all:

========  ==================  =================  ==============  ===================
pass      block (serial)      part (serial)      pass (inlined)  entry (parallel)
========  ==================  =================  ==============  ===================
forward   ``forward_block``   ``forward_part``   ``forward``     ``forward_kernel``
backprop  ``backprop_block``  ``backprop_part``  ``backprop``    ``backprop_kernel``
grads     ``grads_block``     ``grads_part``     ``grads``       ``grads_kernel``
========  ==================  =================  ==============  ===================

* a *block* kernel computes a range of the output on the calling thread (and
  :func:`grads_block_transposed` the gradient of an input stored one sample per row);
* a *part* kernel is thread ``t``'s share of ``parts`` (:func:`~nncore.kernels.partition.block_of`),
  by our kernels or by BLAS's product of the block and the element-wise rest
  (:func:`epilogue_forward_block`, :func:`epilogue_backprop_block`, :func:`row_sums`);
* a *pass* takes the path it is given (:func:`resolve`) and runs the parts under one ``prange``
  over thread ids, each thread writing only its own block, or calls the part once on the
  calling thread, so that no thread wakes; inlined into its entry kernel and into the public
  serial kernels of :mod:`nncore.kernels.layer`;
* an *entry* kernel compiles a pass on its own. The compiled training loop, ``predict``,
  ``model_backward`` (:mod:`nncore.kernels.packed`), the JIT tier's layer functions and the
  planner all call these three, so each pass is compiled once (a training loop with the passes
  inlined compiled each of them again, and took twice as long to compile);
* the passes call the parts by address (:mod:`nncore.kernels.address`), given the ``table`` of
  :func:`part_table`, so a part's code is compiled and optimized in the part only, not again in
  the ``prange``'s outlined function, its wrappers, the entry kernel and the training loop: the
  planar network's cold compile in one process fell from 39 s to 30.5 s, LLVM's share from 25 s
  to 10 s. The parts call their block kernels by address too (the forward, backprop and grads
  tasks of :mod:`nncore.jit.precompile`: 2.6 s less work). With ``table=None`` they call the
  parts, and the parts the blocks, directly, as the public kernels of :mod:`nncore.kernels.layer`
  and :mod:`nncore.kernels.step` do for a Numba user's own code.

The thread count is an argument (``numba.get_num_threads()`` read by the Python caller): read
inside a parallel kernel it would keep the kernel out of the on-disk cache.

All arrays of one call share one floating dtype (float64 or float32); ``code`` arguments are
activation codes (:data:`nncore.kernels.elementwise.CODES`, or ``IDENTITY``).
"""

import functools

import numba
import numpy as np
from numba import prange, types

from nncore.kernels import address, blas, gemm
from nncore.kernels.config import inline, kernel, parallel_kernel
from nncore.kernels.elementwise import activate, finite, grad_from_output
from nncore.kernels.partition import FEATURE_ALIGN, ROW_ALIGN, SAMPLE_ALIGN, block_of, parallel_worth

#: Samples per block of the fused passes, at least: a block's Z and A stay in L2.
BLOCK = 256

#: Entries of Z per block, at least: a narrow layer takes more samples per block (a planar layer's
#: 4 units, all 400 samples at once), so its activation runs as one loop over whole rows.
BLOCK_ENTRIES = 1 << 14


@inline
def _samples_per_block(n):
    """Samples per block for a layer of `n` units: :data:`BLOCK`, more for narrow layers."""
    return max(BLOCK, BLOCK_ENTRIES // max(n, 1))


#: Arguments of the kernels called with constants: a literal 0, 1, True or False (or a prange index,
#: which Numba types as unsigned) would compile another specialization of the kernel it is passed to.
_ZERO, _ONE = np.int64(0), np.int64(1)
_NO, _YES = np.bool_(False), np.bool_(True)

#: The paths of a pass. ``SERIAL``: the fused kernels on the calling thread. ``THREADS``: the
#: same, the samples (or units, or features) split among threads. ``BLAS``: the same split, each
#: thread's block multiplied by BLAS (:func:`nncore.kernels.blas.product`, SciPy's gemm on one
#: thread) and then given its bias and activation (or derivative, or db) while in cache.
#: ``ESTIMATE``: :func:`estimate_path` picks one of the three from the layer's size.
ESTIMATE, SERIAL, THREADS, BLAS = -1, 0, 1, 2

#: The paths by name, as the planner's files and ``NNCORE_PLAN`` spell them.
PATHS = {"estimate": ESTIMATE, "serial": SERIAL, "threads": THREADS, "blas": BLAS}

#: The rule of thumb's BLAS threshold (:func:`estimate_path`), the fallback when nothing was
#: measured: products whose three dimensions all reach it go to BLAS, whose packed,
#: cache-blocked kernels multiply such matrices faster than the register tiles of
#: :mod:`gemm` on the machines seen so far. The first layer's forward product with a
#: one-sample-per-row input stays ours: long contiguous dot products kept up with BLAS there.
BLAS_MIN_DIM = 128


@inline
def _activate_columns(Z, A, code, lo, hi):
    if lo == 0 and hi == Z.shape[1]:  # whole rows: one loop over the whole (C-contiguous) arrays
        activate(Z.reshape(Z.size), A.reshape(A.size), code)
        return
    for u in range(Z.shape[0]):
        activate(Z[u, lo:hi], A[u, lo:hi], code)


@inline
def _grad_columns(dZ, A, code, lo, hi):
    """``dZ *= g'(A)`` in columns [lo, hi), as :func:`_activate_columns` cuts them."""
    if lo == 0 and hi == dZ.shape[1]:
        whole = dZ.reshape(dZ.size)
        grad_from_output(whole, A.reshape(A.size), whole, code)
        return
    for k in range(dZ.shape[0]):
        row = dZ[k, lo:hi]
        grad_from_output(row, A[k, lo:hi], row, code)


@kernel
def forward_block(W, b, A_prev, transposed, Z, A, code, s_lo, s_hi):
    """Samples [s_lo, s_hi) of ``Z = W @ A_prev + b`` and ``A = g(Z)``; serial.

    Parameters
    ----------
    W : ndarray of shape (n, n_prev), C-contiguous
        Read only.
    b : ndarray of shape (n,)
        Read only.
    A_prev : ndarray of shape (n_prev, m), C-contiguous; (m, n_prev) when `transposed`
        The layer's input, read only; when `transposed` it is stored one sample per row
        and the product is computed as dot products over its rows.
    transposed : bool
        How `A_prev` is stored.
    Z, A : ndarray of shape (n, m), C-contiguous
        Written in columns [s_lo, s_hi). May be the same array (the activation
        is then applied in place); neither may overlap `W`, `b` or `A_prev`.
    code : int
        Activation code (:data:`nncore.kernels.elementwise.CODES`, or ``IDENTITY``).
    s_lo, s_hi : int
        The samples (columns of `Z`) this call computes, 0 <= s_lo <= s_hi <= m.
    """
    block = _samples_per_block(W.shape[0])
    for lo in range(s_lo, s_hi, block):
        hi = min(lo + block, s_hi)
        if not transposed and W.shape[1] < 5:  # few inputs: the bias and the product in one pass
            gemm.affine_few_rows(W, b, A_prev, Z, lo, hi)
        else:
            for u in range(W.shape[0]):
                Z[u, lo:hi] = b[u]
            if transposed:
                gemm.dot_rows(W, A_prev, Z, _ZERO, W.shape[0], lo, hi)
            else:
                gemm.axpy_rows(W, _NO, A_prev, Z, _ZERO, W.shape[0], lo, hi)
        _activate_columns(Z, A, code, lo, hi)


@kernel
def backprop_block(W, dZ, A_prev, code_prev, dZ_prev, s_lo, s_hi):
    """Samples [s_lo, s_hi) of ``dZ_prev = (W.T @ dZ) * g'(A_prev)``; serial.

    Parameters
    ----------
    W : ndarray of shape (n, n_prev), C-contiguous
        The layer's weights, read only.
    dZ : ndarray of shape (n, m), C-contiguous
        The layer's gradient, read only.
    A_prev : ndarray of shape (n_prev, m), C-contiguous
        The output of the layer below, for its derivative g'; read only, and not read at all when
        `code_prev` is ``IDENTITY`` (it may then be `dZ_prev` itself).
    code_prev : int
        Activation code of the layer below.
    dZ_prev : ndarray of shape (n_prev, m), C-contiguous
        Written in columns [s_lo, s_hi); must not overlap `W` or `dZ` (nor `A_prev`, but as above).
    s_lo, s_hi : int
        The samples this call computes.
    """
    block = _samples_per_block(W.shape[1])
    for lo in range(s_lo, s_hi, block):
        hi = min(lo + block, s_hi)
        dZ_prev[:, lo:hi] = 0
        gemm.axpy_rows(W, _YES, dZ, dZ_prev, _ZERO, W.shape[1], lo, hi)
        _grad_columns(dZ_prev, A_prev, code_prev, lo, hi)


@kernel
def grads_block(dZ, A_prev, dW, db, r_lo, r_hi, c_lo, c_hi):
    """Block [r_lo, r_hi) x [c_lo, c_hi) of ``dW = dZ @ A_prev.T``, and db[r_lo:r_hi] if c_lo == 0; serial.

    No division by m: the caller scales `dZ` or the results.

    Parameters
    ----------
    dZ : ndarray of shape (n, m), C-contiguous
        Read only.
    A_prev : ndarray of shape (n_prev, m), C-contiguous
        The layer's input in the course's layout, read only.
    dW : ndarray of shape (n, n_prev), C-contiguous
        Block [r_lo, r_hi) x [c_lo, c_hi) overwritten.
    db : ndarray of shape (n,)
        ``db[r] = sum(dZ[r])`` for r in [r_lo, r_hi), written only when c_lo == 0.
    r_lo, r_hi : int
        The rows (units) of `dW` this call computes.
    c_lo, c_hi : int
        The columns (features) of `dW` this call computes.
    """
    dW[r_lo:r_hi, c_lo:c_hi] = 0
    gemm.dot_rows(dZ, A_prev, dW, r_lo, r_hi, c_lo, c_hi)
    if c_lo == 0:
        for u in range(r_lo, r_hi):
            db[u] = dZ[u].sum()


@kernel
def epilogue_forward_block(Z, A, b, code, s_lo, s_hi):
    """Samples [s_lo, s_hi) of ``Z += b`` and ``A = g(Z)``, after a BLAS product; serial.

    Parameters
    ----------
    Z : ndarray of shape (n, m), C-contiguous
        Holds ``W @ A_prev``; the bias is added in columns [s_lo, s_hi).
    A : ndarray of shape (n, m), C-contiguous
        Written in columns [s_lo, s_hi); may be `Z`.
    b : ndarray of shape (n,)
        Read only.
    code : int
        Activation code.
    s_lo, s_hi : int
        The samples this call computes.
    """
    block = _samples_per_block(Z.shape[0])
    for lo in range(s_lo, s_hi, block):
        hi = min(lo + block, s_hi)
        for u in range(Z.shape[0]):
            row, bias = Z[u], b[u]
            for s in range(lo, hi):  # a loop: `Z[u, lo:hi] += b[u]` compiled a broadcast's error path (1.7 s)
                row[s] += bias
        _activate_columns(Z, A, code, lo, hi)


@kernel
def epilogue_backprop_block(dZ_prev, A_prev, code_prev, s_lo, s_hi):
    """Samples [s_lo, s_hi) of ``dZ_prev *= g'(A_prev)``, after a BLAS product; serial.

    Parameters
    ----------
    dZ_prev : ndarray of shape (n_prev, m), C-contiguous
        Holds ``W.T @ dZ``; multiplied in place in columns [s_lo, s_hi).
    A_prev : ndarray of shape (n_prev, m), C-contiguous
        The output of the layer below, read only (not read for ``IDENTITY``).
    code_prev : int
        Activation code of the layer below.
    s_lo, s_hi : int
        The samples this call computes.
    """
    for k in range(dZ_prev.shape[0]):
        row = dZ_prev[k, s_lo:s_hi]
        grad_from_output(row, A_prev[k, s_lo:s_hi], row, code_prev)


@kernel
def row_sums(dZ, db, r_lo, r_hi):
    """``db[r] = sum(dZ[r])`` for r in [r_lo, r_hi); serial.

    Parameters
    ----------
    dZ : ndarray of shape (n, m), C-contiguous
        Read only.
    db : ndarray of shape (n,)
        Written in [r_lo, r_hi).
    r_lo, r_hi : int
        The rows this call sums.
    """
    for r in range(r_lo, r_hi):
        db[r] = dZ[r].sum()


@kernel
def grads_block_transposed(dZ, XT, dW, db, k_lo, k_hi):
    """Columns [k_lo, k_hi) of ``dW = dZ @ XT``, and db if k_lo == 0; serial.

    Parameters
    ----------
    dZ : ndarray of shape (n, m), C-contiguous
        Read only.
    XT : ndarray of shape (m, n_x), C-contiguous
        The network's input stored one sample per row, read only.
    dW : ndarray of shape (n, n_x), C-contiguous
        Columns [k_lo, k_hi) overwritten.
    db : ndarray of shape (n,)
        Row sums of `dZ`, written only when k_lo == 0.
    k_lo, k_hi : int
        The features (columns of `dW`) this call computes.
    """
    dW[:, k_lo:k_hi] = 0
    gemm.axpy_rows(dZ, _NO, XT, dW, _ZERO, dW.shape[0], k_lo, k_hi)
    if k_lo == 0:
        for u in range(dZ.shape[0]):
            db[u] = dZ[u].sum()


@inline
def estimate_path(a, b, c, blas_allowed, threads):
    """The rule of thumb for a pass over a product of dimensions a x b x c, without measuring.

    Parameters
    ----------
    a, b, c : int
        The product's three dimensions.
    blas_allowed : bool
        Whether BLAS is a candidate (the estimate keeps one-sample-per-row input off it).
    threads : int
        Threads available.

    Returns
    -------
    int
        ``BLAS`` when allowed and all three reach :data:`BLAS_MIN_DIM`; else ``THREADS`` when
        the work pays for waking the threads (:func:`~nncore.kernels.partition.parallel_worth`);
        else ``SERIAL``.
    """
    if blas_allowed and a >= BLAS_MIN_DIM and b >= BLAS_MIN_DIM and c >= BLAS_MIN_DIM:
        return BLAS
    if parallel_worth(a * b * c, threads):
        return THREADS
    return SERIAL


@inline
def resolve(path, a, b, c, blas_allowed, threads):
    """The path a pass runs: `path`, or the estimate for ``ESTIMATE``; ``THREADS`` on one thread is ``SERIAL``.

    Parameters
    ----------
    path : int
        One of :data:`PATHS`.
    a, b, c, blas_allowed, threads
        As in :func:`estimate_path`.

    Returns
    -------
    int
        ``SERIAL``, ``THREADS`` or ``BLAS``.
    """
    if path == ESTIMATE:
        path = estimate_path(a, b, c, blas_allowed, threads)
    if path == THREADS and threads < 2:
        return SERIAL
    return path


#: Where each pass's part kernel is in a table of addresses (:func:`part_table`).
FORWARD_PART, BACKPROP_PART, GRADS_PART = 0, 1, 2

#: Where the block kernels the parts call are in the same table: a part calls them by address too,
#: so their code is not optimized again inside the part's (forward, backprop and grads tasks of the
#: precompile: 2.6 s of work less, measured on a Zen 3 machine).
FORWARD_BLOCK, BACKPROP_BLOCK, GRADS_BLOCK, GRADS_BLOCK_TRANSPOSED = 3, 4, 5, 6

#: The table's entries each pass needs: its part and the block kernels the part calls.
_ENTRIES = {
    FORWARD_PART: (FORWARD_PART, FORWARD_BLOCK),
    BACKPROP_PART: (BACKPROP_PART, BACKPROP_BLOCK),
    GRADS_PART: (GRADS_PART, GRADS_BLOCK, GRADS_BLOCK_TRANSPOSED),
}


# Each pass is a "part" kernel, thread t's share of `parts`, run under one
# prange (or called once when a single thread does it all): one parallel
# region per pass keeps the compiled training loop, and its compile time, small.


@kernel
def forward_part(W, b, A_prev, transposed, Z, A, code, by_blas, t, parts, table):
    """Part t of the forward pass: a block of samples, by our kernels or by BLAS; serial.

    Parameters
    ----------
    W, b, A_prev, transposed, Z, A, code
        As in :func:`forward_block`.
    by_blas : bool
        Whether the block's product is BLAS's (then the bias and activation follow on the block).
    t : int
        This part's index, 0 <= t < `parts`.
    parts : int
        The number of parts the samples are cut into (:func:`~nncore.kernels.partition.block_of`).
    table : ndarray of int64, or None
        As in :func:`forward`: :func:`forward_block` is called by its address there, or directly.
    """
    lo, hi = block_of(Z.shape[1], parts, t, ROW_ALIGN if transposed else SAMPLE_ALIGN)
    if not by_blas:
        _call_forward_block(table, FORWARD_BLOCK, (W, b, A_prev, transposed, Z, A, code, lo, hi))
        return
    scalars = np.empty(2, Z.dtype)
    if transposed:
        blas.product(W, False, A_prev[lo:hi], True, Z[:, lo:hi], scalars)
    else:
        blas.product(W, False, A_prev[:, lo:hi], False, Z[:, lo:hi], scalars)
    epilogue_forward_block(Z, A, b, code, lo, hi)


@kernel
def backprop_part(W, dZ, A_prev, code_prev, dZ_prev, by_blas, t, parts, table):
    """Part t of the backward step to the layer below: a block of samples; serial.

    Parameters
    ----------
    W, dZ, A_prev, code_prev, dZ_prev
        As in :func:`backprop_block`.
    by_blas : bool
        Whether the block's product ``W.T @ dZ`` is BLAS's (then g' follows on the block).
    t : int
        This part's index, 0 <= t < `parts`.
    parts : int
        The number of parts the samples are cut into.
    table : ndarray of int64, or None
        As in :func:`backprop`: :func:`backprop_block` is called by its address there, or directly.
    """
    lo, hi = block_of(dZ.shape[1], parts, t, SAMPLE_ALIGN)
    if not by_blas:
        _call_backprop_block(table, BACKPROP_BLOCK, (W, dZ, A_prev, code_prev, dZ_prev, lo, hi))
        return
    blas.product(W, True, dZ[:, lo:hi], False, dZ_prev[:, lo:hi], np.empty(2, dZ.dtype))
    epilogue_backprop_block(dZ_prev, A_prev, code_prev, lo, hi)


@kernel
def grads_part(dZ, A_prev, transposed, dW, db, by_blas, t, parts, table):
    """Part t of dW and db: a block of units, or of features when there are fewer units than
    features or the input is stored one sample per row; serial.

    Parameters
    ----------
    dZ : ndarray of shape (n, m), C-contiguous
        Read only.
    A_prev : ndarray of shape (n_prev, m), C-contiguous; (m, n_prev) when `transposed`
        The layer's input, read only.
    transposed : bool
        How `A_prev` is stored.
    dW : ndarray of shape (n, n_prev), C-contiguous
        This part's block overwritten.
    db : ndarray of shape (n,)
        This part's rows written, when its block holds them (by BLAS: the rows of part t
        of the units, whichever way dW is cut).
    by_blas : bool
        Whether the block's product is BLAS's.
    t : int
        This part's index, 0 <= t < `parts`.
    parts : int
        The number of parts.
    table : ndarray of int64, or None
        As in :func:`grads`: the block kernels are called by their addresses there, or directly.
    """
    n, n_prev = dW.shape
    if by_blas:
        scalars = np.empty(2, dW.dtype)
        if n >= n_prev:
            lo, hi = block_of(n, parts, t, ROW_ALIGN)
            blas.product(dZ[lo:hi], False, A_prev, not transposed, dW[lo:hi], scalars)
        else:
            lo, hi = block_of(n_prev, parts, t, FEATURE_ALIGN)
            if transposed:
                blas.product(dZ, False, A_prev[:, lo:hi], False, dW[:, lo:hi], scalars)
            else:
                blas.product(dZ, False, A_prev[lo:hi], True, dW[:, lo:hi], scalars)
        lo, hi = block_of(n, parts, t, ROW_ALIGN)
        row_sums(dZ, db, lo, hi)
    elif transposed:
        lo, hi = block_of(n_prev, parts, t, FEATURE_ALIGN)
        _call_grads_block_transposed(table, GRADS_BLOCK_TRANSPOSED, (dZ, A_prev, dW, db, lo, hi))
    elif n >= n_prev:
        lo, hi = block_of(n, parts, t, ROW_ALIGN)
        _call_grads_block(table, GRADS_BLOCK, (dZ, A_prev, dW, db, lo, hi, _ZERO, n_prev))
    else:
        lo, hi = block_of(n_prev, parts, t, FEATURE_ALIGN)
        _call_grads_block(table, GRADS_BLOCK, (dZ, A_prev, dW, db, _ZERO, n, lo, hi))


#: The parts' calls from the passes, and the block kernels' from the parts: by the address in a
#: table (:func:`part_table`), or direct.
_call_forward_part = address.caller(forward_part, lambda dtype: _entry_types(FORWARD_PART, dtype))
_call_backprop_part = address.caller(backprop_part, lambda dtype: _entry_types(BACKPROP_PART, dtype))
_call_grads_part = address.caller(grads_part, lambda dtype: _entry_types(GRADS_PART, dtype))
_call_forward_block = address.caller(forward_block, lambda dtype: _entry_types(FORWARD_BLOCK, dtype))
_call_backprop_block = address.caller(backprop_block, lambda dtype: _entry_types(BACKPROP_BLOCK, dtype))
_call_grads_block = address.caller(grads_block, lambda dtype: _entry_types(GRADS_BLOCK, dtype))
_call_grads_block_transposed = address.caller(
    grads_block_transposed, lambda dtype: _entry_types(GRADS_BLOCK_TRANSPOSED, dtype)
)


@inline
def forward(W, b, A_prev, transposed, Z, A, code, path, threads, table):
    """``Z = W @ A_prev + b``, ``A = g(Z)`` by the given path (BLAS, threads or one thread).

    Inlined; parallel (``prange``) on the ``THREADS`` and ``BLAS`` paths when `threads` > 1.

    Parameters
    ----------
    W, b, A_prev, transposed, Z, A, code
        As in :func:`forward_block`; `Z` and `A` are written whole.
    path : int
        One of :data:`PATHS` (:func:`resolve`); the estimate never sends a `transposed` input to BLAS.
    threads : int
        The number of threads to split the samples among (``numba.get_num_threads()``).
    table : ndarray of int64, shape (7,), or None
        The addresses of the part kernels and their block kernels (:func:`part_table`), or None to
        call them directly (their code is then compiled into the caller's, as for a Numba user's
        own kernels).
    """
    n, n_prev = W.shape
    m = Z.shape[1]
    path = resolve(path, n, n_prev, m, not transposed, threads)
    by_blas = path == BLAS
    if path != SERIAL and threads > 1:
        for t in prange(threads):
            arguments = (W, b, A_prev, transposed, Z, A, code, by_blas, np.int64(t), threads, table)
            _call_forward_part(table, FORWARD_PART, arguments)
    else:
        arguments = (W, b, A_prev, transposed, Z, A, code, by_blas, _ZERO, _ONE, table)
        _call_forward_part(table, FORWARD_PART, arguments)


@inline
def backprop(W, dZ, A_prev, code_prev, dZ_prev, path, threads, table):
    """``dZ_prev = (W.T @ dZ) * g'(A_prev)`` by the given path (BLAS, threads or one thread).

    Inlined; parallel on the ``THREADS`` and ``BLAS`` paths when `threads` > 1.

    Parameters
    ----------
    W, dZ, A_prev, code_prev, dZ_prev
        As in :func:`backprop_block`; `dZ_prev` is written whole.
    path : int
        One of :data:`PATHS` (:func:`resolve`).
    threads : int
        The number of threads to split the samples among.
    table : ndarray of int64, shape (7,), or None
        The addresses of the part kernels and their block kernels (:func:`part_table`), or None to
        call them directly (their code is then compiled into the caller's, as for a Numba user's
        own kernels).
    """
    n, n_prev = W.shape
    m = dZ.shape[1]
    path = resolve(path, n, n_prev, m, True, threads)
    by_blas = path == BLAS
    if path != SERIAL and threads > 1:
        for t in prange(threads):
            arguments = (W, dZ, A_prev, code_prev, dZ_prev, by_blas, np.int64(t), threads, table)
            _call_backprop_part(table, BACKPROP_PART, arguments)
    else:
        arguments = (W, dZ, A_prev, code_prev, dZ_prev, by_blas, _ZERO, _ONE, table)
        _call_backprop_part(table, BACKPROP_PART, arguments)


@inline
def grads(dZ, A_prev, transposed, dW, db, path, threads, table):
    """``dW = dZ @ A_prev.T`` and ``db`` by the given path (BLAS, threads or one thread).

    A `transposed` input is stored one sample per row, (m, n_prev). No division
    by m. Inlined; parallel on the ``THREADS`` and ``BLAS`` paths when `threads` > 1.

    Parameters
    ----------
    dZ, A_prev, transposed, dW, db
        As in :func:`grads_part`; `dW` and `db` are written whole.
    path : int
        One of :data:`PATHS` (:func:`resolve`).
    threads : int
        The number of threads to split the units or features among.
    table : ndarray of int64, shape (7,), or None
        The addresses of the part kernels and their block kernels (:func:`part_table`), or None to
        call them directly (their code is then compiled into the caller's, as for a Numba user's
        own kernels).
    """
    n, n_prev = dW.shape
    path = resolve(path, n, n_prev, dZ.shape[1], True, threads)
    by_blas = path == BLAS
    if path != SERIAL and threads > 1:
        for t in prange(threads):
            arguments = (dZ, A_prev, transposed, dW, db, by_blas, np.int64(t), threads, table)
            _call_grads_part(table, GRADS_PART, arguments)
    else:
        _call_grads_part(table, GRADS_PART, (dZ, A_prev, transposed, dW, db, by_blas, _ZERO, _ONE, table))


# Entry points for Python callers: the inline passes above compiled on their own.


@parallel_kernel
def forward_kernel(W, b, A_prev, transposed, Z, A, code, path, threads, table):
    """:func:`forward` compiled on its own, for Python callers (and the planner's timings); parallel.

    Parameters
    ----------
    W, b, A_prev, transposed, Z, A, code, path, threads, table
        As in :func:`forward`.
    """
    forward(W, b, A_prev, transposed, Z, A, code, path, threads, table)


@kernel
def forward_if_finite(W, b, A_prev, Z, A, code):
    """:func:`forward` on one thread when every entry of `W`, `b` and `A_prev` is finite; serial.

    The JIT tier's fast path for a small layer (:func:`nncore.jit.layers.fast_forward`): the
    finiteness test its checked call owes and the layer in one dispatch, where the test alone
    cost as much again as the dispatch. A test, not a check: nothing is raised.

    Parameters
    ----------
    W : ndarray of shape (n, n_prev), C-contiguous, float64 or float32
    b : ndarray of shape (n, 1) or (n,), C-contiguous, W's dtype
    A_prev : ndarray of shape (n_prev, m), C-contiguous, W's dtype
        Read only, all three.
    Z, A : ndarray of shape (n, m), C-contiguous, W's dtype
        As in :func:`forward_block`; not written when the test fails.
    code : int
        The activation's code, or ``IDENTITY`` (then `A` is `Z`).

    Returns
    -------
    bool
        Whether every entry was finite (and `Z` and `A` were computed).
    """
    if not finite(A_prev, W, b):
        return False
    forward(W, b.reshape(b.size), A_prev, _NO, Z, A, code, SERIAL, _ONE, None)
    return True


@parallel_kernel
def backprop_kernel(W, dZ, A_prev, code_prev, dZ_prev, path, threads, table):
    """:func:`backprop` compiled on its own, for Python callers (and the planner's timings); parallel.

    Parameters
    ----------
    W, dZ, A_prev, code_prev, dZ_prev, path, threads, table
        As in :func:`backprop`.
    """
    backprop(W, dZ, A_prev, code_prev, dZ_prev, path, threads, table)


@parallel_kernel
def grads_kernel(dZ, A_prev, transposed, dW, db, path, threads, table):
    """:func:`grads` compiled on its own, for Python callers (and the planner's timings); parallel.

    Parameters
    ----------
    dZ, A_prev, transposed, dW, db, path, threads, table
        As in :func:`grads`.
    """
    grads(dZ, A_prev, transposed, dW, db, path, threads, table)


def _entry_types(index, dtype):
    """The argument types table entry `index` is compiled for, its arrays of `dtype` (mutable, C-contiguous)."""
    real = numba.from_dtype(np.dtype(dtype))
    M, V, flag, integer = types.Array(real, 2, "C"), types.Array(real, 1, "C"), types.boolean, types.int64
    table = types.Array(types.int64, 1, "C")
    return {
        FORWARD_PART: (M, V, M, flag, M, M, integer, flag, integer, integer, table),
        BACKPROP_PART: (M, M, M, integer, M, flag, integer, integer, table),
        GRADS_PART: (M, M, flag, M, V, flag, integer, integer, table),
        FORWARD_BLOCK: (M, V, M, flag, M, M, integer, integer, integer),
        BACKPROP_BLOCK: (M, M, M, integer, M, integer, integer),
        GRADS_BLOCK: (M, M, M, V, integer, integer, integer, integer),
        GRADS_BLOCK_TRANSPOSED: (M, M, M, V, integer, integer),
    }[index]


@functools.cache
def part_table(dtype, passes=(FORWARD_PART, BACKPROP_PART, GRADS_PART)):
    """The addresses of the part kernels, and of the block kernels they call, for `dtype`: the
    ``table`` argument of the passes.

    The entry kernels, the training loop and the planner call each part by its address
    (:func:`nncore.kernels.address.caller`), and the parts call their block kernels so too, so
    each one's code is compiled once, in itself, instead of again in each caller. Compiles the
    kernels of the passes asked for, or loads them from the cache, on the first call per dtype.

    Parameters
    ----------
    dtype : numpy dtype
        float64 or float32: the dtype of every array the passes are called with.
    passes : tuple of int
        Which of :data:`FORWARD_PART`, :data:`BACKPROP_PART` and :data:`GRADS_PART` to fill in,
        with their block kernels (:data:`FORWARD_BLOCK`, ...); the other entries are 0, and a pass
        must not be called with a table lacking its entries.

    Returns
    -------
    ndarray of int64, shape (7,), read only; or None
        None with ``NUMBA_DISABLE_JIT=1`` (the passes then call the parts directly).
    """
    kernels = {
        FORWARD_PART: forward_part,
        BACKPROP_PART: backprop_part,
        GRADS_PART: grads_part,
        FORWARD_BLOCK: forward_block,
        BACKPROP_BLOCK: backprop_block,
        GRADS_BLOCK: grads_block,
        GRADS_BLOCK_TRANSPOSED: grads_block_transposed,
    }
    wanted = {entry for part in passes for entry in _ENTRIES[part]}
    return address.table(*((kernels[i], _entry_types(i, dtype)) if i in wanted else None for i in range(len(kernels))))
