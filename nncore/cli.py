"""The ``nncore`` command line (also ``python -m nncore``).

Each subcommand is a module with ``add_arguments(parser)`` and ``run(args)``
returning the exit status, imported only when that subcommand runs:

* ``compare`` (:mod:`nncore.bench.command`): the tiers side by side on the course's workloads;
* ``course`` (:mod:`nncore.course`): the course's assignments.
"""

import argparse
import importlib
import os
import sys

from nncore._version import __version__

#: Subcommand -> (module, one-line help).
COMMANDS = {
    "compare": (
        "nncore.bench.command",
        "time the tiers against each other on the course's workloads and check they agree",
    ),
    "course": ("nncore.course", "run the course's assignments with nncore"),
}


def build_parser():
    """The top-level parser: the subcommand and ``--version``; each subcommand parses its own options."""
    parser = argparse.ArgumentParser(
        prog="nncore",
        description="The neural-network math of the course 'Neural Networks and Deep Learning' in "
        "three tiers: explicit loops, vectorized NumPy and Numba JIT kernels.",
        epilog="Run 'nncore COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"nncore {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (_, summary) in COMMANDS.items():
        # add_help=False: "nncore compare --help" goes to the command's own parser.
        commands.add_parser(name, help=summary, description=summary, add_help=False)
    return parser


def main(argv=None):
    """Parse `argv` (default ``sys.argv[1:]``), run the subcommand and return its exit status."""
    parser = build_parser()
    top, rest = parser.parse_known_args(argv)
    module = importlib.import_module(COMMANDS[top.command][0])
    command = argparse.ArgumentParser(prog=f"nncore {top.command}")
    module.add_arguments(command)
    args = command.parse_args(rest)
    try:
        return module.run(args)
    except BrokenPipeError:  # the reader of the output went away (`nncore compare | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's documented recipe
        return 1
