"""The kernels' Numba cache is keyed by the sources of every kernel file, so it never serves stale code.

Numba's own cache is invalidated only by an edit of the cached function's own file. The main
test copies the package to a temporary folder and runs, in fresh processes, a kernel of
``dense.py`` that calls and inlines code of ``elementwise.py``; it then edits ``elementwise.py`` in
the copy and checks that the kernel is compiled afresh and computes the new result (stale machine
code would give the old one).
"""

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numba
import pytest

from nncore.kernels import cache

ROOT = Path(__file__).resolve().parents[1]

#: Run in the copy: dense.epilogue_backprop_block (dZ *= g'(A)) calls elementwise.grad_from_output,
#: which inlines elementwise._grad: the smallest serial kernel whose machine code holds another
#: file's code (no exp or tanh to compile).
_SCRIPT = """
import json
import numpy as np
from nncore.kernels import cache, dense, elementwise

dZ = np.array([[1.0, 2.0, 3.0]])
dense.epilogue_backprop_block(dZ, np.array([[-1.0, 0.5, 2.0]]), elementwise.RELU, 0, 3)
stats = dense.epilogue_backprop_block.stats
print(json.dumps({
    "dZ": dZ.ravel().tolist(),
    "hits": sum(stats.cache_hits.values()),
    "misses": sum(stats.cache_misses.values()),
    "cache_path": stats.cache_path,
    "hash": cache.SOURCE_HASH,
}))
"""

#: The ReLU branch of elementwise._grad, and the edit that adds 1 to it.
_RELU = "dZ[i] = dA[i] if A[i] > zero else zero"
_RELU_PLUS_ONE = "dZ[i] = (dA[i] if A[i] > zero else zero) + 1.0"


@pytest.fixture
def package_copy(tmp_path):
    """The package copied to a temporary folder (the loop tier as nncore.loop), without caches."""
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "nncore", tmp_path / "nncore", ignore=ignore)
    shutil.copytree(ROOT / "reference", tmp_path / "nncore" / "loop", ignore=ignore)
    return tmp_path


def _run(copy):
    """Run the script with `copy` first on the path; its JSON output."""
    environ = {k: v for k, v in os.environ.items() if k not in ("NNCORE_CACHE_DIR", "NUMBA_CACHE_DIR")}
    environ.update(PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT], cwd=copy, env=environ, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="nothing is compiled with NUMBA_DISABLE_JIT=1")
def test_an_edit_of_an_inlined_file_recompiles_the_kernel(package_copy):
    copy = package_copy
    kernels = copy / "nncore" / "kernels"

    first = _run(copy)
    assert first["dZ"] == [0.0, 2.0, 3.0]
    assert (first["hits"], first["misses"]) == (0, 1)
    assert Path(first["cache_path"]) == kernels / "__pycache__" / f"numba-{first['hash']}"  # in the copy

    again = _run(copy)  # no edit: loaded from the cache, not compiled
    assert again["dZ"] == first["dZ"]
    assert (again["hits"], again["misses"]) == (1, 0)
    assert again["cache_path"] == first["cache_path"]

    elementwise = kernels / "elementwise.py"
    source = elementwise.read_text()
    assert source.count(_RELU) == 1
    elementwise.write_text(source.replace(_RELU, _RELU_PLUS_ONE))

    edited = _run(copy)  # dense.py is unchanged, but the kernel must be compiled afresh
    assert edited["dZ"] == [1.0, 3.0, 4.0]
    assert (edited["hits"], edited["misses"]) == (0, 1)
    assert edited["hash"] != first["hash"]
    assert not Path(first["cache_path"]).exists()  # the old hash folder was removed


def test_the_hashed_files_are_every_kernel_module_and_the_interface():
    names = {path.relative_to(ROOT).as_posix() for path in cache.SOURCES}
    kernel_modules = {path.relative_to(ROOT).as_posix() for path in (ROOT / "nncore" / "kernels").glob("*.py")}
    assert names == kernel_modules | {"nncore/interface.py"}
    assert re.fullmatch(r"[0-9a-f]{16}", cache.SOURCE_HASH)
    assert cache.source_hash() == cache.SOURCE_HASH


def test_kernel_modules_import_no_other_nncore_module():
    """Anything else a kernel imported could freeze constants into it without keying the cache."""
    allowed = re.compile(r"nncore\.kernels(\..*)?|nncore\.interface")
    for path in (ROOT / "nncore" / "kernels").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            modules = []
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            for module in modules:
                if module.split(".")[0] == "nncore":
                    assert allowed.fullmatch(module), f"{path.name} imports {module}: add it to cache.SOURCES"


def test_roots_in_order_of_choice(monkeypatch, tmp_path):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "mine"))
    monkeypatch.setattr(numba.core.config, "CACHE_DIR", str(tmp_path / "numba"))
    roots = cache.cache_roots()
    subpath = f"kernels_{roots[0].name.split('_', 1)[1]}"
    assert roots[:3] == [tmp_path / "mine" / subpath, tmp_path / "numba" / subpath, cache.KERNELS / "__pycache__"]
    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setattr(numba.core.config, "CACHE_DIR", "")
    assert cache.cache_roots()[0] == cache.KERNELS / "__pycache__"


def test_the_override_folder_is_used_and_made(monkeypatch, tmp_path):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "mine"))
    folder = cache.cache_dir.__wrapped__()  # not the process's memoized choice
    assert folder.is_dir()
    assert folder.parent.parent == tmp_path / "mine"
    assert folder.name == f"numba-{cache.SOURCE_HASH}"


def test_no_writable_folder_means_no_cache(monkeypatch, tmp_path):
    (tmp_path / "a-file").write_bytes(b"")
    monkeypatch.setattr(cache, "cache_roots", lambda: [tmp_path / "a-file" / "below"])
    assert cache.cache_dir.__wrapped__() is None


def test_prune_removes_other_hash_folders_and_numbas_loose_files_only(tmp_path):
    root = tmp_path / "__pycache__"
    keep, old = root / "numba-0123456789abcdef", root / "numba-fedcba9876543210"
    for folder in (keep, old, root / "numba-not-a-hash", root / "other"):
        folder.mkdir(parents=True)
    (old / "dense.forward_kernel-1.py311.nbi").write_bytes(b"")
    for name in ("dense.forward_kernel-1.py311.nbi", "dense.forward_kernel-1.py311.1.nbc", "dense.cpython-311.pyc"):
        (root / name).write_bytes(b"")
    cache._prune(root, keep)
    assert sorted(path.name for path in root.iterdir()) == [
        "dense.cpython-311.pyc",
        "numba-0123456789abcdef",
        "numba-not-a-hash",
        "other",
    ]
    cache._prune(root, keep)  # nothing left to remove: no error


def test_a_failed_cache_write_does_not_fail_the_compilation(monkeypatch):
    """A process of older sources whose folder was removed under it skips the write."""

    def fail(*args):
        raise FileNotFoundError("removed by another process")

    monkeypatch.setattr(numba.core.caching.Cache, "save_overload", fail)
    kernel_cache = cache.SourcesCache(_a_function)
    kernel_cache.save_overload(None, None)  # no exception


def _a_function(x):
    return x
