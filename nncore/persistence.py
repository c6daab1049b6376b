"""Saving and loading parameters and fitted estimators: nncore's file format, in NumPy's ``.npz``.

A file holds plain arrays only: the weights ``W1, b1, ...`` under their own
names and, beside them, the format version, the kind of object, the layer
sizes, the activations and the dtype, as integer and string arrays. Nothing is
pickled, and nothing is unpickled on loading (``allow_pickle=False``): a file
that carries a Python object is refused, because unpickling can run any code.

This module is the format only. The framing, an atomic write (temporary file,
fsync, rename) and a read that checks every member's header and CRC, is
:mod:`nncore._npz`'s. What an estimator stores beside its parameters is the
estimator's: its ``_state()`` gives the entries to :func:`write_estimator`, and
its ``_from_state`` rebuilds it from what :func:`read_estimator` returns.

Loading checks everything it reads. A truncated or corrupted archive, a file
that is not an ``.npz``, one nncore did not write, one of another kind, one of
an unknown format version, and one whose shapes disagree with its layer sizes
each raise a ``ValueError`` that names the file.

The entries of format version 1:

=================  ======================================================
``nncore_format``  1
``kind``           ``"Network"``, ``"LogisticRegression"`` or ``"parameters"``
``nncore_version`` the version of nncore that wrote it
``dtype``          ``"float32"`` or ``"float64"``, the dtype of every W and b
``layer_dims``     ``[n_x, n[1], ..., n[L]]``
``activations``    one name per layer (optional for ``"parameters"``)
``W1, b1, ...``    the parameters, of shapes (n[l], n[l-1]) and (n[l], 1)
``costs``          estimators: the recorded costs (float64)
``cost_iterations`` estimators: the iterations they were recorded at
``tier``           estimators: the tier it was fitted with
``init``, ``seed`` ``Network``: its initialisation (``seed`` only when an int)
``b``              ``LogisticRegression``: ``b_``, the bias, in float64
``meta.<name>``    ``"parameters"``: the caller's metadata
``entries``        the names of all the other entries
=================  ======================================================

``entries`` lets loading notice an entry that a damaged zip directory hides
(zipfile does not count a directory's records against its stated total).
"""

import numpy as np

from nncore import validation
from nncore._npz import as_path, read_arrays, refused, write_atomic
from nncore._version import __version__

#: The format version this nncore writes, and the newest it reads.
FORMAT_VERSION = 1

#: What a file can hold.
KINDS = ("Network", "LogisticRegression", "parameters")

#: Prefix of the caller's metadata entries in a ``"parameters"`` file.
META = "meta."

#: Array kinds a file may hold: booleans, integers, floats and unicode strings.
_STORED = "biufU"

__all__ = [
    "FORMAT_VERSION",
    "KINDS",
    "load_parameters",
    "read_arrays",
    "read_estimator",
    "refused",
    "save_parameters",
    "write_atomic",
    "write_estimator",
]


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _header(kind, parameters, activations):
    """The entries every file starts with, then the parameters."""
    layer_dims = validation.layer_dims_of(parameters)
    arrays = {
        "nncore_format": np.array(FORMAT_VERSION, np.int64),
        "kind": np.array(kind),
        "nncore_version": np.array(__version__),
        "dtype": np.array(parameters["W1"].dtype.name),
        "layer_dims": np.array(layer_dims, np.int64),
    }
    if activations is not None:
        arrays["activations"] = np.array(list(activations), dtype=str)
    arrays.update(parameters)
    return arrays


def _sealed(arrays):
    """`arrays` plus ``entries``, the list of their names."""
    return {**arrays, "entries": np.array(sorted(arrays), dtype=str)}


def _stored_array(name, value, what="metadata"):
    if not name.isidentifier():
        raise ValueError(f"{what} names must be Python identifiers; got {name!r}.")
    try:
        a = None if value is None else np.asarray(value)
    except (ValueError, TypeError):  # ragged sequences
        a = None
    if a is None or a.dtype.kind not in _STORED:
        raise TypeError(
            f"{what} {name!r} must be a string, a number, a bool or a rectangular "
            f"array of them (files hold no pickled objects); got {type(value).__name__}."
        )
    return a


