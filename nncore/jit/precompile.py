"""Compile the JIT tier's kernels before their first use, in worker processes on the free cores.

The JIT tier compiles each kernel on its first call and keeps it in the on-disk cache
(:mod:`nncore.kernels.cache`), so only the first run on a machine (or after an edit of the
kernels) pays. In one process that run compiles one kernel after another, as Numba compiles
under one global lock. But the kernels of a dense layer's three passes do not depend on each
other, nor do logistic regression's loop, the dot product and the training loop (which calls the
passes' parts by address, :mod:`nncore.kernels.address`, and is compiled without running:
:func:`nncore.jit.model.loop_signature`), so :func:`precompile` compiles them at the same time in
worker processes, each writing the shared cache (:data:`TASKS`). The calling process then loads
everything from the cache.

A task compiles by calling the JIT tier on arrays of a few elements of the given dtype, the way
real calls do; the training loop by typing the arguments ``train`` would pass; a pass by building
its part table (:func:`nncore.kernels.dense.part_table`, the part and block kernels compiled for
the signatures their calls by address check). So the kernels are compiled for the argument types
that real calls use. The
workers (child processes running :func:`serve`, so no script of the caller's is
re-imported, as :mod:`multiprocessing`'s spawn would) plan by the rule of thumb
(``NNCORE_PLAN=estimate``), so they time nothing and leave the
plan file alone.

The tasks done are recorded per dtype in a stamp file in the cache folder
(:func:`stamp_file`); the folder is keyed by the kernels' sources, so an edit starts afresh. A
task that fails in its worker is reported and left to the first real call, which compiles it in
the calling process as before.

Examples
--------
>>> sorted(TASKS)
['backprop', 'dot', 'forward', 'grads', 'optimize', 'predict', 'products', 'train']
>>> TASKS["predict"]
('forward',)
"""

import json
import os
import subprocess
import sys
import threading
import time

import numba
import numpy as np

from nncore.kernels import cache

#: The tasks, each with the tasks it needs done first. Ready tasks start in this order.
#: ``products`` compiles the register-tiled products of :mod:`nncore.kernels.gemm` that the three
#: passes share, so that the passes, which start after it, load them from the cache: when forward
#: and grads started together, each compiled them (about 4.5 s of work done twice).
TASKS = {
    "products": (),
    "train": (),
    "forward": ("products",),
    "grads": ("products",),
    "backprop": ("products",),
    "optimize": (),
    "predict": ("forward",),
    "dot": (),
}

#: The tasks a dense network's training needs (``nncore compare``'s planar, deep-cats and wide).
NETWORK = ("forward", "backprop", "grads", "train")

_STAMP = "precompiled.json"


def stamp_file():
    """The file recording the tasks done, per dtype, in the kernels' cache folder (None: no cache)."""
    folder = cache.cache_dir()
    return None if folder is None else folder / _STAMP


def _read_stamp(path):
    try:
        done = json.loads(path.read_text(encoding="utf-8"))
        return {dtype: set(tasks) for dtype, tasks in done.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def _write_stamp(path, dtype, tasks):
    done = _read_stamp(path)
    done[dtype] = done.get(dtype, set()) | set(tasks)
    try:
        cache.write_atomically(path, json.dumps({k: sorted(v) for k, v in sorted(done.items())}) + "\n")
    except OSError:
        pass  # the next run compiles them again in its workers, loading most from the cache


def _check_task(name):
    """Raise ValueError, naming the tasks there are, unless `name` is one of :data:`TASKS`."""
    if name not in TASKS:
        raise ValueError(f"unknown precompile task {name!r}; expected one of {', '.join(TASKS)}.")


def pending(tasks, dtype="float64"):
    """The tasks of `tasks` (with those they need) not yet done for `dtype` on this machine, in start order.

    Parameters
    ----------
    tasks : iterable of str
        Names from :data:`TASKS`.
    dtype : str or numpy dtype

    Returns
    -------
    list of str
        Empty when the stamp file says all are done, or when there is no cache to fill.
    """
    tasks = list(tasks)
    for name in tasks:
        _check_task(name)
    path = stamp_file()
    if path is None or numba.config.DISABLE_JIT:
        return []
    done = _read_stamp(path).get(np.dtype(dtype).name, set())
    wanted = set()
    while tasks:  # the tasks asked for and, transitively, those the ones not done yet need
        name = tasks.pop()
        if name not in wanted and name not in done:
            wanted.add(name)
            tasks.extend(TASKS[name])
    return [name for name in TASKS if name in wanted]


def _small_network(dtype):
    """A [2, 3, 1] tanh/sigmoid network's data and parameters, 8 samples of `dtype`."""
    from nncore.initializers import initialize_parameters

    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 8)).astype(dtype)
    Y = (rng.random((1, 8)) > 0.5).astype(dtype)
    return X, Y, initialize_parameters([2, 3, 1], "he", rng=0, dtype=dtype), ["tanh", "sigmoid"]


