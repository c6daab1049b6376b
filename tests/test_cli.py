"""The ``nncore`` command line: subcommands, options, help and the ``python -m nncore`` entry."""

import argparse
import json
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

import nncore
from nncore import cli
from nncore.bench import command as compare
from nncore.threadpool import MAX_THREADS

ROOT = Path(__file__).parents[1]

#: Every option of ``nncore compare``.
COMPARE_OPTIONS = [
    "--workloads",
    "--tiers",
    "--iterations",
    "--loop-iterations",
    "--repeats",
    "--threads",
    "--dtype",
    "--data",
    "--bounds",
    "--json",
    "--plot",
]


def compare_help(capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main(["compare", "--help"])
    assert exit.value.code == 0
    return capsys.readouterr().out


def test_top_level_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main(["--help"])
    assert exit.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: nncore [-h] [--version] COMMAND ...")
    for command in cli.COMMANDS:
        assert f"    {command:<9} " in out
    assert "Run 'nncore COMMAND --help' for a command's options." in out


def test_version(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out == f"nncore {nncore.__version__}\n"


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main([])
    assert exit.value.code == 2
    assert "the following arguments are required: COMMAND" in capsys.readouterr().err


def test_compare_help_mentions_every_option_workload_and_tier(capsys):
    out = compare_help(capsys)
    assert out.startswith("usage: nncore compare [-h]")
    parser = argparse.ArgumentParser()
    compare.add_arguments(parser)
    declared = {option for action in parser._actions for option in action.option_strings} - {"-h", "--help"}
    assert declared == set(COMPARE_OPTIONS)
    for option in COMPARE_OPTIONS:
        assert f"  {option}" in out
    for name in compare.CHOICES:
        assert f"\n  {name} " in out
    for name in nncore.TIERS:
        assert name in out
    help_text = " ".join(out.split())  # unwrapped
    assert "training iterations of the timed runs" in help_text and "(default: 3)" in help_text
    assert "pip install -e '.[plot]'" in help_text and "$NNCORE_DATA" in help_text


@pytest.mark.parametrize(
    "options, message",
    [
        (["--tiers", "fast"], "argument --tiers: invalid choice: 'fast'"),
        (["--workloads", "mnist"], "argument --workloads: invalid choice: 'mnist'"),
        (["--repeats", "0"], "argument --repeats: must be a positive integer; got 0"),
        (["--threads", "10000"], "argument --threads: must be from 1 to"),
        (["--dtype", "float16"], "argument --dtype: invalid choice: 'float16'"),
        (["--iterations"], "argument --iterations: expected one argument"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_compare_rejects_bad_options(capsys, options, message):
    with pytest.raises(SystemExit) as exit:
        cli.main(["compare", *options])
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: nncore compare") and message in err


def test_commands_are_imported_only_when_run_and_get_their_arguments(monkeypatch):
    seen = {}
    fake = types.ModuleType("fake_command")
    fake.add_arguments = lambda parser: parser.add_argument("--lesson", type=int)
    fake.run = lambda args: seen.setdefault("lesson", args.lesson) and 7
    monkeypatch.setitem(sys.modules, "fake_command", fake)
    monkeypatch.setitem(cli.COMMANDS, "course", ("fake_command", "run the course"))
    assert cli.main(["course", "--lesson", "3"]) == 7 and seen == {"lesson": 3}


#: A thread count no machine here has: Numba's thread pool is smaller.
TOO_MANY_THREADS = str(max(999, MAX_THREADS + 1))


@pytest.mark.parametrize(
    "command, options, message",
    [
        ("compare", ["--threads", TOO_MANY_THREADS], f"argument --threads: must be from 1 to {MAX_THREADS}"),
        ("course", ["planar", "--threads", TOO_MANY_THREADS], f"argument --threads: must be from 1 to {MAX_THREADS}"),
        ("compare", ["--threads", "0"], "argument --threads: must be a positive integer; got 0"),
        ("course", ["planar", "--threads", "0"], "argument --threads: must be a positive integer; got 0"),
        ("compare", ["--iterations", "0"], "argument --iterations: must be a positive integer; got 0"),
        ("course", ["planar", "--iterations", "0"], "argument --iterations: must be a positive integer; got 0"),
        ("course", ["planar", "--iterations", "ten"], "argument --iterations: must be a positive integer; got 'ten'"),
    ],
)
def test_both_commands_check_threads_and_iterations_alike(capsys, command, options, message):
    """The shared argparse types of nncore.options: a bad value is a usage error (status 2) in either command."""
    with pytest.raises(SystemExit) as exit:
        cli.main([command, *options])
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: nncore {command}") and message in err


def test_python_dash_m_nncore(tmp_path):
    """The module entry point, in a fresh interpreter, as the README runs it."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nncore",
            "compare",
            "--json",
            "--workloads",
            "planar",
            "--tiers",
            "vector",
            "--iterations",
            "2",
            "--repeats",
            "1",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])},
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no progress bar when standard error is not a terminal
    (row,) = json.loads(done.stdout)["workloads"][0]["rows"]
    assert row["tier"] == "vector" and row["iterations"] == 2


def test_console_script_is_declared():
    tomllib = pytest.importorskip("tomllib")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"] == {"nncore": "nncore.cli:main"}


#: An install hint that would fetch PyPI's "nncore", an unrelated project: ``pip install nncore``,
#: ``pip install 'nncore[plot]'``, ``pip install -U "nncore[test]"``.
FOREIGN_INSTALL = re.compile(r"pip install (-U |--upgrade )?['\"]?nncore\b")


def test_no_hint_installs_the_unrelated_nncore_from_pypi():
    """Every install hint names what works from the checkout (pip install -e '.[plot]', pip install h5py)."""
    root = Path(__file__).parents[1]
    # asv_bench's own files only: asv's virtualenvs (asv_bench/env, untracked) hold other projects' code
    bench = [*(root / "asv_bench").glob("*.py"), *(root / "asv_bench" / "benchmarks").rglob("*.py")]
    files = [*(root / "nncore").rglob("*.py"), *bench, *(root / "docs").rglob("*.md")]
    files += [root / "README.md", root / "asv_bench" / "asv.conf.json", root / "pyproject.toml"]
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FOREIGN_INSTALL.search(line)
    ]
    assert found == []
    assert FOREIGN_INSTALL.search("pip install 'nncore[plot]'") and FOREIGN_INSTALL.search("pip install nncore")
    assert not FOREIGN_INSTALL.search("pip install -e '.[plot]'")
