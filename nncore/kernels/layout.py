"""The memory layout in which the kernels read a network's input.

Hidden layers keep the course's layout, one unit per row and one sample per
column. A wide input is better read one sample per row (``X.T`` stored
C-contiguous), so that the first layer's products are long dot products over
contiguous features.
"""

import numpy as np

from nncore.kernels.config import inline

#: Inputs with at least this many features are stored one sample per row for
#: the first layer (long contiguous dot products over features); narrower
#: inputs, like the planar data's 2, stay in the course's layout.
XT_MIN_FEATURES = 64


def input_layout(X, copy=True):
    """The input as the kernels take it: ``(array, transposed)``.

    ``transposed`` is True when the array is ``X.T`` stored C-contiguous (m, n_x),
    for at least :data:`XT_MIN_FEATURES` features: free when X is
    Fortran-ordered, as ``flatten_images`` and slices of X.T are. Otherwise the
    array is X itself, C-contiguous (n_x, m). With `copy` a wide C-ordered X is
    copied into the transposed layout, which pays over the passes of ``train``;
    without, a single pass (a layer, ``predict``, ``model_backward``) reads it
    as it is: for one pass, copying the cat images costs more than the product
    in the course's layout does. At most one copy per call.

    Parameters
    ----------
    X : ndarray of shape (n_x, m)
        The network's input, any memory order; not written.
    copy : bool
        Whether a wide C-ordered `X` may be copied into the transposed layout.

    Returns
    -------
    array : ndarray, C-contiguous
        ``X.T`` of shape (m, n_x) when `transposed`, else X of shape (n_x, m) (a copy only when X
        was not C-contiguous).
    transposed : bool
        Whether `array` holds one sample per row.
    """
    if X.shape[0] >= XT_MIN_FEATURES and (copy or X.T.flags.c_contiguous):
        return np.ascontiguousarray(X.T), True
    return np.ascontiguousarray(X), False


@inline
def flat(x):
    """The 1-D view of a C-contiguous array of any rank (a reshape, no copy); inlined.

    Parameters
    ----------
    x : ndarray, C-contiguous, any rank and dtype

    Returns
    -------
    ndarray of shape (x.size,)
        A view of `x`.
    """
    return x.reshape(x.size)
