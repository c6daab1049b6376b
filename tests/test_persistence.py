"""Saving and loading: round trips in every dtype, atomic writes, and every bad file refused by name.

A bad file is one of: truncated, corrupted (any single byte flipped), not an
``.npz``, an ``.npz`` nncore did not write, one of another kind, one carrying a
pickled object, one of an unknown format version, and one whose entries
disagree with each other (shapes vs layer sizes, dtypes, activations). Each
must raise a ``ValueError`` whose message names the file, and nothing in a
file is ever unpickled.
"""

import os
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nncore
from nncore import _npz, persistence
from nncore.errors import NotFittedError

ACTIVATIONS = ["tanh", "relu", "sigmoid"]


@pytest.fixture
def data(rng):
    X = rng.uniform(-1, 1, (3, 8))
    Y = (X[:1] + X[1:2] > 0).astype(float)
    Y[0, :2] = 0, 1
    return X, Y


def fitted_network(data, dtype, tier="vector"):
    X, Y = data
    net = nncore.Network([3, 4, 2, 1], ACTIVATIONS, seed=7, tier=tier, dtype=dtype)
    return net.fit(X, Y, learning_rate=0.1, num_iterations=5, cost_every=2)


def assert_same_estimator(loaded, original):
    assert type(loaded) is type(original)
    assert set(loaded.parameters_) == set(original.parameters_)
    for key, value in original.parameters_.items():
        assert loaded.parameters_[key].dtype == value.dtype, key
        np.testing.assert_array_equal(loaded.parameters_[key], value, err_msg=key)
    np.testing.assert_array_equal(loaded.costs_, original.costs_)
    assert loaded.costs_.dtype == np.float64
    np.testing.assert_array_equal(loaded.cost_iterations_, original.cost_iterations_)
    assert (loaded.tier, loaded.dtype, tuple(loaded.activations)) == (
        original.tier,
        original.dtype,
        tuple(original.activations),
    )


def rewrite(path, change):
    """Rewrite the nncore file `path` after `change(arrays)`, keeping its list of entries true.

    So that loading gets past the list and meets the change itself.
    """
    arrays = persistence.read_arrays(path)
    del arrays["entries"]
    change(arrays)
    arrays["entries"] = np.array(sorted(arrays), dtype=str)
    with open(path, "wb") as file:
        np.savez(file, **arrays)


# --------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------


def test_network_round_trip(tmp_path, data, dtype):
    net = fitted_network(data, dtype)
    path = tmp_path / "net.npz"
    assert net.save(path) is None
    loaded = nncore.Network.load(path)
    assert_same_estimator(loaded, net)
    assert (loaded.layer_dims, loaded.init, loaded.seed) == ([3, 4, 2, 1], "he", 7)
    X, Y = data
    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))
    assert loaded.score(X, Y) == net.score(X, Y)
    # Still an estimator: it can be fitted further.
    assert loaded.fit(X, Y, learning_rate=0.1, num_iterations=2).costs_.shape == (1,)


def test_network_round_trip_keeps_the_tier(tmp_path, data):
    net = fitted_network(data, np.float64, tier="loop")
    net.save(tmp_path / "net.npz")
    assert nncore.Network.load(tmp_path / "net.npz").tier == "loop"
    assert nncore.Network.load(tmp_path / "net.npz", tier="vector").tier == "vector"


def test_a_tier_not_installed_here_loads_on_the_vector_tier(tmp_path, data):
    path = tmp_path / "net.npz"
    fitted_network(data, np.float64).save(path)
    rewrite(path, lambda a: a.update(tier=np.array("gpu")))
    assert nncore.Network.load(path).tier == "vector"


def test_load_refuses_an_unknown_tier_argument(tmp_path, data):
    path = tmp_path / "net.npz"
    fitted_network(data, np.float64).save(path)
    with pytest.raises(ValueError, match="unknown tier 'gpu'"):
        nncore.Network.load(path, tier="gpu")


