"""Fixtures over the tiers and dtypes, a seeded generator and the Hypothesis profiles.

* ``tier``: each registered tier other than the reference (``loop``) that
  imports, as a module; ``any_tier``: each tier including the reference. A
  new tier registered in :data:`nncore.TIERS` is picked up without edits here.
* ``dtype``: float64 and float32.
* ``rng``: a ``numpy.random.Generator`` seeded from the test's id, so each test
  draws its own data and every run draws the same.
* ``cat_folder``: the folder ``NNCORE_DATA`` names, holding the course's cat
  files (:data:`nncore.datasets.CAT_FILES`); ``cats``: their data as
  :func:`nncore.course.cat_data` prepares it. Both skip the test when the
  variable is unset, the files are not there or h5py is not installed.

The fixtures are session-scoped so that Hypothesis tests can use them.
Hypothesis profiles: ``default`` (20 examples), ``ci`` (8) and ``thorough``
(500, to measure tolerances), chosen with the ``HYPOTHESIS_PROFILE``
environment variable; none has a deadline, because the loop tier is slow on
purpose and the JIT tier compiles on first call. Each starts from Hypothesis'
own default, which under a ``CI`` environment variable is derandomized.
"""

import os
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import InMemoryExampleDatabase

import nncore.kernels.config  # noqa: F401  (first: see below)
from helpers import COMPARED, OBSERVED, TIERS
from nncore.datasets import CAT_FILES, DATA_ENV

# nncore.kernels.config chooses the kernels' vector width (nncore.kernels.target) and sets Numba's CPU
# features, which Numba takes only before it compiles anything: imported here, before the test modules
# that define @numba.njit functions, so that the suite compiles the kernels as the commands it starts do.

# Hypothesis keeps no example database under a CI variable (its "ci" profile). Give it one in
# memory there: the pytest plugin stacks one settings object per parametrized run of a @given
# test, and with no database each run looks it up through the whole stack, one frame per run;
# test_fuzz's 1127 cases of one test overflowed the stack in CI (hypothesis 6.170).
_DATABASE = settings.default.database
if _DATABASE is None:
    _DATABASE = InMemoryExampleDatabase()
_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow], database=_DATABASE)
settings.register_profile("default", max_examples=20, **_COMMON)
settings.register_profile("ci", max_examples=8, **_COMMON)
settings.register_profile("thorough", max_examples=500, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session", params=list(COMPARED.values()), ids=list(COMPARED))
def tier(request):
    """A tier compared with the reference, as its module."""
    return request.param


@pytest.fixture(scope="session", params=list(TIERS.values()), ids=list(TIERS))
def any_tier(request):
    """Any tier, the reference included, as its module."""
    return request.param


@pytest.fixture(scope="session", params=[np.float64, np.float32], ids=["float64", "float32"])
def dtype(request):
    return np.dtype(request.param)


@pytest.fixture
def rng(request):
    """A generator seeded from the test's id."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture(scope="session")
def cat_folder():
    """The folder of the course's cat data files, from ``NNCORE_DATA``; skips the test without them."""
    folder = os.environ.get(DATA_ENV)
    if not folder:
        pytest.skip(f"no cat data: set {DATA_ENV} to the folder holding the course's .h5 files")
    missing = [name for name, *_ in CAT_FILES.values() if not (Path(folder) / name).is_file()]
    if missing:
        pytest.skip(f"no cat data: {DATA_ENV}={folder} lacks {', '.join(missing)}")
    pytest.importorskip("h5py")
    return folder


@pytest.fixture(scope="session")
def cats(cat_folder):
    """The course's cat data, flattened and divided by 255 (:class:`nncore.course.data.Data`)."""
    from nncore.course import cat_data

    return cat_data(cat_folder)


def pytest_addoption(parser):
    parser.addoption(
        "--show-tier-diffs",
        action="store_true",
        help="after the run, print the largest difference from the reference seen per tier and dtype",
    )


def pytest_terminal_summary(terminalreporter, config):
    if not config.getoption("--show-tier-diffs") or not OBSERVED:
        return
    terminalreporter.section("largest differences from the reference (as the rtol needed)")
    for (tier_name, dtype_name), (needed, where) in sorted(OBSERVED.items()):
        terminalreporter.write_line(f"{tier_name:>8} {dtype_name:>8}: {needed:.3g}  ({where})")
