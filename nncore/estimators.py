"""The estimators: :class:`Network` (L layers) and :class:`LogisticRegression`.

Both train with one tier's functions (``tier="loop"``, ``"vector"``, ...) and
share their prediction code: a fitted logistic regression is a one-layer
sigmoid network with ``W1 = w.T`` and ``b1 = [[b]]``.
"""

import numpy as np

from nncore import persistence, validation
from nncore.errors import NotFittedError
from nncore.initializers import METHODS, as_random_state, initialize_parameters
from nncore.tiers import get_tier


def _check_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64; got {dtype}.")
    return dtype


class _Classifier:
    """Prediction and scoring of a fitted binary classifier.

    Subclasses set ``tier``, ``dtype``, ``activations`` (one name per layer)
    and, in ``fit``, ``parameters_``, ``costs_`` and ``cost_iterations_``.
    """

    def _tier(self):
        return get_tier(self.tier)

    def _check_fitted(self):
        if not hasattr(self, "parameters_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(X, Y) before predict, predict_proba or score."
            )

    def _as_X(self, X, n_x=None):
        """X as an (n_x, m) array of the estimator's dtype; any n_x when `n_x` is None."""
        X = validation.as_numeric(X, "X")
        validation.require_shape(X, "X", ("n_x", "m"))
        validation.require_samples(X, "X")
        if n_x is not None and X.shape[0] != n_x:
            hint = " X looks transposed: samples must be its columns, so use X.T." if X.shape[1] == n_x else ""
            raise ValueError(f"X has {X.shape[0]} features (rows) but the model's input layer has n_x = {n_x}.{hint}")
        return X.astype(self.dtype, copy=False)

    def _as_Y(self, Y, X):
        return validation.labels(Y, X.shape[1], X=X).astype(self.dtype, copy=False)

    def _fitted_X(self, X):
        self._check_fitted()
        return self._as_X(X, self.parameters_["W1"].shape[1])

    def predict_proba(self, X):
        """The network's output: the probability of label 1 for each sample.

        Parameters
        ----------
        X : array_like of shape (n_x, m)

        Returns
        -------
        AL : ndarray of shape (1, m), in the estimator's dtype
        """
        AL, _ = self._tier().model_forward(self._fitted_X(X), self.parameters_, self.activations)
        return AL

    def predict(self, X):
        """Predicted labels: 1 where :meth:`predict_proba` is > 0.5, else 0.

        Parameters
        ----------
        X : array_like of shape (n_x, m)

        Returns
        -------
        predictions : ndarray of shape (1, m), 0.0 or 1.0 in the estimator's dtype
        """
        return self._tier().predict(self._fitted_X(X), self.parameters_, self.activations)

    def score(self, X, Y):
        """Accuracy: the fraction of samples whose predicted label equals `Y`.

        Parameters
        ----------
        X : array_like of shape (n_x, m)
        Y : array_like of shape (1, m)
            Labels, 0 or 1.

        Returns
        -------
        accuracy : float in [0, 1]
            The course's percentage ``100 - mean(|Y_prediction - Y|) * 100``
            divided by 100.
        """
        X = self._fitted_X(X)
        Y = self._as_Y(Y, X)
        return float(np.mean(self.predict(X) == Y))

    def save(self, path):
        """Save the fitted estimator to an ``.npz`` file, atomically (:mod:`nncore.persistence`).

        Parameters
        ----------
        path : str or os.PathLike
            Written exactly as given; an existing file is replaced only once the
            new one is complete.
        """
        persistence.save_estimator(path, self)

    @classmethod
    def load(cls, path, tier=None):
        """Load an estimator saved by :meth:`save`, fitted as it was.

        Parameters
        ----------
        path : str or os.PathLike
        tier : str, optional
            Default: the tier it was fitted with, or ``"vector"`` where that
            tier is not installed.

        Raises
        ------
        ValueError
            Naming the file, when it is not a sound file of this class.
        """
        return persistence.load_estimator(path, cls, tier)

    def _fit_state(self):
        if not hasattr(self, "parameters_"):
            return "not fitted"
        if len(self.costs_) == 0:
            return "fitted, 0 iterations"
        return f"fitted, cost {self.costs_[-1]:.6g} at iteration {self.cost_iterations_[-1]}"

    def _record(self, parameters, costs, num_iterations, cost_every):
        self.parameters_ = parameters
        self.costs_ = costs
        self.cost_iterations_ = np.arange(0, num_iterations, cost_every)


