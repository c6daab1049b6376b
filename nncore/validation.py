"""Input validation and coercion for every public entry point of every tier.

Each ``check_<name>`` takes the arguments of the interface function ``<name>``
as keywords and returns them as a dict, validated and coerced; the tiers'
code then runs on clean input and needs no checks of its own.
:data:`CHECKS` maps each interface name to its checker. The estimators (their
settings, their data and their training's arguments, at the end of this module)
and the gradient checker validate here too, once per call, and then call the
tiers' unchecked functions, so one mistake gets one message wherever it is made.
Every array goes through :func:`check_array` (or :func:`as_shaped` and then
:func:`cast_finite`, for arrays that share a dtype). For the one-layer and
elementwise functions, :data:`FAST_CHECKS` recognises arguments that need
nothing done (float arrays of the right shapes, finite, one dtype), for which
the contract skips the checker: the same answer, cheaper on a small layer.

Coercion rules
--------------
* Arrays of one call share one floating dtype: float32 when every floating
  input is float32, float64 otherwise. Integer and boolean arrays (uint8
  images, 0/1 labels) are converted to that dtype; float16 is widened to
  float32. Labels ``Y`` take the dtype of the other inputs and never widen it.
* Complex, object, string, datetime and extended-precision arrays are refused
  with a ``TypeError``.
* Memory order is left as it is: Fortran-ordered and strided inputs work in
  every tier (the JIT tier makes its own contiguous copies where it needs them).

Errors say what was expected, what was found and how to fix it, e.g.::

    Y must have shape (1, m) = (1, 209); got a rank-1 array of shape (209,).
    Use Y.reshape(1, -1).
"""

import math
import numbers
import operator
import re
import sys

import numpy as np

from nncore.interface import ACTIVATIONS, LayerCache

# --------------------------------------------------------------------------
# Arrays
# --------------------------------------------------------------------------

_REFUSED_KINDS = {
    "c": "complex numbers",
    "O": "Python objects",
    "U": "strings",
    "S": "bytes",
    "V": "structured records",
    "M": "datetimes",
    "m": "timedeltas",
}


#: The dtypes nncore computes in; an exact ndarray of one of them, writeable, needs no conversion.
_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))


def _describe(a):
    if a.ndim == 0:
        return f"a scalar ({a.dtype})"
    if a.ndim == 1:
        return f"a rank-1 array of shape {a.shape}"
    return f"a {a.ndim}-D array of shape {a.shape}"


def as_numeric(x, name):
    """Convert `x` to an ndarray of real numbers, refusing other kinds.

    Parameters
    ----------
    x : array_like
    name : str
        The argument's name, for the error message.

    Returns
    -------
    ndarray
        `x` itself when it already is a real, writeable ndarray (a read-only
        one is copied); floating arrays keep their dtype (float16 becomes
        float32), integer and boolean ones are left for :func:`common_float`
        to convert.

    Raises
    ------
    TypeError
        For complex, object, string, datetime or extended-precision data.
    """
    if type(x) is np.ndarray and x.dtype in _FLOATS and x.flags.writeable:
        return x  # the usual case, what the steps below would return: no call into NumPy
    if isinstance(x, np.ma.MaskedArray) and np.ma.getmaskarray(x).any():
        raise ValueError(
            f"{name} is a masked array with {int(np.ma.getmaskarray(x).sum())} masked entries; "
            f"nncore ignores masks, so it would compute on the hidden values. Fill them "
            f"({name}.filled(value)) or drop those samples first."
        )
    try:
        a = np.asarray(x)
    except (ValueError, TypeError) as err:  # ragged nested lists
        raise TypeError(
            f"{name} must be a numeric array; could not convert the {type(x).__name__} "
            f"given ({err}). Pass a rectangular numpy array of floats."
        ) from None
    kind = a.dtype.kind
    if kind in _REFUSED_KINDS:
        found = f"{_REFUSED_KINDS[kind]} (dtype {a.dtype})"
        if kind == "O" and a.ndim == 0:
            found = f"a {type(x).__name__}"
        raise TypeError(
            f"{name} must be an array of real numbers (float32 or float64); got {found}. "
            f"Convert it with np.asarray({name}, dtype=np.float64)."
        )
    if kind == "f" and a.dtype.itemsize > 8:
        raise TypeError(
            f"{name} has dtype {a.dtype}, which nncore does not compute in; use float64 ({name}.astype(np.float64))."
        )
    if kind == "f" and a.dtype.itemsize < 4:
        a = a.astype(np.float32)
    elif not a.flags.writeable:
        # Read-only data (writeable=False, np.frombuffer, a memmap opened "r", np.broadcast_to): the tiers
        # get a writeable copy, as Numba types a read-only array apart and refuses it where a buffer is expected.
        a = a.copy(order="K")
    return a


def common_float(*arrays):
    """The floating dtype a call computes in: float32 if every float input is float32.

    Integer and boolean arrays do not vote; with no floating input the dtype is
    float64.
    """
    floats = [a.dtype for a in arrays if a is not None and a.dtype.kind == "f"]
    if not floats:
        return np.dtype(np.float64)
    # One dtype throughout, the usual case, needs no np.result_type (several times the cost of the test).
    return floats[0] if all(d == floats[0] for d in floats) else np.result_type(*floats)


def _first_bad(a):
    """``(nan count, inf count, index of the first)`` of the non-finite entries of `a`, or None."""
    finite = np.isfinite(a)
    if finite.all():
        return None
    n_nan = int(np.isnan(a).sum())
    return n_nan, int(finite.size - finite.sum()) - n_nan, tuple(int(i) for i in np.argwhere(~finite)[0])


#: Arrays of at least this many entries take the sum-first path of :func:`all_finite`.
_SUM_FIRST_SIZE = 1 << 16
#: Float arrays of at most this many entries are checked entry by entry in Python by :func:`all_finite`.
_TINY_SIZE = 16


def all_finite(a):
    """Whether every entry of the array `a` is finite (neither nan nor inf); exact, and it never warns.

    Large arrays take scikit-learn's fast path: the sum of `a` is finite
    exactly when every entry is, except that a sum of finite entries can
    overflow to inf; so the sum decides when it is finite, and the elementwise
    scan (a boolean array the size of `a`) runs only when it is not. Small
    arrays are scanned at once: their boolean array costs less than the
    ``np.errstate`` that keeps the sum's overflow from warning, and counting
    its True entries (``np.count_nonzero``) less than ``.all()``, whose Python
    wrapper costs more than the scan on a small layer. A tiny float32 or
    float64 array (a bias, a small layer's weights) is read as Python floats,
    which is cheaper still than a NumPy call.
    """
    size = a.size
    if size <= _TINY_SIZE and a.dtype in _FLOATS:
        return all(map(math.isfinite, a.ravel().tolist()))
    if size >= _SUM_FIRST_SIZE:
        with np.errstate(over="ignore", invalid="ignore"):
            if math.isfinite(a.sum()):
                return True
    return bool(np.count_nonzero(np.isfinite(a)) == size)


