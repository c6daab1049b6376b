"""Saving and loading parameters and fitted estimators, in NumPy's ``.npz`` format.

A file holds plain arrays only: the weights ``W1, b1, ...`` under their own
names and, beside them, the format version, the kind of object, the layer
sizes, the activations and the dtype, as integer and string arrays. Nothing is
pickled, and nothing is unpickled on loading (``allow_pickle=False``): a file
that carries a Python object is refused, because unpickling can run any code.

Writes are atomic: the archive goes to a temporary file in the target's folder,
is flushed and fsynced, and then replaces the target with :func:`os.replace`,
so a crash leaves the old file or the new one, never half of one.

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

import contextlib
import os
import uuid
import zipfile
import zlib

import numpy as np

from nncore import validation
from nncore._version import __version__
from nncore.errors import NotFittedError

#: The format version this nncore writes, and the newest it reads.
FORMAT_VERSION = 1

#: What a file can hold.
KINDS = ("Network", "LogisticRegression", "parameters")

#: Prefix of the caller's metadata entries in a ``"parameters"`` file.
META = "meta."

#: Array kinds a file may hold: booleans, integers, floats and unicode strings.
_STORED = "biufU"

_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}

#: What reading a damaged archive can raise.
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, NotImplementedError, RuntimeError)


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _write_npz(file, arrays):
    """Write `arrays` as an uncompressed ``.npz`` archive into the open binary `file`."""
    np.savez(file, **arrays)


def _fsync_folder(folder):
    """Make a rename in `folder` durable, where the platform can (POSIX)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    with contextlib.suppress(OSError):
        os.fsync(fd)
    os.close(fd)


def _as_path(path):
    return os.fsdecode(os.fspath(path))


