"""Numba's on-disk cache for the kernels, keyed by the sources of every kernel file.

Numba invalidates a function cached with ``cache=True`` only when the source
file of that function changes. The kernels here inline code from other files
(:mod:`~nncore.kernels.dense` from :mod:`~nncore.kernels.gemm` and
:mod:`~nncore.kernels.elementwise`, :func:`~nncore.kernels.packed.train_loop`
from :mod:`~nncore.kernels.dense`, everything from
:mod:`~nncore.kernels.simdmath`), and :mod:`nncore.interface`'s constants
(``LEAKY_SLOPE``, ``ACTIVATIONS``) are frozen into them as globals. With
Numba's own cache an edit of ``gemm.py`` would leave the training loop
running the old machine code.

So the kernels' dispatchers get a cache of their own (:class:`SourcesCache`),
and the rest of the process keeps Numba's (``NUMBA_CACHE_DIR`` is not
touched):

* :data:`SOURCE_HASH`, the sha256 of every ``.py`` file of this folder and of
  ``nncore/interface.py`` (names and bytes), and of Numba's version, computed
  once when this module is imported;
* the cache folder ``<root>/numba-<SOURCE_HASH>``: a change of any of those
  files gives a new, empty folder, so every kernel compiled with it is
  compiled afresh;
* ``<root>`` is, in this order of choice: ``$NNCORE_CACHE_DIR/kernels_<h>``,
  ``$NUMBA_CACHE_DIR/kernels_<h>`` (h: a hash of this folder's path, as Numba
  names its own), this folder's ``__pycache__``, then Numba's user-wide cache
  folder (``~/.cache/numba/kernels_<h>`` on Linux) when ``__pycache__`` is not
  writable. No writable root: the kernels are compiled in each process;
* when a process creates a new hash folder it removes the other
  ``numba-*`` folders beside it (and the loose ``.nbi``/``.nbc`` files that
  Numba's own locator left in ``__pycache__``), so old ones do not pile up.

Two processes may race: a process still running older sources may find its
folder removed under it; it then recreates it or, failing that, skips the
write (:meth:`SourcesCache.save_overload`): a cache write never fails a
compilation. To clear the cache by hand, remove the ``numba-*`` folders.
"""

import functools
import hashlib
import inspect
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import numba
from numba.core import caching
from numba.core import config as numba_config
from numba.core.dispatcher import Dispatcher
from numba.misc.appdirs import AppDirs

#: This folder: the kernels' sources.
KERNELS = Path(__file__).resolve().parent

#: The files whose bytes key the cache: every module of this folder, and the interface, whose
#: constants are frozen into kernels (a kernel module importing another nncore module must add it
#: here; tests/test_cache.py checks the imports).
SOURCES = (*sorted(KERNELS.rglob("*.py")), KERNELS.parent / "interface.py")

#: The environment variable that chooses the folder the cache lives in.
CACHE_ENV = "NNCORE_CACHE_DIR"

_PREFIX = "numba-"
_HASH_FOLDER = re.compile(re.escape(_PREFIX) + r"[0-9a-f]{16}")
_LOOSE_FILES = ("*.nbi", "*.nbc")