def require_finite(a, name):
    """Raise ``ValueError`` when `a` holds nan or inf, saying how many and where (:func:`all_finite` decides)."""
    if all_finite(a):
        return
    bad = _first_bad(a)
    if bad is None:
        return
    n_nan, n_inf, where = bad
    raise ValueError(
        f"{name} must be finite; it holds {n_nan} nan and {n_inf} inf values "
        f"(the first at index {where}). Remove or impute them first, e.g. with "
        f"np.nan_to_num, or lower the learning rate if they came from training."
    )


def _shape_text(dims, values):
    names = "(" + ", ".join(dims) + ")"
    if all(v is not None for v in values):
        return f"{names} = {tuple(values)}"
    return names


def _shape_fix(name, a, values):
    """A suggestion for turning the shape of `a` into the expected one."""
    if a.ndim == 1 and len(values) == 2:
        if values[0] == 1:
            return f"Use {name}.reshape(1, -1)."
        if values[1] == 1:
            return f"Use {name}.reshape(-1, 1)."
        return f"Use {name}.reshape(-1, 1) for a single sample, or {name}.reshape(1, -1) for a single feature."
    if a.ndim == 2 and len(values) == 2 and a.shape[::-1] == tuple(values):
        return f"It looks transposed: use {name}.T (samples are columns)."
    if len(values) == 2 and a.ndim > 2 and None not in values:
        return f"Use {name}.reshape{tuple(values)} if the data is in that order."
    if len(values) == 2 and a.ndim > 2:
        return (
            f"Flatten it to two dimensions, e.g. images with "
            f"{name}.reshape({name}.shape[0], -1).T (nncore.datasets.flatten_images)."
        )
    return "Reshape it to the expected shape."


def require_shape(a, name, dims, values=None):
    """Raise ``ValueError`` unless `a` has ``len(dims)`` axes matching `values`.

    Parameters
    ----------
    a : ndarray
    name : str
    dims : tuple of str
        Names of the axes, e.g. ``("1", "m")`` or ``("n[1]", "n_x")``.
    values : tuple of int or None, optional
        Expected lengths; None matches any length.
    """
    values = tuple(values) if values is not None else (None,) * len(dims)
    ok = a.ndim == len(dims) and all(v is None or v == s for v, s in zip(values, a.shape))
    if not ok:
        raise ValueError(
            f"{name} must have shape {_shape_text(dims, values)}; got {_describe(a)}. {_shape_fix(name, a, values)}"
        )


def require_samples(a, name):
    """Raise ``ValueError`` when `a` (2-D) has no rows or no columns."""
    if a.shape[1] == 0:
        raise ValueError(
            f"{name} has no samples: its shape is {a.shape}, so m = 0. Pass at least one sample (one column)."
        )
    if a.shape[0] == 0:
        raise ValueError(
            f"{name} has no features: its shape is {a.shape}, so n = 0. Pass at least one feature (one row)."
        )


def require_units(W, name):
    """Raise ``ValueError`` when the weights `W` (2-D) have no rows or no columns."""
    if 0 in W.shape:
        raise ValueError(
            f"{name} has shape {W.shape}; a layer needs at least one unit and one input, so n[l] >= 1 and n[l-1] >= 1."
        )


def require_labels(Y, name="Y"):
    """Raise ``ValueError`` unless every entry of `Y` is 0 or 1."""
    bad = ~((Y == 0) | (Y == 1))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must hold binary labels 0 or 1; found {int(bad.sum())} other "
            f"values, the first {Y[where].item()!r} at index {where}. Map the classes to 0 "
            f"and 1 first, e.g. (labels == positive_class).astype(float)."
        )


def require_probabilities(AL, name="AL"):
    """Raise ``ValueError`` unless every entry of `AL` lies in [0, 1]."""
    bad = (AL < 0) | (AL > 1)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must hold probabilities in [0, 1]; found {AL[where].item()!r} at index "
            f"{where}. The cross-entropy cost needs a sigmoid output layer."
        )


def as_shaped(x, name, dims=None, values=None, samples=False):
    """`x` as a real ndarray (:func:`as_numeric`) of the given shape, in its own dtype.

    The first half of :func:`check_array`, for checkers that give several
    arrays one dtype: convert and shape each, then :func:`cast_finite` them
    together.

    Parameters
    ----------
    x : array_like
    name : str
    dims : tuple of str, optional
        Names of the axes (:func:`require_shape`); None accepts any shape.
    values : tuple of int or None, optional
        Expected lengths of the axes.
    samples : bool
        Require at least one column and one row (:func:`require_samples`).
    """
    a = as_numeric(x, name)
    if dims is not None:
        require_shape(a, name, dims, values)
    if samples:
        require_samples(a, name)
    return a


def check_array(x, name, dims=None, values=None, *, samples=False, dtype=None, finite=True):
    """Convert, shape-check, cast and finite-check one array: scikit-learn's ``check_array``.

    Parameters
    ----------
    x : array_like
    name : str
        The argument's name, for the messages.
    dims, values, samples
        As in :func:`as_shaped`.
    dtype : float32 or float64, optional
        The dtype to compute in; default the array's own floating dtype
        (:func:`common_float`).
    finite : bool, default True
        Refuse nan and inf (:func:`require_finite`).

    Returns
    -------
    ndarray
        `x` itself when nothing needed converting.
    """
    a = as_shaped(x, name, dims, values, samples)
    cast = _cast(a, common_float(a) if dtype is None else dtype)
    if finite:
        _require_finite_cast(a, cast, name)
    return cast


def cast_finite(arrays, dtype, name=None):
    """The arrays of the dict `arrays` in `dtype`, each checked to be finite.

    Each is named ``name[key]`` in the message, or ``key`` when `name` is None.
    """
    cast = {}
    for key, a in arrays.items():
        cast[key] = _cast(a, dtype)
        _require_finite_cast(a, cast[key], key if name is None else f"{name}[{key!r}]")
    return cast


def _cast(a, dtype):
    """`a` in `dtype` (itself when it has it); values beyond the dtype's range become inf without a warning."""
    if a.dtype == dtype:
        return a
    with np.errstate(over="ignore"):  # reported by _require_finite_cast, naming the array
        return a.astype(dtype)