@pytest.mark.parametrize("seed", [None, np.random.default_rng(0)])
def test_a_seed_that_is_not_an_int_loads_as_none(tmp_path, data, seed):
    X, Y = data
    net = nncore.Network([3, 1], seed=seed).fit(X, Y, num_iterations=1)
    net.save(tmp_path / "net.npz")
    assert nncore.Network.load(tmp_path / "net.npz").seed is None


def test_logistic_regression_round_trip(tmp_path, data, dtype):
    X, Y = data
    model = nncore.LogisticRegression(dtype=dtype).fit(X, Y, learning_rate=0.5, num_iterations=30, cost_every=10)
    model.save(tmp_path / "lr.npz")
    loaded = nncore.LogisticRegression.load(tmp_path / "lr.npz")
    assert_same_estimator(loaded, model)
    np.testing.assert_array_equal(loaded.w_, model.w_)
    assert loaded.w_.dtype == dtype and loaded.w_.shape == (3, 1)
    assert loaded.b_ == model.b_ and isinstance(loaded.b_, float)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_parameters_round_trip(tmp_path, rng, dtype):
    parameters = {key: value.astype(dtype) for key, value in nncore.initialize_parameters([4, 3, 1], rng=1).items()}
    parameters["b1"] = rng.standard_normal((3, 1)).astype(dtype)
    metadata = {
        "activations": ("relu", "sigmoid"),
        "epoch": 12,
        "rate": 0.5,
        "note": "cats",
        "best": True,
        "history": np.array([0.7, 0.6, 0.5]),
        "classes": ["non-cat", "cat"],
    }
    nncore.save_parameters(tmp_path / "p.npz", parameters, **metadata)
    loaded, meta = nncore.load_parameters(tmp_path / "p.npz")
    assert list(loaded) == ["W1", "b1", "W2", "b2"]
    for key, value in parameters.items():
        assert loaded[key].dtype == dtype
        np.testing.assert_array_equal(loaded[key], value)
    assert meta.pop("activations") == ["relu", "sigmoid"]
    np.testing.assert_array_equal(meta.pop("history"), metadata["history"])
    assert meta == {"epoch": 12, "rate": 0.5, "note": "cats", "best": True, "classes": ["non-cat", "cat"]}
    assert isinstance(meta["epoch"], int) and isinstance(meta["best"], bool)


@pytest.mark.parametrize(
    "b1, dtype",
    [([[0]], np.float64), (np.zeros((1, 1), np.float32), np.float32), (np.zeros((1, 1), np.float16), np.float32)],
)
def test_parameters_are_stored_in_their_common_float_dtype(tmp_path, b1, dtype):
    """The validation's rule: integer arrays do not vote, float16 widens to float32."""
    nncore.save_parameters(tmp_path / "p.npz", {"W1": [[1, 2]], "b1": b1})
    loaded, meta = nncore.load_parameters(tmp_path / "p.npz")
    assert loaded["W1"].dtype == loaded["b1"].dtype == dtype
    np.testing.assert_array_equal(loaded["W1"], [[1, 2]])
    assert meta == {}


def test_an_estimators_file_gives_its_parameters(tmp_path, data):
    net = fitted_network(data, np.float32)
    net.save(tmp_path / "net.npz")
    loaded, meta = nncore.load_parameters(tmp_path / "net.npz")
    assert meta == {"activations": ACTIVATIONS}
    for key, value in net.parameters_.items():
        np.testing.assert_array_equal(loaded[key], value)


def test_the_file_holds_plain_arrays_only(tmp_path, data):
    fitted_network(data, np.float64).save(tmp_path / "net.npz")
    with np.load(tmp_path / "net.npz", allow_pickle=False) as npz:
        assert int(npz["nncore_format"]) == persistence.FORMAT_VERSION
        assert str(npz["kind"]) == "Network"
        np.testing.assert_array_equal(npz["layer_dims"], [3, 4, 2, 1])
        assert npz["activations"].tolist() == ACTIVATIONS
        assert str(npz["dtype"]) == "float64"
        assert npz["W2"].shape == (2, 4)
        assert all(npz[key].dtype.kind in "biufU" for key in npz.files)


# --------------------------------------------------------------------------
# What save refuses
# --------------------------------------------------------------------------


