"""The course's three training workloads, runnable in any tier.

Each :class:`Workload` knows its data, its initial parameters, which tier
function trains it and how to score the result:

* ``planar``: the one-hidden-layer network ``[2, 4, 1]`` (tanh, sigmoid) on the
  planar flower, the course's ``nn_model`` (``"scaled"`` weights after seed 2,
  learning rate 1.2), trained with the tier's ``train``;
* ``logreg-cats``: logistic regression on the cat images from ``w = 0``,
  ``b = 0`` with learning rate 0.005, the course's ``model``, trained with the
  tier's ``optimize``;
* ``deep-cats``: the L-layer network ``[12288, 20, 7, 5, 1]`` (ReLU x 3,
  sigmoid), ``"he"`` weights after seed 1, learning rate 0.0075, the course's
  ``L_layer_model``, trained with the tier's ``train``;
* ``wide`` (run only when asked for): a ``[1024, 512, 256, 1]`` ReLU network
  on 65536 seeded random samples, where the matrix products are large enough
  for the machine's GEMM peak to bound the time.
"""

from dataclasses import dataclass

import numpy as np

from nncore.datasets import flatten_images, load_cat, planar
from nncore.initializers import initialize_parameters


@dataclass(frozen=True)
class Data:
    """A workload's samples in the computation's dtype; the test set may be absent."""

    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray | None = None
    Y_test: np.ndarray | None = None


@dataclass(frozen=True)
class Workload:
    """One course training run.

    Attributes
    ----------
    name : str
    description : str
        One line for the report.
    layer_dims : tuple of int
        ``(n_x, n[1], ..., n[L])``; ``(12288, 1)`` for logistic regression.
    activations : tuple of str
        One per layer; the last is ``"sigmoid"``.
    init : {"he", "scaled", "zeros"}
    seed : int
        How :func:`nncore.initialize_parameters` draws the initial weights.
    learning_rate : float
    iterations : int
        Default number of iterations for the fast tiers.
    loop_iterations : int
        Default number of iterations for the loop tier; the tiers are compared
        with it over that many iterations. 0: the loop tier does not run by default.
    needs_cat_data : bool
    trainer : {"train", "optimize"}
        The tier function that trains it.
    synthetic_samples : int
        When positive, the data are this many seeded random samples in [0, 1)
        with random labels instead of a course data set.
    by_default : bool
        Whether ``nncore compare`` runs it without ``--workloads``.
    """

    name: str
    description: str
    layer_dims: tuple
    activations: tuple
    init: str
    seed: int
    learning_rate: float
    iterations: int
    loop_iterations: int
    needs_cat_data: bool
    trainer: str = "train"
    synthetic_samples: int = 0
    by_default: bool = True

    def load(self, dtype=np.float64, folder=None):
        """The samples, in `dtype` (cat images flattened and divided by 255).

        Raises
        ------
        FileNotFoundError, ValueError, ImportError
            From :func:`nncore.datasets.load_cat` when the cat data cannot be read.
        """
        if self.synthetic_samples:
            rng = np.random.default_rng(self.seed)
            shape = (self.synthetic_samples, self.layer_dims[0])
            X = rng.random(shape, dtype=np.float64).astype(dtype).T  # each sample contiguous, as flatten_images
            return Data(X, (rng.random((1, self.synthetic_samples)) < 0.5).astype(dtype))
        if not self.needs_cat_data:
            X, Y = planar()
            return Data(X.astype(dtype), Y.astype(dtype))
        train_x, train_y, test_x, test_y, _ = load_cat(folder)
        return Data(
            flatten_images(train_x, dtype),
            train_y.astype(dtype),
            flatten_images(test_x, dtype),
            test_y.astype(dtype),
        )

    def load_size(self):
        """The number of training samples, without loading them."""
        if self.synthetic_samples:
            return self.synthetic_samples
        return 209 if self.needs_cat_data else 400

    def initial_parameters(self, dtype=np.float64):
        """The course's starting point: ``{"W1", "b1", ...}``, or ``{"w", "b"}`` for logistic regression."""
        parameters = initialize_parameters(self.layer_dims, self.init, rng=self.seed, dtype=dtype)
        if self.trainer == "optimize":
            return {"w": np.ascontiguousarray(parameters["W1"].T), "b": 0.0}
        return parameters

    def run(self, tier, data, parameters, num_iterations, cost_every=1):
        """Train in `tier` from `parameters` (not modified).

        Returns
        -------
        parameters : dict
            The trained parameters, in the form of :meth:`initial_parameters`.
        costs : ndarray of float64
            The cost before the update at iterations 0, cost_every, ...
        """
        if self.trainer == "optimize":
            params, _, costs = tier.optimize(
                parameters["w"],
                parameters["b"],
                data.X_train,
                data.Y_train,
                num_iterations,
                self.learning_rate,
                cost_every,
            )
            return params, costs
        return tier.train(
            data.X_train,
            data.Y_train,
            parameters,
            list(self.activations),
            self.learning_rate,
            num_iterations,
            cost_every,
        )

    def network(self, parameters):
        """`parameters` as a network's ``{"W1", "b1", ...}`` (logistic regression: one sigmoid layer)."""
        if self.trainer == "optimize":
            w = np.asarray(parameters["w"])
            return {"W1": w.T, "b1": np.full((1, 1), parameters["b"], dtype=w.dtype)}
        return parameters

    def accuracy(self, tier, parameters, X, Y):
        """The fraction of samples of `X` whose label `tier.predict` gets right."""
        predictions = tier.predict(X, self.network(parameters), list(self.activations))
        return float(np.mean(predictions == Y))


#: The workloads by name, in the order ``nncore compare`` runs them.
WORKLOADS = {
    w.name: w
    for w in (
        Workload(
            "planar",
            "[2, 4, 1] tanh/sigmoid network on the planar flower (m = 400), learning rate 1.2",
            (2, 4, 1),
            ("tanh", "sigmoid"),
            "scaled",
            2,
            1.2,
            iterations=1000,
            loop_iterations=50,
            needs_cat_data=False,
        ),
        Workload(
            "logreg-cats",
            "logistic regression on the cat images (m = 209), w = 0, learning rate 0.005",
            (12288, 1),
            ("sigmoid",),
            "zeros",
            0,
            0.005,
            iterations=200,
            loop_iterations=2,
            needs_cat_data=True,
            trainer="optimize",
        ),
        Workload(
            "deep-cats",
            "[12288, 20, 7, 5, 1] ReLU x3/sigmoid network on the cat images, learning rate 0.0075",
            (12288, 20, 7, 5, 1),
            ("relu", "relu", "relu", "sigmoid"),
            "he",
            1,
            0.0075,
            # the loop tier takes ~25 s per iteration here on 2 cores: only when asked for
            iterations=50,
            loop_iterations=0,
            needs_cat_data=True,
        ),
        Workload(
            "wide",
            "[1024, 512, 256, 1] ReLU x2/sigmoid network on 65536 random samples, learning rate 0.01",
            (1024, 512, 256, 1),
            ("relu", "relu", "sigmoid"),
            "he",
            1,
            0.01,
            # ~2 s per iteration in the vector tier and 0.5 GB of data: only when asked for
            iterations=3,
            loop_iterations=0,
            needs_cat_data=False,
            synthetic_samples=65536,
            by_default=False,
        ),
    )
}

#: The workloads ``nncore compare`` and the asv suite run by default.
DEFAULT_WORKLOADS = tuple(name for name, w in WORKLOADS.items() if w.by_default)
