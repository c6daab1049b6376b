"""The cat data as the course's experiments use it: flattened, divided by 255, float64."""

import os
from typing import NamedTuple

import numpy as np

from nncore.datasets import flatten_images, load_cat


class CatData(NamedTuple):
    """The cat / non-cat images as columns.

    Attributes
    ----------
    train_x : ndarray of shape (n_x, m_train)
        One flattened image per column, pixel values divided by 255
        (``(12288, 209)`` for the course's files).
    train_y : ndarray of shape (1, m_train)
        Labels, 1.0 for cat, 0.0 for non-cat.
    test_x : ndarray of shape (n_x, m_test)
        ``(12288, 50)`` for the course's files.
    test_y : ndarray of shape (1, m_test)
    """

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray


def cat_data(data=None):
    """The course's cat data, ready to train on.

    Parameters
    ----------
    data : CatData, str or path-like, optional
        A :class:`CatData` is returned as it is (tests pass a part of the data,
        or data of their own); a folder is read with
        :func:`nncore.datasets.load_cat`; None reads the folder named by the
        ``NNCORE_DATA`` environment variable.

    Returns
    -------
    CatData

    Raises
    ------
    FileNotFoundError
        When no folder is given and ``NNCORE_DATA`` is unset, or the folder or
        a file is missing; the message says where to put the two .h5 files.
    """
    if isinstance(data, CatData):
        return data
    if data is not None and not isinstance(data, (str, os.PathLike)):
        raise TypeError(f"data must be a CatData, a folder or None; got {type(data).__name__}.")
    train_x_orig, train_y, test_x_orig, test_y, _ = load_cat(data)
    return CatData(
        flatten_images(train_x_orig),
        train_y.astype(np.float64),
        flatten_images(test_x_orig),
        test_y.astype(np.float64),
    )
