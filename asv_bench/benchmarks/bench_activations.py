"""Activations and their backward passes, element-wise over (100, size / 100) arrays."""

import nncore

from . import TIERS, Benchmark, normal, skip_slow_loop


class Activations(Benchmark):
    """``g(Z)`` and ``g_backward(dA, Z)`` for each activation of :data:`nncore.ACTIVATIONS`."""

    params = [TIERS, list(nncore.ACTIVATIONS), [10_000, 1_000_000]]
    param_names = ["tier", "activation", "size"]

    def setup(self, name, activation, size):
        skip_slow_loop(name, size * 20)  # the loop tier: ~20 Python operations per entry
        module = nncore.get_tier(name)
        self.forward = getattr(module, activation)
        self.backward = getattr(module, f"{activation}_backward")
        shape = (100, size // 100)
        self.Z, self.dA = normal(shape, seed=0, scale=3.0), normal(shape, seed=1)
        self.forward(self.Z)  # compile (JIT tier)
        self.backward(self.dA, self.Z)

    def time_forward(self, name, activation, size):
        self.forward(self.Z)

    def time_backward(self, name, activation, size):
        self.backward(self.dA, self.Z)
