"""How a pass's work is cut among threads: aligned blocks, and whether to split at all.

Every parallel kernel runs ``prange`` over thread ids and gives thread ``t``
the block :func:`block_of` returns, so each thread writes only its own block
and a result repeats bit for bit for a given thread count.
"""

from nncore.kernels.config import inline

#: Multiply-adds below which a pass runs on one thread: waking the pool costs
#: a few microseconds, more than splitting a smaller pass saves.
PARALLEL_MIN_WORK = 1 << 18

#: Blocks of samples handed to threads are multiples of this.
SAMPLE_ALIGN = 64

#: Blocks of units (rows of dW) handed to threads are multiples of the tile height.
ROW_ALIGN = 4

#: Blocks of features (columns of dW) handed to threads are multiples of this.
FEATURE_ALIGN = 120


@inline
def block_of(n, parts, t, align):
    """The range [lo, hi) of part `t` when [0, n) is cut into `parts` aligned parts.

    Every part but the last has the same length, a multiple of `align`; trailing parts may be
    empty (lo == hi == n).

    Parameters
    ----------
    n : int
        The length of the range cut, >= 0.
    parts : int
        The number of parts, >= 1.
    t : int
        The part's index, 0 <= t < parts.
    align : int
        The parts' lengths are multiples of this, >= 1.

    Returns
    -------
    lo, hi : int
        0 <= lo <= hi <= n.
    """
    per = -(-n // parts)
    per = -(-per // align) * align
    lo = min(t * per, n)
    return lo, min(lo + per, n)


@inline
def parallel_worth(work, threads):
    """Whether `work` multiply-adds pay for waking `threads` threads.

    Parameters
    ----------
    work : int
        Multiply-adds of the pass.
    threads : int
        Threads available.

    Returns
    -------
    bool
        True when `work` reaches :data:`PARALLEL_MIN_WORK` and `threads` > 1.
    """
    return work >= PARALLEL_MIN_WORK and threads > 1