def _require_finite_cast(original, cast, name):
    """:func:`require_finite` of `cast`; when only the cast made the infs, say so rather than blame the data."""
    try:
        require_finite(cast, name)
    except ValueError:
        if cast is original or not np.isfinite(original).all():
            raise
        largest = np.finfo(cast.dtype).max
        raise ValueError(
            f"{name} holds finite values beyond the range of {cast.dtype} (largest {largest:g}), the dtype this "
            f"call computes in, so converting them would make inf. Scale {name} to about [-1, 1], or compute "
            f"in float64 (e.g. dtype=np.float64 for an estimator)."
        ) from None


def _transposed(name, a, n):
    """The hint when the 2-D `a`, expected to have `n` rows, has `n` columns instead."""
    if a.ndim == 2 and a.shape[1] == n != a.shape[0]:
        return f" {name} looks transposed: samples must be its columns, so use {name}.T."
    return ""


# --------------------------------------------------------------------------
# Scalars and names
# --------------------------------------------------------------------------


def check_positive(value, name, example):
    """Return `value` as a float after checking it is a positive finite number."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number, e.g. {example}; got {type(value).__name__} {value!r}.")
    try:
        number = float(value)
    except OverflowError:  # an int beyond float's range, e.g. 10**400
        raise ValueError(
            f"{name} must be > 0 and finite, e.g. {example}; got an integer of {len(str(abs(value)))} digits, "
            f"beyond the largest float ({sys.float_info.max:g})."
        ) from None
    if not np.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be > 0 and finite, e.g. {example}; got {number!r}.")
    return number


def check_learning_rate(learning_rate):
    """Return `learning_rate` as a float after checking it is a positive finite number."""
    return check_positive(learning_rate, "learning_rate", "0.0075")


def check_count(value, name, minimum, maximum=None):
    """Return `value` as an int after checking it is an integer >= `minimum` (and <= `maximum`).

    Any integer type is accepted (``np.int64(2)``); a bool or a float is a ``TypeError``, an
    integer out of range a ``ValueError``.
    """
    expected = f"an integer >= {minimum}" if maximum is None else f"an integer from {minimum} to {maximum}"
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be {expected}; got the bool {value!r}.")
    try:
        count = operator.index(value)
    except TypeError:
        hint = f" Use int({value!r})." if isinstance(value, numbers.Real) and float(value).is_integer() else ""
        raise TypeError(f"{name} must be {expected}; got {type(value).__name__} {value!r}.{hint}") from None
    if count < minimum or (maximum is not None and count > maximum):
        raise ValueError(f"{name} must be {expected}; got {count}.")
    return count


def check_schedule(learning_rate, num_iterations, cost_every):
    """Gradient descent's settings, checked: ``{"learning_rate", "num_iterations", "cost_every"}``."""
    return {
        "learning_rate": check_learning_rate(learning_rate),
        "num_iterations": check_count(num_iterations, "num_iterations", 0),
        "cost_every": check_count(cost_every, "cost_every", 1),
    }


def check_dtype(dtype):
    """Return `dtype` as a numpy dtype after checking it is float32 or float64."""
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64; got {dtype}.")
    return dtype


def check_layer_dims(layer_dims):
    """Return `layer_dims` ``[n_x, n[1], ..., n[L]]`` as a list of ints >= 1, with L >= 1."""
    if isinstance(layer_dims, (str, bytes)) or not hasattr(layer_dims, "__len__"):
        raise TypeError(f"layer_dims must be a sequence of layer sizes like [12288, 20, 7, 5, 1]; got {layer_dims!r}.")
    dims = [check_count(n, f"layer_dims[{i}]", 1) for i, n in enumerate(layer_dims)]
    if len(dims) < 2:
        raise ValueError(
            f"layer_dims needs the input size and at least one layer, e.g. [n_x, 1]; got {list(layer_dims)}."
        )
    return dims


def check_init(init, methods, name="init"):
    """Return `init` after checking it names one of `methods` (:data:`nncore.initializers.METHODS`)."""
    if not isinstance(init, str) or init not in methods:
        raise ValueError(f"unknown {name} {init!r}; expected one of {', '.join(map(repr, methods))}.")
    return init


def check_activation(activation, name="activation"):
    """Return `activation` after checking it names a known activation."""
    if not isinstance(activation, str):
        raise TypeError(
            f"{name} must be one of {', '.join(map(repr, ACTIVATIONS))}; got "
            f"{type(activation).__name__} {activation!r}."
        )
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown {name} {activation!r}; expected one of {', '.join(map(repr, ACTIVATIONS))}.")
    return activation


def _layers_text(L):
    """``"1 layer (W1)"``, ``"2 layers (W1, W2)"``, ``"3 layers (W1 ... W3)"``."""
    if L == 1:
        return "1 layer (W1)"
    return f"{L} layers (W1, W2)" if L == 2 else f"{L} layers (W1 ... W{L})"


def check_activations(activations, n_layers=None, sigmoid_output=False, layers_of="parameters"):
    """Return `activations` as a tuple of names, one per layer.

    Parameters
    ----------
    activations : sequence of str
    n_layers : int, optional
        The number of layers the parameters have.
    sigmoid_output : bool
        Require the last activation to be ``"sigmoid"`` (the cross-entropy cost
        and its gradient ``dZL = AL - Y`` need probabilities).
    layers_of : {"parameters", "caches"}
        What `n_layers` was counted in, for the error message.
    """
    if isinstance(activations, str):
        parts = [part for part in re.split(r"[\s,;]+", activations) if part]
        fix = f"Use {parts!r}" if len(parts) > 1 else f"Use [{activations!r}] for a single layer"
        raise TypeError(
            f"activations must be a sequence of names, one per layer; got the string {activations!r}. {fix}."
        )
    try:
        names = tuple(activations)
    except TypeError:
        raise TypeError(
            f"activations must be a sequence of names, one per layer, e.g. "
            f"['relu', 'sigmoid']; got {type(activations).__name__}."
        ) from None
    for position, activation in enumerate(names, start=1):
        check_activation(activation, name=f"activations[{position - 1}] (layer {position})")
    if not names:
        raise ValueError("activations is empty; give one name per layer, e.g. ['relu', 'sigmoid'].")
    if n_layers is not None and len(names) != n_layers:
        counted = (
            f"the parameters have {_layers_text(n_layers)}"
            if layers_of == "parameters"
            else f"{layers_of} holds {n_layers} layer{'s' if n_layers != 1 else ''}"
        )
        raise ValueError(f"activations has {len(names)} names but {counted}; give one activation per layer.")
    if sigmoid_output and names[-1] != "sigmoid":
        raise ValueError(
            f"the output layer's activation must be 'sigmoid' for the cross-entropy "
            f"cost; got activations[-1] = {names[-1]!r}. Use e.g. "
            f"activations={list(names[:-1]) + ['sigmoid']}."
        )
    return names


