"""The package's layout: every package installed, and no import cycle between its modules.

Imports are read from the source with :mod:`ast`, at any depth (an import
inside a function counts as much as one at the top), so a cycle cannot hide
behind a lazy import.
"""

import ast
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the layout is the same on 3.10

ROOT = Path(__file__).resolve().parents[1]

#: Package -> folder, as pyproject.toml installs them.
_SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
FOLDERS = {name: _SETUPTOOLS["package-dir"].get(name, name.replace(".", "/")) for name in _SETUPTOOLS["packages"]}


def _module_files():
    """``{module name: path}`` of every module installed."""
    modules = {}
    for package, folder in FOLDERS.items():
        for path in sorted((ROOT / folder).glob("*.py")):
            modules[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return modules


MODULES = _module_files()


def _imports(name, path):
    """The nncore modules that module `name` imports, anywhere in its source."""
    package = name if path.stem == "__init__" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            # "from nncore.kernels import dense" imports nncore.kernels.dense
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", None) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            targets = [node.args[0].value]
        else:
            continue
        found.update(target for target in targets if target in MODULES and target != name)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def test_every_package_folder_is_installed():
    folders = {path.parent for path in (ROOT / "nncore").rglob("__init__.py") if "__pycache__" not in path.parts}
    folders |= {ROOT / "reference"}
    assert folders == {ROOT / folder for folder in FOLDERS.values()}


def _cycle():
    """One import cycle as a list of modules, or None."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        for target in sorted(GRAPH[node]):
            if state.get(target) == "open":
                return path[path.index(target) :] + [target]
            if target not in state and (found := visit(target, path + [target])):
                return found
        state[node] = "done"
        return None

    for start in sorted(GRAPH):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_no_import_cycle():
    cycle = _cycle()
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle(monkeypatch):
    monkeypatch.setitem(GRAPH, "nncore.interface", GRAPH["nncore.interface"] | {"nncore.validation"})
    assert _cycle() is not None


@pytest.mark.parametrize(
    "room, may_not_import",
    [
        ("nncore.interface", "nncore."),  # the vocabulary imports nothing of nncore
        ("nncore.kernels", "nncore.jit"),  # kernels know nothing of the checked tier
        ("nncore.kernels", "nncore.validation"),
        ("nncore.persistence", "nncore.estimators"),  # files are framed without knowing the estimators
    ],
)
def test_arrows_point_one_way(room, may_not_import):
    for name, targets in GRAPH.items():
        if name == room or name.startswith(room + "."):
            bad = sorted(t for t in targets if t.startswith(may_not_import) and not t.startswith(room))
            assert not bad, f"{name} imports {bad}"