def source_hash(paths=SOURCES):
    """The hash that keys the cache: 16 hex digits of a sha256.

    Parameters
    ----------
    paths : sequence of pathlib.Path
        The files hashed, names (relative to the package) and bytes.

    Returns
    -------
    str
    """
    digest = hashlib.sha256(numba.__version__.encode())
    for path in paths:
        digest.update(b"\0" + path.relative_to(KERNELS.parent).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


#: The hash of the sources this process compiles (read once, when this module is imported).
SOURCE_HASH = source_hash()


def _writable(folder):
    """Whether `folder` exists or can be made, and a file can be written in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        return False
    return True


def cache_roots():
    """The folders that may hold the hash folders, in order of choice.

    Returns
    -------
    list of pathlib.Path
        ``$NNCORE_CACHE_DIR/kernels_<h>`` and ``$NUMBA_CACHE_DIR/kernels_<h>`` where set,
        then this folder's ``__pycache__`` and Numba's user-wide cache folder.
    """
    subpath = caching._CacheLocator.get_suitable_cache_subpath(__file__)
    roots = [Path(base) / subpath for base in (os.environ.get(CACHE_ENV), numba_config.CACHE_DIR) if base]
    roots.append(KERNELS / "__pycache__")
    roots.append(Path(AppDirs(appname="numba", appauthor=False).user_cache_dir) / subpath)
    return roots


def _prune(root, keep):
    """Remove the hash folders in `root` other than `keep`, and Numba's loose cache files there.

    Another process may be removing them too, or still writing into one: errors are ignored.
    """
    for entry in root.iterdir():
        if entry.name != keep.name and _HASH_FOLDER.fullmatch(entry.name) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
    if root.name == "__pycache__":
        for pattern in _LOOSE_FILES:
            for path in root.glob(pattern):
                try:
                    path.unlink()
                except OSError:
                    pass


def write_atomically(path, text):
    """Write `text` to `path` by way of a temporary file beside it and :func:`os.replace`.

    A reader sees the old file or the new one, never part of one, and processes writing the same
    file at once each write their own temporary (the last replace wins).

    Parameters
    ----------
    path : pathlib.Path
        The file; its folder must exist.
    text : str
        Written as UTF-8.

    Raises
    ------
    OSError
        When the folder is not writable (the temporary file is removed).
    """
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@functools.cache
def cache_dir():
    """The folder this process's kernels are cached in, made on first use (None: no caching).

    Returns
    -------
    pathlib.Path or None
        ``<root>/numba-<SOURCE_HASH>`` in the first writable root of :func:`cache_roots`.
    """
    for root in cache_roots():
        folder = root / (_PREFIX + SOURCE_HASH)
        try:
            folder.mkdir(parents=True)
        except FileExistsError:
            created = False
        except OSError:
            continue
        else:
            created = True
        if not _writable(folder):
            continue
        if created:
            _prune(root, folder)
        return folder
    return None


class SourcesLocator(caching._CacheLocator):
    """Numba cache locator: :func:`cache_dir`, stamped with :data:`SOURCE_HASH`.

    Parameters
    ----------
    py_func : function
        The kernel's Python function.
    py_file : str
        The file it is defined in.
    """

    def __init__(self, py_func, py_file):
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno

    def get_cache_path(self):
        return str(cache_dir())

    def get_source_stamp(self):
        return SOURCE_HASH

    def get_disambiguator(self):
        return str(self._lineno)

    @classmethod
    def from_function(cls, py_func, py_file):
        return None if cache_dir() is None else cls(py_func, py_file)


class SourcesCacheImpl(caching.CompileResultCacheImpl):
    """Numba's cache implementation for compile results, with :class:`SourcesLocator` only.

    Numba's ``__init__`` would take its locators from ``NUMBA_CACHE_LOCATOR_CLASSES`` when that
    is set, bypassing the source hash; this one always uses :class:`SourcesLocator`.

    Parameters
    ----------
    py_func : function
        The kernel's Python function.
    """

    _locator_classes = [SourcesLocator]

    def __init__(self, py_func):
        self._lineno = py_func.__code__.co_firstlineno
        source_path = inspect.getfile(py_func)
        self._locator = SourcesLocator.from_function(py_func, source_path)
        modname = os.path.splitext(os.path.basename(source_path))[0]
        fullname = f"{modname}.{py_func.__qualname__}"
        self._filename_base = self.get_filename_base(fullname, getattr(sys, "abiflags", ""))


class SourcesCache(caching.FunctionCache):
    """Numba's function cache, kept in :func:`cache_dir`.

    Parameters
    ----------
    py_func : function
        The kernel's Python function.
    """

    _impl_class = SourcesCacheImpl

    def save_overload(self, sig, data):
        """Save as Numba does; a failed write (the folder removed by a process compiling newer
        sources, a full disk) only means a compilation next time, never an error now."""
        try:
            super().save_overload(sig, data)
        except OSError:
            pass


def enable(dispatcher):
    """Give a kernel's dispatcher the source-keyed cache; returns it.

    Parameters
    ----------
    dispatcher : numba Dispatcher or function
        A plain function (``NUMBA_DISABLE_JIT=1``) is returned as it is.

    Returns
    -------
    The same object.
    """
    if isinstance(dispatcher, Dispatcher) and cache_dir() is not None:
        # What Dispatcher.enable_caching does, with this cache in place of Numba's FunctionCache.
        dispatcher._cache = SourcesCache(dispatcher.py_func)
    return dispatcher
