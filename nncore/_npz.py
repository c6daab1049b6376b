"""NumPy ``.npz`` archives written atomically and read without unpickling.

Generic framing with no knowledge of what the arrays mean (that is
:mod:`nncore.persistence`'s format):

* :func:`write_atomic` writes the archive to a temporary file beside the
  target (``.<name>.<8 hex digits>.nncore-tmp``, with the target's permission
  bits), flushes and fsyncs it, renames it over the target with
  :func:`os.replace` and fsyncs the folder, so a crash leaves the old file or
  the new one, never half of one; a symbolic link is written through (its
  target is replaced, the link stays);
* :func:`read_arrays` opens regular files only (a FIFO, a device, a folder are
  refused before anything is read), checks the zip directory against what
  ``np.savez`` writes (uncompressed, unencrypted members lying inside the file,
  ``.npy`` names, none twice) and each member's ``.npy`` header before reading
  its data (object arrays, unexpected dtypes and a byte count that disagrees
  with the shape are refused), so what it reads is bounded by the file's size;
  it reads every member to its end so that zipfile checks its CRC, and never
  unpickles (``allow_pickle=False``).

Every refusal is a ``ValueError`` that starts ``cannot load '<path>': ``.
"""

import contextlib
import os
import secrets
import stat
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


def _target(path):
    """The file a save replaces: `path`, or the file a symbolic link `path` points to (written through)."""
    return os.path.realpath(path) if os.path.islink(path) else path


def _temporary_name(target):
    """A short, unused-looking name beside `target`: ``.<start of its name>.<8 hex digits>.nncore-tmp``.

    At most 1 + 32 + 1 + 8 + 11 = 53 characters, so any legal file name (255 bytes) can be saved.
    """
    stem = os.path.basename(target)[:32]
    return os.path.join(os.path.dirname(os.path.abspath(target)), f".{stem}.{secrets.token_hex(4)}.nncore-tmp")


def write_atomic(path, arrays):
    """Write `arrays` to `path` as an ``.npz`` archive, atomically.

    The archive is written to a new temporary file beside `path`, flushed and
    fsynced, then renamed over `path`; on any error, the temporary file is
    removed and `path` is left as it was. A file replaced keeps its permission
    bits (a 0600 file stays 0600) and, where the process may, its owner and
    group; a new file gets the usual ``0666 & ~umask``. A symbolic link is
    written through: the file it points to is replaced and the link stays.
    Other hard links to a replaced file keep the old contents (the rename gives
    `path` a new file). A process killed mid-write (SIGKILL, power loss) leaves
    the old file intact and its temporary ``.<name>.<8 hex digits>.nncore-tmp``
    beside it, which can be deleted.

    Parameters
    ----------
    path : str or os.PathLike
        Written exactly as given: no ``.npz`` is appended.
    arrays : dict of str to ndarray
    """
    target = _target(as_path(path))
    folder = os.path.dirname(os.path.abspath(target))
    try:
        old = os.stat(target)
    except FileNotFoundError:
        old = None
    temporary = _temporary_name(target)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        if old is not None and stat.S_ISREG(old.st_mode):
            _keep_properties(fd, old)
        with os.fdopen(fd, "wb") as file:
            _write_npz(file, arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(folder)


def _keep_properties(fd, old):
    """Give the new file `fd` the permission bits of the file it replaces, and its owner where allowed."""
    if hasattr(os, "fchown"):
        with contextlib.suppress(OSError):  # only root may give a file away; the group may still be set
            os.fchown(fd, old.st_uid, old.st_gid)
    if hasattr(os, "fchmod"):  # POSIX
        os.fchmod(fd, stat.S_IMODE(old.st_mode))


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


_NOT_REGULAR = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a folder",
    stat.S_IFSOCK: "a socket",
}


def _open_regular(path):
    """`path` opened for reading as a binary file, and its size; refused unless it is a regular file.

    Checked before opening (opening a FIFO blocks until a writer comes) and again
    on the open file (in case it was swapped meanwhile), so nothing but a
    regular file is ever read: an endless device or a pipe would never end.
    """

    def refuse_kind(mode):
        what = _NOT_REGULAR.get(stat.S_IFMT(mode), "not a regular file")
        return refused(path, f"it is {what}, not a regular file; nncore loads models from regular files only.")

    mode = os.stat(path).st_mode  # FileNotFoundError as it is
    if not stat.S_ISREG(mode):
        raise refuse_kind(mode)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise refuse_kind(info.st_mode)
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise


