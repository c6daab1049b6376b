"""Kernels called by the address of their machine code, so that a caller does not contain the callee's code.

Numba links the code of every function a kernel calls into the kernel's own, then optimizes it and
emits machine code for it again there. A dense layer's pass is deep: the register tiles, the
activation, the fused block, the thread's part, the ``prange``'s outlined function and its two
wrappers, the entry kernel, the training loop. The forward pass's tiles were optimized seven times,
and a cold compile of the planar network took 39 s, 25 s of it in LLVM. Here a caller calls the
part of a pass through its address instead:

* :func:`address_of` compiles a kernel for one signature (or loads it from the on-disk cache) and
  returns the address of its machine code, in Python, once per process; :func:`table` puts such
  addresses in the int64 array the callers take;
* :func:`caller` makes, for one kernel, ``call(table, index, args)`` to use in compiled code: it
  calls the kernel through ``table[index]`` when ``table`` is an int64 array of such addresses, so
  the caller's code holds only the call, and directly (the callee's code linked in, as for any
  call) when ``table`` is None, which is what the public kernels of :mod:`nncore.kernels` do for a
  Numba user's own code.

Numba's first-class functions do the same but unbox each function argument through Python: 10 to
20 us per call, measured, where a dense layer's call takes 3 us. An integer argument costs
nothing.

An address is only good for the argument types it was compiled for. The call therefore takes
arrays that are C-contiguous only, refuses any other layout when it is compiled and, given the
callee's signature per dtype, refuses any other argument types too; the callers
compile the callee for the same types (mutable, C-contiguous arrays of one dtype, ``int64`` and
``bool`` scalars). A read-only array passes as a mutable one: the callee does not write it.

With ``NUMBA_DISABLE_JIT=1`` the call is ``function(*args)`` and :func:`address_of` returns None.

Examples
--------
>>> from nncore.kernels.config import kernel
>>> @kernel(cache=False)
... def twice(x, out):
...     for i in range(x.size):
...         out[i] = 2 * x[i]
>>> call_twice = caller(twice)
>>> @kernel(cache=False)
... def user(x, out, table):
...     call_twice(table, 0, (x, out))
>>> signature = (numba.types.float64[::1], numba.types.float64[::1])
>>> x, out = np.arange(3.0), np.zeros(3)
>>> user(x, out, table((twice, signature)))
>>> out
array([0., 2., 4.])
"""

import numba
import numpy as np
from llvmlite import ir
from numba.core import cgutils, types
from numba.core.errors import TypingError
from numba.extending import intrinsic, overload
from numba.np import numpy_support


def address_of(dispatcher, signature):
    """The address of `dispatcher`'s machine code for the argument types `signature`, compiled first if needed.

    Parameters
    ----------
    dispatcher : numba Dispatcher
        A kernel (compiled with the project's options).
    signature : tuple of numba types
        The argument types, exactly as the call will pass them (C-contiguous arrays).

    Returns
    -------
    int or None
        The address, valid for the life of the process; None with ``NUMBA_DISABLE_JIT=1``.
    """
    if numba.config.DISABLE_JIT:
        return None
    signature = tuple(signature)
    dispatcher.compile(signature)
    compiled = dispatcher.overloads[signature]
    return compiled.library.get_pointer_to_function(compiled.fndesc.llvm_func_name)


def table(*entries):
    """A read-only int64 array of addresses, for the ``table`` argument of the callers.

    Parameters
    ----------
    *entries : (numba Dispatcher, tuple of numba types) or None
        Each a kernel and the argument types to take its address for (:func:`address_of`), or
        None for an entry left 0 (a call by it must never be made).

    Returns
    -------
    ndarray of int64, shape (len(entries),), read only; or None
        None with ``NUMBA_DISABLE_JIT=1`` (the callers then call the kernels directly).
    """
    if numba.config.DISABLE_JIT:
        return None
    addresses = np.array([0 if entry is None else address_of(*entry) for entry in entries], np.int64)
    addresses.flags.writeable = False
    return addresses


@intrinsic
def _call_address(typingctx, address, args):
    """``(*args)`` called at `address` (int64) with Numba's calling convention; the callee returns nothing."""
    if not isinstance(address, types.Integer) or not isinstance(args, types.BaseTuple):
        return None
    for argument in args:
        if isinstance(argument, types.Array) and argument.layout != "C":
            raise TypingError(
                f"a call by address passes C-contiguous arrays only (the callee was compiled for them); got "
                f"{argument}. "
                "Pass np.ascontiguousarray of it, or a slice of whole rows."
            )

    def codegen(context, builder, signature, arguments):
        address_value, packed = arguments
        argtypes = tuple(args)
        values = [builder.extract_value(packed, i) for i in range(len(argtypes))]
        function_type = context.call_conv.get_function_type(types.none, argtypes)
        callee = builder.inttoptr(address_value, ir.PointerType(function_type))
        status, _ = context.call_conv.call_function(builder, callee, types.none, argtypes, values)
        with cgutils.if_unlikely(builder, status.is_error):
            context.call_conv.return_status_propagate(builder, status)
        return context.get_dummy_value()

    return types.none(address, args), codegen


def _check(function, signature, argtypes):
    """Raise TypingError unless `argtypes` are ``signature(dtype)``, read-only arrays taken as mutable."""
    arrays = [t for t in argtypes if isinstance(t, types.Array)]
    if not arrays:
        return
    expected = tuple(signature(numpy_support.as_dtype(arrays[0].dtype)))
    found = tuple(t.copy(readonly=False) if isinstance(t, types.Array) else t for t in argtypes)
    if found != expected:
        raise TypingError(
            f"{function.__name__} is called by an address compiled for {expected}; this call passes {found}. "
            "Convert the arguments (np.int64, np.bool_, the arrays' dtype) where the call is made."
        )


def caller(function, signature=None):
    """``call(table, index, args)``: `function` called by the address ``table[index]``, or directly if `table` is None.

    Parameters
    ----------
    function : numba Dispatcher
        A kernel that returns nothing.
    signature : callable, optional
        ``signature(dtype)``: the argument types the address in a table for arrays of `dtype` was
        compiled for (:func:`address_of`). When given, a call whose arguments have other types
        (the dtype taken from its first array) fails to compile, instead of passing values the
        callee would misread.

    Returns
    -------
    callable
        ``call(table, index, args)`` for compiled code (and for Python, with the JIT off, where it
        calls ``function(*args)``): `table` an int64 array of addresses from :func:`address_of`,
        ``table[index]`` that of `function` compiled for the types of the tuple `args` (whose arrays
        must be C-contiguous), or None to call `function` itself, its code then linked into the
        caller's.
    """

    def call(table, index, args):
        function(*args)

    # `function` is a free variable of the implementations, a constant to Numba: a dispatcher passed as
    # an argument would be a pointer to a Python object in the code, which keeps the caller out of the cache.
    @overload(call, jit_options={"error_model": "numpy"})
    def _call(table, index, args):
        if isinstance(table, types.NoneType):
            return lambda table, index, args: function(*args)
        if signature is not None:
            _check(function, signature, tuple(args))
        return lambda table, index, args: _call_address(table[index], args)

    call.__name__ = call.__qualname__ = f"call_{function.__name__}"
    return call