class Network(_Classifier):
    """An L-layer binary classifier trained by batch gradient descent on the cross-entropy.

    Parameters
    ----------
    layer_dims : sequence of int, length L + 1
        ``[n_x, n[1], ..., n[L]]``: the input size, then each layer's units.
        At least ``[n_x, n_out]``; binary labels need ``n[L] = 1`` to train.
    activations : sequence of str, length L, optional
        One of ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"leaky_relu"`` per
        layer; the last must be ``"sigmoid"``. Default: ReLU hidden layers and
        a sigmoid output (the course's L-layer model).
    init : {"he", "scaled", "zeros"}, default "he"
        How :func:`nncore.initialize_parameters` draws the initial weights.
    seed : int, numpy.random.Generator, numpy.random.RandomState or None
        Source of the initial weights; an int reproduces the course's
        ``np.random.seed(seed)``. None draws fresh weights at each fit.
    tier : str, default "vector"
        The tier that computes: any name in :data:`nncore.TIERS`.
    dtype : float32 or float64, default float64
        X, Y and the parameters are converted to it.

    Attributes
    ----------
    parameters_ : dict
        ``{"W1": (n[1], n_x), "b1": (n[1], 1), ...}`` after :meth:`fit`.
    costs_ : ndarray of shape (ceil(num_iterations / cost_every),), float64
        The cost before the update at each iteration of `cost_iterations_`.
    cost_iterations_ : ndarray of int
        ``0, cost_every, 2 * cost_every, ...``.

    Raises
    ------
    NotFittedError
        From :meth:`predict`, :meth:`predict_proba` and :meth:`score` before
        :meth:`fit`.

    Examples
    --------
    >>> from nncore.datasets import planar
    >>> X, Y = planar()
    >>> net = Network([2, 4, 1], ["tanh", "sigmoid"], init="scaled", seed=2)
    >>> net.fit(X, Y, learning_rate=1.2, num_iterations=1000).score(X, Y) > 0.85
    True
    """

    def __init__(self, layer_dims, activations=None, init="he", seed=None, tier="vector", dtype=np.float64):
        if isinstance(layer_dims, (str, bytes)) or not hasattr(layer_dims, "__len__"):
            raise TypeError(
                f"layer_dims must be a sequence of layer sizes like [12288, 20, 7, 5, 1]; got {layer_dims!r}."
            )
        self.layer_dims = [validation.check_count(n, f"layer_dims[{i}]", 1) for i, n in enumerate(layer_dims)]
        L = len(self.layer_dims) - 1
        if L < 1:
            raise ValueError(
                f"layer_dims needs the input size and at least one layer, e.g. [n_x, 1]; got {list(layer_dims)}."
            )
        if activations is None:
            activations = ["relu"] * (L - 1) + ["sigmoid"]
        self.activations = list(validation.check_activations(activations, L, sigmoid_output=True))
        if init not in METHODS:
            raise ValueError(f"unknown init {init!r}; expected one of {', '.join(map(repr, METHODS))}.")
        self.init = init
        if seed is not None:
            as_random_state(seed)  # refuses what cannot seed the draws
        self.seed = seed
        get_tier(tier)  # refuses an unknown tier, listing the known ones
        self.tier = tier
        self.dtype = _check_dtype(dtype)

    def _initial_parameters(self, parameters):
        """The caller's initial parameters, checked against layer_dims, as new arrays."""
        L = len(self.layer_dims) - 1
        found = validation.n_layers_of(parameters, "initial_parameters")
        if found != L:
            raise ValueError(f"initial_parameters has {found} layers but layer_dims {self.layer_dims} has {L}.")
        copies = {}
        for l in range(1, L + 1):
            for key, shape in (
                (f"W{l}", (self.layer_dims[l], self.layer_dims[l - 1])),
                (f"b{l}", (self.layer_dims[l], 1)),
            ):
                if key not in parameters:
                    raise ValueError(f"initial_parameters has no {key!r}; each layer l needs W<l> and b<l>.")
                value = validation.as_numeric(parameters[key], f"initial_parameters[{key!r}]")
                validation.require_shape(
                    value, f"initial_parameters[{key!r}]", (f"n[{l}]", f"n[{l - 1}]" if key[0] == "W" else "1"), shape
                )
                copies[key] = value.astype(self.dtype, copy=True)
        return copies

    def fit(self, X, Y, learning_rate=0.0075, num_iterations=2500, initial_parameters=None, cost_every=100):
        """Train by batch gradient descent with the tier's ``train``.

        Parameters
        ----------
        X : array_like of shape (n_x, m)
            ``n_x`` must equal ``layer_dims[0]``.
        Y : array_like of shape (1, m)
            Labels, 0 or 1.
        learning_rate : float, default 0.0075
        num_iterations : int, default 2500
        initial_parameters : dict, optional
            ``{"W1", "b1", ...}`` of the shapes `layer_dims` implies, used instead
            of drawing with `init` and `seed`; not modified.
        cost_every : int, default 100
            Record the cost every `cost_every` iterations.

        Returns
        -------
        self : Network

        Raises
        ------
        nncore.TrainingDiverged
            When the learning rate is too large; the estimator is left as it was.
        """
        X = self._as_X(X, self.layer_dims[0])
        Y = self._as_Y(Y, X)
        if initial_parameters is None:
            parameters = initialize_parameters(self.layer_dims, self.init, rng=self.seed, dtype=self.dtype)
        else:
            parameters = self._initial_parameters(initial_parameters)
        parameters, costs = self._tier().train(
            X, Y, parameters, self.activations, learning_rate, num_iterations, cost_every
        )
        self._record(parameters, costs, num_iterations, cost_every)
        return self

    def __repr__(self):
        return (
            f"Network(layer_dims={self.layer_dims}, activations={self.activations}, "
            f"init={self.init!r}, seed={self.seed!r}, tier={self.tier!r}, "
            f"dtype={self.dtype.name!r})  # {self._fit_state()}"
        )


