"""The course's two data sets: the planar "flower" and the cat / non-cat images.

:func:`planar` regenerates the flower exactly as the course's
``load_planar_dataset`` does. :func:`load_cat` reads the course's two HDF5
files, which nncore does not ship: put ``train_catvnoncat.h5`` and
``test_catvnoncat.h5`` in one folder and pass it, or set ``NNCORE_DATA``.
"""

import os
from pathlib import Path

import numpy as np

from nncore.validation import as_numeric, check_dtype

#: Environment variable naming the folder that holds the cat data files.
DATA_ENV = "NNCORE_DATA"

#: The cat data set's files and, per file, its keys.
CAT_FILES = {
    "train": ("train_catvnoncat.h5", "train_set_x", "train_set_y"),
    "test": ("test_catvnoncat.h5", "test_set_x", "test_set_y"),
}

#: Shape of one cat image: 64 x 64 pixels, RGB.
IMAGE_SHAPE = (64, 64, 3)

#: The one message about the cat data, appended to every error of :func:`load_cat`: what the
#: files are, where a user who took the course finds them, how to point nncore at them.
CAT_DATA_HELP = (
    "The cat data are the course's two files train_catvnoncat.h5 and test_catvnoncat.h5; a user "
    "who took the course finds them in the datasets/ folder of the week 2 (logistic regression) "
    "and week 4 (deep neural network application) assignments. Put both in one folder and point "
    f"nncore at it: --data FOLDER on the command line, load_cat(folder) in Python, or set {DATA_ENV}=FOLDER."
)

_WHERE = CAT_DATA_HELP


def planar(seed=1):
    """The course's two-class "flower": 400 points in the plane, 200 per class.

    Generated as the course's ``load_planar_dataset``, in the same order of
    random draws and operations, so ``seed=1`` gives its data bit for bit.

    Parameters
    ----------
    seed : int, default 1
        Seed of the ``numpy.random.RandomState`` the points are drawn from
        (the course's ``np.random.seed(1)``).

    Returns
    -------
    X : ndarray of shape (2, 400), float64
        Coordinates, one point per column.
    Y : ndarray of shape (1, 400), float64
        Labels: 0 for columns 0-199 (the red petals), 1 for columns 200-399.

    Examples
    --------
    >>> X, Y = planar()
    >>> X.shape, Y.shape, Y[0, 195:205].tolist()
    ((2, 400), (1, 400), [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    """
    rng = np.random.RandomState(seed)
    m = 400  # number of examples
    N = m // 2  # points per class
    D = 2  # dimensionality
    a = 4  # maximum ray of the flower
    X = np.zeros((m, D))
    Y = np.zeros((m, 1))
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + rng.randn(N) * 0.2  # theta
        r = a * np.sin(4 * t) + rng.randn(N) * 0.2  # radius
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return np.ascontiguousarray(X.T), np.ascontiguousarray(Y.T)


def _import_h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError(
            "reading the cat data needs h5py, a dependency of nncore that is missing here: "
            "pip install h5py (or, from the checkout, pip install -e .)."
        ) from None
    return h5py


def data_folder(folder=None):
    """The folder holding the cat data: `folder`, else ``$NNCORE_DATA``.

    Raises
    ------
    FileNotFoundError
        When neither is given, or the folder does not exist.
    """
    if folder is None:
        folder = os.environ.get(DATA_ENV)
        if not folder:
            raise FileNotFoundError(f"no folder given for the cat data and {DATA_ENV} is not set. {_WHERE}")
    try:
        path = Path(os.fsdecode(folder) if isinstance(folder, bytes) else folder)
    except TypeError:
        raise TypeError(
            f"folder must be a str or path-like naming the folder of the cat data; got {type(folder).__name__}."
        ) from None
    if not path.is_dir():
        raise FileNotFoundError(f"the cat data folder {str(path)!r} does not exist or is not a folder. {_WHERE}")
    return path


def _read(h5py, path, keys):
    """The arrays under `keys` of the HDF5 file `path`, read into memory."""
    if not path.is_file():
        raise FileNotFoundError(f"{str(path)!r} not found. {_WHERE}")
    try:
        with h5py.File(path, "r") as f:
            missing = [key for key in keys if key not in f]
            if missing:
                raise ValueError(
                    f"{str(path)!r} has no dataset {missing[0]!r}; expected the keys "
                    f"{list(keys)} of the course's file, found {sorted(f.keys())}. {_WHERE}"
                )
            return [np.asarray(f[key][()]) for key in keys]
    except OSError as err:  # h5py's error for a file that is not HDF5 or is truncated
        raise ValueError(f"{str(path)!r} is not a readable HDF5 file ({err}). {_WHERE}") from None


