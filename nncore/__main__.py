"""``python -m nncore``: the command line (see :mod:`nncore.cli`)."""

from nncore.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
