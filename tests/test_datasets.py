"""nncore.datasets: the planar flower bit for bit, the cat files and their errors."""

import hashlib

import numpy as np
import pytest

from nncore.datasets import flatten_images, load_cat, planar

# --------------------------------------------------------------------------
# planar
# --------------------------------------------------------------------------

#: Fingerprint of planar(seed=1), from the course's recipe (load_planar_dataset).
PLANAR_SHA256 = "8360ecab429e96da034019dc3a983b230ffb002eb7aa1a4e93cdad9d585ccf07"


def course_planar():
    """The course's load_planar_dataset, verbatim but for its global seed."""
    np.random.seed(1)
    m, N, D, a = 400, 200, 2, 4
    X = np.zeros((m, D))
    Y = np.zeros((m, 1), dtype="uint8")
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def test_planar_fingerprint():
    X, Y = planar()
    assert X.shape == (2, 400) and X.dtype == np.float64
    assert Y.shape == (1, 400) and Y.dtype == np.float64
    np.testing.assert_array_equal(Y[0, :200], 0.0)
    np.testing.assert_array_equal(Y[0, 200:], 1.0)
    assert X[:, 0].tolist() == [1.204442292254319, 3.5761141481288448]
    assert X[:, -1].tolist() == [0.7307808250007513, 3.0683292081876545]
    assert X.sum() == 10.087983277441666
    assert hashlib.sha256(X.tobytes()).hexdigest() == PLANAR_SHA256


def test_planar_is_the_course_data_bit_for_bit():
    state = np.random.get_state()
    try:
        X_course, Y_course = course_planar()
    finally:
        np.random.set_state(state)
    X, Y = planar(seed=1)
    np.testing.assert_array_equal(X, X_course)
    np.testing.assert_array_equal(Y, Y_course)


def test_planar_is_reproducible_and_seeded():
    X1, Y1 = planar()
    X2, _ = planar()
    np.testing.assert_array_equal(X1, X2)
    X3, Y3 = planar(seed=2)
    assert not np.array_equal(X1, X3)
    np.testing.assert_array_equal(Y1, Y3)
    assert X3.sum() == -44.142667957746056


def test_planar_leaves_the_global_seed_alone():
    state = np.random.get_state()
    planar()
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]


# --------------------------------------------------------------------------
# load_cat on the real data
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cat(cat_folder):
    """The cat data as :func:`load_cat` returns it, read from ``NNCORE_DATA`` (see conftest's ``cat_folder``)."""
    return load_cat()


@pytest.mark.data
def test_load_cat_shapes_labels_classes(cat):
    train_x_orig, train_y, test_x_orig, test_y, classes = cat
    assert train_x_orig.shape == (209, 64, 64, 3) and train_x_orig.dtype == np.uint8
    assert test_x_orig.shape == (50, 64, 64, 3) and test_x_orig.dtype == np.uint8
    assert train_y.shape == (1, 209) and test_y.shape == (1, 50)
    assert (int(train_y.sum()), int((train_y == 0).sum())) == (72, 137)
    assert (int(test_y.sum()), int((test_y == 0).sum())) == (33, 17)
    assert classes.tolist() == [b"non-cat", b"cat"]


@pytest.mark.data
def test_flatten_cat_images(cat):
    train_x_orig = cat[0]
    X = flatten_images(train_x_orig)
    assert X.shape == (12288, 209) and X.dtype == np.float64
    np.testing.assert_array_equal(X[:5, 0] * 255, [17, 31, 56, 22, 33])
    np.testing.assert_array_equal(X, train_x_orig.reshape(209, -1).T / 255)  # the course's formula


@pytest.mark.data
def test_load_cat_reads_the_folder_argument(cat, cat_folder, monkeypatch):
    monkeypatch.delenv("NNCORE_DATA")
    train_x_orig, *_ = load_cat(cat_folder)
    np.testing.assert_array_equal(train_x_orig, cat[0])


# --------------------------------------------------------------------------
# flatten_images
# --------------------------------------------------------------------------


def test_flatten_images_order_and_range():
    x = np.arange(2 * 2 * 2 * 3, dtype=np.uint8).reshape(2, 2, 2, 3)
    X = flatten_images(x)
    assert X.shape == (12, 2)
    np.testing.assert_array_equal(X[:, 1] * 255, np.arange(12, 24))
    assert X.flags.f_contiguous  # each image contiguous, as the course's transposed view


def test_flatten_images_float32():
    x = np.full((3, 4, 4, 3), 255, dtype=np.uint8)
    X = flatten_images(x, dtype=np.float32)
    assert X.dtype == np.float32 and X.shape == (48, 3)
    np.testing.assert_array_equal(X, 1.0)