def _products(dtype):
    """Call the products of :mod:`nncore.kernels.gemm` the way the passes' block kernels call them:
    C-contiguous arrays of `dtype`, an int64 block and a bool for a transposed coefficient matrix."""
    from nncore.kernels import gemm

    rng = np.random.default_rng(0)
    C, X, out = (rng.standard_normal(shape).astype(dtype) for shape in ((3, 2), (2, 8), (3, 8)))
    gemm.affine_few_rows(C, np.zeros(3, dtype), X, out, 0, 8)
    gemm.axpy_rows(C, np.bool_(False), X, out, 0, 3, 0, 8)
    gemm.dot_rows(out, X, C, 0, 3, 0, 2)


def run_task(name, dtype):
    """Run task `name` for `dtype` in this process: its kernels are compiled or loaded from the cache.

    Parameters
    ----------
    name : str
        A key of :data:`TASKS`.
    dtype : str or numpy dtype

    Returns
    -------
    int
        How many functions Numba compiled (0: all came from the cache).
    """
    import nncore.jit as jit
    from nncore.compiling import CompileWatch
    from nncore.jit import model
    from nncore.kernels import dense, packed

    parts = {"forward": dense.FORWARD_PART, "backprop": dense.BACKPROP_PART, "grads": dense.GRADS_PART}

    _check_task(name)
    dtype = np.dtype(dtype)
    with CompileWatch() as watch:
        if name in parts:  # the part only: its entry kernel is the training loop's callee, compiled there
            dense.part_table(dtype, (parts[name],))
        elif name == "train":  # compiled, not run: the parts it calls by address need not exist yet
            packed.train_loop.compile(model.loop_signature(*_small_network(dtype), 0.1))
        elif name == "products":
            _products(dtype)
        elif name == "predict":
            X, _, parameters, activations = _small_network(dtype)
            jit.predict(X, parameters, activations)
        elif name == "optimize":
            X, Y, _, _ = _small_network(dtype)
            jit.optimize(np.zeros((2, 1), dtype), 0.0, X, Y, 2, 0.1, 1)
        else:
            jit.dot(np.ones(8, dtype), np.ones(8, dtype))
    return watch.count


#: The line a worker answers each task with, before its JSON.
_ANSWER = "nncore-precompile:"


def serve(exit_when_done=False):
    """A worker's loop: read ``"task dtype"`` lines from standard input, run each, answer on standard output.

    Each answer is one line, :data:`_ANSWER` then ``{"compiled": count}`` or ``{"error": message}``.

    Parameters
    ----------
    exit_when_done : bool
        End the process with :func:`os._exit` when standard input closes, as the workers do. The
        interpreter's orderly exit after a task took 0.4-0.6 s (tearing down what Numba built), and
        the caller waits for its workers to exit. Nothing is lost: each answer is flushed as it is
        written, and the cache writes each file whole before renaming it into place.
    """
    for line in sys.stdin:
        name, dtype = line.split()
        try:
            answer = {"compiled": run_task(name, dtype)}
        except Exception as error:  # reported to the caller, whose first call then compiles it
            answer = {"error": f"{type(error).__name__}: {error}"}
        print(_ANSWER + json.dumps(answer), flush=True)
    if exit_when_done:
        sys.stdout.flush()
        os._exit(0)


class _Schedule:
    """The tasks left, handed out as the tasks they need are done; shared by the workers' threads."""

    def __init__(self, todo, on_progress):
        self.todo, self.running, self.done, self.failed = list(todo), set(), set(), {}
        self.total = len(self.todo)
        self.on_progress = on_progress
        self.broken = None  # why a worker failed, if one did
        self.compiled = 0  # functions compiled by the workers
        self._changed = threading.Condition()

    def take(self):
        """The next task whose needs are met (waiting for one), or None when none is left."""
        with self._changed:
            while True:
                settled = self.done | set(self.failed)
                ready = [name for name in self.todo if settled.issuperset(TASKS[name])]
                if ready:
                    self.todo.remove(ready[0])
                    self.running.add(ready[0])
                    return ready[0]
                if not self.todo or not self.running:
                    return None
                self._changed.wait()

    def finish(self, name, error=None, compiled=0):
        with self._changed:
            self.running.discard(name)
            self.compiled += compiled
            if error is None:
                self.done.add(name)
            else:
                self.failed[name] = error
            self._changed.notify_all()
            self.on_progress(len(self.done) + len(self.failed), self.total)


