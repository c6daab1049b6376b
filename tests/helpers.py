"""What the tier tests share: the loaded tiers, one comparison helper and its tolerances, test data.

Every cross-tier comparison goes through :func:`assert_tiers_agree` (or
:func:`compare`, which calls a function in a tier and in the reference and then
it), with the tolerances of :data:`TOLERANCES` or a named profile of
:data:`PROFILES`; no test invents its own.
"""

import importlib
from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st

import nncore
from nncore.interface import LayerCache
from nncore.tiers import TIER_MODULES

# --------------------------------------------------------------------------
# Tiers
# --------------------------------------------------------------------------


def _load_tiers():
    """Import every registered tier: the modules of those that import, and the errors of those that do not.

    A tier that fails to import is reported by one test
    (``test_every_registered_tier_imports_and_implements_the_interface``)
    instead of stopping the collection of every test module.
    """
    loaded, broken = {}, {}
    for name in nncore.TIERS:
        try:
            loaded[name] = importlib.import_module(TIER_MODULES[name])
        except ImportError as err:
            broken[name] = err
    return loaded, broken


#: Tier name -> module, for the registered tiers that import; tier name -> ImportError for the others.
TIERS, BROKEN_TIERS = _load_tiers()

#: The loop tier, the reference every other tier is compared with.
REFERENCE = TIERS["loop"]

#: The tiers compared with the reference.
COMPARED = {name: module for name, module in TIERS.items() if name != "loop"}


def tier_name(module):
    """The registry name of a tier module."""
    return next(name for name, m in TIERS.items() if m is module)


# --------------------------------------------------------------------------
# Tolerances and the one comparison helper
# --------------------------------------------------------------------------

#: dtype -> (rtol, atol). An entry passes when
#: ``|ours - ref| <= atol + rtol * (|ref| + max|ref|)``, max over its array.
#:
#: * ``rtol * max|ref|``, a floor per array: sums of terms of both signs (Z, dW,
#:   db, dA_prev) can cancel to near zero, where an entry's relative error is
#:   unbounded though its error is tiny next to the array's other entries.
#: * float64: the tiers add the same terms in other orders, and the loop tier
#:   calls ``math`` where the others call NumPy or SciPy. Largest difference
#:   seen with ``HYPOTHESIS_PROFILE=thorough pytest --show-tier-diffs`` (500
#:   examples a test, vector tier): 1e-13 as this rtol, so 1e-10 leaves a
#:   factor of 1000 for other summation orders (parallel reductions).
#: * float32: the loop tier computes in double and rounds once when it stores,
#:   the others compute in float32, so entries differ by a few float32 ulps
#:   (6e-8) times the condition of the computation. Without atol the largest
#:   difference seen is 1e-4 as an rtol, from sums cancelled to near zero in
#:   arrays of one or two entries (db of a one-unit layer): a tail that no
#:   rtol bounds. The test data are O(1) (inputs within +-2, weight rows of
#:   absolute sum <= 1), so such a sum carries an absolute error of a few ulps
#:   of 1, which atol 1e-6 covers; with it the largest seen is 4e-6 (the cost
#:   of propagate), so rtol 1e-4 leaves a factor of 25.
TOLERANCES = {
    np.dtype(np.float64): (1e-10, 0.0),
    np.dtype(np.float32): (1e-4, 1e-6),
}


class Profile(NamedTuple):
    """A named tolerance for comparisons the per-dtype :data:`TOLERANCES` do not fit.

    ``floor=False``: no ``rtol * max|ref|`` floor per array, so each entry is
    held to ``atol + rtol * |ref|`` (the arrays compared under a profile, cost
    traces, have no entries cancelled to near zero).
    """

    rtol: float
    atol: float
    floor: bool
    reason: str


#: Name -> Profile, for ``assert_tiers_agree(..., profile=NAME)``.
PROFILES = {
    "full-run": Profile(
        1e-9,
        0.0,
        False,
        "A course experiment's full run (thousands of iterations), tier against vector tier. Summing in "
        "another order changes a float64 result by ~1e-16 relative per operation; a 1e-15 perturbation "
        "of the initial weights moved the cat costs by at most 2e-13 relative over 2500 iterations, so "
        "1e-9 leaves a wide margin.",
    ),
    "full-run-overshooting": Profile(
        1e-5,
        0.0,
        False,
        "Logistic regression on the cats at learning rate 0.01 (logreg-cats-rates) overshoots: its cost "
        "rises to 0.82 at iteration 100 and the run is ill-conditioned there. A 1e-15 perturbation of X "
        "moved its cost at iteration 200 by 1.8e-7 relative.",
    ),
    "full-run-chaotic": Profile(
        1e-2,
        0.0,
        False,
        "The planar trainings are chaotic late in the run (planar from iteration 8000, the hidden-size "
        "sweep from 4000). Measured in the vector tier: 40 perturbations of the initial weights by one part "
        "in 1e15 moved the 50-unit cost at iteration 4000 by up to 4.3e-3 relative and planar's at 8000 by "
        "up to 8.2e-4 (and the accuracy by up to 2 of the 400 points). Tiers that sum in other orders, or "
        "a JIT plan that picks another path (BLAS or our kernels), drift apart as much; 1e-2 is about "
        "twice the largest drift seen.",
    ),
}

