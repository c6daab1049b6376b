"""A busy machine: the cores other processes hold, the thread count chosen from the free ones, the warning."""

import os

import pytest

from nncore import threadpool
from nncore.bench import report
from nncore.course.command import main as course_main
from nncore.threadpool import HELD_SHARE, MAX_THREADS


def test_busy_cores_is_the_others_cpu_time_in_cores(monkeypatch):
    """Two cores, 100 ticks each over the interval: 150 busy ticks, of which this process's own 0.5 s."""
    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("Linux only: /proc/stat")
    samples = iter([(1000, 10000), (1150, 10200)])
    monkeypatch.setattr(threadpool, "_cpu_jiffies", lambda cpus: next(samples))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(os, "sysconf", lambda name: 100)
    times = iter([os.times_result((1.0, 0.0, 0, 0, 0)), os.times_result((1.4, 0.1, 0, 0, 0))])
    monkeypatch.setattr(os, "times", lambda: next(times))
    assert threadpool.busy_cores(0) == pytest.approx(2 * (150 - 50) / 200)  # one core's worth


def test_busy_cores_reads_this_machine(monkeypatch):
    busy = threadpool.busy_cores(0.05)
    assert busy is None or 0 <= busy <= len(os.sched_getaffinity(0))


@pytest.mark.parametrize(
    "busy, free",
    [(None, MAX_THREADS), (0.0, MAX_THREADS), (HELD_SHARE - 0.01, MAX_THREADS), (HELD_SHARE, MAX_THREADS - 1)],
)
def test_a_core_held_from_half_of_it_is_not_free(monkeypatch, busy, free):
    monkeypatch.setattr(threadpool, "busy_cores", lambda interval=0: busy)
    assert threadpool.free_cores() == max(free, 1)
    assert threadpool.default_threads() == (max(free, 1), busy)


def test_at_least_one_thread_however_busy(monkeypatch):
    monkeypatch.setattr(threadpool, "busy_cores", lambda interval=0: 64.0)
    assert threadpool.free_cores() == 1


def environment(busy, numba=1, chosen_by="free cores"):
    return {"busy_cores": busy, "cpu_count": 2, "threads": {"numba": numba, "blas": numba, "chosen_by": chosen_by}}


def test_compare_warns_when_another_process_holds_a_core():
    assert report.busy_text(environment(None)) is None and report.busy_text(environment(0.3)) is None
    assert report.busy_text(environment(1.0)) == (
        "The machine is busy: other processes keep 1.0 of its 2 cores busy, so timings vary from run to run. "
        "Running on 1 thread, the cores free (--threads N to choose)."
    )
    assert report.busy_text(environment(1.0, 2, "--threads")).endswith(
        "--threads 1 is steadier (without --threads, nncore uses the cores free)."
    )


def test_course_warns_and_runs_on_the_free_cores(monkeypatch, capsys):
    monkeypatch.setattr(threadpool, "default_threads", lambda: (1, 1.2))
    chosen = []
    original = threadpool.threads
    monkeypatch.setattr(threadpool, "threads", lambda n: chosen.append(n) or original(n))
    assert course_main(["planar", "--iterations", "2"]) == 0
    err = capsys.readouterr().err
    assert "nncore course: the machine is busy: other processes keep 1.2 cores busy" in err
    assert "running on 1 thread, the cores free (--threads N to choose)" in err
    assert chosen == [1]


class _Clock:
    """A stand-in for the time module: sleeping advances the wall clock, and the process's CPU time
    grows by one core while its other threads spin, up to `spin_until` seconds."""

    def __init__(self, spin_until):
        self.wall = self.cpu = 0.0
        self.spin_until = spin_until

    def perf_counter(self):
        return self.wall

    def process_time(self):
        return self.cpu

    def sleep(self, seconds):
        self.cpu += max(0.0, min(self.wall + seconds, self.spin_until) - self.wall)
        self.wall += seconds


@pytest.mark.parametrize(
    "spin_until, waited",
    [
        (0.0, 0.01),  # nothing spins: one window
        (0.1, 0.11),  # ten busy windows, then a quiet one
        (0.1005, 0.11),  # a window with 0.5 ms of spinning (5 %) counts as quiet
        (10.0, 0.3),  # spinning on: no longer than IDLE_WAIT_SECONDS
    ],
)
def test_wait_until_idle_ends_with_the_first_quiet_window(monkeypatch, spin_until, waited):
    monkeypatch.setattr(threadpool, "time", _Clock(spin_until))
    assert threadpool.wait_until_idle(longest=0.3, window=0.01) == pytest.approx(waited)


def test_wait_until_idle_sees_another_thread_spin():
    """A real thread of this process spinning 0.15 s: the wait lasts until about then."""
    import threading
    import time

    def spin(until):
        while time.perf_counter() < until:
            pass

    spinner = threading.Thread(target=spin, args=(time.perf_counter() + 0.15,))
    spinner.start()
    waited = threadpool.wait_until_idle(longest=2.0)
    spinner.join()
    assert 0.1 <= waited < 2.0


def test_compare_json_says_the_machine_is_busy_on_standard_error(monkeypatch, capsys):
    """--json prints only JSON on standard output; the table's busy line goes to standard error."""
    import json

    from nncore.cli import main

    monkeypatch.setattr(threadpool, "busy_cores", lambda interval=0: 1.0)  # (not default_threads: imported by name)
    options = ["--workloads", "planar", "--tiers", "vector", "--iterations", "2", "--loop-iterations", "1"]
    assert main(["compare", "--json", *options]) == 0
    out, err = capsys.readouterr()
    environment = json.loads(out)["environment"]
    assert environment["busy_cores"] == 1.0
    assert f"nncore compare: {report.busy_text(environment)}\n" in err
    assert "The machine is busy: other processes keep 1.0 of its" in err
