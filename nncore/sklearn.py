"""scikit-learn estimators over nncore's tiers: :class:`NetworkClassifier` and :class:`LogisticRegression`.

They follow scikit-learn's conventions (X of shape (n_samples, n_features),
y a 1-D array of any two labels) and train with :class:`nncore.Network` and
:class:`nncore.LogisticRegression` on ``X.T`` and a (1, m) row of 0/1 labels,
so each tier computes exactly what the course's code does: a
``NetworkClassifier`` fitted on ``X.T`` reproduces the course's runs bit for
bit. They go into a ``Pipeline``, ``cross_val_score`` and ``GridSearchCV``,
and through joblib onto a Dask cluster (``joblib.parallel_config("dask")``).

Who checks what: scikit-learn's ``validate_data`` checks the rows-as-samples
conventions (2-D X, as many labels as rows, the feature count and names at
predict time, no sparse or complex data); nncore checks the math (finite
inputs, the layer sizes, activations, initialisation, learning rate and
iteration count, divergence) and raises its own errors, which name nncore's
arguments: ``hidden_layer_sizes`` are ``layer_dims[1:-1]``, ``max_iter`` is
``num_iterations`` and ``random_state`` is ``seed``. nncore reports X as the
(n_features, n_samples) array it trains on, so an index in its message is
(feature, sample).

Binary classification only: the tags say so (``multi_class=False``) and
three or more classes are refused; wrap the estimator in
``sklearn.multiclass.OneVsRestClassifier`` for more.

Saving and loading: :meth:`~NetworkClassifier.save` writes nncore's ``.npz``
format (no pickle) with :func:`nncore.save_parameters`: the weights, and, as
the file's metadata, ``classes_`` (numbers, bools or strings), the feature
names, the recorded costs and the constructor's arguments. ``load`` reads it
back with :func:`nncore.load_parameters`; any nncore can read the weights of
such a file. nncore's own ``Network`` files refuse entries they do not
know, which is why the classes do not ride in one. The estimator objects also
pickle (joblib sends them to its workers that way).

This module imports scikit-learn; ``import nncore`` does not import it.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

import nncore

#: Checks of ``sklearn.utils.estimator_checks`` these estimators are known to fail: name -> reason.
EXPECTED_FAILED_CHECKS = {}

#: The version of the metadata :meth:`NetworkClassifier.save` writes, and the newest ``load`` reads.
FORMAT_VERSION = 1

#: Metadata entry names: the estimator's class, the format version, and the prefix of its arguments.
_CLASS, _FORMAT, _PARAM = "sklearn_estimator", "sklearn_format", "param_"


def _binary_classes(name, y):
    """The two classes of the labels `y` (1-D), sorted; refuses one class or more than two."""
    check_classification_targets(y)  # "Unknown label type" for a continuous target
    classes = np.unique(y)
    if classes.size > 2:
        raise ValueError(
            f"Only binary classification is supported. The type of the target is 'multiclass': y holds "
            f"{classes.size} classes ({', '.join(map(repr, classes[:5].tolist()))}"
            f"{', ...' if classes.size > 5 else ''}) and {name} has one sigmoid output unit. For more "
            f"classes wrap it: sklearn.multiclass.OneVsRestClassifier({name}())."
        )
    if classes.size < 2:
        raise ValueError(
            f"{name} needs samples of two classes to train; y holds one class, {classes.tolist()[0]!r}. "
            f"Pass labels of both classes."
        )
    return classes


def _storable(name, value):
    """`value` as an array :func:`nncore.save_parameters` stores without pickling, or a TypeError."""
    a = np.asarray(value)
    if a.dtype.kind == "O":  # Python strings or numbers, as pandas and scikit-learn keep them: stored as such
        plain = np.array(a.tolist())
        a = plain if plain.tolist() == a.tolist() else a
    if a.dtype.kind not in "biufU":
        raise TypeError(
            f"{name} holds {a.dtype} values, which nncore's .npz files cannot hold without pickling; "
            f"save() stores numbers, bools and strings. Map them to those before fit."
        )
    return a


class _Classifier(ClassifierMixin, BaseEstimator):
    """What both estimators share: fit on ``X.T``, predict, the tags, save and load.

    Subclasses define ``_nncore_estimator(n_features)``, the unfitted nncore
    estimator their arguments describe.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X, y):
        """Train by batch gradient descent on all samples, `max_iter` iterations.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            A DataFrame's column names become `feature_names_in_`.
        y : array_like of shape (n_samples,)
            Two distinct labels of any type (numbers, strings, ...);
            ``classes_[1]`` is the positive class, the network's output 1.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            More or fewer than two classes; nncore's errors for non-finite X
            and invalid arguments.
        nncore.TrainingDiverged
            When the learning rate is too large.
        """
        X, y = validate_data(self, X, y, dtype="numeric", ensure_all_finite=False)  # nncore checks finiteness
        classes = _binary_classes(type(self).__name__, y)
        estimator = self._nncore_estimator(X.shape[1])
        estimator.fit(
            X.T, (y == classes[1]).reshape(1, -1), learning_rate=self.learning_rate, num_iterations=self.max_iter
        )
        self.estimator_ = estimator
        self._set_fitted(classes, int(self.max_iter))
        return self

    def _set_fitted(self, classes, n_iter):
        self.classes_ = classes
        self.n_iter_ = n_iter
        self.loss_curve_ = self.estimator_.costs_
        self.loss_curve_iterations_ = self.estimator_.cost_iterations_

    def _columns(self, X):
        """X, checked against the fitted estimator, as the (n_features, n_samples) array nncore computes on."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype="numeric", ensure_all_finite=False)
        return X.T

    def predict_proba(self, X):
        """The probability of each class: ``[1 - p, p]`` with p the network's output.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, 2), in the estimator's dtype
            Columns in the order of `classes_`.
        """
        X = self._columns(X)
        p = self.estimator_.predict_proba(X)[0]
        return np.stack([1 - p, p], axis=1)

    def predict(self, X):
        """The predicted class: ``classes_[1]`` where the network's output is > 0.5.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,), of `classes_`' dtype
        """
        X = self._columns(X)
        return self.classes_[self.estimator_.predict(X)[0].astype(np.intp)]

    def decision_function(self, X):
        """The output unit's pre-activation Z[L]: > 0 for ``classes_[1]``; the log-odds of it.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,), in the estimator's dtype
            ``sigmoid(scores)`` is ``predict_proba(X)[:, 1]``.
        """
        X = self._columns(X).astype(self.estimator_.dtype, copy=False)
        tier = nncore.get_tier(self.estimator_.tier)
        _, caches = tier.model_forward(X, self.estimator_.parameters_, self.estimator_.activations)
        return caches[-1].Z[0]

    # ----------------------------------------------------------------------
    # Saving and loading
    # ----------------------------------------------------------------------

    def save(self, path):
        """Save the fitted estimator to an ``.npz`` file in nncore's format, atomically (no pickle).

        Parameters
        ----------
        path : str or os.PathLike
            Written exactly as given (no ``.npz`` is appended).

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before :meth:`fit`.
        TypeError
            When `classes_` or an argument is not numbers, bools or strings
            (a ``RandomState`` as `random_state` is not saved: the loaded
            estimator has None).
        """
        check_is_fitted(self)
        metadata = {_CLASS: type(self).__name__, _FORMAT: FORMAT_VERSION}
        for key, value in self.get_params().items():
            if key == "dtype":
                value = np.dtype(value).name
            if key == "random_state" and not isinstance(value, (int, np.integer)):
                continue  # None, or a generator whose state is not a setting
            metadata[_PARAM + key] = _storable(key, value)
        metadata["classes"] = _storable("classes_", self.classes_)
        if hasattr(self, "feature_names_in_"):
            metadata["feature_names_in"] = _storable("feature_names_in_", self.feature_names_in_)
        metadata.update(
            n_features_in=self.n_features_in_,
            n_iter=self.n_iter_,
            costs=np.asarray(self.estimator_.costs_, np.float64),
            cost_iterations=np.asarray(self.estimator_.cost_iterations_, np.int64),
            **self._state(),
        )
        nncore.save_parameters(path, self.estimator_.parameters_, activations=self.estimator_.activations, **metadata)

    @classmethod
    def load(cls, path, tier=None):
        """Load an estimator saved by :meth:`save`, fitted as it was.

        Parameters
        ----------
        path : str or os.PathLike
        tier : str, optional
            The tier to compute with; default the one it was fitted with.

        Returns
        -------
        estimator : cls

        Raises
        ------
        ValueError
            Naming the file, when it is not a sound file of this class
            (nncore's checks of the weights, then the metadata's).
        """
        parameters, metadata = nncore.load_parameters(path)
        where = f"cannot load {str(path)!r}:"
        found = metadata.get(_CLASS)
        if found != cls.__name__:
            what = f"a {found}" if found else "nncore weights without nncore.sklearn's metadata"
            raise ValueError(f"{where} it holds {what}, not a {cls.__name__} saved by {cls.__name__}.save.")
        if metadata.get(_FORMAT) != FORMAT_VERSION:
            raise ValueError(
                f"{where} its nncore.sklearn format is {metadata.get(_FORMAT)!r}; this nncore reads "
                f"{FORMAT_VERSION}. Upgrade nncore."
            )
        try:
            params = {key[len(_PARAM) :]: value for key, value in metadata.items() if key.startswith(_PARAM)}
            if tier is not None:
                params["tier"] = tier
            if "hidden_layer_sizes" in params:
                sizes = np.asarray(params["hidden_layer_sizes"])
                params["hidden_layer_sizes"] = int(sizes) if sizes.ndim == 0 else tuple(sizes.tolist())
            estimator = cls(**params)
            classes = np.asarray(metadata["classes"])
            costs, cost_iterations = metadata["costs"], metadata["cost_iterations"]
            n_features = int(metadata["n_features_in"])
            if classes.shape != (2,) or np.asarray(costs).shape != np.asarray(cost_iterations).shape:
                raise ValueError(
                    f"it has {classes.size} classes (2 expected) or costs that do not match their iterations"
                )
            inner = estimator._nncore_estimator(n_features)
            dims = getattr(inner, "layer_dims", [n_features, 1])  # a logistic regression: one unit
            shapes = [shape for l in range(1, len(dims)) for shape in ((dims[l], dims[l - 1]), (dims[l], 1))]
            if [value.shape for value in parameters.values()] != shapes:
                raise ValueError(f"its weights do not have the layer sizes {dims} of its arguments")
            inner.parameters_ = parameters
            inner.costs_ = np.asarray(costs, np.float64).reshape(-1)
            inner.cost_iterations_ = np.asarray(cost_iterations, np.int64).reshape(-1)
            estimator._restore(inner, metadata)
            n_iter = int(metadata["n_iter"])
        except (KeyError, TypeError, ValueError) as err:
            problem = f"it has no {err} entry" if isinstance(err, KeyError) else str(err)
            raise ValueError(f"{where} {problem}; it is incomplete or corrupted.") from None
        estimator.n_features_in_ = n_features
        if "feature_names_in" in metadata:
            estimator.feature_names_in_ = np.asarray(metadata["feature_names_in"], dtype=object)
        estimator._set_fitted(classes, n_iter)
        return estimator

    def _state(self):
        """Metadata beyond the weights and costs that the fitted `estimator_` needs."""
        return {}

    def _restore(self, inner, metadata):
        """Make `inner`, whose fitted weights and costs were just set, this estimator's `estimator_`."""
        self.estimator_ = inner