def check_scalar(b, name="b"):
    """Return `b` (a real number or a size-1 array) as a Python float."""
    a = as_numeric(b, name)
    if a.size != 1:
        raise ValueError(f"{name} must be a single number (the bias of logistic regression); got {_describe(a)}.")
    value = float(a.reshape(()))
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}.")
    return value


# --------------------------------------------------------------------------
# Compound arguments
# --------------------------------------------------------------------------

#: A layer's weight key: W1, W2, ... (numbered from 1, no leading zeros).
_WEIGHT_KEY = re.compile(r"W[1-9][0-9]*")


def n_layers_of(parameters, name="parameters"):
    """The number of layers L in a parameters dict {"W1", "b1", ...}: its keys W1, W2, ...

    A key such as ``W0`` or ``Wx`` is not counted; the key check that follows
    (``must have exactly the keys``) names it.
    """
    if not isinstance(parameters, dict):
        raise TypeError(f"{name} must be a dict {{'W1': ..., 'b1': ..., ...}}; got {type(parameters).__name__}.")
    L = sum(1 for key in parameters if isinstance(key, str) and _WEIGHT_KEY.fullmatch(key))
    if L == 0:
        raise ValueError(f"{name} has no weights: expected keys 'W1', 'b1', ...; got {sorted(map(str, parameters))}.")
    return L


def layer_dims_of(parameters):
    """The layer sizes ``[n_x, n[1], ..., n[L]]`` of a validated parameters dict ``{"W1", "b1", ...}``."""
    L = len(parameters) // 2
    return [int(parameters["W1"].shape[1])] + [int(parameters[f"W{l}"].shape[0]) for l in range(1, L + 1)]


def _layer_keys(L, prefix=""):
    return [f"{prefix}{letter}{l}" for l in range(1, L + 1) for letter in "Wb"]


def _require_keys(mapping, expected, name):
    missing = [key for key in expected if key not in mapping]
    extra = [key for key in mapping if key not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {missing}")
        if extra:
            parts.append(f"unexpected {extra}")
        raise ValueError(
            f"{name} must have exactly the keys {expected}; {' and '.join(parts)}. Each layer l needs W<l> and b<l>."
        )


def _convert_parameters(parameters, L, name, prefix=""):
    keys = _layer_keys(L, prefix)
    _require_keys(parameters, keys, name)
    return {key: as_numeric(parameters[key], f"{name}[{key!r}]") for key in keys}


def _require_inputs(W, n_x, m, name):
    """Raise ``ValueError`` when the first layer's `W` (2-D) does not take X's n_x inputs (X has m columns)."""
    if W.ndim == 2 and W.shape[1] != n_x:
        if W.shape[1] == m:
            fix = "X looks transposed: samples must be its columns, so use X.T."
        else:
            fix = "Check the layer sizes, or transpose if rows and columns are swapped."
        raise ValueError(
            f"{name} must have shape (n[1], n_x) with n_x = {n_x} (X has n_x = {n_x}); got shape {W.shape}. {fix}"
        )


def _require_layer_shapes(arrays, L, n_x, name, prefix="", m=None):
    """Check W<l> (n[l], n[l-1]) and b<l> (n[l], 1) along the chain starting at n_x (X has m columns)."""
    n_prev = n_x
    for l in range(1, L + 1):
        W, b = arrays[f"{prefix}W{l}"], arrays[f"{prefix}b{l}"]
        W_name, b_name = f"{name}[{prefix + f'W{l}'!r}]", f"{name}[{prefix + f'b{l}'!r}]"
        dims = (f"n[{l}]", "n_x" if l == 1 else f"n[{l - 1}]")
        if l == 1 and n_prev is not None:
            _require_inputs(W, n_prev, m, W_name)
        elif W.ndim == 2 and n_prev is not None and W.shape[1] != n_prev:
            raise ValueError(
                f"{W_name} must have shape ({', '.join(dims)}) with {dims[1]} = {n_prev} "
                f"(W{l - 1} has n[{l - 1}] = {n_prev}); got shape {W.shape}. "
                f"Check the layer sizes, or transpose if rows and columns are swapped."
            )
        require_shape(W, W_name, dims, (None, n_prev))
        require_units(W, W_name)
        require_shape(b, b_name, (f"n[{l}]", "1"), (W.shape[0], 1))
        n_prev = W.shape[0]
    return n_prev


def check_parameters(parameters, name="parameters"):
    """Validate a parameters dict on its own: keys W1, b1, ..., WL, bL, chained shapes, finite.

    Returns
    -------
    params : dict
        ``{"W1", "b1", ...}`` in layer order, in their common floating dtype.
    """
    L = n_layers_of(parameters, name)
    params = _convert_parameters(parameters, L, name)
    _require_layer_shapes(params, L, None, name)
    return cast_finite(params, common_float(*params.values()), name)


#: Default of an optional argument that was not passed (None is a bad value, refused when passed).
_ABSENT = object()


def parameters_and_data(
    parameters, activations, X=_ABSENT, Y=_ABSENT, sigmoid_output=False, name="parameters", dtype=None
):
    """Validate a network's parameters, its activations and optionally X and Y.

    Parameters
    ----------
    dtype : float32 or float64, optional
        The dtype to compute in (an estimator's); default the inputs' common
        floating dtype.

    Returns
    -------
    params : dict
        ``{"W1", "b1", ...}`` in layer order, in the common floating dtype.
    activations : tuple of str
    X, Y : ndarray or None
        In the same dtype; Y checked as labels of shape (1, m).
    """
    L = n_layers_of(parameters, name)
    activations = check_activations(activations, L, sigmoid_output)
    params = _convert_parameters(parameters, L, name)
    X = None if X is _ABSENT else as_shaped(X, "X", ("n_x", "m"), samples=True)  # a None passed is refused here
    n_x, m = (None, None) if X is None else X.shape
    _require_layer_shapes(params, L, n_x, name, m=m)
    Y = None if Y is _ABSENT else labels(Y, X.shape[1], X=X)
    if dtype is None:
        dtype = common_float(X, *params.values())
    params = cast_finite(params, dtype, name)
    if X is not None:
        X = cast_finite({"X": X}, dtype)["X"]
    if Y is not None:
        Y = Y.astype(dtype, copy=False)
    return params, activations, X, Y


def labels(Y, m, name="Y", X=None, m_of="X"):
    """Validate labels: shape (1, m), values 0 or 1. Returned in their own dtype.

    `m_of` names the array whose columns gave m, for the message.
    """
    Y = as_numeric(Y, name)
    if Y.ndim == 2 and Y.shape[0] == 1 and Y.shape[1] != m:
        hint = ""
        if X is not None and X.shape[0] == Y.shape[1]:
            hint = " X looks transposed: samples must be its columns, so use X.T."
        raise ValueError(
            f"{name} has {Y.shape[1]} samples but {m_of} has m = {m} (its columns); they must match.{hint}"
        )
    require_shape(Y, name, ("1", "m"), (1, m))
    require_labels(Y, name)
    return Y


def _cache(cache, position=None, need_Z=True):
    """Normalise a LayerCache, or the course's ((A_prev, W, b), Z), to a LayerCache."""
    where = "cache" if position is None else f"caches[{position}]"
    if isinstance(cache, LayerCache):
        fields = list(cache)
    elif isinstance(cache, tuple) and len(cache) == 2 and isinstance(cache[0], tuple):
        fields = [*cache[0], cache[1], None]  # the course's (linear_cache, activation_cache)
    elif isinstance(cache, tuple) and len(cache) == 3 and not need_Z:
        fields = [*cache, None, None]  # the course's linear_cache (A_prev, W, b)
    else:
        expected = "LayerCache" if need_Z else "LayerCache or (A_prev, W, b)"
        raise TypeError(f"{where} must be a {expected} as returned by the forward pass; got {type(cache).__name__}.")
    if len(fields) != 5:
        raise TypeError(f"{where} must hold (A_prev, W, b), Z; got {len(fields)} fields.")
    A_prev, W, b, Z, A = (
        None if f is None else as_numeric(f, f"{where}.{n}") for f, n in zip(fields, LayerCache._fields)
    )
    if need_Z and Z is None:
        raise TypeError(f"{where} has no Z; pass the cache the forward pass returned.")
    require_shape(A_prev, f"{where}.A_prev", ("n[l-1]", "m"))
    require_samples(A_prev, f"{where}.A_prev")
    require_shape(W, f"{where}.W", ("n[l]", "n[l-1]"), (None, A_prev.shape[0]))
    require_units(W, f"{where}.W")
    require_shape(b, f"{where}.b", ("n[l]", "1"), (W.shape[0], 1))
    for value, field in ((Z, "Z"), (A, "A")):
        if value is not None:
            require_shape(value, f"{where}.{field}", ("n[l]", "m"), (W.shape[0], A_prev.shape[1]))
    return LayerCache(A_prev, W, b, Z, A)


def _cast_cache(cache, dtype, where="cache"):
    """The cache's arrays in `dtype`, each checked to be finite."""
    present = {f"{where}.{field}": value for field, value in zip(LayerCache._fields, cache) if value is not None}
    cast = cast_finite(present, dtype)
    return LayerCache(*(cast.get(f"{where}.{field}") for field in LayerCache._fields))


# --------------------------------------------------------------------------
# One checker per interface function
# --------------------------------------------------------------------------


def check_elementwise(Z):
    """Checker for the activations: any shape, real, finite."""
    return {"Z": check_array(Z, "Z")}


def _same_shape(first, second, names, fix):
    """``{names[0]: first, names[1]: second}`` of one shape and one dtype, finite."""
    a, b = as_numeric(first, names[0]), as_numeric(second, names[1])
    if a.shape != b.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape; got {names[0]} {a.shape} and "
            f"{names[1]} {b.shape}. {fix}"
        )
    return cast_finite({names[0]: a, names[1]: b}, common_float(a, b))


