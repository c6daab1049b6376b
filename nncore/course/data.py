"""The samples a recipe trains on, as the course prepares them: one container, its loaders.

:class:`Data` holds training samples as columns and, where the data set has
one, a test set. :func:`cat_data` reads the course's cat images (flattened,
divided by 255) and :func:`planar_data` makes the planar flower; the course's
experiments and ``nncore compare`` both load through them. Where the cat files
are absent, :func:`stand_in_cats` gives seeded random images of the same shape
and layout, which ``nncore compare`` and the asv suite time in their place.
"""

import os
from typing import NamedTuple

import numpy as np

from nncore.datasets import IMAGE_SHAPE, flatten_images, load_cat, planar


class Data(NamedTuple):
    """Samples as columns: a training set and, optionally, a test set.

    Attributes
    ----------
    train_x : ndarray of shape (n_x, m_train)
        One sample per column; for the cat images one flattened image,
        pixel values divided by 255 (``(12288, 209)`` for the course's files).
    train_y : ndarray of shape (1, m_train)
        Labels, 1.0 or 0.0 (cat / non-cat; the planar flower's two classes).
    test_x : ndarray of shape (n_x, m_test) or None
        ``(12288, 50)`` for the course's files; None where there is no test
        set (the planar flower).
    test_y : ndarray of shape (1, m_test) or None
    """

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray | None = None
    test_y: np.ndarray | None = None


#: The name the cat experiments' ``data`` argument documents; the same class.
CatData = Data


def cat_data(data=None, dtype=np.float64):
    """The course's cat data, ready to train on.

    Parameters
    ----------
    data : Data, str or path-like, optional
        A :class:`Data` is returned as it is (tests pass a part of the data,
        or data of their own); a folder is read with
        :func:`nncore.datasets.load_cat`; None reads the folder named by the
        ``NNCORE_DATA`` environment variable.
    dtype : float64 or float32, default float64
        The dtype of the arrays read from a folder.

    Returns
    -------
    Data
        ``train_x`` (12288, 209), ``train_y`` (1, 209), ``test_x`` (12288, 50),
        ``test_y`` (1, 50) for the course's files, all in `dtype`.

    Raises
    ------
    FileNotFoundError
        When no folder is given and ``NNCORE_DATA`` is unset, or the folder or
        a file is missing; the message says where to put the two .h5 files.
    ValueError, ImportError
        From :func:`nncore.datasets.load_cat`: a file it cannot read, no h5py.
    """
    if isinstance(data, Data):
        return data
    if data is not None and not isinstance(data, (str, os.PathLike)):
        raise TypeError(f"data must be a CatData, a folder or None; got {type(data).__name__}.")
    train_x_orig, train_y, test_x_orig, test_y, _ = load_cat(data)
    return Data(
        flatten_images(train_x_orig, dtype),
        train_y.astype(dtype),
        flatten_images(test_x_orig, dtype),
        test_y.astype(dtype),
    )


#: How ``nncore compare`` labels figures measured on :func:`stand_in_cats`.
STAND_IN = "stand-in images: the course's files were not found"

#: Training and test images of the course's files, which :func:`stand_in_cats` draws as many of.
CAT_SAMPLES = (209, 50)


def stand_in_cats(dtype=np.float64, seed=0):
    """Seeded random images in place of the course's cat files: the same shapes, dtype and layout.

    209 training and 50 test images of 64 x 64 x 3 uint8 pixels, drawn
    uniformly, flattened by :func:`nncore.datasets.flatten_images` (so
    Fortran-ordered, one image contiguous per column, as the real data), with
    labels drawn 1 (cat) with probability 0.35, about the course's share. A
    training iteration on them costs what one on the real images costs; what
    the network learns from them means nothing, so accuracies on them are not
    worth reporting.

    Parameters
    ----------
    dtype : float64 or float32, default float64
    seed : int, default 0
        Seed of the ``numpy.random.default_rng`` the pixels and labels are drawn from.

    Returns
    -------
    Data
        ``train_x`` (12288, 209), ``train_y`` (1, 209), ``test_x`` (12288, 50),
        ``test_y`` (1, 50), all in `dtype`.

    Examples
    --------
    >>> data = stand_in_cats()
    >>> data.train_x.shape, data.test_x.shape, data.train_x.flags.f_contiguous
    ((12288, 209), (12288, 50), True)
    """
    rng = np.random.default_rng(seed)
    arrays = []
    for m in CAT_SAMPLES:
        images = rng.integers(0, 256, size=(m, *IMAGE_SHAPE), dtype=np.uint8)
        labels = (rng.random((1, m)) < 0.35).astype(dtype)
        arrays += [flatten_images(images, dtype), labels]
    return Data(*arrays)


def planar_data(dtype=np.float64):
    """The planar flower (:func:`nncore.datasets.planar`) as :class:`Data`, without a test set.

    Returns
    -------
    Data
        ``train_x`` (2, 400) and ``train_y`` (1, 400) in `dtype`.
    """
    X, Y = planar()
    return Data(X.astype(dtype, copy=False), Y.astype(dtype, copy=False))
