"""nncore.kernels.address: kernels called by the address of their machine code."""

import numba
import numpy as np
import pytest
from numba.core.errors import TypingError

from nncore.kernels import dense
from nncore.kernels.address import address_of, caller
from nncore.kernels.config import kernel

jit_only = pytest.mark.skipif(numba.config.DISABLE_JIT, reason="addresses exist only for compiled code")


_MATRIX = numba.types.Array(numba.types.float64, 2, "C")


@kernel(cache=False)
def _scaled(x, out, scale):
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = scale * x[i, j]


_call_scaled = caller(_scaled)
_call_checked = caller(_scaled, lambda dtype: (_MATRIX, _MATRIX, numba.types.float64))


@kernel(cache=False)
def _user(x, out, scale, table):
    _call_scaled(table, 1, (x, out, scale))


def _table():
    """A table whose entry 1 is `_scaled`'s address for two float64 matrices and a float64."""
    return np.array([0, address_of(_scaled, (_MATRIX, _MATRIX, numba.types.float64))], np.int64)


@jit_only
def test_a_call_by_address_computes_what_the_direct_call_does():
    table = _table()
    x = np.random.default_rng(0).standard_normal((3, 4))
    by_address, direct = np.empty_like(x), np.empty_like(x)
    _user(x, by_address, 1.5, table)
    _user(x, direct, 1.5, None)
    np.testing.assert_array_equal(by_address, direct)
    np.testing.assert_array_equal(direct, 1.5 * x)


@jit_only
def test_a_strided_array_is_refused_when_the_caller_compiles():
    table = _table()
    x = np.ones((3, 8))[:, ::2]
    with pytest.raises(TypingError, match="C-contiguous arrays only"):
        _user(x, np.empty((3, 4)), 1.0, table)


@jit_only
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_part_table_holds_the_parts_asked_for_and_their_blocks(dtype):
    full = dense.part_table(dtype)
    assert full.dtype == np.int64 and full.shape == (7,) and not full.flags.writeable
    assert (full != 0).all() and len(set(full)) == 7
    forward_only = dense.part_table(dtype, (dense.FORWARD_PART,))
    for entry in (dense.FORWARD_PART, dense.FORWARD_BLOCK):
        assert forward_only[entry] == full[entry]
    assert np.count_nonzero(forward_only) == 2
    grads_only = dense.part_table(dtype, (dense.GRADS_PART,))
    assert set(np.flatnonzero(grads_only)) == {dense.GRADS_PART, dense.GRADS_BLOCK, dense.GRADS_BLOCK_TRANSPOSED}


def test_with_the_jit_off_there_is_no_table():
    if numba.config.DISABLE_JIT:
        assert dense.part_table(np.float64) is None
        assert address_of(_scaled, (_MATRIX, _MATRIX, numba.types.float64)) is None
    x, out = np.arange(6.0).reshape(2, 3), np.empty((2, 3))
    _user(x, out, 2.0, None)
    np.testing.assert_array_equal(out, 2 * x)


@kernel(cache=False)
def _checked_user(x, out, scale, table):
    _call_checked(table, 1, (x, out, scale))


@jit_only
def test_a_call_with_other_types_than_the_address_was_compiled_for_is_refused():
    table = _table()
    x, out = np.ones((2, 3)), np.empty((2, 3))
    _checked_user(x, out, 2.0, table)
    np.testing.assert_array_equal(out, 2 * x)
    with pytest.raises(TypingError, match="called by an address compiled for"):
        _checked_user(x, out, np.int64(2), table)  # an int64 where the address takes a float64
