"""NumPy ``.npz`` archives written atomically and read without unpickling.

Generic framing with no knowledge of what the arrays mean (that is
:mod:`nncore.persistence`'s format):

* :func:`write_atomic` writes the archive to a temporary file beside the
  target, flushes and fsyncs it, renames it over the target with
  :func:`os.replace` and fsyncs the folder, so a crash leaves the old file or
  the new one, never half of one;
* :func:`read_arrays` checks each member's ``.npy`` header before reading its
  data (object arrays, unexpected dtypes and a byte count that disagrees with
  the shape are refused), reads every member to its end so that zipfile checks
  its CRC, and never unpickles (``allow_pickle=False``).

Every refusal is a ``ValueError`` that starts ``cannot load '<path>': ``.
"""

import contextlib
import os
import uuid
import zipfile
import zlib

import numpy as np

#: Array kinds :func:`read_arrays` accepts by default: booleans, integers, floats and unicode strings.
PLAIN_KINDS = "biufU"

_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}

#: What reading a damaged archive can raise.
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, NotImplementedError, RuntimeError)


def as_path(path):
    """`path` (str, bytes or os.PathLike) as a str."""
    return os.fsdecode(os.fspath(path))


def refused(path, problem):
    """The ``ValueError`` for a file that cannot be loaded: ``cannot load '<path>': <problem>``."""
    return ValueError(f"cannot load {as_path(path)!r}: {problem}")


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
    path = as_path(path)
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


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


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


def _check_member(path, kinds, name, shape, dtype, present):
    """The entry's key (its name without ``.npy``), after checking its header against its data."""
    if not name.endswith(".npy"):
        raise refused(path, f"it holds {name!r}, which is not an array; it was not written by nncore.")
    key = name[: -len(".npy")]
    if dtype.hasobject:
        raise refused(
            path,
            f"its entry {key!r} holds Python objects (dtype {dtype}), which can only be "
            f"read by unpickling; nncore never unpickles a file (allow_pickle=False), "
            f"because unpickling can run arbitrary code.",
        )
    if dtype.kind not in kinds or dtype.fields is not None:
        raise refused(path, f"its entry {key!r} has dtype {dtype}, which nncore never writes.")
    needed = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if present != needed:
        raise refused(
            path,
            f"its entry {key!r} should hold {needed} bytes for shape {shape} and dtype "
            f"{dtype} but holds {present}: the file is truncated or corrupted.",
        )
    return key


def read_arrays(path, kinds=PLAIN_KINDS):
    """Every array of the ``.npz`` file `path`, read without unpickling.

    Each entry's header is checked before its data is read: object arrays
    (pickles), dtypes whose kind is not in `kinds` and data shorter or longer
    than the header's shape are refused.

    Parameters
    ----------
    path : str or os.PathLike
    kinds : str, default :data:`PLAIN_KINDS`
        The ``dtype.kind`` letters accepted.

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
    path = as_path(path)
    with open(path, "rb") as file:
        start = file.read(8)
    if not zipfile.is_zipfile(path):
        raise refused(path, _what_it_is(start))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            headers = [_member_header(archive, info) for info in members]
            keys = [_check_member(path, kinds, *header) for header in headers]
            if len(set(keys)) != len(keys):
                raise refused(path, "it holds two entries of one name: it is corrupted.")
            arrays = {}
            for key, info in zip(keys, members):
                with archive.open(info) as member:
                    arrays[key] = np.lib.format.read_array(member, allow_pickle=False)
                    member.read()  # to the end of the entry, where zipfile checks its CRC
            return arrays
    except _READ_ERRORS as err:
        if isinstance(err, ValueError) and str(err).startswith("cannot load "):
            raise
        raise refused(path, f"the archive is corrupted ({type(err).__name__}: {err}).") from None
