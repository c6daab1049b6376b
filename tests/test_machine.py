"""The machine's own bound (:mod:`nncore.bench.machine`) and ``nncore compare --bounds``.

The arithmetic is checked exactly on the course's shapes; the measurement only for being
positive and finite, on tiny sizes (speed is never asserted in a unit test).
"""

import json
import math

import numpy as np
import pytest

from nncore.bench import machine
from nncore.bench.report import bound_text, machine_lines
from nncore.bench.workloads import WORKLOADS
from nncore.cli import main

#: Tiny sizes: the whole measurement in well under a second once compiled.
TINY = {"gemm_sizes": {"float64": 32, "float32": 32}, "cache_bytes": 1 << 16, "dram_bytes": 1 << 18, "repeats": 1}


def fake_machine(dgemm=100e9, sgemm=200e9, cache=50e9, dram=20e9):
    """A :func:`machine.measure` result with round rates."""
    return {
        "gemm": {"float64": {"flops_per_second": dgemm}, "float32": {"flops_per_second": sgemm}},
        "bandwidth": {"cache": {"bytes_per_second": cache}, "dram": {"bytes_per_second": dram}},
    }


@pytest.mark.parametrize(
    "layer_dims, m, flops",
    [
        # deep-cats: 2 * 209 * (3 * (12288*20 + 20*7 + 7*5 + 5*1) - 12288*20), the 206 MFLOP
        ((12288, 20, 7, 5, 1), 209, 205_681_080),
        # logistic regression as one sigmoid unit: the forward w.T @ X and dw = X @ dZ.T
        ((12288, 1), 209, 2 * 209 * 2 * 12288),
        # planar [2, 4, 1], m = 400: 2 * 400 * (3 * (8 + 4) - 8)
        ((2, 4, 1), 400, 22_400),
        # wide on 65536 samples (the 189 GFLOP): 2 * m * (3 * 655616 - 524288), and on the harness's 16384
        ((1024, 512, 256, 1), 65536, 189_079_224_320),
        ((1024, 512, 256, 1), 16384, 47_269_806_080),
    ],
)
def test_network_flops_exact(layer_dims, m, flops):
    assert machine.network_flops(layer_dims, m) == flops


def test_x_bytes_and_levels():
    assert machine.x_bytes(12288, 209, np.float64) == machine.CACHE_BYTES == 20_545_536
    assert machine.x_bytes(12288, 209, "float32") == machine.CACHE_BYTES // 2
    assert machine.bandwidth_level(machine.CACHE_BYTES) == "cache"
    assert machine.bandwidth_level(machine.x_bytes(1024, 65536, np.float64)) == "dram"
    assert machine.CACHE_BYTES < machine.LEVEL_SPLIT < machine.DRAM_BYTES


def test_iteration_bound_takes_the_larger_term():
    fake = fake_machine()
    cats = machine.iteration_bound((12288, 20, 7, 5, 1), 209, "float64", fake)
    assert cats["limited_by"] == "flops"
    assert cats["seconds"] == pytest.approx(205_681_080 / 100e9)
    assert cats["byte_seconds"] == pytest.approx(20_545_536 / 50e9)
    assert cats["level"] == "cache" and cats["x_passes"] == 1 and cats["tier_x_passes"] == 2
    logreg = machine.iteration_bound((12288, 1), 209, "float64", fake)
    assert logreg["limited_by"] == "bytes" and logreg["seconds"] == pytest.approx(20_545_536 / 50e9)
    single = machine.iteration_bound((12288, 20, 7, 5, 1), 209, "float32", fake)
    assert single["seconds"] == pytest.approx(205_681_080 / 200e9)
    assert single["x_bytes"] == 20_545_536 // 2
    twice = machine.iteration_bound((12288, 1), 209, "float64", fake, x_passes=2)
    assert twice["byte_seconds"] == pytest.approx(2 * logreg["byte_seconds"])
    wide = machine.iteration_bound((1024, 512, 256, 1), 65536, "float64", fake)
    assert wide["level"] == "dram" and wide["byte_seconds"] == pytest.approx(1024 * 65536 * 8 / 20e9)


def test_workload_bounds_cover_every_workload():
    bounds = machine.workload_bounds(fake_machine())
    assert set(bounds) == set(WORKLOADS)
    assert bounds["deep-cats"]["m"] == 209 and bounds["deep-cats"]["flops"] == 205_681_080
    text = bound_text(bounds["deep-cats"])
    assert text.startswith("2.06 ms (206 MFLOP at 100 GFLOP/s; X 20.5 MB once at 50 GB/s (cache)"), text
    assert "GFLOP at" in bound_text(bounds["wide"])


def test_measure_tiny_is_positive_and_finite():
    figures = machine.measure(**TINY)
    rates = [figures["gemm"][d]["flops_per_second"] for d in ("float64", "float32")]
    rates += [figures["bandwidth"][level]["bytes_per_second"] for level in ("cache", "dram")]
    assert all(math.isfinite(r) and r > 0 for r in rates), rates
    assert figures["bandwidth"]["cache"]["bytes"] == 1 << 16
    assert figures["threads"]["numba"] >= 1
    assert isinstance(figures["llvm_cpu"], str) and figures["llvm_cpu"]
    json.dumps(figures)  # JSON-ready
    assert len(machine_lines(figures)) == 2


def test_read_kernel_sums_every_word():
    words = np.arange(1001, dtype=np.int64)
    for nthreads in (1, 2, 3):
        assert machine._reader()(words, nthreads) == words.sum()


@pytest.fixture
def tiny_probes(monkeypatch):
    """``--bounds`` measures with :data:`TINY` sizes."""
    monkeypatch.setattr(machine, "GEMM_SIZES", TINY["gemm_sizes"])
    monkeypatch.setattr(machine, "CACHE_BYTES", TINY["cache_bytes"])
    monkeypatch.setattr(machine, "DRAM_BYTES", TINY["dram_bytes"])
    monkeypatch.setattr(machine, "REPEATS", 1)


def test_compare_bounds_json(tiny_probes, capsys):
    args = ["compare", "--bounds", "--json", "--workloads", "planar", "--tiers", "vector", "jit"]
    status = main([*args, "--iterations", "2", "--loop-iterations", "1", "--repeats", "1"])
    assert status == 0
    results = json.loads(capsys.readouterr().out)
    assert results["machine"]["bandwidth"]["cache"]["bytes"] == TINY["cache_bytes"]
    (planar,) = results["workloads"]
    assert planar["bound"]["flops"] == 22_400 and planar["bound"]["m"] == 400
    for row in planar["rows"]:
        assert row["time_over_bound"] == pytest.approx(row["seconds_per_iteration"] / planar["bound"]["seconds"])


def test_compare_bounds_table(tiny_probes, capsys):
    args = ["compare", "--bounds", "--workloads", "planar", "--tiers", "vector", "jit"]
    assert main([*args, "--iterations", "2", "--loop-iterations", "1", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert "machine: " in out and "GEMM: dgemm" in out
    assert "vs bound" in out and "lower bound per iteration: " in out


def test_compare_without_bounds_has_no_bound_column(capsys):
    args = ["compare", "--workloads", "planar", "--tiers", "vector", "--iterations", "2", "--repeats", "1"]
    assert main([*args, "--loop-iterations", "1"]) == 0
    out = capsys.readouterr().out
    assert "vs bound" not in out and "machine: " not in out