def test_save_refuses_an_unfitted_estimator(tmp_path):
    for estimator in (nncore.Network([2, 1]), nncore.LogisticRegression()):
        with pytest.raises(NotFittedError, match="no weights to save"):
            estimator.save(tmp_path / "x.npz")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "parameters, metadata, error, message",
    [
        ({"W1": np.ones((1, 2))}, {}, ValueError, r"missing \['b1'\]"),
        ({"W1": np.ones((1, 2)), "b1": np.ones((2, 1))}, {}, ValueError, r"b1.*shape \(n\[1\], 1\) = \(1, 1\)"),
        ({"W1": [[np.nan, 1.0]], "b1": [[0.0]]}, {}, ValueError, "must be finite"),
        ({"W1": [[1j, 1.0]], "b1": [[0.0]]}, {}, TypeError, "real numbers"),
        ([np.ones((1, 2))], {}, TypeError, "must be a dict"),
        (
            {"W1": np.ones((1, 2)), "b1": np.ones((1, 1))},
            {"activations": ["relu", "sigmoid"]},
            ValueError,
            r"2 names but the parameters have 1 layer \(W1\);",
        ),
        ({"W1": np.ones((1, 2)), "b1": np.ones((1, 1))}, {"owner": object()}, TypeError, "metadata 'owner'"),
        ({"W1": np.ones((1, 2)), "b1": np.ones((1, 1))}, {"nothing": None}, TypeError, "metadata 'nothing'"),
        ({"W1": np.ones((1, 2)), "b1": np.ones((1, 1))}, {"ragged": [[1], [2, 3]]}, TypeError, "metadata 'ragged'"),
        ({"W1": np.ones((1, 2)), "b1": np.ones((1, 1))}, {"z": 1j}, TypeError, "metadata 'z'"),
        ({"W1": np.ones((1, 2)), "b1": np.ones((1, 1))}, {"a b": 1}, ValueError, "identifiers"),
    ],
)
def test_save_parameters_refuses(tmp_path, parameters, metadata, error, message):
    with pytest.raises(error, match=message):
        nncore.save_parameters(tmp_path / "p.npz", parameters, **metadata)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------


def test_save_replaces_an_existing_file(tmp_path, data):
    path = tmp_path / "net.npz"
    path.write_bytes(b"an older model")
    fitted_network(data, np.float64).save(path)
    assert nncore.Network.load(path).layer_dims == [3, 4, 2, 1]
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]


@pytest.mark.parametrize("crash", [OSError("disk full"), KeyboardInterrupt()], ids=["OSError", "KeyboardInterrupt"])
def test_a_crash_mid_write_leaves_the_old_file_and_no_temporary(tmp_path, data, monkeypatch, crash):
    path = tmp_path / "net.npz"
    old = fitted_network(data, np.float64)
    old.save(path)
    before = path.read_bytes()

    def write_half_then_crash(file, arrays):
        np.savez(file, **arrays)
        file.truncate(file.tell() // 2)
        raise crash

    monkeypatch.setattr(_npz, "_write_npz", write_half_then_crash)
    new = nncore.Network([3, 1], seed=1).fit(*data, num_iterations=1)
    with pytest.raises(type(crash)):
        new.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]
    assert_same_estimator(nncore.Network.load(path), old)


