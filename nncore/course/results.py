"""What an experiment returns: :class:`Training` for one run, :class:`Sweep` for several."""

from dataclasses import dataclass

import numpy as np

#: A cost trace longer than this is shown as its first and last few entries.
_SHOWN_COSTS = 10


def _percent(accuracy):
    return f"{accuracy * 100:.10g} %"


def _trace(iterations, costs):
    pairs = [f"{i}: {c:.6f}" for i, c in zip(iterations.tolist(), costs.tolist())]
    if len(pairs) > _SHOWN_COSTS:
        half = _SHOWN_COSTS // 2
        pairs = pairs[:half] + ["..."] + pairs[-half:]
    return ", ".join(pairs)


@dataclass(repr=False, eq=False)
class Training:
    """One training run of a course experiment and what it gave.

    Attributes
    ----------
    experiment : str
        The experiment's name, e.g. ``"planar"``.
    tier : str
        The tier that computed, a name in :data:`nncore.TIERS`.
    layer_dims : tuple of int
        ``(n_x, n[1], ..., n[L])``; ``(n_x, 1)`` for logistic regression.
    activations : tuple of str
        One activation per layer; ``("sigmoid",)`` for logistic regression.
    learning_rate : float
    num_iterations : int
    cost_iterations : ndarray of int
        ``0, cost_every, 2 * cost_every, ...``.
    costs : ndarray of float64
        The cost before the update at each of `cost_iterations`.
    train_accuracy : float in [0, 1]
        The fraction of training samples predicted right (prediction 1 where
        the output is > 0.5).
    test_accuracy : float in [0, 1] or None
        The same on the test set; None where the course has none (planar).
    wall_time : float
        Seconds spent training (the tier's ``train`` or ``optimize``), without
        loading the data or predicting, after an untimed warm-up (one
        iteration on two samples; in a sweep, one for the whole sweep) so that
        a JIT tier's compilation is not counted.
    parameters : dict
        The trained ``{"W1", "b1", ...}``; logistic regression's ``w`` and
        ``b`` as the one-layer network ``W1 = w.T``, ``b1 = [[b]]``.
    """

    experiment: str
    tier: str
    layer_dims: tuple
    activations: tuple
    learning_rate: float
    num_iterations: int
    cost_iterations: np.ndarray
    costs: np.ndarray
    train_accuracy: float
    test_accuracy: float | None
    wall_time: float
    parameters: dict

    @property
    def n_h(self):
        """The first hidden layer's size (the planar sweep's variable); None without hidden layers."""
        return self.layer_dims[1] if len(self.layer_dims) > 2 else None

    def accuracy_line(self):
        """``train 90.5 %, test 72 %``: the accuracies as percentages."""
        line = f"train {_percent(self.train_accuracy)}"
        return line if self.test_accuracy is None else f"{line}, test {_percent(self.test_accuracy)}"

    def to_dict(self):
        """A JSON-ready dict of everything but the parameters (whose shapes it gives)."""
        return {
            "experiment": self.experiment,
            "tier": self.tier,
            "layer_dims": list(self.layer_dims),
            "activations": list(self.activations),
            "learning_rate": self.learning_rate,
            "num_iterations": self.num_iterations,
            "cost_iterations": self.cost_iterations.tolist(),
            "costs": self.costs.tolist(),
            "train_accuracy": self.train_accuracy,
            "test_accuracy": self.test_accuracy,
            "wall_time": self.wall_time,
            "parameter_shapes": {key: list(value.shape) for key, value in self.parameters.items()},
        }

    def __repr__(self):
        shapes = ", ".join(f"{key} {value.shape}" for key, value in self.parameters.items())
        return (
            f"Training({self.experiment!r}, tier={self.tier!r}, layer_dims={list(self.layer_dims)}, "
            f"activations={list(self.activations)}, learning_rate={self.learning_rate!r}, "
            f"num_iterations={self.num_iterations})\n"
            f"  costs: {_trace(self.cost_iterations, self.costs) or 'none recorded'}\n"
            f"  accuracy: {self.accuracy_line()}\n"
            f"  wall time: {self.wall_time:.3g} s\n"
            f"  parameters: {shapes}"
        )


@dataclass(repr=False, eq=False)
class Sweep:
    """Several trainings of one experiment that differ in one setting.

    Attributes
    ----------
    experiment : str
    tier : str
    varied : str
        The setting that differs between the runs: ``"learning_rate"`` or ``"n_h"``.
    runs : list of Training
        One per value of `varied`, in the course's order.
    wall_time : float
        Seconds from the first training's start to the last one's end, for the
        runs in `runs`.
    sequential_wall_time : float or None
        Seconds to run the same trainings one after another in this process;
        None when not measured.
    parallel_wall_time : float or None
        Seconds to run them in parallel, pool start-up included; None when they
        were not run in parallel.
    pool : {"processes", "threads"} or None
        What ran them in parallel.
    workers : int or None
        How many processes or threads.
    max_cost_difference : float or None
        The largest ``|cost|`` difference between the parallel and the
        sequential runs (each parallel worker uses one thread; kernels that sum
        in parallel may then round differently); None unless both ran.
    """

    experiment: str
    tier: str
    varied: str
    runs: list
    wall_time: float
    sequential_wall_time: float | None = None
    parallel_wall_time: float | None = None
    pool: str | None = None
    workers: int | None = None
    max_cost_difference: float | None = None

    def values(self):
        """The values of `varied`, one per run."""
        return [getattr(run, self.varied) for run in self.runs]

    def timing_line(self):
        """One line comparing the parallel and the sequential wall time, or the wall time."""
        n = len(self.runs)
        if self.parallel_wall_time is None:
            return f"{n} trainings one after another: {self.wall_time:.3g} s"
        line = f"{n} trainings in parallel ({self.workers} {self.pool}): {self.parallel_wall_time:.3g} s"
        if self.sequential_wall_time is not None:
            speedup = self.sequential_wall_time / self.parallel_wall_time
            line += f"; one after another: {self.sequential_wall_time:.3g} s ({speedup:.2f}x)"
        return line

    def to_dict(self):
        """A JSON-ready dict; each run as :meth:`Training.to_dict`."""
        return {
            "experiment": self.experiment,
            "tier": self.tier,
            "varied": self.varied,
            "runs": [run.to_dict() for run in self.runs],
            "wall_time": self.wall_time,
            "sequential_wall_time": self.sequential_wall_time,
            "parallel_wall_time": self.parallel_wall_time,
            "pool": self.pool,
            "workers": self.workers,
            "max_cost_difference": self.max_cost_difference,
        }

    def __repr__(self):
        lines = [f"Sweep({self.experiment!r}, tier={self.tier!r}, varied={self.varied!r})"]
        for value, run in zip(self.values(), self.runs):
            final = f"cost {run.costs[-1]:.6f} at {run.cost_iterations[-1]}, " if len(run.costs) else ""
            lines.append(f"  {self.varied} = {value}: {final}{run.accuracy_line()}, {run.wall_time:.3g} s")
        lines.append(f"  {self.timing_line()}")
        return "\n".join(lines)