def check_elementwise_backward(dA, Z):
    """Checker for the activations' backward functions: dA and Z of one shape."""
    return _same_shape(dA, Z, ("dA", "Z"), "Pass the Z this layer's forward pass computed.")


def check_linear_forward(A_prev, W, b):
    """Checker for ``linear_forward``: A_prev (n[l-1], m), W (n[l], n[l-1]), b (n[l], 1)."""
    A_prev = as_shaped(A_prev, "A_prev", ("n[l-1]", "m"), samples=True)
    W, b = as_numeric(W, "W"), as_numeric(b, "b")
    if W.ndim == 2 and W.shape[1] != A_prev.shape[0]:
        raise ValueError(
            f"W must have shape (n[l], n[l-1]) with n[l-1] = {A_prev.shape[0]} (the rows "
            f"of A_prev); got W of shape {W.shape}. Samples are the columns of A_prev."
            + _transposed("A_prev", A_prev, W.shape[1])
        )
    require_shape(W, "W", ("n[l]", "n[l-1]"), (None, A_prev.shape[0]))
    require_units(W, "W")
    require_shape(b, "b", ("n[l]", "1"), (W.shape[0], 1))
    return cast_finite({"A_prev": A_prev, "W": W, "b": b}, common_float(A_prev, W, b))


def check_linear_activation_forward(A_prev, W, b, activation):
    return {**check_linear_forward(A_prev, W, b), "activation": check_activation(activation)}


def _layer_backward(grad, grad_name, cache, need_Z):
    cache = _cache(cache, need_Z=need_Z)
    grad = as_shaped(grad, grad_name, ("n[l]", "m"), (cache.W.shape[0], cache.A_prev.shape[1]))
    dtype = common_float(grad, *(f for f in cache if f is not None))
    return cast_finite({grad_name: grad}, dtype)[grad_name], _cast_cache(cache, dtype)


def check_linear_backward(dZ, cache):
    dZ, cache = _layer_backward(dZ, "dZ", cache, need_Z=False)
    return {"dZ": dZ, "cache": cache}


def check_linear_activation_backward(dA, cache, activation):
    dA, cache = _layer_backward(dA, "dA", cache, need_Z=True)
    return {"dA": dA, "cache": cache, "activation": check_activation(activation)}


def check_model_forward(X, parameters, activations):
    params, activations, X, _ = parameters_and_data(parameters, activations, X)
    return {"X": X, "parameters": params, "activations": activations}


def check_predict(X, parameters, activations):
    checked = check_model_forward(X, parameters, activations)
    _require_one_output(checked["parameters"], len(checked["activations"]))
    return checked


def _output_and_labels(AL, Y):
    AL = as_shaped(AL, "AL", ("1", "m"), (1, None), samples=True)
    Y = labels(Y, AL.shape[1], m_of="AL")
    AL = check_array(AL, "AL")
    require_probabilities(AL)
    return AL, Y.astype(AL.dtype, copy=False)