def _check_split(path, x_key, y_key, x, y):
    """Check images (m, 64, 64, 3) uint8 and labels (m,) of 0/1 integers."""
    if x.dtype != np.uint8 or x.ndim != 4 or x.shape[1:] != IMAGE_SHAPE or x.shape[0] == 0:
        raise ValueError(
            f"{str(path)!r}: {x_key!r} must be uint8 images of shape (m, 64, 64, 3); "
            f"got dtype {x.dtype} and shape {x.shape}. {_WHERE}"
        )
    if y.dtype.kind not in "iub" or y.shape != (x.shape[0],):
        raise ValueError(
            f"{str(path)!r}: {y_key!r} must hold {x.shape[0]} integer labels (one per "
            f"image), shape ({x.shape[0]},); got dtype {y.dtype} and shape {y.shape}. {_WHERE}"
        )
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"{str(path)!r}: {y_key!r} must hold labels 0 (non-cat) or 1 (cat). {_WHERE}")


def load_cat(folder=None):
    """The course's cat / non-cat images, as its ``load_dataset`` returns them.

    Reads ``train_catvnoncat.h5`` and ``test_catvnoncat.h5`` with h5py (never
    pickle). nncore does not ship these files.

    Parameters
    ----------
    folder : str or path-like, optional
        The folder holding both files. Default: the ``NNCORE_DATA`` environment
        variable.

    Returns
    -------
    train_x_orig : ndarray of shape (209, 64, 64, 3), uint8
        Training images, one RGB image per leading index.
    train_y : ndarray of shape (1, 209)
        Training labels, 1 for cat, 0 for non-cat, in the file's integer dtype.
    test_x_orig : ndarray of shape (50, 64, 64, 3), uint8
    test_y : ndarray of shape (1, 50)
    classes : ndarray of shape (2,), bytes
        ``[b"non-cat", b"cat"]``, the test file's ``list_classes``.

    Raises
    ------
    FileNotFoundError
        When no folder is given and ``NNCORE_DATA`` is unset, or the folder or a
        file is missing.
    ValueError
        When a file is not HDF5, lacks a key, or holds arrays of the wrong shape
        or dtype.
    ImportError
        When h5py is not installed.

    Examples
    --------
    >>> train_x_orig, train_y, test_x_orig, test_y, classes = load_cat()  # doctest: +SKIP
    >>> train_x = flatten_images(train_x_orig)  # doctest: +SKIP
    """
    h5py = _import_h5py()
    root = data_folder(folder)
    arrays = []
    for split, (filename, x_key, y_key) in CAT_FILES.items():
        keys = (x_key, y_key, "list_classes") if split == "test" else (x_key, y_key)
        path = root / filename
        x, y, *rest = _read(h5py, path, keys)
        _check_split(path, x_key, y_key, x, y)
        arrays += [x, y.reshape(1, -1)]
    classes = rest[0]
    if classes.shape != (2,):
        raise ValueError(
            f"{str(root / CAT_FILES['test'][0])!r}: 'list_classes' must hold the two class "
            f"names; got shape {classes.shape}. {_WHERE}"
        )
    return (*arrays, classes)


def flatten_images(x_orig, dtype=np.float64):
    """Images (m, height, width, channels) to columns (height * width * channels, m) in [0, 1].

    Each image is flattened in C order and the pixel values are divided by
    255, as the course's ``x.reshape(x.shape[0], -1).T / 255``.

    Parameters
    ----------
    x_orig : array_like of shape (m, height, width, channels)
        For the cat data (m, 64, 64, 3) uint8.
    dtype : float32 or float64, default float64
        The result's dtype; the division is done in it.

    Returns
    -------
    X : ndarray of shape (height * width * channels, m), Fortran-ordered
        One image per column; (12288, m) for the cat data. Each image's pixels
        are contiguous in memory, as in the course's transposed view: the
        layout BLAS multiplies fastest here (``W1 @ X`` 4x faster than with a
        C-ordered copy) and the JIT tier reads without a copy.

    Examples
    --------
    >>> flatten_images(np.full((2, 1, 1, 3), 255, np.uint8))
    array([[1., 1.],
           [1., 1.],
           [1., 1.]])
    """
    x = as_numeric(x_orig, "x_orig")
    if x.ndim != 4:
        raise ValueError(
            f"x_orig must be images of shape (m, height, width, channels), e.g. "
            f"(209, 64, 64, 3); got an array with {x.ndim} dimensions, shape {x.shape}."
        )
    if 0 in x.shape:
        raise ValueError(
            f"x_orig has shape {x.shape}: no images, or images without pixels; pass at least one image "
            f"(m >= 1) of at least one pixel and channel."
        )
    dtype = check_dtype(dtype)
    columns = x.reshape(x.shape[0], -1).T
    X = np.empty(columns.shape, dtype=dtype, order="F")
    return np.divide(columns, 255, out=X, dtype=dtype, casting="unsafe")