def _names(names, limit=5):
    """At most `limit` of `names`, and how many more: a message stays short for a file of 10,000 entries."""
    names = sorted(names)
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _check_directory(path, members, size):
    """Check the zip directory against what ``np.savez`` writes, before any member is read."""
    names = [info.filename for info in members]
    if len(set(names)) != len(names):
        raise refused(path, "it holds two entries of one name: it is corrupted.")
    not_arrays = [name for name in names if not name.endswith(".npy")]
    if not_arrays:
        raise refused(path, f"it holds {_names(not_arrays)}, which are not arrays; it was not written by nncore.")
    total = 0
    for info in members:
        if info.compress_type != zipfile.ZIP_STORED:
            raise refused(
                path,
                f"its entry {info.filename!r} is compressed (zip method {info.compress_type}); nncore writes "
                f"uncompressed archives (np.savez) and does not inflate entries it cannot bound.",
            )
        if info.flag_bits & 0x1:
            raise refused(path, f"its entry {info.filename!r} is encrypted; nncore never writes encrypted entries.")
        end = info.header_offset + 30 + len(info.orig_filename.encode()) + info.compress_size
        if info.file_size != info.compress_size or end > size:
            raise refused(
                path,
                f"its entry {info.filename!r} claims {info.file_size} bytes that the file's {size} bytes "
                f"cannot hold: the file is truncated or corrupted.",
            )
        total += info.file_size
    if total > size:
        raise refused(path, f"its entries claim {total} bytes in a file of {size}: it is corrupted.")


def read_arrays(path, kinds=PLAIN_KINDS, check=None):
    """Every array of the ``.npz`` file `path`, read without unpickling.

    Only a regular file is opened; its zip directory is checked against what
    ``np.savez`` writes (uncompressed members inside the file, ``.npy`` names,
    none twice), then each entry's header before its data is read: object
    arrays (pickles), dtypes whose kind is not in `kinds` and data shorter or
    longer than the header's shape are refused. What is read is thus bounded
    by the file's size, and nothing blocks.

    Parameters
    ----------
    path : str or os.PathLike
    kinds : str, default :data:`PLAIN_KINDS`
        The ``dtype.kind`` letters accepted.
    check : callable, optional
        ``check(keys, read)``, called once the directory is checked and before
        any member is read: `keys` are the entries' names (without ``.npy``),
        ``read(key)`` reads one entry (its header checked first). It refuses a
        file by its entries' names cheaply, e.g. 10,000 entries that are not
        the format's, by raising the ``ValueError`` of :func:`refused`.

    Returns
    -------
    dict of str to ndarray

    Raises
    ------
    ValueError
        Naming the file, for anything but a sound ``.npz`` of plain arrays in a
        regular file.
    OSError
        When the file cannot be opened (e.g. ``FileNotFoundError``).
    """
    path = as_path(path)
    file, size = _open_regular(path)
    with file:
        start = file.read(8)
        file.seek(0)
        if not zipfile.is_zipfile(file):
            raise refused(path, _what_it_is(start))
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as archive:
                members = archive.infolist()
                _check_directory(path, members, size)
                arrays = {}

                def read(key):
                    if key not in arrays:
                        info = archive.getinfo(key + ".npy")
                        _check_member(path, kinds, *_member_header(archive, info))
                        with archive.open(info) as member:
                            arrays[key] = np.lib.format.read_array(member, allow_pickle=False)
                            member.read()  # to the end of the entry, where zipfile checks its CRC
                    return arrays[key]

                if check is not None:
                    check([info.filename[: -len(".npy")] for info in members], read)
                headers = [_member_header(archive, info) for info in members]
                keys = [_check_member(path, kinds, *header) for header in headers]
                return {key: read(key) for key in keys}
        except _READ_ERRORS as err:
            if isinstance(err, ValueError) and str(err).startswith("cannot load "):
                raise
            raise refused(path, f"the archive is corrupted ({type(err).__name__}: {err}).") from None