class LogisticRegression(_Classifier):
    """Logistic regression from zero weights, the course's ``model``.

    Trains with the tier's ``optimize`` (``w`` zeros of shape (n_x, 1), ``b = 0``);
    n_x is taken from X at :meth:`fit`.

    Parameters
    ----------
    tier : str, default "vector"
        Any name in :data:`nncore.TIERS`.
    dtype : float32 or float64, default float64

    Attributes
    ----------
    w_ : ndarray of shape (n_x, 1)
    b_ : float
    parameters_ : dict
        ``{"W1": w_.T, "b1": [[b_]]}``: the one-layer sigmoid network it equals.
    costs_ : ndarray of float64
    cost_iterations_ : ndarray of int

    Examples
    --------
    >>> X = np.array([[-2.0, -1.0, 1.0, 2.0]])
    >>> LogisticRegression().fit(X, [[0, 0, 1, 1]], learning_rate=0.5, num_iterations=100).predict(X)
    array([[0., 0., 1., 1.]])
    """

    #: The one layer's activation.
    activations = ("sigmoid",)

    def __init__(self, tier="vector", dtype=np.float64):
        get_tier(tier)
        self.tier = tier
        self.dtype = _check_dtype(dtype)

    def fit(self, X, Y, learning_rate=0.005, num_iterations=2000, cost_every=100):
        """Train by gradient descent from ``w = 0``, ``b = 0``.

        Parameters
        ----------
        X : array_like of shape (n_x, m)
        Y : array_like of shape (1, m)
            Labels, 0 or 1.
        learning_rate : float, default 0.005
        num_iterations : int, default 2000
        cost_every : int, default 100

        Returns
        -------
        self : LogisticRegression
        """
        X = self._as_X(X)
        Y = self._as_Y(Y, X)
        w = np.zeros((X.shape[0], 1), dtype=self.dtype)
        params, _, costs = self._tier().optimize(w, 0.0, X, Y, num_iterations, learning_rate, cost_every)
        self.w_, self.b_ = params["w"], float(params["b"])
        self._record(
            {"W1": self.w_.T, "b1": np.array([[self.b_]], dtype=self.dtype)}, costs, num_iterations, cost_every
        )
        return self

    def __repr__(self):
        return f"LogisticRegression(tier={self.tier!r}, dtype={self.dtype.name!r})  # {self._fit_state()}"