def test_a_failed_rename_leaves_no_temporary(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()
    with pytest.raises(OSError):
        nncore.save_parameters(target, {"W1": [[1.0]], "b1": [[0.0]]})
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]
    assert list(target.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_the_file_gets_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        nncore.save_parameters(tmp_path / "p.npz", {"W1": [[1.0]], "b1": [[0.0]]})
    finally:
        os.umask(umask)
    assert (tmp_path / "p.npz").stat().st_mode & 0o777 == 0o644


# --------------------------------------------------------------------------
# What load refuses
# --------------------------------------------------------------------------


@pytest.fixture
def saved(tmp_path, data):
    """A saved Network's path and bytes."""
    path = tmp_path / "net.npz"
    fitted_network(data, np.float64).save(path)
    return path, path.read_bytes()


def refused(path, match, loader=nncore.Network.load):
    with pytest.raises(ValueError, match=match) as raised:
        loader(path)
    assert str(raised.value).startswith(f"cannot load {str(path)!r}: ")
    return str(raised.value)


@pytest.mark.parametrize("fraction", [0.0, 0.001, 0.25, 0.5, 0.9, 0.999])
def test_a_truncated_file_is_refused(saved, fraction):
    path, raw = saved
    path.write_bytes(raw[: int(len(raw) * fraction)] if fraction else b"")
    refused(path, "empty" if not fraction else "truncated or corrupted")


@settings(max_examples=60)
@given(where=st.floats(0, 1, exclude_max=True), flip=st.integers(1, 255))
def test_a_flipped_byte_is_refused_or_harmless(tmp_path_factory, where, flip):
    """Any single corrupted byte: a ValueError, or (in bytes zip does not use) the same model."""
    X = np.linspace(-1, 1, 12).reshape(3, 4)
    net = nncore.Network([3, 2, 1], seed=1).fit(X, [[0, 1, 0, 1]], learning_rate=0.1, num_iterations=3)
    path = tmp_path_factory.mktemp("flip") / "net.npz"
    net.save(path)
    raw = bytearray(path.read_bytes())
    raw[int(where * len(raw))] ^= flip
    path.write_bytes(raw)
    try:
        loaded = nncore.Network.load(path)
    except ValueError as err:
        assert str(err).startswith(f"cannot load {str(path)!r}")
    else:
        assert_same_estimator(loaded, net)
        assert (loaded.layer_dims, loaded.init, loaded.seed) == (net.layer_dims, net.init, net.seed)


def test_a_corrupted_weight_is_refused(saved):
    path, raw = saved
    with np.load(path, allow_pickle=False) as npz:
        weights = npz["W1"].tobytes()
    corrupted = bytearray(raw)
    corrupted[raw.index(weights) + len(weights) // 2] ^= 0x40
    path.write_bytes(corrupted)
    refused(path, "corrupted.*CRC")


@pytest.mark.parametrize(
    "content, match",
    [
        (b"W1,b1\n0.5,0.1\n", "not a complete .npz"),
        (b"\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", "single-array .npy"),
        (pickle.dumps({"W1": [[1.0]]}), "looks like a Python pickle"),
    ],
    ids=["csv", "npy", "pickle"],
)
def test_a_file_that_is_not_an_npz_is_refused(tmp_path, content, match):
    path = tmp_path / "model.npz"
    path.write_bytes(content)
    refused(path, match)
    refused(path, match, loader=nncore.load_parameters)


def test_a_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        nncore.Network.load(tmp_path / "nothing.npz")


def test_an_npz_nncore_did_not_write_is_refused(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, W1=np.ones((1, 2)), b1=np.ones((1, 1)))
    refused(path, r"not written by nncore.*\['W1', 'b1'\]", loader=nncore.load_parameters)


def test_the_wrong_kind_is_refused(tmp_path, saved, data):
    path, _ = saved
    refused(
        path,
        "holds a Network, not a LogisticRegression; load it with nncore.Network.load",
        nncore.LogisticRegression.load,
    )
    nncore.LogisticRegression().fit(*data, num_iterations=1).save(tmp_path / "lr.npz")
    refused(tmp_path / "lr.npz", "holds a LogisticRegression, not a Network")
    nncore.save_parameters(tmp_path / "p.npz", {"W1": [[1.0]], "b1": [[0.0]]})
    refused(tmp_path / "p.npz", "holds a bare parameters dict, not a Network; load it with nncore.load_parameters")


#: Set by unpickling a :class:`Trap`.
SPRUNG = []


def _spring():
    SPRUNG.append(True)
    return "sprung"


class Trap:
    """An object whose unpickling runs code (here, harmless)."""

    def __reduce__(self):
        return _spring, ()


def test_a_pickled_object_is_refused_and_never_unpickled(tmp_path, saved):
    path, _ = saved
    rewrite(path, lambda a: a.update(W1=np.array([Trap()], dtype=object)))
    with np.load(path, allow_pickle=True) as npz:  # the trap works when unpickled
        assert npz["W1"][0] == "sprung" and SPRUNG == [True]
    SPRUNG.clear()
    message = refused(path, r"entry 'W1' holds Python objects.*never unpickles")
    assert "allow_pickle=False" in message
    refused(path, "holds Python objects", loader=nncore.load_parameters)
    assert SPRUNG == []


def _tamper(key, value):
    return lambda arrays: arrays.update({key: value})


def _drop(key):
    return lambda arrays: arrays.pop(key)


@pytest.mark.parametrize(
    "change, match",
    [
        (_tamper("nncore_format", np.array(2)), "format version 2, written by a newer nncore.*Upgrade"),
        (_tamper("nncore_format", np.array(0)), "unknown file format version 0"),
        (_tamper("nncore_format", np.array("1")), "'nncore_format' entry should be an integer"),
        (_tamper("kind", np.array("Perceptron")), "unknown kind of object 'Perceptron'"),
        (_tamper("layer_dims", np.array([3, 5, 2, 1])), r"'W1' has shape \(4, 3\).*say \(5, 3\)"),
        (_tamper("layer_dims", np.array([3, 4, 2])), "activations do not fit its layers"),
        (_tamper("layer_dims", np.array([3, 0, 2, 1])), "every size >= 1"),
        (_tamper("layer_dims", np.array([3.0, 4.0, 2.0, 1.0])), "'layer_dims' entry should be the layer sizes"),
        (_tamper("W2", np.ones((4, 2))), r"'W2' has shape \(4, 2\).*say \(2, 4\)"),
        (_tamper("b1", np.ones((4,))), "'b1' entry should be the"),
        (_tamper("W1", np.ones((4, 3), np.float32)), "dtype float32.*say.*float64"),
        (_tamper("dtype", np.array("float16")), "dtype entry is 'float16'"),
        (_tamper("W3", np.full((1, 2), np.inf)), "'W3' holds inf or nan"),
        (_tamper("W1", np.ones((4, 3), np.complex128)), "dtype complex128, which nncore never writes"),
        (_tamper("activations", np.array(["tanh", "swish", "sigmoid"])), "unknown activations.*'swish'"),
        (_tamper("activations", np.array(["tanh", "relu", "relu"])), "output layer's activation must be 'sigmoid'"),
        (_tamper("costs", np.array([0.7, np.nan, 0.6])), "costs are not finite"),
        (_tamper("cost_iterations", np.array([0, 2])), "3 costs.*2 cost iterations"),
        (_tamper("init", np.array("xavier")), "settings are invalid: unknown init 'xavier'"),
        (_tamper("extra", np.zeros(1)), r"entries \['extra'\] that its format version does not have"),
        (_drop("W2"), "no 'W2' entry"),
        (_drop("tier"), "no 'tier' entry"),
        (_drop("kind"), "no 'kind' entry"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_an_inconsistent_file_is_refused(saved, change, match):
    path, _ = saved
    rewrite(path, change)
    refused(path, match)


def test_an_entry_missing_from_the_list_of_entries_is_refused(saved):
    path, _ = saved
    arrays = persistence.read_arrays(path)
    del arrays["seed"]  # as a damaged zip directory can hide an entry
    with open(path, "wb") as file:
        np.savez(file, **arrays)
    refused(path, r"missing \['seed'\].*corrupted")


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda a: a.update(W1=np.ones((2, 3)), b1=np.ones((2, 1)), layer_dims=np.array([3, 2])), "one sigmoid unit"),
        (_tamper("b", np.array(0.25)), "disagrees with its b1"),
        (_drop("b"), "no 'b' entry"),
    ],
    ids=["two units", "b differs", "no b"],
)
def test_an_inconsistent_logistic_regression_file_is_refused(tmp_path, data, change, match):
    path = tmp_path / "lr.npz"
    nncore.LogisticRegression().fit(*data, num_iterations=3).save(path)
    rewrite(path, change)
    refused(path, match, nncore.LogisticRegression.load)
