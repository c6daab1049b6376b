"""Figures of an experiment, like the course's: cost curves and planar decision boundaries.

:func:`decision_boundary` is also what ``nncore compare --plot`` draws.

Needs matplotlib (the ``plot`` extra: from the checkout, ``pip install -e '.[plot]'``). Draws on
a ``matplotlib.figure.Figure`` directly, so no GUI backend or pyplot state is
involved.
"""

import numpy as np

from nncore import datasets
from nncore.course.results import Sweep
from nncore.tiers import get_tier

#: Points per axis of the grid the decision boundary is evaluated on.
GRID = 300

#: Label -> colour of the two classes, for the points and (lighter) the regions predicted for them:
#: the planar flower's red and blue petals.
CLASS_COLOURS = {0: "#d7301f", 1: "#2b6cb0"}

#: How much lighter the predicted regions are than the points (the regions' alpha).
REGION_ALPHA = 0.35

#: Tier -> colour of its cost curves, in ``nncore course --plot`` and ``nncore compare --plot`` alike
#: (Okabe-Ito colours, apart from the classes' red and blue); a tier not listed gets :data:`OTHER_TIER`.
TIER_COLOURS = {"loop": "#555555", "vector": "#e69f00", "jit": "#009e73"}
OTHER_TIER = "#cc79a7"


def tier_colour(tier):
    """The colour of `tier`'s cost curves (:data:`TIER_COLOURS`)."""
    return TIER_COLOURS.get(tier, OTHER_TIER)


def _cost_axes(ax, runs, label):
    # one run: its tier's colour; several runs of one tier (a sweep): shades of a sequential map
    shades = [tier_colour(runs[0].tier)] if len(runs) == 1 else None
    if shades is None:
        from matplotlib import colormaps

        shades = [colormaps["viridis"](i / max(len(runs) - 1, 1) * 0.9) for i in range(len(runs))]
    for run, colour in zip(runs, shades):
        ax.plot(
            run.cost_iterations,
            run.costs,
            marker="." if len(run.costs) < 30 else None,
            color=colour,
            label=label(run),
        )
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    if len(runs) > 1:
        ax.legend(fontsize="small")


def decision_boundary(ax, parameters, activations, X, Y):
    """The course's ``plot_decision_boundary``: the predicted class over a grid, the points on top.

    The grid spans the points' range plus 1 on each side, :data:`GRID` points
    per axis, and is evaluated with the vector tier, whatever tier trained
    `parameters`. Each class has one colour (:data:`CLASS_COLOURS`), lighter
    for the region predicted for it; a legend names them.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    parameters : dict
        A trained network's ``{"W1", "b1", ...}`` for two inputs; any float
        dtype (evaluated in float64).
    activations : sequence of str
        One per layer, the last ``"sigmoid"``.
    X : ndarray of shape (2, m)
        The points, one per column.
    Y : ndarray of shape (1, m)
        Their labels, 0 or 1.
    """
    x_min, x_max = X[0].min() - 1, X[0].max() + 1
    y_min, y_max = X[1].min() - 1, X[1].max() + 1
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, GRID), np.linspace(y_min, y_max, GRID))
    grid = np.vstack([xx.ravel(), yy.ravel()])
    parameters = {key: np.asarray(value, np.float64) for key, value in parameters.items()}
    Z = get_tier("vector").predict(grid, parameters, list(activations)).reshape(xx.shape)
    colours = [CLASS_COLOURS[0], CLASS_COLOURS[1]]
    ax.contourf(xx, yy, Z, levels=[-0.5, 0.5, 1.5], colors=colours, alpha=REGION_ALPHA)
    for label, colour in CLASS_COLOURS.items():
        points = X[:, Y[0] == label]
        ax.scatter(points[0], points[1], color=colour, s=8, edgecolors="k", linewidths=0.3, label=f"y = {label}")
    ax.legend(loc="upper right", fontsize="small", markerscale=2)


def _boundary_axes(ax, run, X, Y):
    """A run's :func:`decision_boundary`, titled with its hidden size and accuracy."""
    decision_boundary(ax, run.parameters, run.activations, X, Y)
    ax.set_title(f"n_h = {run.n_h}: {run.train_accuracy * 100:g} %", fontsize="medium")
    ax.set_xticks([])
    ax.set_yticks([])


def figure(result):
    """The figure of an experiment's result.

    Parameters
    ----------
    result : Training or Sweep
        What an experiment of :mod:`nncore.course` returned.

    Returns
    -------
    matplotlib.figure.Figure
        The cost curve(s); for the planar experiments also the decision
        boundary over the data, one panel per hidden size for the sweep.
    """
    from matplotlib.figure import Figure

    runs = result.runs if isinstance(result, Sweep) else [result]
    planar = result.experiment.startswith("planar")
    title = f"{result.experiment} ({result.tier} tier)"
    if isinstance(result, Sweep) and planar:
        columns = 4
        rows = -(-(len(runs) + 1) // columns)
        fig = Figure(figsize=(3.2 * columns, 3.0 * rows), layout="constrained")
        axes = fig.subplots(rows, columns, squeeze=False).ravel()
        X, Y = datasets.planar()
        for ax, run in zip(axes, runs):
            _boundary_axes(ax, run, X, Y)
        _cost_axes(axes[len(runs)], runs, lambda run: f"n_h = {run.n_h}")
        for ax in axes[len(runs) + 1 :]:
            ax.set_visible(False)
    elif planar:
        fig = Figure(figsize=(10, 4), layout="constrained")
        cost_ax, boundary_ax = fig.subplots(1, 2)
        _cost_axes(cost_ax, runs, lambda run: run.experiment)
        _boundary_axes(boundary_ax, result, *datasets.planar())
    else:
        fig = Figure(figsize=(6, 4), layout="constrained")
        _cost_axes(fig.subplots(), runs, lambda run: f"learning rate {run.learning_rate:g}")
    fig.suptitle(title)
    return fig


def save(result, path):
    """Save :func:`figure` of `result` to `path` (the format from its suffix, e.g. .png)."""
    figure(result).savefig(path, dpi=100)