def _work(schedule, dtype):
    """One worker: a child process running :func:`serve`, fed tasks from `schedule` until none is left."""
    env = {**os.environ, "NNCORE_PLAN": "estimate"}  # time nothing, write no plan
    command = [sys.executable, "-c", "from nncore.jit.precompile import serve; serve(exit_when_done=True)"]
    name = None
    try:
        with subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
        ) as child:
            with child.stdin:
                while (name := schedule.take()) is not None:
                    child.stdin.write(f"{name} {dtype}\n")
                    child.stdin.flush()
                    answer = next((line for line in child.stdout if line.startswith(_ANSWER)), None)
                    if answer is None:
                        raise OSError(f"the worker exited with code {child.wait()}")
                    answer = json.loads(answer[len(_ANSWER) :])
                    schedule.finish(name, answer.get("error"), answer.get("compiled", 0))
                    name = None
    except (OSError, ValueError) as error:  # the worker could not start, or died: its task compiles later
        schedule.broken = f"{type(error).__name__}: {error}"
        if name is not None:
            schedule.finish(name, schedule.broken)


def precompile(tasks=tuple(TASKS), dtype="float64", workers=None, on_progress=None):
    """Compile the kernels of `tasks` for `dtype` in `workers` processes, unless already done.

    Parameters
    ----------
    tasks : iterable of str
        Names from :data:`TASKS`; the tasks they need are added.
    dtype : str or numpy dtype
        float64 or float32.
    workers : int, optional
        Processes to compile in; default Numba's thread count (:func:`nncore.set_num_threads`, the
        cores free when nncore chose it). Below 2 nothing is done: one process gains nothing over
        compiling on first use.
    on_progress : callable, optional
        Called as ``on_progress(settled, total)`` when it starts and after each task.

    Returns
    -------
    dict or None
        None when nothing was to be done; else ``{"tasks", "compiled", "workers", "seconds",
        "failed"}``: the tasks run, how many functions the workers compiled (0 when the cache had
        them all, from an earlier run that compiled them on first use), the processes, the
        wall-clock seconds and ``{task: message}`` for those that failed (their kernels compile on
        first use instead).
    """
    todo = pending(tasks, dtype)
    workers = min(workers or numba.get_num_threads(), len(todo))
    if workers < 2:
        return None
    dtype = np.dtype(dtype).name
    start = time.perf_counter()
    schedule = _Schedule(todo, on_progress or (lambda settled, total: None))
    schedule.on_progress(0, schedule.total)
    threads = [threading.Thread(target=_work, args=(schedule, dtype), daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name in schedule.todo:  # every worker gone
        schedule.failed[name] = f"not run: {schedule.broken}"
    if schedule.done:
        _write_stamp(stamp_file(), dtype, schedule.done)
    return {
        "tasks": [name for name in TASKS if name in schedule.done or name in schedule.failed],
        "compiled": schedule.compiled,
        "workers": workers,
        "seconds": time.perf_counter() - start,
        "failed": schedule.failed,
    }


def describe(report, folder=None):
    """One line for standard error about a :func:`precompile` report; `folder` is where the cache is
    (default: this process's kernel cache).

    Empty when there is no report (nothing was to be done) or the workers found every kernel in the
    cache; a line more per failed task.

    Examples
    --------
    >>> report = {"tasks": ["forward", "dot"], "compiled": 9, "workers": 2, "seconds": 9.04, "failed": {}}
    >>> describe(None)
    ''
    >>> print(describe(report, "/cache"))
    ... # doctest: +NORMALIZE_WHITESPACE
    jit: compiled the kernels of forward, dot in 9.0 s in 2 processes, once: they are cached in /cache,
    and later runs load them from there.
    """
    if report is None or not (report["compiled"] or report["failed"]):
        return ""
    if folder is None:
        from nncore.compiling import cache_folder

        folder = cache_folder()
    line = (
        f"jit: compiled the kernels of {', '.join(report['tasks'])} in {report['seconds']:.1f} s in "
        f"{report['workers']} processes, once: they are cached in {folder}, and later runs load them from there."
    )
    for name, error in report["failed"].items():
        line += f"\njit: {name} failed in its worker ({error}); it compiles on its first call instead."
    return line


if __name__ == "__main__":
    serve()