def check_compute_cost(AL, Y):
    AL, Y = _output_and_labels(AL, Y)
    return {"AL": AL, "Y": Y}


def check_model_backward(AL, Y, caches, activations):
    AL, Y = _output_and_labels(AL, Y)
    if not isinstance(caches, (list, tuple)) or isinstance(caches, LayerCache):
        raise TypeError(
            f"caches must be the list of LayerCache that model_forward returned; got {type(caches).__name__}."
        )
    if not caches:
        raise ValueError("caches is empty; pass the list of LayerCache that model_forward returned.")
    activations = check_activations(activations, len(caches), sigmoid_output=True, layers_of="caches")
    caches = [_cache(c, position) for position, c in enumerate(caches)]
    for l in range(1, len(caches)):
        if caches[l].A_prev.shape != caches[l - 1].Z.shape:
            raise ValueError(
                f"caches[{l}].A_prev has shape {caches[l].A_prev.shape} but layer {l} "
                f"output shape {caches[l - 1].Z.shape}; pass the caches of one forward pass."
            )
    if caches[-1].Z.shape != AL.shape:
        raise ValueError(
            f"AL has shape {AL.shape} but the last cache's Z has shape {caches[-1].Z.shape}; "
            f"pass the AL and caches of one forward pass."
        )
    dtype = common_float(AL, *(f for c in caches for f in c if f is not None))
    return {
        "AL": AL.astype(dtype, copy=False),
        "Y": Y.astype(dtype, copy=False),
        "caches": [_cast_cache(c, dtype, f"caches[{position}]") for position, c in enumerate(caches)],
        "activations": activations,
    }


def check_update_parameters(parameters, grads, learning_rate):
    L = n_layers_of(parameters)
    params = _convert_parameters(parameters, L, "parameters")
    _require_layer_shapes(params, L, None, "parameters")
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict {{'dW1': ..., 'db1': ..., ...}}; got {type(grads).__name__}.")
    # The course's grads also carry dA0 ... dA<L-1>; they play no part in the update.
    grads = {key: value for key, value in grads.items() if not (isinstance(key, str) and key.startswith("dA"))}
    grad_arrays = _convert_parameters(grads, L, "grads", prefix="d")
    for key, value in params.items():
        g = grad_arrays["d" + key]
        if g.shape != value.shape:
            raise ValueError(
                f"grads['d{key}'] must have the shape of parameters[{key!r}], {value.shape}; got {_describe(g)}."
            )
    dtype = common_float(*params.values(), *grad_arrays.values())
    return {
        "parameters": cast_finite(params, dtype, "parameters"),
        "grads": cast_finite(grad_arrays, dtype, "grads"),
        "learning_rate": check_learning_rate(learning_rate),
    }


def _classifier(X, Y, parameters, activations, name="parameters", dtype=None):
    """A binary classifier's data and network: a sigmoid output layer of one unit."""
    params, activations, X, Y = parameters_and_data(
        parameters, activations, X, Y, sigmoid_output=True, name=name, dtype=dtype
    )
    _require_one_output(params, len(activations))
    return params, activations, X, Y


def _require_one_output(params, L):
    if params[f"W{L}"].shape[0] != 1:
        raise ValueError(
            f"the output layer must have one unit for binary labels; "
            f"W{L} has shape {params[f'W{L}'].shape}. Use layer sizes ending in 1."
        )


def check_train(X, Y, parameters, activations, learning_rate, num_iterations, cost_every):
    return check_fit(X, Y, parameters, activations, learning_rate, num_iterations, cost_every)


def check_propagate(w, b, X, Y):
    X = as_shaped(X, "X", ("n_x", "m"), samples=True)
    w = as_numeric(w, "w")
    if w.ndim == 2 and w.shape[1] == 1 and (hint := _transposed("X", X, w.shape[0])):
        raise ValueError(
            f"w must have shape (n_x, 1) with n_x = {X.shape[0]} (X has n_x = {X.shape[0]}); got shape {w.shape}.{hint}"
        )
    require_shape(w, "w", ("n_x", "1"), (X.shape[0], 1))
    b = check_scalar(b)
    Y = labels(Y, X.shape[1], X=X)
    dtype = common_float(X, w)
    arrays = cast_finite({"w": w, "X": X}, dtype)
    return {"w": arrays["w"], "b": b, "X": arrays["X"], "Y": Y.astype(dtype, copy=False)}


def check_optimize(w, b, X, Y, num_iterations, learning_rate, cost_every):
    return {**check_propagate(w, b, X, Y), **check_schedule(learning_rate, num_iterations, cost_every)}


def check_sigmoid_derivative(x):
    return {"x": check_array(x, "x")}


def _rows(x):
    """Checker for ``normalize_rows`` and ``softmax``: x of shape (n, m), n and m >= 1."""
    x = as_shaped(x, "x", ("n", "m"))
    if 0 in x.shape:
        raise ValueError(
            f"x has shape {x.shape}; it needs at least one row and one column "
            f"(each row is normalised over its entries)."
        )
    return {"x": check_array(x, "x")}


def check_image2vector(image):
    return {"image": check_array(image, "image", ("length", "height", "depth"))}


def check_loss(yhat, y):
    """Checker for ``l1_loss`` and ``l2_loss``: yhat and y of one shape."""
    return _same_shape(yhat, y, ("yhat", "y"), "Reshape one of them; nncore does not broadcast losses.")


def check_gradient_check(X, Y, parameters, activations, epsilon):
    """Checker for :func:`nncore.gradient_check` (not a tier function): as ``train``'s, plus epsilon."""
    params, activations, X, Y = _classifier(X, Y, parameters, activations)
    return {
        "X": X,
        "Y": Y,
        "parameters": params,
        "activations": activations,
        "epsilon": check_epsilon(epsilon, params),
    }


#: The steps a float64 central difference can judge with: below, rounding swamps ``J(theta + e) - J(theta - e)``
#: (its error ~ 1e-16 |J| / e); above, the cost's curvature does (its error ~ e**2 times J's third derivative).
EPSILON_RANGE = (1e-10, 1e-3)


