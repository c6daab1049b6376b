"""The check the two gradient-descent loops (``train`` and ``optimize``) share."""

from nncore.errors import DIVERGENCE_BOUND


def within_bound(arrays):
    """True when every entry of every array in `arrays` is finite and at most DIVERGENCE_BOUND in magnitude.

    The training's divergence rule (:data:`nncore.errors.DIVERGENCE_BOUND`); nan compares false.
    """
    for array in arrays:
        for value in array.flat:
            if not abs(value) <= DIVERGENCE_BOUND:
                return False
    return True
