"""Register-blocked matrix products: the two kernels behind every dense layer.

Every product of a dense layer, in either memory layout, is one of two
kernels whose innermost loop runs over contiguous memory and vectorizes
(AVX-512 where the CPU has it):

* :func:`dot_rows`, ``out = P @ Q.T`` with rows of P and Q contiguous: each
  output is a dot product; a 4 x 5 tile of outputs keeps 20 accumulators in
  vector registers, so each step loads 9 vectors for 20 fused multiply-adds.
  (``dW = dZ @ A_prev.T``, and ``Z = W @ X`` when X is stored one sample per
  row.)
* :func:`axpy_rows`, ``out = C @ X`` (or ``C.T @ X``) with rows of X and out contiguous: each
  output row is a combination of input rows; a tile updates 4 output rows
  from 5 input rows, loading 5 + 4 vectors and storing 4 for 20 multiply-adds.
  (``Z = W @ A_prev``, ``dA_prev = W.T @ dZ``, and ``dW = dZ @ X.T`` when X is
  stored one sample per row.)

Both are serial and work on a block of the output, so callers split the
output among threads without two threads ever writing one element. Blocking
over k (``KC``) and over output panels keeps the operands in L1/L2.

All loops index with non-negative offsets from zero on 1-D row slices: with
signed loop bounds Numba's wraparound handling turns the loads into gathers.
"""

import numpy as np

from nncore.kernels.config import helper, inline, kernel

#: Block sizes: rows x k of the first operand and columns x k of the second
#: stay in L2 while a block is worked on (sized for an L2 of about 2 MB per core).
RP = 128  # rows of `out` per panel (dot_rows)
CP = 60  # columns of `out` per panel (dot_rows), a multiple of the tile's 5
KC = 512  # k per block (dot_rows)
KB = 256  # columns of `out` per block (axpy_rows)
JB = 256  # rows of X per block (axpy_rows)

#: Below this many k per output, the tiles cost more than they save (the
#: tests' smallest shapes): plain loops instead.
SMALL_K = 16


#: Constant arguments of the helpers, typed as plain int64 and bool: a literal 0, 2 or False would
#: compile another specialization of a helper (:func:`nncore.kernels.config.helper`) for it.
_ZERO, _TWO, _NO = np.int64(0), np.int64(2), np.bool_(False)


@inline
def _dot_4x5(a0, a1, a2, a3, w0, w1, w2, w3, w4, zero):
    c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = zero
    c22 = c23 = c30 = c31 = c32 = c33 = c40 = c41 = c42 = c43 = zero
    for k in range(a0.size):
        x0, x1, x2, x3 = a0[k], a1[k], a2[k], a3[k]
        w = w0[k]
        c00 += w * x0
        c01 += w * x1
        c02 += w * x2
        c03 += w * x3  # noqa: E702
        w = w1[k]
        c10 += w * x0
        c11 += w * x1
        c12 += w * x2
        c13 += w * x3  # noqa: E702
        w = w2[k]
        c20 += w * x0
        c21 += w * x1
        c22 += w * x2
        c23 += w * x3  # noqa: E702
        w = w3[k]
        c30 += w * x0
        c31 += w * x1
        c32 += w * x2
        c33 += w * x3  # noqa: E702
        w = w4[k]
        c40 += w * x0
        c41 += w * x1
        c42 += w * x2
        c43 += w * x3  # noqa: E702
    return (c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33, c40, c41, c42, c43)


@inline
def dot_4x1(a0, a1, a2, a3, w0, zero):
    """The dot products of four rows a0 ... a3 with one row w0, sharing its loads.

    Parameters
    ----------
    a0, a1, a2, a3 : ndarray, 1-D, of one length K and dtype
        Rows (contiguous for the loop to vectorize), read only.
    w0 : ndarray, 1-D, of length K and that dtype
        The shared row, read only.
    zero : scalar of that dtype
        The accumulators' start (its type sets theirs).

    Returns
    -------
    tuple of 4 scalars
        ``(a0 . w0, a1 . w0, a2 . w0, a3 . w0)``.
    """
    c0 = c1 = c2 = c3 = zero
    for k in range(a0.size):
        w = w0[k]
        c0 += w * a0[k]
        c1 += w * a1[k]
        c2 += w * a2[k]
        c3 += w * a3[k]  # noqa: E702
    return c0, c1, c2, c3


