"""The course's training recipes as timed workloads, runnable in any tier.

A :class:`Workload` is a recipe of :mod:`nncore.course.recipes` plus the
settings of a timed run (iterations, the loop tier's iterations, whether it
runs by default). It knows its data, its initial parameters, which tier
function trains it and how to score the result:

* ``planar``: the course's ``nn_model`` (:data:`~nncore.course.recipes.PLANAR`),
  trained with the tier's ``train``;
* ``logreg-cats``: the course's ``model``, logistic regression from ``w = 0``,
  ``b = 0`` (:data:`~nncore.course.recipes.LOGREG_CATS`), trained with the
  tier's ``optimize``;
* ``deep-cats``: the course's ``L_layer_model``
  (:data:`~nncore.course.recipes.DEEP_CATS`), trained with the tier's ``train``;
* ``wide`` (run only when asked for): :data:`WIDE`, a ReLU network on seeded
  random samples, where the matrix products are large enough for the
  machine's GEMM peak to bound the time.
"""

import itertools
from dataclasses import dataclass

import numpy as np

from nncore.course.data import Data, cat_data, planar_data
from nncore.course.recipes import DEEP_CATS, LOGREG_CATS, PLANAR, Recipe
from nncore.initializers import initialize_parameters

#: How the descriptions name the hidden activations.
_ACTIVATION_NAMES = {"relu": "ReLU", "leaky_relu": "leaky ReLU"}

#: Training samples of the course's data sets, known without loading them.
_SAMPLES = {"planar": 400, "cats": 209}


def _activations_text(activations):
    """``"ReLU x3/sigmoid"`` for ``("relu", "relu", "relu", "sigmoid")``."""
    hidden = []
    for name, run in itertools.groupby(activations[:-1]):
        count = len(list(run))
        hidden.append(_ACTIVATION_NAMES.get(name, name) + (f" x{count}" if count > 1 else ""))
    return "/".join([*hidden, activations[-1]])


@dataclass(frozen=True)
class Workload:
    """A course recipe as ``nncore compare`` and the asv suite time it.

    Attributes
    ----------
    recipe : nncore.course.recipes.Recipe
        What is trained, and how (its layers, initialisation, seed, learning
        rate); its iteration counts are the course's, not the timed runs'.
    trained_on : str
        The data, as the description names them: ``"the planar flower (m = 400)"``.
    iterations : int
        Default number of iterations for the fast tiers.
    loop_iterations : int
        Default number of iterations for the loop tier; the tiers are compared
        with it over that many iterations. 0: the loop tier does not run by default.
    samples : int
        For a recipe on ``"random"`` data: this many seeded random samples in
        [0, 1) with random labels.
    by_default : bool
        Whether ``nncore compare`` runs it without ``--workloads``.
    """

    recipe: Recipe
    trained_on: str
    iterations: int
    loop_iterations: int
    samples: int = 0
    by_default: bool = True

    @property
    def name(self):
        return self.recipe.name

    @property
    def layer_dims(self):
        return self.recipe.layer_dims

    @property
    def activations(self):
        return self.recipe.activations

    @property
    def learning_rate(self):
        return self.recipe.learning_rate

    @property
    def trainer(self):
        """The tier function that trains it: ``"train"`` or ``"optimize"``."""
        return self.recipe.trainer

    @property
    def needs_cat_data(self):
        return self.recipe.data == "cats"

    @property
    def description(self):
        """One line for the report, e.g. ``"[2, 4, 1] tanh/sigmoid network on the planar flower (m = 400), ..."``."""
        rate = f"learning rate {self.learning_rate}"
        if self.trainer == "optimize":
            return f"logistic regression on {self.trained_on}, w = 0, {rate}"
        network = f"{list(self.layer_dims)} {_activations_text(self.activations)} network"
        return f"{network} on {self.trained_on}, {rate}"

    def load(self, dtype=np.float64, folder=None):
        """The samples, in `dtype` (cat images flattened and divided by 255).

        Returns
        -------
        nncore.course.data.Data

        Raises
        ------
        FileNotFoundError, ValueError, ImportError
            From :func:`nncore.course.data.cat_data` when the cat data cannot be read.
        """
        if self.recipe.data == "random":
            rng = np.random.default_rng(self.recipe.seed)
            shape = (self.samples, self.layer_dims[0])
            X = rng.random(shape, dtype=np.float64).astype(dtype).T  # each sample contiguous, as flatten_images
            return Data(X, (rng.random((1, self.samples)) < 0.5).astype(dtype))
        if self.recipe.data == "planar":
            return planar_data(dtype)
        return cat_data(folder, dtype)

    def load_size(self):
        """The number of training samples, without loading them."""
        return self.samples if self.recipe.data == "random" else _SAMPLES[self.recipe.data]

    def initial_parameters(self, dtype=np.float64):
        """The course's starting point: ``{"W1", "b1", ...}``, or ``{"w", "b"}`` for logistic regression."""
        recipe = self.recipe
        parameters = initialize_parameters(recipe.layer_dims, recipe.init, rng=recipe.seed, dtype=dtype)
        if self.trainer == "optimize":
            return {"w": np.ascontiguousarray(parameters["W1"].T), "b": 0.0}
        return parameters

    def run(self, tier, data, parameters, num_iterations, cost_every=1):
        """Train in `tier` from `parameters` (not modified) on ``data.train_x``, ``data.train_y``.

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
                data.train_x,
                data.train_y,
                num_iterations,
                self.learning_rate,
                cost_every,
            )
            return params, costs
        return tier.train(
            data.train_x,
            data.train_y,
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


#: Not a course recipe: a network whose matrix products are large enough for the machine's GEMM
#: peak to bound the time.
WIDE = Recipe(
    "wide",
    data="random",
    layer_dims=(1024, 512, 256, 1),
    activations=("relu", "relu", "sigmoid"),
    init="he",
    seed=1,
    learning_rate=0.01,
    num_iterations=3,
    cost_every=1,
)

#: The workloads by name, in the order ``nncore compare`` runs them.
WORKLOADS = {
    w.name: w
    for w in (
        Workload(PLANAR, "the planar flower (m = 400)", iterations=1000, loop_iterations=50),
        Workload(LOGREG_CATS, "the cat images (m = 209)", iterations=200, loop_iterations=2),
        # the loop tier is too slow here (see measure.LOOP_SECONDS_PER_MAC): only when asked for
        Workload(DEEP_CATS, "the cat images", iterations=50, loop_iterations=0),
        # 0.5 GB of data and seconds per iteration in the vector tier: only when asked for
        Workload(WIDE, "65536 random samples", iterations=3, loop_iterations=0, samples=65536, by_default=False),
    )
}

#: The workloads ``nncore compare`` and the asv suite run by default.
DEFAULT_WORKLOADS = tuple(name for name, w in WORKLOADS.items() if w.by_default)
