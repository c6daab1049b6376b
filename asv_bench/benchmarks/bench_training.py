"""Training on the course's three workloads: one iteration, a short run, its memory, speed-ups.

The workloads are those ``nncore compare`` runs by default (:data:`nncore.bench.workloads.DEFAULT_WORKLOADS`),
with the stand-in images ``nncore compare`` uses in place of the files
(:func:`nncore.course.data.stand_in_cats`), so the suite runs anywhere.
"""

import timeit

import nncore
from nncore.bench.workloads import DEFAULT_WORKLOADS, WORKLOADS
from nncore.course.data import stand_in_cats
from nncore.threadpool import wait_until_idle

from . import TIERS, Benchmark, skip_slow_loop

#: Iterations of the short training run, per workload.
SHORT = {"planar": 100, "logreg-cats": 20, "deep-cats": 10}

#: Timed runs per tier in :class:`SpeedUp`.
SPEEDUP_RUNS = 5


def problem(workload):
    """The planar flower itself; for the cat workloads the stand-in images (209 random 64 x 64 x 3 uint8 images)."""
    return workload.load() if not workload.needs_cat_data else stand_in_cats()


def operations(workload, data, iterations):
    """Multiply-adds of `iterations` training iterations (forward and backward products)."""
    dims = workload.layer_dims
    return 3 * sum(n_prev * n for n_prev, n in zip(dims, dims[1:])) * data.train_x.shape[1] * iterations


class _Problem(Benchmark):
    params = [TIERS, list(DEFAULT_WORKLOADS)]
    param_names = ["tier", "workload"]

    def setup(self, name, workload):
        self.workload = WORKLOADS[workload]
        self.data = problem(self.workload)
        skip_slow_loop(name, operations(self.workload, self.data, SHORT[workload]))
        self.tier = nncore.get_tier(name)
        self.start = self.workload.initial_parameters()
        self.iterations = SHORT[workload]
        self.train(self.tier, 2)  # compile (JIT tier)

    def train(self, module, iterations):
        return self.workload.run(module, self.data, self.start, iterations)


class Training(_Problem):
    """The tier's ``train`` (``optimize`` for logistic regression) for one iteration and a short run."""

    def time_one_iteration(self, name, workload):
        self.train(self.tier, 1)

    def time_short_run(self, name, workload):
        self.train(self.tier, self.iterations)

    def peakmem_short_run(self, name, workload):
        self.train(self.tier, self.iterations)


class SpeedUp(_Problem):
    """The short run's time over a baseline tier's, both timed in this one process (0.5: twice as fast).

    A time ratio, not a speed-up: asv reads a larger figure as worse, so a tier
    that gets faster shows as an improvement (asv 0.6 has no attribute for
    figures where higher is better).

    The runs of the two tiers alternate and the best of each is kept, so a busy
    machine slows both alike and the ratio stays put. Each timed run follows a
    pause, long enough for the other tier's thread pool to go to sleep, and an
    untimed run of its own: OpenBLAS's threads spin for about 0.1 s after a call,
    and a JIT run in that window took twice as long (deep-cats: 45 ms against
    24 ms; speed-up 1.06x instead of 1.9x).
    """

    params = [TIERS, list(DEFAULT_WORKLOADS), ["loop", "vector"]]
    param_names = ["tier", "workload", "baseline"]
    unit = "time / baseline's"

    def setup(self, name, workload, baseline):
        if name == baseline:
            raise NotImplementedError("a tier against itself")
        super().setup(baseline, workload)
        self.baseline = self.tier
        super().setup(name, workload)

    def track_time_over_baseline(self, name, workload, baseline):
        best = {"tier": float("inf"), "baseline": float("inf")}
        for _ in range(SPEEDUP_RUNS):
            for key, module in (("baseline", self.baseline), ("tier", self.tier)):
                wait_until_idle()
                self.train(module, self.iterations)  # untimed: caches and threads warm again after the pause
                started = timeit.default_timer()
                self.train(module, self.iterations)
                best[key] = min(best[key], timeit.default_timer() - started)
        return best["tier"] / best["baseline"]


class JitPlan(Benchmark):
    """The plan the JIT tier's ``train`` ran by (:mod:`nncore.jit.planner`), so a change of path shows across commits.

    asv records numbers: ``track_blas_passes`` is how many of the network's passes went to BLAS,
    ``track_threaded_passes`` how many ran nncore's kernels split among threads (the rest ran them
    on one thread). The plan in words is in the benchmark's log (``asv run -v``) and in ``nncore
    compare``.
    """

    params = [[name for name in DEFAULT_WORKLOADS if WORKLOADS[name].trainer == "train"]]
    param_names = ["workload"]
    unit = "passes"

    def setup(self, workload):
        from nncore.jit import planner

        self.workload = WORKLOADS[workload]
        data = problem(self.workload)
        self.plan = planner.plan_for_training(data.train_x, self.workload.layer_dims, self.workload.activations)
        print(f"{workload}: jit plan {planner.describe(self.plan)} ({planner.planner().source()})")

    def track_blas_passes(self, workload):
        from nncore.kernels.dense import BLAS

        return int((self.plan == BLAS).sum())

    def track_threaded_passes(self, workload):
        from nncore.kernels.dense import THREADS

        return int((self.plan == THREADS).sum())
