"""The estimators: :class:`Network` (L layers) and :class:`LogisticRegression`.

Both train with one tier's functions (``tier="loop"``, ``"vector"``, ...) and
share their prediction code: a fitted logistic regression is a one-layer
sigmoid network with ``W1 = w.T`` and ``b1 = [[b]]``.

Each call validates its arguments once, with :mod:`nncore.validation` (so a
mistake gets the same message as from the tier's own function), and then calls
the tier's unchecked function. Each estimator owns its state: ``_state()``
gives what :mod:`nncore.persistence` writes beside the parameters, and
``_from_state`` rebuilds a fitted estimator from what it reads.
"""

import numpy as np

from nncore import persistence, validation
from nncore.errors import NotFittedError
from nncore.initializers import METHODS, as_random_state, initialize_parameters
from nncore.tiers import TIERS, get_tier

#: The entries every estimator's file holds beside its parameters: name -> (kinds, ndim, what, required).
_FITTED_ENTRIES = {
    "costs": ("f", 1, "the recorded costs", True),
    "cost_iterations": ("iu", 1, "the iterations of the recorded costs", True),
    "tier": ("U", 0, "a string", True),
}


class _Classifier:
    """Prediction, scoring and saving of a fitted binary classifier.

    Subclasses set ``tier``, ``dtype``, ``activations`` (one name per layer)
    and, in ``fit``, ``parameters_``, ``costs_`` and ``cost_iterations_``;
    they name their kind of file (``_KIND``), the entries they store beside
    the parameters (``_ENTRIES``), and write ``_state`` and ``_from_state``.
    """

    _KIND = None
    _ENTRIES = _FITTED_ENTRIES

    def _tier(self):
        return get_tier(self.tier)

    def _check_fitted(self):
        if not hasattr(self, "parameters_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(X, Y) before predict, predict_proba or score."
            )

    def _checked_X(self, X, *Y):
        """X (and Y, when given) for the fitted network, validated once, in the estimator's dtype."""
        self._check_fitted()
        return validation.check_data(X, *Y, W1=self.parameters_["W1"], dtype=self.dtype)

    def _forward(self, X):
        return self._tier().model_forward.unchecked(X, self.parameters_, self.activations)[0]

    def _predict(self, X):
        return self._tier().predict.unchecked(X, self.parameters_, self.activations)

    def predict_proba(self, X):
        """The network's output: the probability of label 1 for each sample.

        Parameters
        ----------
        X : array_like of shape (n_x, m)

        Returns
        -------
        AL : ndarray of shape (1, m), in the estimator's dtype
        """
        return self._forward(self._checked_X(X))

    def predict(self, X):
        """Predicted labels: 1 where :meth:`predict_proba` is > 0.5, else 0.

        Parameters
        ----------
        X : array_like of shape (n_x, m)

        Returns
        -------
        predictions : ndarray of shape (1, m), 0.0 or 1.0 in the estimator's dtype
        """
        return self._predict(self._checked_X(X))

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
        X, Y = self._checked_X(X, Y)
        return float(np.mean(self._predict(X) == Y))

    # ----------------------------------------------------------------------
    # State and files
    # ----------------------------------------------------------------------

    def _state(self):
        """What a file stores: ``parameters``, ``activations`` and the entries of ``_ENTRIES``, as plain values."""
        return {
            "parameters": self.parameters_,
            "activations": list(self.activations),
            "costs": np.asarray(self.costs_, np.float64),
            "cost_iterations": np.asarray(self.cost_iterations_, np.int64),
            "tier": self.tier,
        }

    @classmethod
    def _from_state(cls, state, tier=None):
        """A fitted estimator rebuilt from :meth:`_state`'s dict; ``ValueError`` when the state is inconsistent.

        `tier` None: the saved tier where this installation has it, else ``"vector"``.
        """
        raise NotImplementedError

    @staticmethod
    def _fitted_record(state):
        """``(costs, cost_iterations)`` of a state, checked to be finite and of one length."""
        costs, cost_iterations = state["costs"], state["cost_iterations"]
        if costs.shape != cost_iterations.shape or not np.isfinite(costs).all():
            raise ValueError(
                f"its {costs.size} costs are not finite or do not match its {cost_iterations.size} cost iterations."
            )
        return costs.astype(np.float64), cost_iterations.astype(np.int64)

    @staticmethod
    def _loaded_tier(state, tier):
        if tier is not None:
            return tier
        return state["tier"] if state["tier"] in TIERS else "vector"

    def save(self, path):
        """Save the fitted estimator to an ``.npz`` file, atomically (:mod:`nncore.persistence`).

        Parameters
        ----------
        path : str or os.PathLike
            Written exactly as given; an existing file is replaced only once the
            new one is complete.
        """
        if not hasattr(self, "parameters_"):
            raise NotFittedError(
                f"this {self._KIND} is not fitted yet, so it has no weights to save; call fit(X, Y) first."
            )
        state = self._checked_state(path)
        persistence.write_estimator(path, self._KIND, state)

    def _layer_dims(self):
        return validation.layer_dims_of(self.parameters_)

    def _checked_state(self, path):
        """:meth:`_state`, refused unless the file it makes would load: what loading checks, checked first.

        A fitted estimator's attributes may have been edited (a float32 ``W2`` in
        a float64 network, a nan, a changed ``b_``); such a save raises instead
        of writing a file that loading would call corrupted.
        """
        validation.check_fitted_parameters(self.parameters_, self._layer_dims(), self.dtype)
        state = self._state()
        try:
            type(self)._from_state(dict(state))
        except (ValueError, TypeError) as err:
            raise ValueError(
                f"cannot save {persistence.as_path(path)!r}: the {self._KIND} would not load back, as {err} "
                f"Restore the attributes edited since fit, or fit again; nothing was written."
            ) from None
        return state

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
        if tier is not None:
            get_tier(tier)  # refuses an unknown tier before the file is read
        state = persistence.read_estimator(path, cls._KIND, cls._ENTRIES)
        try:
            return cls._from_state(state, tier)
        except (ValueError, TypeError) as err:
            raise persistence.refused(path, err) from None

    def _fit_state(self):
        if not hasattr(self, "parameters_"):
            return "not fitted"
        if len(self.costs_) == 0:
            return "fitted, 0 iterations"
        return f"fitted, cost {self.costs_[-1]:.6g} at iteration {self.cost_iterations_[-1]}"

    def _record(self, parameters, costs, cost_iterations):
        self.parameters_ = parameters
        self.costs_ = costs
        self.cost_iterations_ = cost_iterations


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

    _KIND = "Network"
    _ENTRIES = {
        **_FITTED_ENTRIES,
        "init": ("U", 0, "a string", True),
        "seed": ("iu", 0, "an integer", False),
    }

    def __init__(self, layer_dims, activations=None, init="he", seed=None, tier="vector", dtype=np.float64):
        self.layer_dims = validation.check_layer_dims(layer_dims)
        L = len(self.layer_dims) - 1
        if activations is None:
            activations = ["relu"] * (L - 1) + ["sigmoid"]
        self.activations = list(validation.check_activations(activations, L, sigmoid_output=True))
        self.init = validation.check_init(init, METHODS)
        if seed is not None:
            as_random_state(seed)  # refuses what cannot seed the draws
        self.seed = seed
        get_tier(tier)  # refuses an unknown tier, listing the known ones
        self.tier = tier
        self.dtype = validation.check_dtype(dtype)

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
        # Named as the caller knows them, so a message points at the caller's dict.
        name = "parameters" if initial_parameters is None else "initial_parameters"
        # Data and settings first: a call refused here must not advance the caller's RandomState or Generator.
        X, Y = validation.check_data(X, Y, W1=np.empty(self.layer_dims[1::-1]), dtype=self.dtype)
        validation.check_schedule(learning_rate, num_iterations, cost_every)
        if initial_parameters is None:
            parameters = initialize_parameters(self.layer_dims, self.init, rng=self.seed, dtype=self.dtype)
        else:
            parameters = validation.check_initial_parameters(initial_parameters, self.layer_dims, self.dtype, name)
        schedule = (learning_rate, num_iterations, cost_every)
        checked = validation.check_fit(X, Y, parameters, self.activations, *schedule, dtype=self.dtype, name=name)
        parameters, costs = self._tier().train.unchecked(**checked)
        self._record(parameters, costs, np.arange(0, checked["num_iterations"], checked["cost_every"]))
        return self

    def _layer_dims(self):
        return self.layer_dims

    def _state(self):
        state = {**super()._state(), "init": self.init}
        if isinstance(self.seed, (int, np.integer)) and not isinstance(self.seed, bool):
            state["seed"] = np.int64(self.seed)  # a Generator or None cannot be stored: it loads as None
        return state

    @classmethod
    def _from_state(cls, state, tier=None):
        costs, cost_iterations = cls._fitted_record(state)
        parameters = state["parameters"]
        try:
            network = cls(
                validation.layer_dims_of(parameters),
                state["activations"],
                init=state["init"],
                seed=state.get("seed"),
                tier=cls._loaded_tier(state, tier),
                dtype=parameters["W1"].dtype,
            )
        except (ValueError, TypeError) as err:
            raise ValueError(f"its settings are invalid: {err}") from None
        network._record(parameters, costs, cost_iterations)
        return network

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

    _KIND = "LogisticRegression"
    _ENTRIES = {**_FITTED_ENTRIES, "b": ("f", 0, "the bias as a float", True)}

    def __init__(self, tier="vector", dtype=np.float64):
        get_tier(tier)
        self.tier = tier
        self.dtype = validation.check_dtype(dtype)

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
        X, Y = validation.check_data(X, Y, dtype=self.dtype)
        schedule = validation.check_schedule(learning_rate, num_iterations, cost_every)
        w = np.zeros((X.shape[0], 1), dtype=self.dtype)
        params, _, costs = self._tier().optimize.unchecked(w, 0.0, X, Y, **schedule)
        iterations = np.arange(0, schedule["num_iterations"], schedule["cost_every"])
        self._record(self._weights(params["w"], params["b"]), costs, iterations)
        return self

    def _weights(self, w, b):
        """Set ``w_`` and ``b_``; return the one-layer network they are: ``W1 = w.T``, ``b1 = [[b]]``."""
        self.w_, self.b_ = w, float(b)
        return self.parameters_

    @property
    def parameters_(self):
        """``{"W1": w_.T, "b1": [[b_]]}``, made from ``w_`` and ``b_`` at each access, so they never disagree."""
        try:
            w, b = self.w_, self.b_
        except AttributeError:
            raise AttributeError("parameters_") from None  # not fitted: hasattr(model, "parameters_") is False
        b1 = np.array([[b]], dtype=self.dtype) if np.isscalar(b) or np.ndim(b) == 0 else b
        return {"W1": w.T if isinstance(w, np.ndarray) else w, "b1": b1}

    @parameters_.setter
    def parameters_(self, parameters):
        """Set ``w_ = W1.T`` and ``b_ = b1[0, 0]`` (a float64 ``b_`` that rounds to a float32 ``b1`` is kept)."""
        W1, b1 = parameters["W1"], parameters["b1"]
        b = getattr(self, "b_", None)
        self.w_ = np.ascontiguousarray(W1.T)
        if b is None or np.asarray(b1).reshape(-1)[0] != np.asarray(b, dtype=np.asarray(b1).dtype):
            self.b_ = float(np.asarray(b1).reshape(-1)[0])

    def _layer_dims(self):
        return [self.w_.shape[0], 1] if isinstance(self.w_, np.ndarray) and self.w_.ndim == 2 else [0, 1]

    def _state(self):
        return {**super()._state(), "b": np.float64(self.b_)}  # b_ is a Python float even when b1 is float32

    @classmethod
    def _from_state(cls, state, tier=None):
        costs, cost_iterations = cls._fitted_record(state)
        W1, b1 = state["parameters"]["W1"], state["parameters"]["b1"]
        if list(state["activations"]) != list(cls.activations) or W1.shape[0] != 1:
            raise ValueError(
                f"a LogisticRegression has one sigmoid unit; it holds layer sizes {[*W1.shape[::-1]]} "
                f"and activations {list(state['activations'])}."
            )
        b = state["b"]
        if not (np.isfinite(b) and b1[0, 0] == W1.dtype.type(b)):
            raise ValueError(f"its bias b = {b!r} is not finite or disagrees with its b1 = {b1[0, 0]!r}.")
        try:
            model = cls(tier=cls._loaded_tier(state, tier), dtype=W1.dtype)
        except (ValueError, TypeError) as err:
            raise ValueError(f"its settings are invalid: {err}") from None
        model._record(model._weights(np.ascontiguousarray(W1.T), b), costs, cost_iterations)
        return model

    def __repr__(self):
        return f"LogisticRegression(tier={self.tier!r}, dtype={self.dtype.name!r})  # {self._fit_state()}"
