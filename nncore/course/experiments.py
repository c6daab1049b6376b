"""The course's experiments, one function each, run exactly as the course runs them.

Each function's defaults are the course's recipe in
:mod:`nncore.course.recipes` (data, layer sizes, activations, initialisation
and seed, learning rate, iterations, how often the cost is recorded); any of
them can be overridden, e.g. ``num_iterations=10`` for a quick run. ``tier``
is any name in :data:`nncore.TIERS`. The random draws happen in the course's
order: an int seed seeds a fresh ``numpy.random.RandomState`` and W1, W2, ...
are drawn in layer order (see :func:`nncore.initialize_parameters`).
"""

import copy
import time

import numpy as np

from nncore import datasets
from nncore.course.data import cat_data
from nncore.course.parallel import run_parallel
from nncore.course.recipes import DEEP_CATS, LOGREG_CATS, LOGREG_CATS_RATES, PLANAR, PLANAR_HIDDEN_SIZES, TWO_LAYER_CATS
from nncore.course.results import Sweep, Training
from nncore.estimators import LogisticRegression, Network

#: The hidden sizes of the course's planar sweep.
HIDDEN_SIZES = PLANAR_HIDDEN_SIZES.values

#: The learning rates the course compares on the cats.
LEARNING_RATES = LOGREG_CATS_RATES.values


def _training(experiment, estimator, layer_dims, activations, learning_rate, num_iterations, wall_time, train, test):
    """A :class:`Training` from a fitted estimator and the (X, Y) it is scored on."""
    return Training(
        experiment=experiment,
        tier=estimator.tier,
        layer_dims=tuple(layer_dims),
        activations=tuple(activations),
        learning_rate=learning_rate,
        num_iterations=num_iterations,
        cost_iterations=estimator.cost_iterations_,
        costs=estimator.costs_,
        train_accuracy=estimator.score(*train),
        test_accuracy=None if test is None else estimator.score(*test),
        wall_time=wall_time,
        parameters=estimator.parameters_,
    )


def _timed_fit(estimator, train, warm_up, **fit_args):
    """Fit `estimator` on ``train = (X, Y)``; returns the seconds the fit took.

    With `warm_up`, an untimed one-iteration fit of a copy on two samples
    comes first, so that a tier that compiles on first call (jit) does it
    there; the same dtypes and memory layout as the timed fit.
    """
    X, Y = train
    if warm_up:
        two = np.ascontiguousarray(X[:, :2]), np.ascontiguousarray(Y[:, :2])
        copy.deepcopy(estimator).fit(*two, **dict(fit_args, num_iterations=1))
    start = time.perf_counter()
    estimator.fit(X, Y, **fit_args)
    return time.perf_counter() - start


def _fit_logistic(experiment, tier, data, learning_rate, num_iterations, cost_every):
    """The course's logistic-regression ``model``: w = 0, b = 0, then ``optimize``."""
    model = LogisticRegression(tier=tier)
    train, test = (data.train_x, data.train_y), (data.test_x, data.test_y)
    wall_time = _timed_fit(
        model, train, True, learning_rate=learning_rate, num_iterations=num_iterations, cost_every=cost_every
    )
    layer_dims = LOGREG_CATS.layers(data.train_x.shape[0])
    return _training(
        experiment, model, layer_dims, model.activations, learning_rate, num_iterations, wall_time, train, test
    )


def _fit_network(
    experiment,
    tier,
    layer_dims,
    activations,
    init,
    seed,
    learning_rate,
    num_iterations,
    cost_every,
    train,
    test=None,
    warm_up=True,
):
    """Draw the initial parameters (`init`, `seed`), train with the tier's ``train``, score."""
    net = Network(layer_dims, activations, init=init, seed=seed, tier=tier)
    wall_time = _timed_fit(
        net, train, warm_up, learning_rate=learning_rate, num_iterations=num_iterations, cost_every=cost_every
    )
    return _training(experiment, net, layer_dims, activations, learning_rate, num_iterations, wall_time, train, test)


def logreg_cats(
    tier="vector",
    data=None,
    learning_rate=LOGREG_CATS.learning_rate,
    num_iterations=LOGREG_CATS.num_iterations,
    cost_every=LOGREG_CATS.cost_every,
):
    """Logistic regression on the cat images (course 1, week 2: ``model``).

    w = zeros (12288, 1), b = 0, gradient descent with the tier's
    ``optimize``. The course: cost 0.693147 at iteration 0 and 0.140872 at
    1900, train accuracy 99.04306220095694 %, test 70.0 %.

    Parameters
    ----------
    tier : str, default "vector"
    data : CatData, str or path-like, optional
        See :func:`nncore.course.cat_data`; default ``$NNCORE_DATA``.
    learning_rate : float, default 0.005
    num_iterations : int, default 2000
    cost_every : int, default 100

    Returns
    -------
    Training
    """
    return _fit_logistic(LOGREG_CATS.name, tier, cat_data(data), learning_rate, num_iterations, cost_every)


