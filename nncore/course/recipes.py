"""The course's training recipes, each written once.

A :class:`Recipe` is one training run as the course makes it: the data, the
layer sizes and activations, how the initial weights are drawn, the learning
rate, the number of iterations and how often the cost is recorded. A
:class:`SweepRecipe` is a recipe repeated over the values of one setting.

:mod:`nncore.course.experiments` runs them as the course does, and
:mod:`nncore.bench.workloads` times them (with iteration counts of its own).
"""

from dataclasses import dataclass

#: What a recipe trains on: the planar flower, the course's cat images, or seeded random samples.
DATA = ("planar", "cats", "random")

#: The tier function each model trains with.
TRAINERS = {"network": "train", "logistic": "optimize"}


@dataclass(frozen=True)
class Recipe:
    """One training run of the course.

    Attributes
    ----------
    name : str
        The experiment's name on the command line, e.g. ``"deep-cats"``.
    data : {"planar", "cats", "random"}
        What it trains on (see :mod:`nncore.course.data`).
    layer_dims : tuple of int
        ``(n_x, n[1], ..., n[L])`` for the course's data; ``(12288, 1)`` for
        logistic regression. :meth:`layers` adapts it to other data.
    activations : tuple of str
        One per layer; the last is ``"sigmoid"``.
    init : {"he", "scaled", "zeros"}
        How :func:`nncore.initialize_parameters` draws the initial weights.
    seed : int or None
        The course's ``np.random.seed``; None where nothing is drawn (``"zeros"``).
    learning_rate : float
    num_iterations : int
    cost_every : int
        The cost is recorded at iterations 0, cost_every, 2 * cost_every, ...
    model : {"network", "logistic"}
        A :class:`nncore.Network` (trained with the tier's ``train``) or a
        :class:`nncore.LogisticRegression` from ``w = 0, b = 0`` (``optimize``).
    """

    name: str
    data: str
    layer_dims: tuple
    activations: tuple
    init: str
    seed: int | None
    learning_rate: float
    num_iterations: int
    cost_every: int
    model: str = "network"

    def __post_init__(self):
        if self.data not in DATA:
            raise ValueError(f"recipe {self.name!r}: data must be one of {DATA}; got {self.data!r}.")
        if self.model not in TRAINERS:
            raise ValueError(f"recipe {self.name!r}: model must be one of {tuple(TRAINERS)}; got {self.model!r}.")
        if len(self.activations) != len(self.layer_dims) - 1:
            raise ValueError(
                f"recipe {self.name!r}: {len(self.layer_dims) - 1} layers but {len(self.activations)} activations."
            )

    @property
    def trainer(self):
        """The tier function that trains it: ``"train"`` or ``"optimize"``."""
        return TRAINERS[self.model]

    def layers(self, n_x, n_h=None):
        """`layer_dims` for inputs of `n_x` features, with the first hidden layer `n_h` units wide if given.

        Parameters
        ----------
        n_x : int
            The data's number of features (rows of X).
        n_h : int, optional
            The first hidden layer's size (the planar sweep's variable).

        Returns
        -------
        tuple of int
        """
        dims = [n_x, *self.layer_dims[1:]]
        if n_h is not None:
            if len(dims) < 3:
                raise ValueError(f"recipe {self.name!r} has no hidden layer whose size n_h could set.")
            dims[1] = n_h
        return tuple(dims)


@dataclass(frozen=True)
class SweepRecipe:
    """A recipe trained once per value of one setting, from the same start each time.

    Attributes
    ----------
    name : str
    recipe : Recipe
        Everything but the varied setting and the iteration count.
    varied : {"n_h", "learning_rate"}
    values : tuple
        The values of `varied`, in the course's order.
    num_iterations : int
    """

    name: str
    recipe: Recipe
    varied: str
    values: tuple
    num_iterations: int


#: Course 1, week 3, ``nn_model``: the one-hidden-layer tanh network on the planar flower;
#: W = randn * 0.01 after ``np.random.seed(2)``.
PLANAR = Recipe(
    "planar",
    data="planar",
    layer_dims=(2, 4, 1),
    activations=("tanh", "sigmoid"),
    init="scaled",
    seed=2,
    learning_rate=1.2,
    num_iterations=10000,
    cost_every=1000,
)

#: Course 1, week 3: ``nn_model`` for each hidden layer size.
PLANAR_HIDDEN_SIZES = SweepRecipe(
    "planar-hidden-sizes", PLANAR, varied="n_h", values=(1, 2, 3, 4, 5, 20, 50), num_iterations=5000
)

#: Course 1, week 2, ``model``: logistic regression on the cat images from w = 0, b = 0.
LOGREG_CATS = Recipe(
    "logreg-cats",
    data="cats",
    layer_dims=(12288, 1),
    activations=("sigmoid",),
    init="zeros",
    seed=None,
    learning_rate=0.005,
    num_iterations=2000,
    cost_every=100,
    model="logistic",
)

#: Course 1, week 2: ``model`` at three learning rates.
LOGREG_CATS_RATES = SweepRecipe(
    "logreg-cats-rates", LOGREG_CATS, varied="learning_rate", values=(0.01, 0.001, 0.0001), num_iterations=1500
)

#: Course 1, week 4, ``two_layer_model``: W = randn * 0.01 after ``np.random.seed(1)``.
TWO_LAYER_CATS = Recipe(
    "two-layer-cats",
    data="cats",
    layer_dims=(12288, 7, 1),
    activations=("relu", "sigmoid"),
    init="scaled",
    seed=1,
    learning_rate=0.0075,
    num_iterations=2500,
    cost_every=100,
)

#: Course 1, week 4, ``L_layer_model``: W[l] = randn / sqrt(n[l-1]) after ``np.random.seed(1)``.
DEEP_CATS = Recipe(
    "deep-cats",
    data="cats",
    layer_dims=(12288, 20, 7, 5, 1),
    activations=("relu", "relu", "relu", "sigmoid"),
    init="he",
    seed=1,
    learning_rate=0.0075,
    num_iterations=2500,
    cost_every=100,
)

#: Every recipe and sweep by name, in the course's order.
RECIPES = {r.name: r for r in (LOGREG_CATS, LOGREG_CATS_RATES, PLANAR, PLANAR_HIDDEN_SIZES, TWO_LAYER_CATS, DEEP_CATS)}