def check_epsilon(epsilon, parameters):
    """`epsilon` for :func:`nncore.gradient_check`: positive, within :data:`EPSILON_RANGE`, resolved by every parameter.

    A step outside the range, or one that some parameter cannot resolve
    (``theta + epsilon`` rounding to more than 1% away from a step of epsilon),
    would make a correct backward pass look like a bug; it is refused.
    """
    epsilon = check_positive(epsilon, "epsilon", "1e-7")
    low, high = EPSILON_RANGE
    if not low <= epsilon <= high:
        raise ValueError(
            f"epsilon must be from {low:g} to {high:g} for central differences in float64 to judge a gradient "
            f"(below, rounding swamps the difference; above, the cost's curvature does); got {epsilon:g}. "
            f"Use the course's 1e-7."
        )
    for key, value in parameters.items():
        theta = float(np.abs(value.astype(np.float64, copy=False)).max())
        step = (theta + epsilon) - theta
        if abs(step - epsilon) > 0.01 * epsilon:
            raise ValueError(
                f"epsilon = {epsilon:g} is below the resolution of parameters[{key!r}] (|entry| up to {theta:g}, "
                f"where a step of epsilon rounds to {step:g}), so the differences could not judge the gradient. "
                f"Use a larger epsilon, e.g. {min(high, max(1e-7, 1e-6 * theta)):g}."
            )
    return epsilon


# --------------------------------------------------------------------------
# Fast paths: arguments that need nothing done
# --------------------------------------------------------------------------
# On a small layer the checker's steps (conversion, shapes, dtypes, finiteness, the dicts between them)
# cost more than the layer's math. These predicates take the interface function's arguments positionally
# and say True only when its checker would return them unchanged: the same objects (for a cache, a
# LayerCache of the same arrays). :func:`nncore.contract.implements` then calls the tier with the
# arguments as they are; on False it runs the checker, which raises or converts as always, so a fast
# path can miss (and cost time), never accept what the checker refuses.


def _each_finite(a, b=None, c=None):
    """Whether every entry of `a`, `b` and `c` (those given) is finite: :func:`all_finite` of each."""
    return all_finite(a) and (b is None or all_finite(b)) and (c is None or all_finite(c))


#: The finite check of the fast paths below, ``check(a, b=None, c=None)``: :func:`_each_finite`, or a
#: compiled check the JIT tier registers when it is imported (:func:`use_finite_check`). On a small
#: layer one compiled call for three arrays costs a seventh of the NumPy calls of :func:`all_finite`.
_finite_check = _each_finite


def use_finite_check(check):
    """Make the fast paths check finiteness with `check`; ``None`` restores the NumPy check.

    ``check(a, b=None, c=None)`` says whether every entry of the float arrays given is finite,
    exactly as :func:`all_finite` of each would. The JIT tier registers
    :func:`nncore.kernels.elementwise.finite` (this module imports nothing of Numba's, so the loop
    and vector tiers run without it).
    """
    global _finite_check
    _finite_check = _each_finite if check is None else check


def _ready(first, *others):
    """Whether the arrays are exact, writeable ndarrays of one dtype nncore computes in: nothing to convert."""
    if type(first) is not np.ndarray:
        return False
    dtype = first.dtype
    if dtype not in _FLOATS or not first.flags.writeable:
        return False
    for a in others:  # a loop, not all() over a generator: this runs on every call
        # (the identity test first: arrays of one dtype usually share NumPy's dtype object)
        if type(a) is not np.ndarray or (a.dtype is not dtype and a.dtype != dtype) or not a.flags.writeable:
            return False
    return True


def _known(activation):
    """Whether :func:`check_activation` returns `activation` itself (the type test first: ``in`` compares)."""
    return type(activation) is str and activation in ACTIVATIONS


def _fast_elementwise(Z):
    return _ready(Z) and _finite_check(Z)


def _fast_same_shape(first, second):
    return _ready(first, second) and first.shape == second.shape and _finite_check(first, second)


def linear_forward_ready(A_prev, W, b):
    """Whether ``linear_forward``'s checker would return these arrays unchanged, finiteness aside.

    Exact, writeable ndarrays of one float dtype, 2-D, with ``A_prev`` (n_prev, m), ``W`` (n,
    n_prev) and ``b`` (n, 1), none of the dimensions 0. :data:`FAST_CHECKS` adds the finite
    check; a tier's fast call (``implements(fast_call=...)``) may test finiteness its own way.
    """
    if not _ready(A_prev, W, b):
        return False
    a_shape, w_shape = A_prev.shape, W.shape  # each .shape is a new tuple: read once
    if len(a_shape) != 2 or len(w_shape) != 2:
        return False
    n, n_prev = w_shape
    return a_shape[0] == n_prev and a_shape[1] > 0 and n_prev > 0 and n > 0 and b.shape == (n, 1)


def _fast_linear_forward(A_prev, W, b):
    return linear_forward_ready(A_prev, W, b) and _finite_check(A_prev, W, b)


def _fast_linear_activation_forward(A_prev, W, b, activation):
    # _known(activation), inlined: a planar layer's whole call costs a few microseconds
    return type(activation) is str and activation in ACTIVATIONS and _fast_linear_forward(A_prev, W, b)


def _fast_layer_backward(grad, cache, need_Z):
    """As :func:`_layer_backward` with :func:`_cache`, for a LayerCache (the course's tuples take the checker)."""
    if type(cache) is not LayerCache:
        return False
    A_prev, W, b, Z, A = cache
    outputs = [f for f in (Z, A) if f is not None]
    if (need_Z and Z is None) or not _ready(grad, A_prev, W, b, *outputs):
        return False
    if A_prev.ndim != 2 or W.ndim != 2 or b.ndim != 2:
        return False
    n, n_prev = W.shape
    m = A_prev.shape[1]
    if A_prev.shape[0] != n_prev or m == 0 or n_prev == 0 or n == 0 or b.shape != (n, 1):
        return False
    if grad.shape != (n, m) or any(f.shape != (n, m) for f in outputs):
        return False
    return _finite_check(grad, A_prev, W) and _finite_check(b, *outputs)


def _fast_linear_backward(dZ, cache):
    return _fast_layer_backward(dZ, cache, need_Z=False)


def _fast_linear_activation_backward(dA, cache, activation):
    return _known(activation) and _fast_layer_backward(dA, cache, need_Z=True)


FAST_CHECKS = {
    "sigmoid": _fast_elementwise,
    "tanh": _fast_elementwise,
    "relu": _fast_elementwise,
    "leaky_relu": _fast_elementwise,
    "sigmoid_backward": _fast_same_shape,
    "tanh_backward": _fast_same_shape,
    "relu_backward": _fast_same_shape,
    "leaky_relu_backward": _fast_same_shape,
    "linear_forward": _fast_linear_forward,
    "linear_activation_forward": _fast_linear_activation_forward,
    "linear_backward": _fast_linear_backward,
    "linear_activation_backward": _fast_linear_activation_backward,
    "sigmoid_derivative": _fast_elementwise,
    "l1_loss": _fast_same_shape,
    "l2_loss": _fast_same_shape,
}
"""For some interface functions, ``fast(*args) -> bool``: True when ``CHECKS[name]`` would return the
positional `args` unchanged (see the section's comment); the others always take their checker."""


