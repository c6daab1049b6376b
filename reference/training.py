"""The check the two gradient-descent loops (``train`` and ``optimize``) share."""

import math


def all_finite(arrays):
    """True when every entry of every array in `arrays` is finite."""
    for array in arrays:
        for value in array.flat:
            if not math.isfinite(value):
                return False
    return True
