"""Per-call cost on a small layer: checked and raw calls per tier, the bare NumPy expression,
the kernels called from Python, and a user's ``@njit`` loop built from :mod:`nncore.kernels`.

The planar network's hidden layer (A_prev (2, 400), W (4, 2), b (4, 1), tanh) does so little
arithmetic that these times are mostly call overhead: argument binding, validation, layout,
allocation and Numba's dispatch. A regression in any of them shows here.
"""

import numba
import numpy as np

import nncore

from . import TIERS, Benchmark, normal

try:  # the public kernels (issue 11); older commits have none
    import nncore.kernels as K
except ImportError:  # pragma: no cover
    K = None

#: The planar hidden layer: (n[l-1], n[l], m, activation).
PLANAR = (2, 4, 400, "tanh")


def _planar():
    n_prev, n, m, activation = PLANAR
    A_prev = normal((n_prev, m), seed=0)
    W, b = normal((n, n_prev), seed=1, scale=n_prev**-0.5), normal((n, 1), seed=2)
    return A_prev, W, b, activation


def _need_kernels():
    if K is None or not hasattr(K, "dense_forward"):
        raise NotImplementedError("this commit has no public nncore.kernels")


class CheckedCall(Benchmark):
    """``linear_activation_forward`` on the planar layer, checked and ``.unchecked``, per tier."""

    params = [TIERS, ["checked", "unchecked"]]
    param_names = ["tier", "call"]

    def setup(self, name, call):
        self.A_prev, self.W, self.b, self.activation = _planar()
        function = nncore.get_tier(name).linear_activation_forward
        self.function = function if call == "checked" else function.unchecked
        self.function(self.A_prev, self.W, self.b, self.activation)  # compile (JIT tier)

    def time_linear_activation_forward(self, name, call):
        self.function(self.A_prev, self.W, self.b, self.activation)


class BareNumPy(Benchmark):
    """The expression the checked call replaces: ``np.tanh(W @ A_prev + b)``."""

    def setup(self):
        self.A_prev, self.W, self.b, _ = _planar()

    def time_expression(self):
        np.tanh(self.W @ self.A_prev + self.b)


class RawKernel(Benchmark):
    """The public dense kernels called from Python on buffers allocated once (Numba's dispatch)."""

    params = [["dense_forward", "dense_forward_parallel"]]
    param_names = ["kernel"]

    def setup(self, kernel):
        _need_kernels()
        self.A_prev, self.W, self.b, _ = _planar()
        self.Z, self.A = np.empty((4, 400)), np.empty((4, 400))
        self.threads = numba.get_num_threads()
        self.call = getattr(self, f"_{kernel}")
        self.call()

    def _dense_forward(self):
        K.dense_forward(self.W, self.b, self.A_prev, False, self.Z, self.A, K.TANH)

    def _dense_forward_parallel(self):
        K.dense_forward_parallel(self.W, self.b, self.A_prev, False, self.Z, self.A, K.TANH, self.threads)

    def time_call(self, kernel):
        self.call()


@numba.njit
def _forward_100(A_prev, W, b, Z, A):
    for _ in range(100):
        K.dense_forward(W, b, A_prev, False, Z, A, K.TANH)


@numba.njit
def _steps_100(X, Y, theta, dims, codes, acts, deltas, grad):
    cost = 0.0
    for i in range(100):
        cost = K.train_step(X, False, Y, theta, dims, codes, 1.2, acts, deltas, grad, i == 99)
    return cost


class UserLoop(Benchmark):
    """A user's ``@njit`` loop of 100 kernel calls: no dispatch inside, so this is the kernels' own time."""

    def setup(self):
        _need_kernels()
        self.A_prev, self.W, self.b, _ = _planar()
        self.Z, self.A = np.empty((4, 400)), np.empty((4, 400))
        X, Y = nncore.datasets.planar()
        parameters = nncore.initializers.initialize_parameters([2, 4, 1], "scaled", rng=2)
        self.net = K.Packed(parameters, ["tanh", "sigmoid"])
        self.acts = np.empty(self.net.activation_size(400))
        self.args = (X, Y, self.net.theta, self.net.dims, self.net.codes, self.acts, np.empty_like(self.acts))
        self.grad = np.empty_like(self.net.theta)
        self.time_dense_forward_100()  # compile
        self.time_train_step_100()

    def time_dense_forward_100(self):
        _forward_100(self.A_prev, self.W, self.b, self.Z, self.A)

    def time_train_step_100(self):
        _steps_100(*self.args, self.grad)