def logreg_cats_rates(
    tier="vector",
    data=None,
    learning_rates=LEARNING_RATES,
    num_iterations=LOGREG_CATS_RATES.num_iterations,
    cost_every=LOGREG_CATS.cost_every,
):
    """:func:`logreg_cats` at each learning rate, one after another (course 1, week 2).

    The course: train / test accuracy 99.52153110047847 / 68.0 % at 0.01,
    88.99521531100478 / 64.0 % at 0.001, 68.42105263157895 / 36.0 % at 0.0001.

    Returns
    -------
    Sweep
        ``varied="learning_rate"``.
    """
    data = cat_data(data)
    start = time.perf_counter()
    name = LOGREG_CATS_RATES.name
    runs = [_fit_logistic(name, tier, data, rate, num_iterations, cost_every) for rate in learning_rates]
    return Sweep(name, tier, LOGREG_CATS_RATES.varied, runs, wall_time=time.perf_counter() - start)


def _fit_planar(experiment, tier, X, Y, n_h, learning_rate, num_iterations, cost_every, warm_up=True):
    """The course's ``nn_model``: [2, n_h, 1], tanh then sigmoid, ``randn * 0.01`` after seed 2."""
    return _fit_network(
        experiment,
        tier,
        list(PLANAR.layers(X.shape[0], n_h)),
        list(PLANAR.activations),
        PLANAR.init,
        PLANAR.seed,
        learning_rate,
        num_iterations,
        cost_every,
        (X, Y),
        warm_up=warm_up,
    )


def planar(
    tier="vector",
    n_h=PLANAR.layer_dims[1],
    learning_rate=PLANAR.learning_rate,
    num_iterations=PLANAR.num_iterations,
    cost_every=PLANAR.cost_every,
):
    """The one-hidden-layer tanh network on the planar flower (course 1, week 3: ``nn_model``).

    ``datasets.planar()``; [2, 4, 1], tanh then sigmoid; ``RandomState(2)``:
    W1 = randn(4, 2) * 0.01, then W2 = randn(1, 4) * 0.01, zero biases.
    The course: cost 0.693048 at iteration 0, ..., 0.217504 at 7000, about
    0.2186 at 9000, accuracy printed as "90%" (``%d`` of 90.5).

    Returns
    -------
    Training
        ``test_accuracy`` is None: the course scores on the training points.
    """
    X, Y = datasets.planar()
    return _fit_planar(PLANAR.name, tier, X, Y, n_h, learning_rate, num_iterations, cost_every)