class NetworkClassifier(_Classifier):
    """An L-layer binary classifier: :class:`nncore.Network` with scikit-learn's conventions.

    Hidden layers of `activation`, then one sigmoid unit; batch gradient
    descent on the cross-entropy for `max_iter` iterations, all samples at
    once (the course's ``L_layer_model``).

    Parameters
    ----------
    hidden_layer_sizes : sequence of int, or int, default (20, 7, 5)
        The hidden layers' units ``n[1], ..., n[L-1]``; an int is one layer.
        The input size is X's feature count and the output one unit.
    activation : {"relu", "tanh", "sigmoid", "leaky_relu"}, default "relu"
        The hidden layers' activation.
    learning_rate : float, default 0.0075
    max_iter : int, default 2500
        Gradient-descent iterations (nncore's ``num_iterations``); each is
        one pass over all samples.
    init : {"he", "scaled", "zeros"}, default "he"
        How the initial weights are drawn (:func:`nncore.initialize_parameters`):
        ``"he"`` is ``randn / sqrt(n[l-1])``, ``"scaled"`` ``randn * 0.01``.
    tier : str, default "vector"
        The tier that computes, a name in :data:`nncore.TIERS`.
    dtype : {"float64", "float32"}, default "float64"
        X and the weights are converted to it.
    random_state : int, numpy.random.RandomState, numpy.random.Generator or None, default None
        Source of the initial weights; an int seeds a fresh
        ``RandomState`` as the course's ``np.random.seed(random_state)``.
        None draws fresh weights at each fit.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The labels; ``classes_[1]`` is the network's output 1.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,), object
        Only when fitted on a DataFrame with string column names.
    estimator_ : nncore.Network
        The fitted network: ``estimator_.parameters_`` holds ``W1`` of shape
        (n[1], n_features_in_), ``b1`` of shape (n[1], 1), ...
    n_iter_ : int
        The iterations run: `max_iter`.
    loss_curve_ : ndarray of float64
        The cost before the update at each of `loss_curve_iterations_`.
    loss_curve_iterations_ : ndarray of int
        ``0, 100, 200, ...`` (below `max_iter`): the cost is recorded every 100
        iterations, as in the course.

    Examples
    --------
    >>> import nncore
    >>> from nncore.sklearn import NetworkClassifier
    >>> X, Y = nncore.datasets.planar()
    >>> clf = NetworkClassifier((4,), "tanh", learning_rate=1.2, max_iter=1000, init="scaled", random_state=2)
    >>> clf.fit(X.T, Y.ravel()).score(X.T, Y.ravel()) > 0.85
    True
    """

    def __init__(
        self,
        hidden_layer_sizes=(20, 7, 5),
        activation="relu",
        learning_rate=0.0075,
        max_iter=2500,
        init="he",
        tier="vector",
        dtype="float64",
        random_state=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.init = init
        self.tier = tier
        self.dtype = dtype
        self.random_state = random_state

    def _nncore_estimator(self, n_features):
        hidden = self.hidden_layer_sizes
        hidden = [hidden] if np.ndim(hidden) == 0 else list(hidden)  # an int is one layer, as in MLPClassifier
        return nncore.Network(
            [n_features, *hidden, 1],
            [self.activation] * len(hidden) + ["sigmoid"],
            init=self.init,
            seed=self.random_state,
            tier=self.tier,
            dtype=self.dtype,
        )


class LogisticRegression(_Classifier):
    """Logistic regression by gradient descent from zero weights: :class:`nncore.LogisticRegression`.

    The course's ``model``: ``w = 0``, ``b = 0``, then `max_iter` iterations
    of gradient descent on the cross-entropy, without regularisation.

    Parameters
    ----------
    learning_rate : float, default 0.005
    max_iter : int, default 2000
        Gradient-descent iterations (nncore's ``num_iterations``).
    tier : str, default "vector"
    dtype : {"float64", "float32"}, default "float64"

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,), object
        Only when fitted on a DataFrame with string column names.
    coef_ : ndarray of shape (1, n_features_in_)
        ``w.T``, as scikit-learn's ``LogisticRegression`` lays it out.
    intercept_ : ndarray of shape (1,)
        ``b``.
    estimator_ : nncore.LogisticRegression
    n_iter_ : int
    loss_curve_ : ndarray of float64
    loss_curve_iterations_ : ndarray of int
        ``0, 100, 200, ...``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    >>> LogisticRegression(learning_rate=0.5, max_iter=100).fit(X, ["no", "no", "yes", "yes"]).predict(X)
    array(['no', 'no', 'yes', 'yes'], dtype='<U3')
    """

    def __init__(self, learning_rate=0.005, max_iter=2000, tier="vector", dtype="float64"):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tier = tier
        self.dtype = dtype

    def _nncore_estimator(self, n_features):
        return nncore.LogisticRegression(tier=self.tier, dtype=self.dtype)

    def _set_fitted(self, classes, n_iter):
        super()._set_fitted(classes, n_iter)
        self.coef_ = self.estimator_.parameters_["W1"]
        self.intercept_ = self.estimator_.parameters_["b1"][0]

    def _state(self):
        return {"b": float(self.estimator_.b_)}  # float64 even when b1 is float32

    def _restore(self, inner, metadata):
        inner.w_, inner.b_ = np.ascontiguousarray(inner.parameters_["W1"].T), float(metadata["b"])
        self.estimator_ = inner