#: (tier, dtype or "dtype/profile") -> (the smallest rtol that would have passed with the atol used, where).
OBSERVED = {}


def _needed_rtol(ours, ref, atol, floor=True):
    """The smallest rtol r with ``|ours - ref| <= atol + r * (|ref| + max|ref|)`` everywhere (without max|ref|
    when not `floor`)."""
    ours, ref = np.asarray(ours, np.float64), np.asarray(ref, np.float64)
    excess = np.abs(ours - ref) - atol
    if excess.size == 0 or not (excess > 0).any():
        return 0.0
    scale = np.abs(ref) + (np.max(np.abs(ref)) if floor else 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(excess > 0, excess / scale, 0.0)
    return float(np.max(np.where(np.isnan(ratio), np.inf, ratio)))


def _describe_difference(path, ours, ref, rtol, atol):
    ours64, ref64 = np.asarray(ours, np.float64), np.asarray(ref, np.float64)
    diff = np.abs(ours64 - ref64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = diff / np.abs(ref64)
    worst = np.nanargmax(np.where(np.isnan(diff), np.inf, diff)) if diff.ndim else 0
    where = tuple(int(i) for i in np.unravel_index(worst, diff.shape))
    lines = [
        f"{path}: tiers disagree (rtol {rtol:g}, atol with the array's floor {atol:.3g})",
        f"  max |ours - ref| = {diff[where]:.3g} at {where}: ours {float(ours64[where])!r}, "
        f"reference {float(ref64[where])!r}",
        f"  max relative difference = {np.nanmax(rel) if rel.size else 0:.3g}",
    ]
    if np.size(ref) <= 64:
        with np.printoptions(precision=17, linewidth=120):
            lines += [f"  ours:\n{ours64}", f"  reference:\n{ref64}"]
    return "\n".join(lines)


def _compare(path, ours, ref, check):
    if isinstance(ref, LayerCache):
        assert isinstance(ours, LayerCache), f"{path}: ours is a {type(ours).__name__}, reference a LayerCache"
        for field in LayerCache._fields:
            _compare(f"{path}.{field}", getattr(ours, field), getattr(ref, field), check)
    elif isinstance(ref, dict):
        assert isinstance(ours, dict), f"{path}: ours is a {type(ours).__name__}, reference a dict"
        assert set(ours) == set(ref), f"{path}: ours has keys {sorted(ours)}, reference {sorted(ref)}"
        for key in ref:
            _compare(f"{path}[{key!r}]", ours[key], ref[key], check)
    elif isinstance(ref, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(ref), (
            f"{path}: ours is {type(ours).__name__} of length {len(ours)}, reference of length {len(ref)}"
        )
        for position, (o, r) in enumerate(zip(ours, ref)):
            _compare(f"{path}[{position}]", o, r, check)
    elif ref is None:
        assert ours is None, f"{path}: ours is {ours!r}, reference None"
    elif isinstance(ref, np.ndarray):
        assert isinstance(ours, np.ndarray), f"{path}: ours is a {type(ours).__name__}, reference an ndarray"
        assert ours.shape == ref.shape, f"{path}: ours has shape {ours.shape}, reference {ref.shape}"
        assert ours.dtype == ref.dtype, f"{path}: ours has dtype {ours.dtype}, reference {ref.dtype}"
        check(path, ours, ref)
    else:
        assert isinstance(ref, float), f"{path}: unexpected reference type {type(ref).__name__}"
        assert isinstance(ours, float) and not isinstance(ours, np.generic), (
            f"{path}: ours is {type(ours).__name__} {ours!r}, reference a Python float"
        )
        check(path, ours, ref)


def assert_tiers_agree(name, ours, ref, rtol=None, atol=None, dtype=np.float64, tier=None, profile=None):
    """Assert that a tier's result matches the reference's, printing both on failure.

    Compares nested results (ndarrays, Python floats, dicts, tuples, lists,
    LayerCache): same structure, keys, shapes and dtypes, and every value
    within ``atol + rtol * (|ref| + max|ref|)``, the max taken over its array.
    The ``rtol * max|ref|`` term is an absolute floor per array: sums of terms
    of both signs (dW, db) can cancel to near zero, where the relative error of
    an entry is unbounded though the error is tiny next to the array's other
    entries. The defaults and their reasons are in :data:`TOLERANCES`.

    Parameters
    ----------
    name : str
        What is compared, for the message (e.g. ``"train"``).
    ours, ref
        The tier's result and the reference's.
    rtol, atol : float, optional
        Default to ``TOLERANCES[dtype]``, or to the profile's.
    dtype : numpy dtype, default float64
        The dtype the call computed in; picks the tolerances.
    tier : str, optional
        The tier's name: the largest difference is recorded per tier and dtype
        (and profile).
    profile : str, optional
        A name in :data:`PROFILES`, whose tolerances (and reason) apply instead
        of the dtype's.
    """
    dtype = np.dtype(dtype)
    default_rtol, default_atol = TOLERANCES[dtype]
    with_floor, observed_as = True, dtype.name
    if profile is not None:
        default_rtol, default_atol, with_floor, _ = PROFILES[profile]
        observed_as = f"{dtype.name}/{profile}"
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol

    def check(path, o, r):
        floor = rtol * float(np.max(np.abs(r))) if with_floor and np.size(r) else 0.0
        if tier is not None:
            needed = _needed_rtol(o, r, atol, with_floor)
            if needed > OBSERVED.get((tier, observed_as), (0.0, ""))[0]:
                OBSERVED[tier, observed_as] = (needed, path)
        assert np.allclose(o, r, rtol=rtol, atol=atol + floor, equal_nan=True), _describe_difference(
            path, o, r, rtol, atol + floor
        )

    _compare(name, ours, ref, check)


def _arrays(value):
    """Every ndarray inside `value` (nested dicts, tuples and lists)."""
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item)
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _arrays(item)


def computation_dtype(args):
    """float32 when every floating array in `args` is float32, else float64 (the validation's rule)."""
    floats = [a.dtype for a in _arrays(args) if a.dtype.kind == "f"]
    return np.result_type(*floats) if floats else np.dtype(np.float64)


def compare(tier, name, *args, dtype=None):
    """Call `name` in `tier` and in the reference on `args` and assert that the results agree.

    Also asserts that neither call modified its arguments.

    Returns
    -------
    ours, ref
        Both results, for further checks.
    """
    dtype = computation_dtype(args) if dtype is None else np.dtype(dtype)
    before = [a.copy() for a in _arrays(args)]
    ref = getattr(REFERENCE, name)(*args)
    ours = getattr(tier, name)(*args)
    for original, now in zip(before, _arrays(args)):
        assert np.array_equal(original, now, equal_nan=True), f"{name} modified an argument"
    assert_tiers_agree(name, ours, ref, dtype=dtype, tier=tier_name(tier))
    return ours, ref


# --------------------------------------------------------------------------
# Test data
# --------------------------------------------------------------------------

#: Small sizes: n and m include 1, and equal sizes are common, so a rank-1 or
#: transposition mistake that broadcasts silently shows up in the values.
sizes = st.integers(1, 4)
seeds = st.integers(0, 2**32 - 1)
hidden_activations = st.sampled_from(nncore.ACTIVATIONS)


@st.composite
def networks(draw, max_layers=3, sigmoid_output=True):
    """``(layer_dims, activations)``: 1 to `max_layers` layers of 1-4 units."""
    L = draw(st.integers(1, max_layers))
    dims = draw(st.lists(sizes, min_size=L, max_size=L))
    activations = draw(st.lists(hidden_activations, min_size=L, max_size=L))
    if sigmoid_output:
        dims[-1], activations[-1] = 1, "sigmoid"
    return [draw(sizes)] + dims, activations


def normal(rng, shape, dtype, scale=1.0):
    """Standard-normal draws times `scale`, as an ndarray of `dtype` (0-d for shape ())."""
    return np.asarray(scale * rng.standard_normal(shape)).astype(dtype)


def uniform(rng, shape, dtype, bound=1.0):
    """Uniform draws in ``[-bound, bound]``, as an ndarray of `dtype`."""
    return np.asarray(rng.uniform(-bound, bound, shape)).astype(dtype)


def labels(rng, m, dtype):
    """Random 0/1 labels of shape (1, m), both classes present when m >= 2."""
    Y = (rng.random((1, m)) < 0.5).astype(dtype)
    if m >= 2:
        Y[0, 0], Y[0, 1] = 0, 1
    return Y


def network(rng, layer_dims, dtype, weight_scale=1.0):
    """Parameters ``W[l]`` uniform in ``+-weight_scale / n[l-1]`` and ``b[l]`` uniform in ``+-0.5``.

    With ``weight_scale = 1`` each row of W has an absolute sum of at most 1,
    so ``|Z[l]| <= max|A[l-1]| + 0.5``: a few layers on inputs in ``[-2, 2]``
    keep ``|Z| <= 4``, where the float32 derivatives of tanh and the sigmoid
    (``1 - A**2``, ``A (1 - A)``) do not lose their digits to cancellation.
    """
    parameters = {}
    for l in range(1, len(layer_dims)):
        n, n_prev = layer_dims[l], layer_dims[l - 1]
        parameters[f"W{l}"] = uniform(rng, (n, n_prev), dtype, weight_scale / n_prev)
        parameters[f"b{l}"] = uniform(rng, (n, 1), dtype, 0.5)
    return parameters


def problem(rng, layer_dims, m, dtype, x_scale=1.0, weight_scale=1.0):
    """``(X, Y, parameters)``: a :func:`network` and m samples uniform in ``+-2 x_scale``."""
    X = uniform(rng, (layer_dims[0], m), dtype, 2.0 * x_scale)
    return X, labels(rng, m, dtype), network(rng, layer_dims, dtype, weight_scale)
