"""Parameter initialisation, drawing in the course's order so its seeds reproduce."""

import numbers

import numpy as np

from nncore.validation import check_dtype, check_init, check_layer_dims

#: How each method turns a standard-normal draw of W[l] into W[l], given n[l-1]
#: (written as the course writes it, so the rounding is the course's too).
METHODS = {
    "zeros": None,
    "scaled": lambda W, n_prev: W * 0.01,
    "he": lambda W, n_prev: W / np.sqrt(n_prev),
}


def as_random_state(rng):
    """Return something with a ``standard_normal`` method from a seed or generator.

    An int seed gives ``numpy.random.RandomState(seed)``: the generator behind
    the course's ``np.random.seed(seed)``, so its draws are the course's.
    """
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if not 0 <= rng < 2**32:
            raise ValueError(
                f"an int seed must be from 0 to 2**32 - 1 (numpy.random.RandomState's range); got {int(rng)}. "
                f"Use e.g. seed % 2**32, or pass numpy.random.default_rng(seed) for any integer."
            )
        return np.random.RandomState(int(rng))
    raise TypeError(
        f"rng must be an int seed, a numpy.random.Generator, a numpy.random.RandomState "
        f"or None; got {type(rng).__name__}."
    )


def initialize_parameters(layer_dims, method="he", rng=None, dtype=np.float64):
    """Initial parameters ``{"W1", "b1", ..., "WL", "bL"}`` for layer sizes `layer_dims`.

    Parameters
    ----------
    layer_dims : sequence of int, length L + 1
        ``[n_x, n[1], ..., n[L]]``.
    method : {"he", "scaled", "zeros"}
        ``"zeros"``: every W and b zero (the course's logistic regression).
        ``"scaled"``: ``W[l] = randn(n[l], n[l-1]) * 0.01`` (the course's
        shallow and two-layer networks). ``"he"``: ``W[l] = randn(n[l], n[l-1])
        / sqrt(n[l-1])`` (the course's L-layer network). Biases are zero.
    rng : int, numpy.random.Generator, numpy.random.RandomState or None
        Source of the draws. An int seeds a ``RandomState``, so
        ``rng=1`` reproduces the course's ``np.random.seed(1)``; W1, W2, ... are
        drawn in layer order. None draws fresh entropy.
    dtype : float32 or float64
        The draws are made in float64 and then cast.

    Returns
    -------
    parameters : dict
        ``W[l]`` of shape (n[l], n[l-1]) and ``b[l]`` of shape (n[l], 1).

    Examples
    --------
    >>> p = initialize_parameters([2, 4, 1], "scaled", rng=2)
    >>> p["W1"].shape, p["b2"].shape
    ((4, 2), (1, 1))
    """
    method = check_init(method, METHODS, "init method")
    dims = check_layer_dims(layer_dims)
    dtype = check_dtype(dtype)
    scale = METHODS[method]
    draw = None if scale is None else as_random_state(rng).standard_normal
    parameters = {}
    for l in range(1, len(dims)):
        shape = (dims[l], dims[l - 1])
        W = np.zeros(shape) if draw is None else scale(draw(shape), dims[l - 1])
        parameters[f"W{l}"] = W.astype(dtype, copy=False)
        parameters[f"b{l}"] = np.zeros((dims[l], 1), dtype=dtype)
    return parameters
