"""The cross-entropy cost."""

import numpy as np

import nncore

from . import TIERS, Benchmark, skip_slow_loop


class Cost(Benchmark):
    """``compute_cost(AL, Y)`` over m samples."""

    params = [TIERS, [400, 1_000_000]]
    param_names = ["tier", "m"]

    def setup(self, name, m):
        skip_slow_loop(name, 20 * m)
        self.tier = nncore.get_tier(name)
        rng = np.random.default_rng(0)
        self.AL = rng.uniform(0.01, 0.99, (1, m))
        self.Y = (rng.random((1, m)) < 0.5).astype(np.float64)
        self.tier.compute_cost(self.AL, self.Y)  # compile (JIT tier)

    def time_compute_cost(self, name, m):
        self.tier.compute_cost(self.AL, self.Y)
