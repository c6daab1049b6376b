"""Docstrings agree with signatures: the numpydoc Parameters sections name every parameter, in order.

As STUMPY's ``docstring.py`` does, each module is parsed with :mod:`ast` (nothing is imported or
compiled), and for every public function the names of its Parameters section (``a, b : ...``
lines count as several) are compared with its signature. Checked:

* every public function and class of ``nncore/kernels/`` (a class against its ``__init__``),
  which must have a Parameters section when it takes parameters: the kernels take many positional
  arrays and no objects, so the docstring is the only place their shapes and roles are written;
* the public functions of ``nncore/jit/`` that are not ``@implements`` wrappers (those take the
  interface's docstring), wherever they have a Parameters section.
"""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nncore"

#: A numpydoc section header: a title line, then a line of dashes of at least its length.
_SECTION = re.compile(r"^(?P<title>\S[^\n]*)\n(?P<rule>-+)[ \t]*$", re.MULTILINE)
#: A parameter line: names at the section's indentation, then `` : type`` or nothing.
_PARAMETER = re.compile(r"^(?P<names>\*{0,2}[A-Za-z_][\w]*(?:\s*,\s*\*{0,2}[A-Za-z_]\w*)*)\s*(?::.*)?$")


def parameters_section(docstring):
    """The names listed in the Parameters section of a (cleaned) docstring, or None without one."""
    sections = list(_SECTION.finditer(docstring))
    for i, match in enumerate(sections):
        if match.group("title").strip() != "Parameters":
            continue
        end = sections[i + 1].start() if i + 1 < len(sections) else len(docstring)
        names = []
        for line in docstring[match.end() : end].splitlines():
            if not line.strip() or line[0].isspace():  # blank, or a description line
                continue
            found = _PARAMETER.match(line.strip())
            assert found, f"cannot read the parameter line {line!r}"
            names += [name.strip().lstrip("*") for name in found.group("names").split(",")]
        return names
    return None


def signature_names(node):
    """The parameter names of a function definition, in order (``self`` and ``cls`` left out)."""
    arguments = node.args
    names = [a.arg for a in arguments.posonlyargs + arguments.args]
    if arguments.vararg:
        names.append(arguments.vararg.arg)
    names += [a.arg for a in arguments.kwonlyargs]
    if arguments.kwarg:
        names.append(arguments.kwarg.arg)
    return [name for name in names if name not in ("self", "cls")]


def _is_implements_wrapper(node):
    return any(ast.unparse(decorator).split(".")[-1] == "implements" for decorator in node.decorator_list)


def public_definitions(path):
    """``(qualified name, function node, docstring node)`` of the public functions and classes of a module."""
    for node in ast.parse(path.read_text()).body:
        if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) or node.name.startswith("_"):
            continue
        if isinstance(node, ast.FunctionDef):
            yield node.name, node, node
        elif isinstance(node, ast.ClassDef):
            init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
            if init is not None:
                yield node.name, init, node


def _cases(folder, required, skip=lambda node: False):
    for path in sorted((PACKAGE / folder).glob("*.py")):
        for name, function, documented in public_definitions(path):
            if not skip(function):
                yield pytest.param(path, name, function, documented, required, id=f"{folder}/{path.stem}.{name}")


CASES = [*_cases("kernels", required=True), *_cases("jit", required=False, skip=_is_implements_wrapper)]


def mismatch(name, expected, documented):
    """A message saying how the documented names differ from the signature's, or None."""
    if documented == expected:
        return None
    missing = [n for n in expected if n not in documented]
    extra = [n for n in documented if n not in expected]
    parts = [f"missing {missing}"] * bool(missing) + [f"not in the signature {extra}"] * bool(extra)
    if not parts:
        parts = [f"out of order: documented {documented}, signature {expected}"]
    return f"{name}: the Parameters section differs from the signature: " + "; ".join(parts)


@pytest.mark.parametrize("path, name, function, documented, required", CASES)
def test_parameters_section_matches_signature(path, name, function, documented, required):
    expected = signature_names(function)
    docstring = ast.get_docstring(documented) or ""
    names = parameters_section(docstring)
    if names is None:
        assert not (required and expected), f"{path.name}: {name} has no Parameters section for {expected}"
        return
    message = mismatch(f"{path.name}: {name}", expected, names)
    assert message is None, message


def test_the_kernels_are_checked():
    """The check sees the long kernels (so a parse failure cannot silently skip them)."""
    ids = {case.id for case in CASES}
    for kernel in ["packed.train_loop", "logistic.optimize_loop", "dense.forward_kernel", "partition.block_of"]:
        assert f"kernels/{kernel}" in ids
    assert "jit/basics.dot" in ids
    assert not any(case_id.startswith("jit/activations.relu") for case_id in ids)  # an @implements wrapper


def test_parameters_section_reads_grouped_names_and_stops_at_the_next_section():
    docstring = (
        "Summary.\n\nParameters\n----------\nW, b : ndarray\n    Weights.\nZ\n    As above.\n"
        "**options\n    More.\n\nReturns\n-------\nout : ndarray\n    Not a parameter.\n"
    )
    assert parameters_section(docstring) == ["W", "b", "Z", "options"]
    assert parameters_section("Summary only.") is None


def test_mismatch_names_the_function_and_the_difference():
    assert mismatch("f", ["a", "b"], ["a", "b"]) is None
    assert mismatch("f", ["a", "b", "c"], ["a", "c"]) == (
        "f: the Parameters section differs from the signature: missing ['b']"
    )
    assert "not in the signature ['d']" in mismatch("f", ["a"], ["a", "d"])
    assert "out of order" in mismatch("f", ["a", "b"], ["b", "a"])
