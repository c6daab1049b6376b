"""The public kernels of :mod:`nncore.kernels` behind checks of their preconditions: the debug switch.

The kernels check nothing: a wrong shape, dtype or layout gives a wrong result, a Numba typing
error or a crash. While debugging, import this module in their place::

    import nncore.kernel_checks as K   # instead of: import nncore.kernels as K

Every name of ``nncore.kernels.__all__`` is here, and each array kernel first checks, from
Python, what its docstring requires: real arrays of the course's shapes (the same messages as
the checked tiers, from :mod:`nncore.validation`), one dtype (float64 or float32), C-contiguous,
finite inputs, a known activation code, outputs that do not overlap the inputs they may not
alias. Then the kernel itself runs. Compiled code cannot call these wrappers: keep the checked
calls in Python while debugging, and call :mod:`nncore.kernels` from ``@njit`` code.
:func:`checked` wraps one kernel.
"""

import functools
import inspect

import numpy as np

from nncore import kernels, validation

_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))


def _array(value, name, dims=None, values=None):
    """`value`, checked to be a float64 or float32 C-contiguous ndarray of the given shape."""
    a = validation.as_numeric(value, name)
    if a is not value:
        raise TypeError(f"{name} must be a NumPy array (the kernels convert nothing); got {type(value).__name__}.")
    if a.dtype not in _FLOATS:
        raise TypeError(
            f"{name} must be float64 or float32 (the kernels compute in those only); got dtype {a.dtype}. "
            f"Convert it with {name}.astype(np.float64)."
        )
    if dims is not None:
        validation.require_shape(a, name, dims, values)
    if not a.flags.c_contiguous:
        raise ValueError(
            f"{name} must be C-contiguous (the kernels read rows as contiguous memory); "
            f"use np.ascontiguousarray({name})."
        )
    return a


def _one_dtype(arrays):
    dtypes = {name: a.dtype for name, a in arrays.items()}
    if len(set(dtypes.values())) > 1:
        found = ", ".join(f"{name} {dtype}" for name, dtype in dtypes.items())
        raise TypeError(f"the arrays of one kernel call must share one dtype (float64 or float32); got {found}.")


def _finite(arrays):
    for name, a in arrays.items():
        validation.require_finite(a, name)


def _disjoint(output, name, inputs, may_be=()):
    """Raise unless `output` overlaps none of `inputs`, except being one of `may_be` exactly."""
    for other_name, other in inputs.items():
        if other_name in may_be and other is output:
            continue
        if other is output or np.shares_memory(output, other):
            allowed = f" (it may be {', '.join(may_be)} itself)" if may_be else ""
            raise ValueError(f"{name} must not overlap {other_name}{allowed}; pass a buffer of its own.")


def _code(code, name="code"):
    if isinstance(code, (bool, np.bool_)) or not isinstance(code, (int, np.integer)):
        raise TypeError(f"{name} must be an activation code (an int such as nncore.kernels.TANH); got {code!r}.")
    if not 0 <= code <= kernels.IDENTITY:
        names = ", ".join(f"{n.upper()} = {c}" for n, c in kernels.CODES.items())
        raise ValueError(f"unknown {name} {code}; expected {names} or IDENTITY = {kernels.IDENTITY}.")


def _same_shape(first, first_name, second, second_name):
    validation.require_shape(
        second, second_name, tuple(f"{first_name}.shape[{i}]" for i in range(first.ndim)), first.shape
    )


def _rank(a, name):
    if a.ndim not in (1, 2):
        raise ValueError(f"{name} must be 1-D or 2-D; got shape {a.shape}.")


def _elementwise(x_name, out_name, extra=()):
    """A checker for ``f(x, [extra...], out)`` elementwise kernels over arrays of one shape."""

    def check(**args):
        x = _array(args[x_name], x_name)
        _rank(x, x_name)
        arrays = {x_name: x}
        for name in extra:
            arrays[name] = _array(args[name], name)
            _same_shape(x, x_name, arrays[name], name)
        out = _array(args[out_name], out_name)
        _same_shape(x, x_name, out, out_name)
        _one_dtype({**arrays, out_name: out})
        _finite(arrays)
        _disjoint(out, out_name, arrays, may_be=tuple(arrays))
        if "code" in args:
            _code(args["code"])

    return check