@inline
def _dot(a, w, zero):
    c = zero
    for k in range(a.size):
        c += a[k] * w[k]
    return c


@kernel
def dot_rows(P, Q, out, r_lo, r_hi, c_lo, c_hi):
    """``out[r, c] += P[r] . Q[c]`` for r in [r_lo, r_hi) and c in [c_lo, c_hi); serial.

    All three arrays share one floating dtype.

    Parameters
    ----------
    P : ndarray of shape (R, K), C-contiguous
    Q : ndarray of shape (C, K), C-contiguous
    out : ndarray of shape (R, C), C-contiguous
        Accumulated into (initialise it, e.g. with the bias); must not overlap `P` or `Q`.
    r_lo, r_hi, c_lo, c_hi : int
        The block of `out` this call computes.
    """
    K = Q.shape[1]
    zero = out.dtype.type(0)
    if K <= SMALL_K:
        for r in range(r_lo, r_hi):
            a = P[r]
            o = out[r]
            for c in range(c_lo, c_hi):
                q = Q[c]
                acc = zero
                for k in range(K):
                    acc += a[k] * q[k]
                o[c] += acc
        return
    for p_lo in range(r_lo, r_hi, RP):
        p_hi = min(p_lo + RP, r_hi)
        for q_lo in range(c_lo, c_hi, CP):
            q_hi = min(q_lo + CP, c_hi)
            for k_lo in range(0, K, KC):
                _dot_block(P, Q, out, p_lo, p_hi, q_lo, q_hi, k_lo, min(k_lo + KC, K), zero)


@helper
def _dot_block(P, Q, out, r_lo, r_hi, c_lo, c_hi, k_lo, k_hi, zero):
    r = r_lo
    while r + 4 <= r_hi:
        a0, a1 = P[r, k_lo:k_hi], P[r + 1, k_lo:k_hi]
        a2, a3 = P[r + 2, k_lo:k_hi], P[r + 3, k_lo:k_hi]
        c = c_lo
        while c + 5 <= c_hi:
            t = _dot_4x5(
                a0,
                a1,
                a2,
                a3,
                Q[c, k_lo:k_hi],
                Q[c + 1, k_lo:k_hi],
                Q[c + 2, k_lo:k_hi],
                Q[c + 3, k_lo:k_hi],
                Q[c + 4, k_lo:k_hi],
                zero,
            )
            for j in range(5):
                for i in range(4):
                    out[r + i, c + j] += t[4 * j + i]
            c += 5
        while c < c_hi:
            t1 = dot_4x1(a0, a1, a2, a3, Q[c, k_lo:k_hi], zero)
            for i in range(4):
                out[r + i, c] += t1[i]
            c += 1
        r += 4
    while r < r_hi:
        a = P[r, k_lo:k_hi]
        for c in range(c_lo, c_hi):
            out[r, c] += _dot(a, Q[c, k_lo:k_hi], zero)
        r += 1


@inline
def _axpy_4x5(o0, o1, o2, o3, i0, i1, i2, i3, i4, c):
    c00, c01, c02, c03, c04 = c[0], c[1], c[2], c[3], c[4]
    c10, c11, c12, c13, c14 = c[5], c[6], c[7], c[8], c[9]
    c20, c21, c22, c23, c24 = c[10], c[11], c[12], c[13], c[14]
    c30, c31, c32, c33, c34 = c[15], c[16], c[17], c[18], c[19]
    for k in range(o0.size):
        x0, x1, x2, x3, x4 = i0[k], i1[k], i2[k], i3[k], i4[k]
        o0[k] += c00 * x0 + c01 * x1 + c02 * x2 + c03 * x3 + c04 * x4
        o1[k] += c10 * x0 + c11 * x1 + c12 * x2 + c13 * x3 + c14 * x4
        o2[k] += c20 * x0 + c21 * x1 + c22 * x2 + c23 * x3 + c24 * x4
        o3[k] += c30 * x0 + c31 * x1 + c32 * x2 + c33 * x3 + c34 * x4