def save_parameters(path, parameters, **metadata):
    """Save a parameters dict ``{"W1", "b1", ...}`` to an ``.npz`` file, atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Written exactly as given (no ``.npz`` is appended); an existing file is
        replaced only once the new one is complete.
    parameters : dict
        ``W[l]`` of shape (n[l], n[l-1]) and ``b[l]`` of shape (n[l], 1), finite.
        Stored in their common floating dtype (float32 when all are float32,
        else float64), with the layer sizes they imply.
    **metadata
        Strings, numbers, bools or arrays of them, stored beside the weights.
        ``activations=[...]`` (one name per layer) is checked against the layers.

    Raises
    ------
    ValueError, TypeError
        For parameters that nncore's functions would refuse, or metadata that
        cannot be stored without pickling.

    Examples
    --------
    >>> import nncore, tempfile, os
    >>> p = nncore.initialize_parameters([3, 2, 1], rng=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "weights.npz")
    >>> nncore.save_parameters(path, p, activations=["relu", "sigmoid"], epoch=7)
    >>> loaded, metadata = nncore.load_parameters(path)
    >>> metadata
    {'activations': ['relu', 'sigmoid'], 'epoch': 7}
    """
    params = validation.check_parameters(parameters)
    activations = metadata.pop("activations", None)
    if activations is not None:
        activations = validation.check_activations(activations, len(params) // 2)
    arrays = _header("parameters", params, activations)
    for name, value in metadata.items():
        arrays[META + name] = _stored_array(name, value)
    write_atomic(path, _sealed(arrays))


def write_estimator(path, kind, state):
    """Save an estimator's state, atomically: what its ``save`` calls.

    Parameters
    ----------
    path : str or os.PathLike
        Written exactly as given.
    kind : {"Network", "LogisticRegression"}
    state : dict
        ``"parameters"`` (``{"W1", "b1", ...}``, one float dtype, shapes
        already checked), ``"activations"`` (one name per layer), and the
        estimator's own entries: name -> a str, a number or an array of them,
        stored as it is. See the module docstring for the entries written.
    """
    if kind not in KINDS[:2]:
        raise ValueError(f"kind must be one of {KINDS[:2]}; got {kind!r}.")
    state = dict(state)
    arrays = _header(kind, state.pop("parameters"), state.pop("activations"))
    for name, value in state.items():
        if name in arrays or name in _COMMON or name.startswith(META):
            raise ValueError(f"the entry {name!r} is the file format's own; give the estimator's entry another name.")
        arrays[name] = _stored_array(name, value, "the estimator's entry")
    write_atomic(path, _sealed(arrays))


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


class _Entries:
    """Typed access to the arrays of one file, refusing in the file's name."""

    def __init__(self, path, arrays):
        self.path, self.arrays = path, arrays

    def refuse(self, problem):
        return refused(self.path, problem)

    def get(self, key, kinds, ndim, what):
        if key not in self.arrays:
            raise self.refuse(f"it has no {key!r} entry ({what}); it is incomplete or was not saved by this function.")
        a = self.arrays[key]
        if a.dtype.kind not in kinds or a.ndim != ndim:
            raise self.refuse(f"its {key!r} entry should be {what}; it is a {a.ndim}-D array of dtype {a.dtype}.")
        return a

    def text(self, key):
        return str(self.get(key, "U", 0, "a string"))

    def integer(self, key):
        return int(self.get(key, "iu", 0, "an integer"))


def _listed(names, limit=10):
    """A list of names for a message, at most `limit` of them: a file of 10,000 entries gets a short message."""
    names = sorted(names)
    return str(names) if len(names) <= limit else f"{names[:limit]} and {len(names) - limit} more"


def _not_nncore(keys):
    return (
        f"it was not written by nncore: it has no 'nncore_format' entry (its entries are "
        f"{_listed(keys)}). Read it with numpy.load(path, allow_pickle=False)."
    )


def _unlisted(listed, found):
    missing = sorted(set(listed) - set(found))
    extra = sorted(set(found) - set(listed))
    return (
        f"its entries do not match its list of entries (missing {_listed(missing)}, unlisted "
        f"{_listed(extra)}): the file is corrupted."
    )


def _read(path):
    """The arrays of an nncore file; its entries' names are checked against its list before the rest is read."""

    def check(keys, read):
        if "nncore_format" not in keys:
            raise refused(path, _not_nncore(keys))
        if "entries" in keys:
            listed = read("entries")
            found = sorted(key for key in keys if key != "entries")
            if listed.dtype.kind == "U" and listed.ndim == 1 and listed.tolist() != found:
                raise refused(path, _unlisted(listed.tolist(), found))

    return _Entries(path, read_arrays(path, _STORED, check))


def _format_and_kind(entries):
    if "nncore_format" not in entries.arrays:
        raise entries.refuse(_not_nncore(entries.arrays))
    version = entries.integer("nncore_format")
    if version > FORMAT_VERSION:
        raise entries.refuse(
            f"it has file format version {version}, written by a newer nncore; this nncore "
            f"({__version__}) reads versions up to {FORMAT_VERSION}. Upgrade nncore."
        )
    if version < 1:
        raise entries.refuse(f"it has an unknown file format version {version}.")
    listed = entries.get("entries", "U", 1, "the names of its entries").tolist()
    found = sorted(key for key in entries.arrays if key != "entries")
    if listed != found:
        raise entries.refuse(_unlisted(listed, found))
    kind = entries.text("kind")
    if kind not in KINDS:
        raise entries.refuse(f"it holds an unknown kind of object {kind!r}; expected one of {KINDS}.")
    return kind


def _parameters(entries, activations_required):
    """The parameters, checked against the stored layer sizes, dtype and activations."""
    dims = entries.get("layer_dims", "iu", 1, "the layer sizes [n_x, n[1], ..., n[L]]")
    if dims.size < 2 or (dims < 1).any():
        raise entries.refuse(f"its layer sizes {dims.tolist()} are not [n_x, n[1], ..., n[L]] with every size >= 1.")
    dims = [int(n) for n in dims]
    L = len(dims) - 1
    dtype = entries.text("dtype")
    if dtype not in ("float32", "float64"):
        raise entries.refuse(f"its dtype entry is {dtype!r}; expected 'float32' or 'float64'.")
    activations = None
    if activations_required or "activations" in entries.arrays:
        names = entries.get("activations", "U", 1, "one activation name per layer")
        try:
            activations = list(validation.check_activations(names.tolist(), L))
        except (ValueError, TypeError) as err:
            raise entries.refuse(f"its activations do not fit its layers: {err}") from None
    parameters = {}
    for l in range(1, L + 1):
        for key, shape in ((f"W{l}", (dims[l], dims[l - 1])), (f"b{l}", (dims[l], 1))):
            value = entries.get(key, "f", 2, f"the {shape} array of layer {l}")
            if value.shape != shape or value.dtype != dtype:
                raise entries.refuse(
                    f"its {key!r} has shape {value.shape} and dtype {value.dtype}, but its layer "
                    f"sizes {dims} and dtype {dtype!r} say {shape} and {dtype}."
                )
            if not np.isfinite(value).all():
                raise entries.refuse(f"its {key!r} holds inf or nan; the file is corrupted.")
            parameters[key] = value
    return parameters, activations


def _require_only(entries, expected, allow_meta=False):
    extra = [key for key in entries.arrays if key not in expected and not (allow_meta and key.startswith(META))]
    if extra:
        raise entries.refuse(
            f"it holds entries {_listed(extra)} that its format version does not have: it is corrupted."
        )


_COMMON = {"nncore_format", "kind", "nncore_version", "dtype", "layer_dims", "activations", "entries"}


def _from_array(a):
    """A stored metadata array as the Python value it was saved from."""
    if a.ndim == 0:
        return a.item()
    if a.ndim == 1 and a.dtype.kind == "U":
        return a.tolist()
    return a


def load_parameters(path):
    """Load parameters saved by :func:`save_parameters` (or by an estimator's ``save``).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    parameters : dict
        ``{"W1", "b1", ...}`` in the dtype they were saved in.
    metadata : dict
        ``"activations"`` (a list of names) when the file has them, and the
        metadata given to :func:`save_parameters`: strings, Python numbers and
        bools as such, a 1-D array of strings as a list, other arrays as arrays.

    Raises
    ------
    ValueError
        Naming the file, when it is not a sound nncore file: truncated,
        corrupted, not an ``.npz``, carrying a pickled object, of an unknown
        format version, or with shapes that disagree with its layer sizes.
    FileNotFoundError
        When there is no such file.
    """
    path = as_path(path)
    entries = _read(path)
    kind = _format_and_kind(entries)
    parameters, activations = _parameters(entries, activations_required=kind != "parameters")
    metadata = {} if activations is None else {"activations": activations}
    if kind == "parameters":
        _require_only(entries, _COMMON | set(parameters), allow_meta=True)
        for key, value in entries.arrays.items():
            if key.startswith(META):
                metadata[key[len(META) :]] = _from_array(value)
    return parameters, metadata


def read_estimator(path, kind, fields):
    """The state an estimator wrote with :func:`write_estimator`, its entries checked by type.

    Parameters
    ----------
    path : str or os.PathLike
    kind : {"Network", "LogisticRegression"}
        The kind the file must hold.
    fields : dict
        The estimator's own entries: name -> ``(kinds, ndim, what, required)``,
        the ``dtype.kind`` letters and the number of axes the entry must have,
        what it is (for the message), and whether a file must have it.

    Returns
    -------
    state : dict
        ``"parameters"`` (checked against the stored layer sizes and dtype, and
        finite), ``"activations"`` (a list of names, one per layer), and each
        field the file has: 0-d entries as Python scalars (str, int, float),
        the others as arrays.

    Raises
    ------
    ValueError
        Naming the file, when it is not a sound file of that kind, or holds
        entries that neither the format nor `fields` name.
    """
    path = as_path(path)
    entries = _read(path)
    found = _format_and_kind(entries)
    if found != kind:
        what = "a bare parameters dict" if found == "parameters" else f"a {found}"
        loader = "nncore.load_parameters" if found == "parameters" else f"nncore.{found}.load"
        raise entries.refuse(f"it holds {what}, not a {kind}; load it with {loader}.")
    parameters, activations = _parameters(entries, activations_required=True)
    state = {"parameters": parameters, "activations": activations}
    for key, (kinds, ndim, what, required) in fields.items():
        if required or key in entries.arrays:
            value = entries.get(key, kinds, ndim, what)
            state[key] = value.item() if ndim == 0 else value
    _require_only(entries, _COMMON | set(parameters) | set(fields))
    return state