def write_atomic(path, arrays):
    """Write `arrays` to `path` as an ``.npz`` archive, atomically.

    The archive is written to a new temporary file beside `path` (created with
    the usual permissions), flushed and fsynced, then renamed over `path`; on
    any error, the temporary file is removed and `path` is left as it was.

    Parameters
    ----------
    path : str or os.PathLike
        Written exactly as given: no ``.npz`` is appended.
    arrays : dict of str to ndarray
    """
    path = _as_path(path)
    folder = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{uuid.uuid4().hex}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            _write_npz(file, arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(folder)


def _header(kind, parameters, activations):
    """The entries every file starts with, then the parameters."""
    L = len(parameters) // 2
    layer_dims = [parameters["W1"].shape[1]] + [parameters[f"W{l}"].shape[0] for l in range(1, L + 1)]
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


def _metadata_array(name, value):
    if not name.isidentifier():
        raise ValueError(f"metadata names must be Python identifiers; got {name!r}.")
    try:
        a = None if value is None else np.asarray(value)
    except (ValueError, TypeError):  # ragged sequences
        a = None
    if a is None or a.dtype.kind not in _STORED:
        raise TypeError(
            f"metadata {name!r} must be a string, a number, a bool or a rectangular "
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
        arrays[META + name] = _metadata_array(name, value)
    write_atomic(path, _sealed(arrays))


def save_estimator(path, estimator):
    """Save a fitted :class:`~nncore.Network` or :class:`~nncore.LogisticRegression`.

    What :meth:`Network.save` and :meth:`LogisticRegression.save` call; see
    the module docstring for the entries written.
    """
    kind = _kind_of(type(estimator))
    if not hasattr(estimator, "parameters_"):
        raise NotFittedError(f"this {kind} is not fitted yet, so it has no weights to save; call fit(X, Y) first.")
    arrays = _header(kind, estimator.parameters_, estimator.activations)
    arrays["costs"] = np.asarray(estimator.costs_, np.float64)
    arrays["cost_iterations"] = np.asarray(estimator.cost_iterations_, np.int64)
    arrays["tier"] = np.array(estimator.tier)
    if kind == "LogisticRegression":
        arrays["b"] = np.array(estimator.b_, np.float64)  # b_ is a Python float even when b1 is float32
    if kind == "Network":
        arrays["init"] = np.array(estimator.init)
        if isinstance(estimator.seed, (int, np.integer)) and not isinstance(estimator.seed, bool):
            arrays["seed"] = np.array(estimator.seed, np.int64)
    write_atomic(path, _sealed(arrays))


def _kind_of(cls):
    """ "Network" or "LogisticRegression": the estimator class `cls` is or derives from."""
    for base in cls.__mro__:
        if base.__name__ in KINDS[:2] and base.__module__ == "nncore.estimators":
            return base.__name__
    raise TypeError(f"only nncore.Network and nncore.LogisticRegression can be saved; got {cls.__name__}.")


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def _refuse(path, problem):
    return ValueError(f"cannot load {path!r}: {problem}")


def _what_it_is(start):
    """What a file that is not a zip archive seems to be, from its first bytes."""
    if start.startswith(b"\x93NUMPY"):
        return "it is a single-array .npy file, not an .npz archive written by nncore."
    if start[:1] == b"\x80":
        return (
            "it looks like a Python pickle, not an .npz archive; nncore never unpickles "
            "a file, because unpickling can run arbitrary code."
        )
    if not start:
        return "the file is empty."
    return "it is not a complete .npz (zip) archive: the file is truncated or corrupted, or is another kind of file."


def _member_header(archive, info):
    """``(name, shape, dtype, data bytes present)`` of one ``.npy`` member, read from its header."""
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version not in _HEADER_READERS:
            raise ValueError(f"entry {info.filename!r} has .npy format version {version}, which nncore does not read")
        shape, _, dtype = _HEADER_READERS[version](member)
        return info.filename, shape, dtype, info.file_size - member.tell()


def _check_member(path, name, shape, dtype, present):
    if not name.endswith(".npy"):
        raise _refuse(path, f"it holds {name!r}, which is not an array; it was not written by nncore.")
    key = name[: -len(".npy")]
    if dtype.hasobject:
        raise _refuse(
            path,
            f"its entry {key!r} holds Python objects (dtype {dtype}), which can only be "
            f"read by unpickling; nncore never unpickles a file (allow_pickle=False), "
            f"because unpickling can run arbitrary code.",
        )
    if dtype.kind not in _STORED or dtype.fields is not None:
        raise _refuse(path, f"its entry {key!r} has dtype {dtype}, which nncore never writes.")
    needed = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if present != needed:
        raise _refuse(
            path,
            f"its entry {key!r} should hold {needed} bytes for shape {shape} and dtype "
            f"{dtype} but holds {present}: the file is truncated or corrupted.",
        )
    return key


def read_arrays(path):
    """Every array of the ``.npz`` file `path`, read without unpickling.

    Each entry's header is checked before its data is read: object arrays
    (pickles), dtypes nncore never writes and data shorter or longer than the
    header's shape are refused.

    Returns
    -------
    dict of str to ndarray

    Raises
    ------
    ValueError
        Naming the file, for anything but a sound ``.npz`` of plain arrays.
    OSError
        When the file cannot be opened (e.g. ``FileNotFoundError``).
    """
    path = _as_path(path)
    with open(path, "rb") as file:
        start = file.read(8)
    if not zipfile.is_zipfile(path):
        raise _refuse(path, _what_it_is(start))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            headers = [_member_header(archive, info) for info in members]
            keys = [_check_member(path, *header) for header in headers]
            if len(set(keys)) != len(keys):
                raise _refuse(path, "it holds two entries of one name: it is corrupted.")
            arrays = {}
            for key, info in zip(keys, members):
                with archive.open(info) as member:
                    arrays[key] = np.lib.format.read_array(member, allow_pickle=False)
                    member.read()  # to the end of the entry, where zipfile checks its CRC
            return arrays
    except _READ_ERRORS as err:
        if isinstance(err, ValueError) and str(err).startswith("cannot load "):
            raise
        raise _refuse(path, f"the archive is corrupted ({type(err).__name__}: {err}).") from None


class _Entries:
    """Typed access to the arrays of one file, refusing in the file's name."""

    def __init__(self, path, arrays):
        self.path, self.arrays = path, arrays

    def refuse(self, problem):
        return _refuse(self.path, problem)

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


def _format_and_kind(entries):
    if "nncore_format" not in entries.arrays:
        raise entries.refuse(
            f"it was not written by nncore: it has no 'nncore_format' entry (its entries are "
            f"{sorted(entries.arrays)}). Read it with numpy.load(path, allow_pickle=False)."
        )
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
        missing = sorted(set(listed) - set(found))
        extra = sorted(set(found) - set(listed))
        raise entries.refuse(
            f"its entries do not match its list of entries (missing {missing}, unlisted "
            f"{extra}): the file is corrupted."
        )
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
            f"it holds entries {sorted(extra)} that its format version does not have: it is corrupted."
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
    path = _as_path(path)
    entries = _Entries(path, read_arrays(path))
    kind = _format_and_kind(entries)
    parameters, activations = _parameters(entries, activations_required=kind != "parameters")
    metadata = {} if activations is None else {"activations": activations}
    if kind == "parameters":
        _require_only(entries, _COMMON | set(parameters), allow_meta=True)
        for key, value in entries.arrays.items():
            if key.startswith(META):
                metadata[key[len(META) :]] = _from_array(value)
    return parameters, metadata


def load_estimator(path, cls, tier=None):
    """Load a fitted estimator of class `cls` saved by its ``save``.

    Parameters
    ----------
    path : str or os.PathLike
    cls : type
        :class:`~nncore.Network` or :class:`~nncore.LogisticRegression` (or a
        subclass); the file must hold that kind.
    tier : str, optional
        The tier the loaded estimator computes with. Default: the one it was
        fitted with if this installation has it, else ``"vector"``.

    Returns
    -------
    estimator : cls
        Fitted: ``parameters_``, ``costs_`` and ``cost_iterations_`` as saved.
    """
    from nncore.tiers import TIERS, get_tier

    path = _as_path(path)
    kind = _kind_of(cls)
    if tier is not None:
        get_tier(tier)  # refuses an unknown tier before the file is read
    entries = _Entries(path, read_arrays(path))
    found = _format_and_kind(entries)
    if found != kind:
        what = "a bare parameters dict" if found == "parameters" else f"a {found}"
        loader = "nncore.load_parameters" if found == "parameters" else f"nncore.{found}.load"
        raise entries.refuse(f"it holds {what}, not a {kind}; load it with {loader}.")
    parameters, activations = _parameters(entries, activations_required=True)
    costs = entries.get("costs", "f", 1, "the recorded costs")
    cost_iterations = entries.get("cost_iterations", "iu", 1, "the iterations of the recorded costs")
    if costs.shape != cost_iterations.shape or not np.isfinite(costs).all():
        raise entries.refuse(
            f"its {costs.size} costs are not finite or do not match its {cost_iterations.size} cost iterations."
        )
    saved_tier = entries.text("tier")
    if tier is None:
        tier = saved_tier if saved_tier in TIERS else "vector"
    dtype = parameters["W1"].dtype
    expected = _COMMON | set(parameters) | {"costs", "cost_iterations", "tier"}
    try:
        if kind == "Network":
            seed = entries.integer("seed") if "seed" in entries.arrays else None
            layer_dims = [parameters["W1"].shape[1]] + [
                parameters[f"W{l}"].shape[0] for l in range(1, len(activations) + 1)
            ]
            estimator = cls(layer_dims, activations, init=entries.text("init"), seed=seed, tier=tier, dtype=dtype)
            expected |= {"init", "seed"}
        else:
            if len(activations) != 1 or parameters["W1"].shape[0] != 1:
                raise entries.refuse(
                    "a LogisticRegression has one sigmoid unit; it holds layer sizes "
                    f"{[*parameters['W1'].shape[::-1]]}."
                )
            b = float(entries.get("b", "f", 0, "the bias as a float"))
            if not (np.isfinite(b) and parameters["b1"][0, 0] == dtype.type(b)):
                raise entries.refuse(
                    f"its bias b = {b!r} is not finite or disagrees with its b1 = {parameters['b1'][0, 0]!r}."
                )
            estimator = cls(tier=tier, dtype=dtype)
            estimator.w_ = np.ascontiguousarray(parameters["W1"].T)
            estimator.b_ = b
            parameters = {"W1": estimator.w_.T, "b1": parameters["b1"]}
            expected |= {"b"}
    except (ValueError, TypeError) as err:
        if str(err).startswith("cannot load "):
            raise
        raise entries.refuse(f"its settings are invalid: {err}") from None
    _require_only(entries, expected)
    estimator.parameters_ = parameters
    estimator.costs_ = costs.astype(np.float64)
    estimator.cost_iterations_ = cost_iterations.astype(np.int64)
    return estimator