def planar_hidden_sizes(
    tier="vector",
    hidden_sizes=HIDDEN_SIZES,
    learning_rate=PLANAR.learning_rate,
    num_iterations=PLANAR_HIDDEN_SIZES.num_iterations,
    cost_every=PLANAR.cost_every,
    parallel=True,
    sequential=True,
    pool=None,
    workers=None,
    scheduler=None,
):
    """:func:`planar` for each hidden size, in parallel across the cores or a Dask cluster (course 1, week 3).

    Each size starts from its own ``RandomState(2)`` draw. The course prints
    no costs here (they are recorded every `cost_every` iterations all the
    same) and gives the accuracies 67.5, 67.25, 90.75, 90.5, 91.25, 90.0 and
    90.75 % for 1, 2, 3, 4, 5, 20 and 50 hidden units. The last two depend on
    rounding: perturbing the initial weights by 1e-15 gives 90.0 or 90.5 and
    90.25 or 90.75 %, and tiers that sum in another order land on either.

    Parameters
    ----------
    tier : str, default "vector"
    hidden_sizes : sequence of int, default (1, 2, 3, 4, 5, 20, 50)
    learning_rate : float, default 1.2
    num_iterations : int, default 5000
    cost_every : int, default 1000
    parallel : bool, default True
        Run the trainings through joblib in a pool of processes or threads,
        or on a Dask cluster (see :mod:`nncore.course.parallel` for which and
        why).
    sequential : bool, default True
        Also run them one after another in this process, to time against.
    pool : {"processes", "threads"}, optional
        Default: processes for the loop and vector tiers, threads for jit.
    workers : int, optional
        Default: one per core, at most one per hidden size; on a Dask cluster,
        one per worker thread.
    scheduler : str, optional
        A Dask scheduler's address (``tcp://HOST:8786``): run the parallel
        trainings on its workers instead of a pool here.

    Returns
    -------
    Sweep
        ``varied="n_h"``; `runs` are the parallel runs when `parallel`.
    """
    if not (parallel or sequential):
        raise ValueError("planar_hidden_sizes needs parallel=True or sequential=True (or both).")
    if len(hidden_sizes) == 0:
        raise ValueError("hidden_sizes must name at least one hidden layer size, e.g. (1, 2, 3, 4, 5, 20, 50).")
    X, Y = datasets.planar()
    # One warm-up for the sweep, untimed (a tier that compiles on first call does it here), none per training.
    _fit_planar("warm-up", tier, X, Y, min(hidden_sizes), learning_rate, 1, cost_every)
    tasks = [
        ("planar-hidden-sizes", tier, X, Y, n_h, learning_rate, num_iterations, cost_every, False)
        for n_h in hidden_sizes
    ]
    sweep = Sweep("planar-hidden-sizes", tier, "n_h", runs=[], wall_time=0.0)
    if sequential:
        start = time.perf_counter()
        sweep.runs = [_fit_planar(*task) for task in tasks]
        sweep.wall_time = sweep.sequential_wall_time = time.perf_counter() - start
    if parallel:
        largest_first = sorted(range(len(tasks)), key=lambda i: -hidden_sizes[i])
        runs, seconds, sweep.pool, sweep.workers = run_parallel(
            _fit_planar, tasks, tier, pool=pool, workers=workers, order=largest_first, scheduler=scheduler
        )
        if sequential:
            sweep.max_cost_difference = max(
                (float(np.max(np.abs(a.costs - b.costs), initial=0.0)) for a, b in zip(runs, sweep.runs)), default=0.0
            )
        sweep.runs, sweep.wall_time = runs, seconds
        sweep.parallel_wall_time = seconds
    return sweep


def _fit_cat_network(recipe, tier, data, learning_rate, num_iterations, cost_every):
    """`recipe`'s network trained on the cat images, scored on the training and the test images."""
    data = cat_data(data)
    return _fit_network(
        recipe.name,
        tier,
        list(recipe.layers(data.train_x.shape[0])),
        list(recipe.activations),
        recipe.init,
        recipe.seed,
        learning_rate,
        num_iterations,
        cost_every,
        (data.train_x, data.train_y),
        (data.test_x, data.test_y),
    )


def two_layer_cats(
    tier="vector",
    data=None,
    learning_rate=TWO_LAYER_CATS.learning_rate,
    num_iterations=TWO_LAYER_CATS.num_iterations,
    cost_every=TWO_LAYER_CATS.cost_every,
):
    """A two-layer ReLU network on the cat images (course 1, week 4: ``two_layer_model``).

    [12288, 7, 1], relu then sigmoid; ``RandomState(1)``: W1 = randn(7, 12288)
    * 0.01, then W2 = randn(1, 7) * 0.01, zero biases. The course: cost
    0.6930497356599888 at iteration 0 and 0.048554785628770206 at 2400, train
    accuracy 1.0 (printed 0.9999999999999998), test 0.72.

    Returns
    -------
    Training
    """
    return _fit_cat_network(TWO_LAYER_CATS, tier, data, learning_rate, num_iterations, cost_every)


def deep_cats(
    tier="vector",
    data=None,
    learning_rate=DEEP_CATS.learning_rate,
    num_iterations=DEEP_CATS.num_iterations,
    cost_every=DEEP_CATS.cost_every,
):
    """A four-layer ReLU network on the cat images (course 1, week 4: ``L_layer_model``).

    [12288, 20, 7, 5, 1], relu x3 then sigmoid; ``RandomState(1)``: for
    l = 1..4 in order, W_l = randn(n_l, n_{l-1}) / sqrt(n_{l-1}), zero biases.
    The course: cost 0.771749 at iteration 0 and 0.092878 at 2400, train
    accuracy 0.985645933014, test 0.8.

    Returns
    -------
    Training
    """
    return _fit_cat_network(DEEP_CATS, tier, data, learning_rate, num_iterations, cost_every)


#: Experiment name (as on the command line) -> function.
EXPERIMENTS = {
    "logreg-cats": logreg_cats,
    "logreg-cats-rates": logreg_cats_rates,
    "planar": planar,
    "planar-hidden-sizes": planar_hidden_sizes,
    "two-layer-cats": two_layer_cats,
    "deep-cats": deep_cats,
}

#: The experiments that need the cat data.
CAT_EXPERIMENTS = ("logreg-cats", "logreg-cats-rates", "two-layer-cats", "deep-cats")
