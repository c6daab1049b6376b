"""The course's experiments as reproducible runs, in any tier.

One function per experiment of "Neural Networks and Deep Learning", run as the
course runs it (same data, seed, initialisation, learning rate and iteration
count) and returning a :class:`Training` (or a :class:`Sweep` of several):

* :func:`logreg_cats` (``logreg-cats``): week 2's ``model``, logistic
  regression on the cat images;
* :func:`logreg_cats_rates` (``logreg-cats-rates``): the same at three
  learning rates;
* :func:`planar` (``planar``): week 3's ``nn_model`` on the planar flower;
* :func:`planar_hidden_sizes` (``planar-hidden-sizes``): the same for seven
  hidden layer sizes, trained in parallel;
* :func:`two_layer_cats` (``two-layer-cats``): week 4's ``two_layer_model``;
* :func:`deep_cats` (``deep-cats``): week 4's ``L_layer_model``.

Each recipe is written once, in :mod:`nncore.course.recipes`, which
``nncore compare`` times too.

Examples
--------
>>> from nncore import course
>>> result = course.planar(tier="vector", num_iterations=1000)
>>> round(float(result.costs[0]), 6), result.train_accuracy > 0.85
(0.693048, True)

On the command line: ``python -m nncore course planar --tier vector``
(:func:`add_arguments` and :func:`run` are what the ``course`` subcommand
calls), or ``python -m nncore.course planar``.
"""

from nncore.course.command import add_arguments, run
from nncore.course.data import CatData, Data, cat_data, planar_data
from nncore.course.experiments import (
    CAT_EXPERIMENTS,
    EXPERIMENTS,
    deep_cats,
    logreg_cats,
    logreg_cats_rates,
    planar,
    planar_hidden_sizes,
    two_layer_cats,
)
from nncore.course.results import Sweep, Training

__all__ = [
    "CAT_EXPERIMENTS",
    "EXPERIMENTS",
    "CatData",
    "Data",
    "Sweep",
    "Training",
    "add_arguments",
    "cat_data",
    "deep_cats",
    "logreg_cats",
    "logreg_cats_rates",
    "planar",
    "planar_hidden_sizes",
    "planar_data",
    "run",
    "two_layer_cats",
]