@inline
def _axpy_1x5(o, i0, i1, i2, i3, i4, c0, c1, c2, c3, c4):
    for k in range(o.size):
        o[k] += c0 * i0[k] + c1 * i1[k] + c2 * i2[k] + c3 * i3[k] + c4 * i4[k]


@inline
def _axpy_1x2(o, i0, i1, c0, c1):
    for k in range(o.size):
        o[k] += c0 * i0[k] + c1 * i1[k]


@inline
def _affine_1x2(o, i0, i1, c, c0, c1):
    for k in range(o.size):
        o[k] = c + c0 * i0[k] + c1 * i1[k]


@inline
def _affine_1x1(o, i0, c, c0):
    for k in range(o.size):
        o[k] = c + c0 * i0[k]


@inline
def _axpy(o, i, c):
    for k in range(o.size):
        o[k] += c * i[k]


@kernel
def affine_few_rows(C, bias, X, out, k_lo, k_hi):
    """``out[r, k] = bias[r] + sum_j C[r, j] * X[j, k]`` for every r, k in [k_lo, k_hi), X of 1 to 4 rows; serial.

    The product of a layer with few inputs (a planar layer's 2) with its bias, each output row
    written in one pass (the passes are bound by their stores): :func:`axpy_rows` after a fill
    takes one pass more.

    Parameters
    ----------
    C : ndarray of shape (R, J), C-contiguous, 1 <= J <= 4
    bias : ndarray of shape (R,)
    X : ndarray of shape (J, K), C-contiguous
    out : ndarray of shape (R, K), C-contiguous
        Overwritten in columns [k_lo, k_hi); must not overlap `C`, `bias` or `X`.
    k_lo, k_hi : int
        The columns this call computes.
    """
    for r in range(out.shape[0]):
        o = out[r, k_lo:k_hi]
        if X.shape[0] == 1:
            _affine_1x1(o, X[0, k_lo:k_hi], bias[r], C[r, 0])
        else:
            _affine_1x2(o, X[0, k_lo:k_hi], X[1, k_lo:k_hi], bias[r], C[r, 0], C[r, 1])
            _axpy_pairs(C, _NO, X, o, r, _TWO, k_lo, k_hi)


@kernel
def axpy_rows(C, C_transposed, X, out, r_lo, r_hi, k_lo, k_hi):
    """``out[r, k] += sum_j C[r, j] * X[j, k]`` for r in [r_lo, r_hi), k in [k_lo, k_hi); serial.

    Only the elements of `C` are read, one per tile (the vector loops run along the rows of `X`
    and `out`), so a transposed `C` is read in place: ``W.T @ dZ`` passes `W` with `C_transposed`,
    and the kernel is compiled once, for C-contiguous arrays. All three arrays share one
    floating dtype.

    Parameters
    ----------
    C : ndarray of shape (R, J), or (J, R) when `C_transposed`; C-contiguous
    C_transposed : bool
        Whether `C` holds the coefficients transposed: the coefficient of ``X[j]`` in ``out[r]`` is
        then ``C[j, r]``.
    X : ndarray of shape (J, K), C-contiguous
    out : ndarray of shape (R, K), C-contiguous
        Accumulated into (zero it first for a plain product); must not overlap `C` or `X`.
    r_lo, r_hi, k_lo, k_hi : int
        The block of `out` this call computes.
    """
    J = X.shape[0]
    if k_hi - k_lo <= SMALL_K:
        for r in range(r_lo, r_hi):
            o = out[r]
            for j in range(J):
                coefficient = _coefficient(C, C_transposed, r, j)
                x = X[j]
                for k in range(k_lo, k_hi):
                    o[k] += coefficient * x[k]
        return
    if J < 5:
        # Fewer rows of X than a tile takes (a planar layer's 2 inputs, a small layer's dZ): a row of
        # `out` at a time, two rows of X per pass over it (the passes are bound by their stores).
        for r in range(r_lo, r_hi):
            _axpy_pairs(C, C_transposed, X, out[r, k_lo:k_hi], r, _ZERO, k_lo, k_hi)
        return
    c = np.empty(20, out.dtype)  # a tile's 4 x 5 coefficients
    for b_lo in range(k_lo, k_hi, KB):
        b_hi = min(b_lo + KB, k_hi)
        for j_lo in range(0, J, JB):
            _axpy_block(C, C_transposed, X, out, c, r_lo, r_hi, j_lo, min(j_lo + JB, J), b_lo, b_hi)


