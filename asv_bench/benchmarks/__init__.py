"""nncore's asv benchmarks: one ``bench_<area>.py`` per area.

Every benchmark class is parametrized over :data:`nncore.TIERS`, so a new tier
gets its benchmarks with no edit here. What the classes share:

* :class:`Benchmark`, the base class: ``timer = timeit.default_timer`` (wall
  clock, so the threads of the JIT tier and of BLAS count) and the sampling that
  keeps a commit compared with itself below ``asv continuous``'s threshold on a
  shared 2-core machine (more rounds, each in its own process, and a longer
  warm-up than asv's defaults);
* :func:`skip_slow_loop`: skip the loop tier where one call would take more
  than about a second;
* seeded data (:func:`normal`).

Each ``setup`` calls the function once before timing, so the JIT tier's
compilation (and the first touch of its buffers) is never timed.
"""

import timeit

import numpy as np

import nncore

#: The tiers installed, slowest first.
TIERS = list(nncore.TIERS)

#: The loop tier runs only where a call does at most this many scalar multiply-adds (~1 s).
LOOP_LIMIT = 2_000_000


class Benchmark:
    """Base of every benchmark class: wall-clock timing, sampled for stable comparisons.

    ``rounds = 4`` processes per benchmark (asv's default 2) average out the
    state of one process (its memory layout, the threads' placement);
    ``repeat = (5, 20, 8.0)``: 5 to 20 samples per round, stopping after 8 s;
    ``warmup_time = 0.5`` s of untimed calls first, so a thread pool is awake
    and the caches warm. asv reports the median and compares with its
    Mann-Whitney test as well as ``--factor``.
    """

    timer = timeit.default_timer
    rounds = 4
    repeat = (5, 20, 8.0)
    warmup_time = 0.5


def skip_slow_loop(name, work):
    """Skip (NotImplementedError) the loop tier when `work` scalar operations exceed :data:`LOOP_LIMIT`."""
    if name == "loop" and work > LOOP_LIMIT:
        raise NotImplementedError(f"the loop tier would take too long here ({work:,} operations per call)")


def normal(shape, seed=0, scale=1.0):
    """Seeded standard-normal draws times `scale`, float64."""
    return scale * np.random.default_rng(seed).standard_normal(shape)
