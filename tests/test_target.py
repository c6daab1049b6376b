"""nncore.kernels.target: the vector width of the kernels, chosen on the running CPU."""

import json
import os
import subprocess
import sys
import time

import pytest

pytest.importorskip("numba")

from nncore.kernels import config, target  # noqa: E402

needs_avx512 = pytest.mark.skipif(not target.has_avx512(), reason="this CPU has one vector width (no AVX-512)")


def _child(code, **env):
    """What `code` prints in a fresh interpreter, with `env` added to (None: removed from) the environment."""
    environ = {key: value for key, value in os.environ.items() if key not in env or env[key] is not None}
    environ.update({key: value for key, value in env.items() if value is not None})
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


CHOSEN = "import json, numba, nncore.kernels.config as c; print(json.dumps([c.TARGET, numba.config.CPU_FEATURES]))"


def test_a_probe_child_that_hangs_is_killed_and_the_probe_fails(monkeypatch):
    monkeypatch.setattr(target, "_PROBE", "import time\ntime.sleep(60)\n")
    monkeypatch.setattr(target, "PROBE_TIMEOUT", 1)
    started = time.perf_counter()
    with pytest.raises(subprocess.SubprocessError, match="the probe's child process said ''"):
        target.measure(config.PROBE_OPTIONS)
    assert time.perf_counter() - started < 30


@needs_avx512
def test_the_probe_times_both_widths():
    decision = target.measure(config.PROBE_OPTIONS)
    assert decision["width"] in (256, 512)
    assert set(decision["seconds"]) == {"256", "512"} and all(s > 0 for s in decision["seconds"].values())
    faster = decision["seconds"]["512"] <= target.WIN * decision["seconds"]["256"]
    assert decision["width"] == (512 if faster else 256)


@needs_avx512
@pytest.mark.parametrize("width", ["256", "512"])
def test_a_forced_width_sets_numbas_features(width):
    chosen, features = json.loads(_child(CHOSEN, NNCORE_VECTOR_WIDTH=width, NUMBA_CPU_FEATURES=None))
    assert chosen["width"] == int(width)
    assert (features is not None and features.endswith(",-prefer-256-bit")) == (width == "512")


def test_the_users_numba_settings_win():
    features = target.host_features()
    chosen, used = json.loads(_child(CHOSEN, NNCORE_VECTOR_WIDTH="512", NUMBA_CPU_FEATURES=features))
    assert chosen["width"] is None and "set by the user" in chosen["reason"]
    assert used == features


def test_numba_compiling_first_leaves_its_features_alone():
    code = "import numba; numba.njit(lambda x: x + 1)(1); " + CHOSEN.replace("import json, numba, ", "import json, ")
    chosen, used = json.loads(_child(code, NNCORE_VECTOR_WIDTH="512", NUMBA_CPU_FEATURES=None))
    assert chosen["width"] is None and "compiled code before" in chosen["reason"]
    assert used is None


def test_an_unknown_width_is_refused_with_the_choices(monkeypatch):
    monkeypatch.setenv(target.WIDTH_ENV, "1024")
    with pytest.raises(ValueError, match=r"NNCORE_VECTOR_WIDTH='1024': expected one of measure, 256, 512"):
        target.configure(config.PROBE_OPTIONS)


@needs_avx512
def test_a_measured_width_is_kept_and_read_back(tmp_path, monkeypatch):
    path = tmp_path / "width.json"
    monkeypatch.setattr(target, "decision_file", lambda: path)
    first = target._decided(config.PROBE_OPTIONS)
    assert json.loads(path.read_text()) == first and first["reason"] == "measured on this CPU"
    monkeypatch.setattr(target, "measure", lambda options: pytest.fail("measured again"))
    assert target._decided(config.PROBE_OPTIONS) == first
