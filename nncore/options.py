"""argparse types shared by the subcommands, so each option is checked alike everywhere."""

import argparse


def positive_int(text):
    """``int(text)`` when it is at least 1; else ``argparse.ArgumentTypeError`` (exit status 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text}")
    return value


def thread_count(text):
    """A thread count from 1 to :data:`nncore.threadpool.MAX_THREADS` (imports Numba)."""
    from nncore.threadpool import MAX_THREADS

    value = positive_int(text)
    if value > MAX_THREADS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_THREADS} (the cores Numba found); got {text}")
    return value
