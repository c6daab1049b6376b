"""nncore.kernels.blas.product: BLAS's gemm on row-major blocks of larger arrays, from compiled code."""

import numpy as np
import pytest

numba = pytest.importorskip("numba")

from helpers import assert_tiers_agree  # noqa: E402
from nncore.kernels.blas import product  # noqa: E402


@numba.njit
def _block_product(A, a_transposed, B, b_transposed, C, lo, hi):
    """Rows [lo, hi) of ``C = op(A) @ op(B)``: a block of op(A)'s rows, C's rows lo..hi, as the passes cut them."""
    scalars = np.empty(2, C.dtype)
    if a_transposed:
        product(A[:, lo:hi], a_transposed, B, b_transposed, C[lo:hi], scalars)
    else:
        product(A[lo:hi], a_transposed, B, b_transposed, C[lo:hi], scalars)


@numba.njit
def _column_block_product(A, B, C, lo, hi):
    """Columns [lo, hi) of ``C = A @ B``: B's and C's columns cut, rows strided (as dW's blocks of features)."""
    product(A, False, B[:, lo:hi], False, C[:, lo:hi], np.empty(2, C.dtype))


@pytest.mark.parametrize("a_transposed", [False, True])
@pytest.mark.parametrize("b_transposed", [False, True])
def test_a_block_of_rows_is_the_product_and_nothing_else_is_written(a_transposed, b_transposed, dtype, rng):
    M, N, K, lo, hi = 9, 7, 11, 2, 7
    A = rng.standard_normal((K, M) if a_transposed else (M, K)).astype(dtype)
    B = rng.standard_normal((N, K) if b_transposed else (K, N)).astype(dtype)
    C = np.full((M, N), np.nan, dtype)
    _block_product(A, a_transposed, B, b_transposed, C, lo, hi)
    ref = (A.T if a_transposed else A).astype(np.float64) @ (B.T if b_transposed else B).astype(np.float64)
    assert_tiers_agree("blas.product rows", C[lo:hi], ref[lo:hi].astype(dtype), dtype=dtype)
    assert np.isnan(C[:lo]).all() and np.isnan(C[hi:]).all()


def test_a_block_of_columns_reads_and_writes_strided_rows(dtype, rng):
    A = rng.standard_normal((4, 6)).astype(dtype)
    B = rng.standard_normal((6, 13)).astype(dtype)
    C = np.full((4, 13), np.nan, dtype)
    _column_block_product(A, B, C, 3, 10)
    ref = A.astype(np.float64) @ B.astype(np.float64)
    assert_tiers_agree("blas.product columns", C[:, 3:10], ref[:, 3:10].astype(dtype), dtype=dtype)
    assert np.isnan(C[:, :3]).all() and np.isnan(C[:, 10:]).all()