@helper
def _coefficient(C, C_transposed, r, j):
    """The coefficient of ``X[j]`` in ``out[r]``."""
    return C[j, r] if C_transposed else C[r, j]


@helper
def _axpy_pairs(C, C_transposed, X, o, r, j_lo, k_lo, k_hi):
    """``o += sum_j C[r, j] * X[j, k_lo:k_hi]`` over the rows j >= `j_lo` of X, two per pass over `o`
    (the passes are bound by their stores); `o` is ``out[r, k_lo:k_hi]``."""
    J = X.shape[0]
    for j in range(j_lo, J - 1, 2):
        x0, x1 = X[j, k_lo:k_hi], X[j + 1, k_lo:k_hi]
        _axpy_1x2(o, x0, x1, _coefficient(C, C_transposed, r, j), _coefficient(C, C_transposed, r, j + 1))
    if (J - j_lo) % 2:
        _axpy(o, X[J - 1, k_lo:k_hi], _coefficient(C, C_transposed, r, J - 1))


@helper
def _axpy_block(C, C_transposed, X, out, c, r_lo, r_hi, j_lo, j_hi, k_lo, k_hi):
    r = r_lo
    while r + 4 <= r_hi:
        o0, o1 = out[r, k_lo:k_hi], out[r + 1, k_lo:k_hi]
        o2, o3 = out[r + 2, k_lo:k_hi], out[r + 3, k_lo:k_hi]
        j = j_lo
        while j + 5 <= j_hi:
            for a in range(4):
                for b in range(5):
                    c[5 * a + b] = _coefficient(C, C_transposed, r + a, j + b)
            _axpy_4x5(
                o0,
                o1,
                o2,
                o3,
                X[j, k_lo:k_hi],
                X[j + 1, k_lo:k_hi],
                X[j + 2, k_lo:k_hi],
                X[j + 3, k_lo:k_hi],
                X[j + 4, k_lo:k_hi],
                c,
            )
            j += 5
        while j < j_hi:
            x = X[j, k_lo:k_hi]
            _axpy(o0, x, _coefficient(C, C_transposed, r, j))
            _axpy(o1, x, _coefficient(C, C_transposed, r + 1, j))  # noqa: E702
            _axpy(o2, x, _coefficient(C, C_transposed, r + 2, j))
            _axpy(o3, x, _coefficient(C, C_transposed, r + 3, j))  # noqa: E702
            j += 1
        r += 4
    while r < r_hi:
        o = out[r, k_lo:k_hi]
        j = j_lo
        while j + 5 <= j_hi:
            _axpy_1x5(
                o,
                X[j, k_lo:k_hi],
                X[j + 1, k_lo:k_hi],
                X[j + 2, k_lo:k_hi],
                X[j + 3, k_lo:k_hi],
                X[j + 4, k_lo:k_hi],
                _coefficient(C, C_transposed, r, j),
                _coefficient(C, C_transposed, r, j + 1),
                _coefficient(C, C_transposed, r, j + 2),
                _coefficient(C, C_transposed, r, j + 3),
                _coefficient(C, C_transposed, r, j + 4),
            )
            j += 5
        while j < j_hi:
            _axpy(o, X[j, k_lo:k_hi], _coefficient(C, C_transposed, r, j))
            j += 1
        r += 1
