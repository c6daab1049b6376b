"""How far rounding-level perturbations move the planar trainings' costs: the basis of the tests' chaotic profile.

``python tools/chaos_spread.py [--draws N]``: trains the course's planar recipe (tanh then sigmoid,
``randn * 0.01`` after seed 2, learning rate 1.2) in the vector tier from its initial weights and
from `N` copies of them each multiplied by ``1 + 1e-15 * randn``, and prints, per hidden size and
recorded iteration, the largest relative difference of the cost from the unperturbed run. Tiers
that sum in other orders (or a JIT plan that takes another path) differ from the vector tier by
about this much where the training is chaotic (``tests/helpers.py``, profile "full-run-chaotic").
"""

import argparse

import numpy as np

import nncore
from nncore.datasets import planar

#: (hidden units, iterations): the course's planar run and the sizes of its sweep that turn chaotic.
RUNS = [(4, 10000), (20, 5000), (50, 5000)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=40, help="perturbed runs per hidden size (default 40)")
    draws = parser.parse_args().draws
    X, Y = planar()
    vector = nncore.get_tier("vector")
    rng = np.random.default_rng(0)
    for n_h, iterations in RUNS:
        start = nncore.initialize_parameters([2, n_h, 1], "scaled", rng=2)

        def costs(parameters, iterations=iterations):
            return np.asarray(vector.train(X, Y, parameters, ["tanh", "sigmoid"], 1.2, iterations, 1000)[1])

        reference = costs(start)
        spread = np.zeros_like(reference)
        for _ in range(draws):
            perturbed = {key: value * (1 + 1e-15 * rng.standard_normal(value.shape)) for key, value in start.items()}
            spread = np.maximum(spread, np.abs(costs(perturbed) - reference) / np.abs(reference))
        row = " ".join(f"{i * 1000}: {s:.1e}" for i, s in enumerate(spread))
        print(f"n_h {n_h:3d} ({iterations} iterations, {draws} draws): {row}", flush=True)


if __name__ == "__main__":
    main()
