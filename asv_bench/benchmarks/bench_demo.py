"""The course's vectorization demo: a 1,000,000-element dot product as a Python loop, np.dot and a JIT kernel."""

import functools
import timeit

from nncore.bench.dot import METHODS, N, vectors

from . import Benchmark

#: Timings per method in :meth:`DotProduct.track_time_over_python`.
SPEEDUP_RUNS = 3


class DotProduct(Benchmark):
    """The dot product of two seeded vectors of :data:`nncore.bench.dot.N` entries."""

    params = [list(METHODS)]
    param_names = ["method"]

    def setup(self, method):
        self.a, self.b = vectors(N)
        self.dot = METHODS[method][1]
        if method != "python":
            self.dot(self.a, self.b)  # compile (JIT kernel)

    def time_dot(self, method):
        self.dot(self.a, self.b)

    def track_time_over_python(self, method):
        """This method's time over the Python loop's, the best of a few timings each (np.dot: ~1/300 in the course).

        A time ratio, so that asv, which reads larger as worse, reads it right.
        """
        python = METHODS["python"][1]
        times = {}
        for key, function in (("python", python), ("method", self.dot)):
            times[key] = min(timeit.repeat(functools.partial(function, self.a, self.b), number=1, repeat=SPEEDUP_RUNS))
        return times["method"] / times["python"]

    track_time_over_python.unit = "time / Python loop's"