CHECKS = {
    "sigmoid": check_elementwise,
    "tanh": check_elementwise,
    "relu": check_elementwise,
    "leaky_relu": check_elementwise,
    "sigmoid_backward": check_elementwise_backward,
    "tanh_backward": check_elementwise_backward,
    "relu_backward": check_elementwise_backward,
    "leaky_relu_backward": check_elementwise_backward,
    "linear_forward": check_linear_forward,
    "linear_activation_forward": check_linear_activation_forward,
    "linear_backward": check_linear_backward,
    "linear_activation_backward": check_linear_activation_backward,
    "model_forward": check_model_forward,
    "compute_cost": check_compute_cost,
    "model_backward": check_model_backward,
    "update_parameters": check_update_parameters,
    "train": check_train,
    "predict": check_predict,
    "propagate": check_propagate,
    "optimize": check_optimize,
    "sigmoid_derivative": check_sigmoid_derivative,
    "image2vector": check_image2vector,
    "normalize_rows": _rows,
    "softmax": _rows,
    "l1_loss": check_loss,
    "l2_loss": check_loss,
}
"""The checker of each interface function, by name."""


# --------------------------------------------------------------------------
# The estimators' arguments
# --------------------------------------------------------------------------


def check_initial_parameters(parameters, layer_dims, dtype, name="initial_parameters"):
    """A caller's initial parameters checked against `layer_dims`, as new arrays of `dtype`.

    Finiteness and the rest are checked with the training's arguments
    (:func:`check_fit`); these are the shapes only the estimator knows.
    """
    L = len(layer_dims) - 1
    found = n_layers_of(parameters, name)
    if found != L:
        raise ValueError(f"{name} has {found} layers but layer_dims {layer_dims} has {L}.")
    copies = {}
    for l in range(1, L + 1):
        for key, dims, shape in (
            (f"W{l}", (f"n[{l}]", f"n[{l - 1}]"), (layer_dims[l], layer_dims[l - 1])),
            (f"b{l}", (f"n[{l}]", "1"), (layer_dims[l], 1)),
        ):
            if key not in parameters:
                raise ValueError(f"{name} has no {key!r}; each layer l needs W<l> and b<l>.")
            value = as_shaped(parameters[key], f"{name}[{key!r}]", dims, shape)
            copies[key] = value.astype(dtype, copy=True)
    return copies


def check_fit(X, Y, parameters, activations, learning_rate, num_iterations, cost_every, dtype=None, name="parameters"):
    """``train``'s arguments, checked; in `dtype` when given (an estimator's), the parameters named `name`."""
    params, activations, X, Y = _classifier(X, Y, parameters, activations, name, dtype)
    return {
        "X": X,
        "Y": Y,
        "parameters": params,
        "activations": activations,
        **check_schedule(learning_rate, num_iterations, cost_every),
    }


def check_data(X, Y=_ABSENT, W1=None, dtype=None):
    """X (n_x, m), and labels Y (1, m) when given, for an estimator, in its `dtype`.

    Parameters
    ----------
    X : array_like of shape (n_x, m)
    Y : array_like of shape (1, m), optional
    W1 : ndarray of shape (n[1], n_x), optional
        A fitted network's first layer: X must have its n_x rows.
    dtype : float32 or float64, optional

    Returns
    -------
    X, or (X, Y) when Y is given
    """
    X = as_shaped(X, "X", ("n_x", "m"), samples=True)
    if W1 is not None:
        _require_inputs(W1, X.shape[0], X.shape[1], "parameters['W1']")
    if Y is not _ABSENT:
        Y = labels(Y, X.shape[1], X=X)
    X = check_array(X, "X", dtype=dtype)
    return X if Y is _ABSENT else (X, Y.astype(X.dtype, copy=False))


def check_fitted_parameters(parameters, layer_dims, dtype, name="parameters_"):
    """A fitted estimator's parameters as a save writes them, checked as strictly as loading will check them.

    Exactly the keys ``W1, b1, ..., WL, bL`` of `layer_dims`, each an ndarray of
    the estimator's `dtype` (no conversion: a file holds one dtype), of shape
    (n[l], n[l-1]) or (n[l], 1), finite. Raises ``TypeError`` for a value that is
    not an array of that dtype, ``ValueError`` otherwise, saying how to fix it.
    """
    L = len(layer_dims) - 1
    if not isinstance(parameters, dict):
        raise TypeError(f"{name} must be a dict {{'W1': ..., 'b1': ..., ...}}; got {type(parameters).__name__}.")
    _require_keys(parameters, _layer_keys(L), name)
    for l in range(1, L + 1):
        for key, shape in ((f"W{l}", (layer_dims[l], layer_dims[l - 1])), (f"b{l}", (layer_dims[l], 1))):
            value, where = parameters[key], f"{name}[{key!r}]"
            found = (
                f"{type(value).__name__} of dtype {value.dtype}" if hasattr(value, "dtype") else type(value).__name__
            )
            if not isinstance(value, np.ndarray) or value.dtype != dtype:
                raise TypeError(
                    f"{where} must be an ndarray of the estimator's dtype {np.dtype(dtype).name} (a file holds one "
                    f"dtype); got {found}. Use {where} = np.asarray({where}, dtype=np.{np.dtype(dtype).name})."
                )
            if value.shape != shape:
                raise ValueError(
                    f"{where} must have shape {shape} for the layer sizes {list(layer_dims)}; got {value.shape}. "
                    f"Restore it, or build a new estimator of the sizes you want and fit it."
                )
            require_finite(value, where)
    return parameters


def require_output(AL):
    """Raise ``ValueError`` when the network's output `AL` (1, m) holds nan: no label can be predicted there.

    Valid input keeps every output in [0, 1], except where finite but huge
    parameters overflow on X (``inf - inf``); ``predict`` then refuses instead of
    reading nan as class 0.
    """
    undefined = np.isnan(AL)
    if undefined.any():
        first = int(np.argwhere(undefined)[0][-1])
        raise ValueError(
            f"the network's output is nan for {int(undefined.sum())} of the {AL.shape[-1]} samples (the first is "
            f"sample {first}): the parameters overflow on this X, so no label can be predicted. Check the "
            f"parameters' magnitudes (a diverged or edited model?) and scale X to about [-1, 1]."
        )
