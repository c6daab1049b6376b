"""Figures of an experiment, like the course's: cost curves and planar decision boundaries.

Needs matplotlib (the ``plot`` extra: ``pip install 'nncore[plot]'``). Draws on
a ``matplotlib.figure.Figure`` directly, so no GUI backend or pyplot state is
involved.
"""

import numpy as np

from nncore import datasets
from nncore.course.results import Sweep
from nncore.tiers import get_tier

#: Points per axis of the grid the decision boundary is evaluated on.
GRID = 300


def _cost_axes(ax, runs, label):
    for run in runs:
        ax.plot(run.cost_iterations, run.costs, marker="." if len(run.costs) < 30 else None, label=label(run))
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    if len(runs) > 1:
        ax.legend(fontsize="small")


def _boundary_axes(ax, run, X, Y):
    """The course's ``plot_decision_boundary``: predicted class over a grid, the points on top.

    The grid is evaluated with the vector tier (the trained parameters are the
    run's, whatever tier trained them).
    """
    x_min, x_max = X[0].min() - 1, X[0].max() + 1
    y_min, y_max = X[1].min() - 1, X[1].max() + 1
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, GRID), np.linspace(y_min, y_max, GRID))
    grid = np.vstack([xx.ravel(), yy.ravel()])
    Z = get_tier("vector").predict(grid, run.parameters, list(run.activations)).reshape(xx.shape)
    ax.contourf(xx, yy, Z, levels=[-0.5, 0.5, 1.5], cmap="Spectral")
    ax.scatter(X[0], X[1], c=Y[0], s=8, cmap="Spectral", edgecolors="k", linewidths=0.3)
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