def _layer_input(A_prev, transposed, n_prev):
    dims, values = (("m", "n[l-1]"), (None, n_prev)) if transposed else (("n[l-1]", "m"), (n_prev, None))
    A_prev = _array(A_prev, "A_prev", dims, values)
    validation.require_samples(A_prev, "A_prev")
    return A_prev, A_prev.shape[0] if transposed else A_prev.shape[1]


def _bias(b, name, n):
    b = _array(b, name)
    if b.ndim == 1:
        validation.require_shape(b, name, ("n[l]",), (n,))
    else:
        validation.require_shape(b, name, ("n[l]", "1"), (n, 1))
    return b


def _check_dense_forward(W, b, A_prev, transposed, Z, A, code, threads=1):
    W = _array(W, "W", ("n[l]", "n[l-1]"))
    validation.require_units(W, "W")
    n, n_prev = W.shape
    b = _bias(b, "b", n)
    A_prev, m = _layer_input(A_prev, transposed, n_prev)
    inputs = {"W": W, "b": b, "A_prev": A_prev}
    Z, A = _array(Z, "Z", ("n[l]", "m"), (n, m)), _array(A, "A", ("n[l]", "m"), (n, m))
    _one_dtype({**inputs, "Z": Z, "A": A})
    _finite(inputs)
    _disjoint(Z, "Z", inputs)
    _disjoint(A, "A", {**inputs, "Z": Z}, may_be=("Z",))
    _code(code)
    validation.check_count(threads, "threads", 1)


def _check_dense_backward(dA, A, A_prev, transposed, W, code, dZ, dW, db, dA_prev, with_dA_prev, threads=1):
    W = _array(W, "W", ("n[l]", "n[l-1]"))
    n, n_prev = W.shape
    A_prev, m = _layer_input(A_prev, transposed, n_prev)
    dA = _array(dA, "dA", ("n[l]", "m"), (n, m))
    _code(code)
    inputs = {"dA": dA, "A_prev": A_prev, "W": W}
    if code != kernels.IDENTITY:
        inputs["A"] = _array(A, "A", ("n[l]", "m"), (n, m))
    outputs = {"dZ": _array(dZ, "dZ", ("n[l]", "m"), (n, m)), "dW": _array(dW, "dW", ("n[l]", "n[l-1]"), W.shape)}
    outputs["db"] = _bias(db, "db", n)
    if with_dA_prev:
        outputs["dA_prev"] = _array(dA_prev, "dA_prev", ("n[l-1]", "m"), (n_prev, m))
    _one_dtype({**inputs, **outputs})
    _finite(inputs)
    _disjoint(outputs["dZ"], "dZ", {k: v for k, v in inputs.items()}, may_be=("dA",))
    for name in ("dW", "db", "dA_prev"):
        if name in outputs:
            others = {**inputs, **{k: v for k, v in outputs.items() if k != name}}
            _disjoint(outputs[name], name, others)
    validation.check_count(threads, "threads", 1)


def _output_and_labels(AL, Y):
    AL = _array(AL, "AL")
    if AL.ndim == 2:
        validation.require_shape(AL, "AL", ("1", "m"), (1, None))
    else:
        validation.require_shape(AL, "AL", ("m",))
    Y = _array(Y, "Y")
    if Y.size != AL.size or Y.ndim not in (1, 2):
        raise ValueError(f"Y must hold one label per sample, shape (1, m) = (1, {AL.size}); got shape {Y.shape}.")
    _one_dtype({"AL": AL, "Y": Y})
    _finite({"AL": AL, "Y": Y})
    validation.require_labels(Y)
    return AL, Y


def _check_output_gradient(AL, Y, dZ):
    AL, Y = _output_and_labels(AL, Y)
    dZ = _array(dZ, "dZ")
    _same_shape(AL, "AL", dZ, "dZ")
    _one_dtype({"AL": AL, "dZ": dZ})
    _disjoint(dZ, "dZ", {"AL": AL, "Y": Y}, may_be=("AL",))


def _check_cost(AL, Y):
    AL, _ = _output_and_labels(AL, Y)
    validation.require_probabilities(AL)


