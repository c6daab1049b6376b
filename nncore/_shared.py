"""Implementation pieces the three tiers share, written once."""


def layer_by_layer(layer_forward, X, parameters, activations):
    """The course's ``L_model_forward`` on top of a tier's one-layer pass.

    Parameters
    ----------
    layer_forward : callable
        A tier's ``linear_activation_forward`` (its unchecked ``.unchecked``).
    X, parameters, activations
        As :func:`model_forward` takes them, already validated.

    Returns
    -------
    AL : ndarray of shape (n[L], m)
    caches : list of LayerCache
    """
    A, caches = X, []
    for l, activation in enumerate(activations, start=1):
        A, cache = layer_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], activation)
        caches.append(cache)
    return A, caches