def test_flatten_images_needs_four_dimensions():
    with pytest.raises(ValueError, match=r"\(m, height, width, channels\).*3 dimensions"):
        flatten_images(np.zeros((64, 64, 3), dtype=np.uint8))


# --------------------------------------------------------------------------
# load_cat errors
# --------------------------------------------------------------------------


@pytest.fixture
def h5py():
    return pytest.importorskip("h5py")


def write_cat(h5py, folder, m_train=3, m_test=2, drop=None, x_shape=None, x_dtype=np.uint8):
    """Small well-formed cat files in `folder`, optionally with one key dropped or one shape wrong."""
    for split, m in (("train", m_train), ("test", m_test)):
        data = {
            f"{split}_set_x": np.zeros(x_shape or (m, 64, 64, 3), dtype=x_dtype),
            f"{split}_set_y": np.arange(m) % 2,
            "list_classes": np.array([b"non-cat", b"cat"]),
        }
        with h5py.File(folder / f"{split}_catvnoncat.h5", "w") as f:
            for key, value in data.items():
                if key != drop:
                    f.create_dataset(key, data=value)


def test_load_cat_small_valid_files(h5py, tmp_path):
    write_cat(h5py, tmp_path)
    train_x_orig, train_y, test_x_orig, test_y, classes = load_cat(tmp_path)
    assert train_x_orig.shape == (3, 64, 64, 3) and test_x_orig.shape == (2, 64, 64, 3)
    assert train_y.tolist() == [[0, 1, 0]] and test_y.tolist() == [[0, 1]]
    assert classes.tolist() == [b"non-cat", b"cat"]


def test_load_cat_without_folder_or_env(h5py, monkeypatch):
    monkeypatch.delenv("NNCORE_DATA", raising=False)
    with pytest.raises(FileNotFoundError, match="NNCORE_DATA is not set.*--data FOLDER"):
        load_cat()


def test_load_cat_missing_folder(h5py, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist.*train_catvnoncat.h5"):
        load_cat(tmp_path / "nowhere")


def test_load_cat_missing_folder_from_env(h5py, tmp_path, monkeypatch):
    monkeypatch.setenv("NNCORE_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_cat()


def test_load_cat_missing_file(h5py, tmp_path):
    write_cat(h5py, tmp_path)
    (tmp_path / "test_catvnoncat.h5").unlink()
    with pytest.raises(FileNotFoundError, match=r"test_catvnoncat\.h5' not found.*NNCORE_DATA"):
        load_cat(tmp_path)


def test_load_cat_not_hdf5(h5py, tmp_path):
    write_cat(h5py, tmp_path)
    (tmp_path / "train_catvnoncat.h5").write_bytes(b"not an HDF5 file\n" * 10)
    with pytest.raises(ValueError, match=r"train_catvnoncat\.h5' is not a readable HDF5 file"):
        load_cat(tmp_path)


def test_load_cat_missing_key(h5py, tmp_path):
    write_cat(h5py, tmp_path, drop="test_set_y")
    with pytest.raises(ValueError, match=r"test_catvnoncat\.h5' has no dataset 'test_set_y'"):
        load_cat(tmp_path)


@pytest.mark.parametrize(
    "x_shape, x_dtype", [((3, 32, 32, 3), np.uint8), ((3, 64, 64, 3), np.float64), ((3, 12288), np.uint8)]
)
def test_load_cat_wrong_images(h5py, tmp_path, x_shape, x_dtype):
    write_cat(h5py, tmp_path, m_test=3, x_shape=x_shape, x_dtype=x_dtype)
    with pytest.raises(ValueError, match=r"'train_set_x' must be uint8 images of shape \(m, 64, 64, 3\)"):
        load_cat(tmp_path)


def test_load_cat_labels_must_match_images(h5py, tmp_path):
    write_cat(h5py, tmp_path)
    with h5py.File(tmp_path / "train_catvnoncat.h5", "r+") as f:
        del f["train_set_y"]
        f.create_dataset("train_set_y", data=np.zeros(5, dtype=np.int64))
    with pytest.raises(ValueError, match=r"'train_set_y' must hold 3 integer labels"):
        load_cat(tmp_path)


def test_load_cat_needs_h5py(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_h5py(name, *args, **kwargs):
        if name == "h5py":
            raise ImportError("No module named 'h5py'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_h5py)
    with pytest.raises(ImportError, match=r"pip install h5py \(or, from the checkout, pip install -e \.\)"):
        load_cat(tmp_path)