def _check_update(param, grad, learning_rate):
    param, grad = _array(param, "param"), _array(grad, "grad")
    _same_shape(param, "param", grad, "grad")
    _one_dtype({"param": param, "grad": grad})
    _finite({"param": param, "grad": grad})
    _disjoint(param, "param", {"grad": grad})
    validation.check_learning_rate(learning_rate)


def _check_train_step(X, transposed, Y, theta, dims, codes, learning_rate, acts, deltas, grad, with_cost, threads=1):
    for name, a in (("dims", dims), ("codes", codes)):
        if not isinstance(a, np.ndarray) or a.dtype != np.int64 or a.ndim != 1:
            raise TypeError(f"{name} must be a 1-D int64 array (nncore.kernels.Packed.{name}); got {a!r}.")
    if dims.size != codes.size + 1 or dims[-1] != 1:
        raise ValueError(f"dims must be [n_x, n[1], ..., n[L]] with n[L] = 1 and L = codes.size; got {dims}.")
    for l, code in enumerate(codes, start=1):
        _code(int(code), f"codes[{l - 1}]")
    n_x = int(dims[0])
    dims_X, values_X = (("m", "n_x"), (None, n_x)) if transposed else (("n_x", "m"), (n_x, None))
    X = _array(X, "X", dims_X, values_X)
    validation.require_samples(X, "X")
    m = X.shape[0] if transposed else X.shape[1]
    Y = _array(Y, "Y")
    if Y.size != m:
        raise ValueError(f"Y must hold one label per sample, shape (1, m) = (1, {m}); got shape {Y.shape}.")
    size = int((dims[1:] * dims[:-1]).sum() + dims[1:].sum())
    theta = _array(theta, "theta", ("P",), (size,))
    buffers = {
        name: _array(a, name, ("m (n[1] + ... + n[L])",), (int(m * dims[1:].sum()),))
        for name, a in (("acts", acts), ("deltas", deltas))
    }
    buffers["grad"] = _array(grad, "grad", ("P",), (size,))
    inputs = {"X": X, "Y": Y, "theta": theta}
    _one_dtype({**inputs, **buffers})
    _finite(inputs)
    validation.require_labels(Y)
    for name, a in buffers.items():
        _disjoint(a, name, {**inputs, **{k: v for k, v in buffers.items() if k != name}})
    validation.check_learning_rate(learning_rate)
    validation.check_count(threads, "threads", 1)


#: Kernel name -> the checker of its arguments (called with them as keywords).
CHECKS = {
    "activation_forward": _elementwise("Z", "A"),
    "activation_backward": _elementwise("dA", "dZ", extra=("A",)),
    "exp_into": _elementwise("x", "out"),
    "log_into": _elementwise("x", "out"),
    "tanh_into": _elementwise("x", "out"),
    "sigmoid_into": _elementwise("x", "out"),
    "dense_forward": _check_dense_forward,
    "dense_forward_parallel": _check_dense_forward,
    "dense_backward": _check_dense_backward,
    "dense_backward_parallel": _check_dense_backward,
    "output_gradient": _check_output_gradient,
    "cost": _check_cost,
    "update": _check_update,
    "train_step": _check_train_step,
    "train_step_parallel": _check_train_step,
}


def checked(kernel):
    """`kernel` (a public kernel of :mod:`nncore.kernels`) behind the check of its preconditions.

    Parameters
    ----------
    kernel : numba Dispatcher
        One of the array kernels of ``nncore.kernels.__all__``.

    Returns
    -------
    callable
        Binds the arguments as the kernel's signature does, checks them (raising ``TypeError`` or
        ``ValueError`` with the checked tiers' messages), then calls the kernel.
    """
    func = getattr(kernel, "py_func", kernel)
    name = func.__name__
    if name not in CHECKS:
        raise ValueError(f"{name} is not an array kernel of nncore.kernels; expected one of {', '.join(CHECKS)}.")
    signature, check = inspect.signature(func), CHECKS[name]

    @functools.wraps(func)
    def call(*args, **kwargs):
        check(**signature.bind(*args, **kwargs).arguments)
        return kernel(*args, **kwargs)

    call.kernel = kernel
    return call


for _name in kernels.__all__:
    _value = getattr(kernels, _name)
    globals()[_name] = checked(_value) if _name in CHECKS else _value

__all__ = list(kernels.__all__) + ["checked", "CHECKS"]
