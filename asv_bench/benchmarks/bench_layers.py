"""One dense layer, linear part and activation fused: forward and backward."""

import nncore

from . import TIERS, Benchmark, normal, skip_slow_loop

#: name -> (n[l-1], n[l], m, activation): layers of the course's networks.
LAYERS = {
    "planar-hidden": (2, 4, 400, "tanh"),
    "cats-hidden": (20, 7, 209, "relu"),
    "cats-input": (12288, 20, 209, "relu"),
}


class LinearActivation(Benchmark):
    """``linear_activation_forward`` and ``linear_activation_backward`` on one layer."""

    params = [TIERS, list(LAYERS)]
    param_names = ["tier", "layer"]

    def setup(self, name, layer):
        n_prev, n, m, self.activation = LAYERS[layer]
        skip_slow_loop(name, 3 * n_prev * n * m)  # the backward pass does two products of that size
        self.tier = nncore.get_tier(name)
        self.A_prev = normal((n_prev, m), seed=0)
        self.W, self.b = normal((n, n_prev), seed=1, scale=n_prev**-0.5), normal((n, 1), seed=2)
        self.dA = normal((n, m), seed=3)
        _, self.cache = self.tier.linear_activation_forward(self.A_prev, self.W, self.b, self.activation)
        self.tier.linear_activation_backward(self.dA, self.cache, self.activation)  # compile (JIT tier)

    def time_forward(self, name, layer):
        self.tier.linear_activation_forward(self.A_prev, self.W, self.b, self.activation)

    def time_backward(self, name, layer):
        self.tier.linear_activation_backward(self.dA, self.cache, self.activation)
