"""First-call overhead: the JIT tier's compile time, measured in a fresh process.

Each measurement starts a new Python with an empty ``NUMBA_CACHE_DIR`` (so no
compiled code is reused from disk), imports the tier, calls one function twice
on tiny inputs and reports the first call's time minus the second's. For the
JIT tier that is the compilation, seconds. For tiers that compile nothing it is
the noise of a fresh process, tens of microseconds to tens of milliseconds: on a
2-core AMD EPYC (Zen 3) virtual machine, two commits with the same code gave
ratios from 0.07 to 2.15 there, 7 false alarms in one ``asv continuous``. So
first calls under :data:`RESOLUTION` are reported as ``RESOLUTION``: a tier that
starts compiling still shows, and one that compiles nothing reads the same on
every commit.
"""

import json
import os
import subprocess
import sys
import tempfile

from . import TIERS, Benchmark

#: Seconds: a first call's extra time below this is reported as this (compilation takes longer).
RESOLUTION = 0.1

#: Run in the fresh process: prints {"first": seconds, "second": seconds}.
SCRIPT = """
import json, sys, time
import numpy as np
import nncore
from nncore.course.recipes import LOGREG_CATS, PLANAR
tier = nncore.get_tier(sys.argv[1])
X, Y = nncore.datasets.planar()
X, Y = X[:, :8], Y[:, :8]
parameters = nncore.initialize_parameters(PLANAR.layer_dims, PLANAR.init, rng=PLANAR.seed)
calls = {
    "sigmoid": lambda: tier.sigmoid(X),
    "linear_activation_forward": lambda: tier.linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu"),
    "train": lambda: tier.train(X, Y, parameters, list(PLANAR.activations), PLANAR.learning_rate, 2, 1),
    "optimize": lambda: tier.optimize(np.zeros((2, 1)), 0.0, X, Y, 2, LOGREG_CATS.learning_rate, 1),
}
times = []
for _ in range(2):
    started = time.perf_counter()
    calls[sys.argv[2]]()
    times.append(time.perf_counter() - started)
print(json.dumps({"first": times[0], "second": times[1]}))
"""


class FirstCall(Benchmark):
    """Seconds the first call of a function takes beyond the second's, in a fresh process (at least
    :data:`RESOLUTION`)."""

    params = [TIERS, ["sigmoid", "linear_activation_forward", "train", "optimize"]]
    param_names = ["tier", "function"]
    unit = "seconds"
    timeout = 600
    rounds = 1  # each is a fresh process that compiles from nothing: one is enough, and costly
    repeat = 1

    def track_first_call_seconds(self, name, function):
        with tempfile.TemporaryDirectory(prefix="nncore-numba-cache-") as cache:
            env = {**os.environ, "NUMBA_CACHE_DIR": cache}
            out = subprocess.run(
                [sys.executable, "-c", SCRIPT, name, function],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        times = json.loads(out.splitlines()[-1])
        return max(times["first"] - times["second"], RESOLUTION)
