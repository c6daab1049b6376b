"""The JIT tier's planner: which path each layer's passes take, decided by timing them here.

Every pass of a dense layer (forward, the step to the layer below, the gradients) can run
three ways (:data:`nncore.kernels.dense.PATHS`): nncore's fused kernels on one thread
(``serial``), the same split among threads (``threads``), or the same split with each thread's
block multiplied by BLAS (on one thread inside each of ours) and given its bias and activation
while in cache (``blas``). Which is fastest depends on the CPU (vector
width, cache sizes, memory bandwidth, the BLAS build), the dtype, the layout of the input and
the thread count, so nothing here is a constant tuned on one machine: the first time a pass of
a given shape class is needed, the planner times the candidates on buffers of that shape and
keeps the fastest, as FFTW's planner keeps its "wisdom".

Decisions are kept in a per-CPU JSON file beside the Numba cache
(:func:`nncore.kernels.cache.cache_dir`, so a change to the kernels plans afresh), read back by
later processes, and printed by ``nncore compare``. ``NNCORE_PLAN`` chooses the mode:

``measure`` (the default)
    Time what has not been decided yet, keep it in the plan file.
``estimate``
    No timing: the rule of thumb of :func:`nncore.kernels.dense.estimate_path`.
``serial``, ``threads``, ``blas``
    Force one path for every pass (for tests, and to compare paths by hand).
a path to a JSON file
    A pinned plan (for reproducibility: copy :func:`plan_file` elsewhere and point
    ``NNCORE_PLAN`` at the copy): its decisions are used as they are, never re-timed or
    rewritten; a pass it does not hold takes the rule of thumb.

For a fixed plan and thread count the JIT tier's training repeats bit for bit; two different
plans may differ in the last bits (a BLAS product sums in another order).
"""

import contextlib
import functools
import hashlib
import json
import os
import threading
import time
import warnings
from pathlib import Path

import numba
import numpy as np

from nncore.cpu import cpu_model, llvm_host
from nncore.kernels import cache, dense
from nncore.kernels.elementwise import IDENTITY
from nncore.kernels.packed import BACKPROP, FORWARD, GRADS
from nncore.threadpool import serial_blas

#: The environment variable that chooses the planner's mode.
PLAN_ENV = "NNCORE_PLAN"

#: The passes of a layer, by the plan's columns.
PASSES = {"forward": FORWARD, "backprop": BACKPROP, "grads": GRADS}

_PATH_NAMES = {code: name for name, code in dense.PATHS.items()}
_FORCED = ("serial", "threads", "blas")

#: Time spent on each candidate of one decision, at least (and at least :data:`MIN_ROUNDS` calls).
SECONDS_PER_CANDIDATE = 0.03

#: Calls of each candidate per decision, at least and at most. The fastest call is kept, not the
#: median: on a machine shared with other processes (or a virtual machine's host) interference only
#: ever slows a call down, and medians of a few calls decided the cat network's first layer both ways
#: from one run to the next.
MIN_ROUNDS, MAX_ROUNDS = 5, 40

#: A candidate this many times slower than the fastest is dropped from the rounds that follow.
DROP_BEYOND = 2.0

#: Calls this long or longer are timed once each (after the untimed one): nothing faster to decide.
LONG_CALL = 0.05

#: The version of the plan file's layout.
FILE_VERSION = 1


def shape_class(m):
    """The sample count a decision is filed under: `m` rounded up to a power of two (at least 1)."""
    return 1 << max(int(m) - 1, 0).bit_length()


def decision_key(pass_name, n, n_prev, m, dtype, transposed, threads):
    """The plan file's key for one pass: ``"forward 20x12288x256 float64 T t2"``.

    Parameters
    ----------
    pass_name : str
        A key of :data:`PASSES`.
    n, n_prev : int
        The layer's units and its input's.
    m : int
        Samples (filed by :func:`shape_class`).
    dtype : numpy dtype
    transposed : bool
        Whether the layer's input is stored one sample per row (``T``) or as in the course (``N``).
    threads : int
        Numba's thread count.
    """
    layout = "T" if transposed else "N"
    return f"{pass_name} {n}x{n_prev}x{shape_class(m)} {np.dtype(dtype).name} {layout} t{threads}"


@functools.cache
def _cpu_identity():
    """What the plan file is kept per: the CPU model, LLVM's name and features for it, Numba's version."""
    host = llvm_host()
    return {
        "cpu_model": cpu_model() or "unknown",
        "llvm_cpu": host["cpu"],
        "features": ",".join(host["features"]),
        "numba": numba.__version__,
        # what Numba compiles for: the user's NUMBA_CPU_NAME / NUMBA_CPU_FEATURES, or the width
        # nncore.kernels.target chose (plans made for 256-bit code do not serve 512-bit code)
        "numba_cpu_name": numba.config.CPU_NAME or "",
        "numba_cpu_features": numba.config.CPU_FEATURES or "",
    }


def plan_file():
    """The per-CPU plan file of this machine (it may not exist yet), or None without a cache folder.

    Returns
    -------
    pathlib.Path or None
        ``<cache folder>/plan-<llvm cpu>-<hash of the CPU identity>.json``.
    """
    folder = cache.cache_dir()
    if folder is None:
        return None
    identity = _cpu_identity()
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:12]
    return folder / f"plan-{identity['llvm_cpu']}-{digest}.json"


def _read(path, pinned):
    """The decisions held in `path` ({} when absent); a corrupt file is refused (pinned) or replaced."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        if pinned:
            raise FileNotFoundError(
                f"{PLAN_ENV}={path}: no such plan file. Expected 'measure', 'estimate', 'serial', 'threads', "
                "'blas' or the path of a plan file (a copy of nncore.jit.planner.plan_file())."
            ) from None
        return {}
    try:
        data = json.loads(text)
        decisions = data["decisions"]
        if data.get("version") != FILE_VERSION or not isinstance(decisions, dict):
            raise ValueError(f"version {data.get('version')!r}, expected {FILE_VERSION}")
        for key, entry in decisions.items():
            if entry["path"] not in _FORCED:
                raise ValueError(f"{key!r} has path {entry['path']!r}, expected one of {_FORCED}")
    except (ValueError, KeyError, TypeError) as error:
        if pinned:
            raise ValueError(
                f"{PLAN_ENV}={path}: not a readable plan file ({error}). Point {PLAN_ENV} at a copy of "
                "nncore.jit.planner.plan_file(), or unset it to plan by measuring."
            ) from None
        warnings.warn(
            f"nncore's plan file {path} is unreadable ({error}); planning afresh, it will be rewritten.",
            RuntimeWarning,
            stacklevel=4,
        )
        return {}
    return decisions


_WRITE_LOCK = threading.Lock()


def _write(path, decisions):
    """Merge `decisions` into the plan file at `path`, atomically (another process may write too)."""
    try:
        with _WRITE_LOCK:  # threads of one process; other processes each write their own temporary
            merged = {**_read(path, pinned=False), **decisions}
            body = {"version": FILE_VERSION, "machine": _cpu_identity(), "decisions": dict(sorted(merged.items()))}
            cache.write_atomically(path, json.dumps(body, indent=1) + "\n")
    except OSError as error:
        warnings.warn(f"nncore could not save its plan in {path} ({error}); it will re-plan.", RuntimeWarning, 3)


class _Buffers:
    """Arrays of one layer's shapes for timing its passes, the real input reused when given."""

    def __init__(self, n, n_prev, m, dtype, transposed, X=None):
        full = np.full
        self.W = full((n, n_prev), 0.01, dtype)
        self.b = full(n, 0.1, dtype)
        self.A_prev = X if X is not None else full((m, n_prev) if transposed else (n_prev, m), 0.25, dtype)
        self.Z = full((n, m), 0.5, dtype)
        self.dZ = full((n, m), 0.01, dtype)
        self.dW = np.empty((n, n_prev), dtype)
        self.db = np.empty(n, dtype)
        self.dZ_prev = None if transposed else np.empty((n_prev, m), dtype)


def _runner(pass_name, buffers, transposed, code, code_prev, threads):
    """A function of the path that runs one pass once on `buffers`."""
    B = buffers
    dtype = B.W.dtype
    if pass_name == "forward":
        table = dense.part_table(dtype, (dense.FORWARD_PART,))
        return lambda path: dense.forward_kernel(B.W, B.b, B.A_prev, transposed, B.Z, B.Z, code, path, threads, table)
    if pass_name == "grads":
        table = dense.part_table(dtype, (dense.GRADS_PART,))
        return lambda path: dense.grads_kernel(B.dZ, B.A_prev, transposed, B.dW, B.db, path, threads, table)
    A_prev = B.A_prev if code_prev != IDENTITY else B.dZ_prev
    table = dense.part_table(dtype, (dense.BACKPROP_PART,))
    return lambda path: dense.backprop_kernel(B.W, B.dZ, A_prev, code_prev, B.dZ_prev, path, threads, table)


def time_paths(run, candidates):
    """The fastest seconds per call of ``run(path)`` for each candidate path, the candidates interleaved.

    Each candidate runs once untimed first, then in rounds (one call of each per round) until
    each has had :data:`SECONDS_PER_CANDIDATE` and :data:`MIN_ROUNDS` calls, or :data:`MAX_ROUNDS`.
    A candidate slower than :data:`DROP_BEYOND` times the fastest after a round is not called
    again, and a round whose candidates each took :data:`LONG_CALL` seconds or more is enough:
    a wide layer's serial pass can take a second, and timing it five times would cost more than
    the plan saves.

    Parameters
    ----------
    run : callable
        ``run(path)`` runs the pass once by `path`.
    candidates : sequence of str
        Path names (:data:`nncore.kernels.dense.PATHS`).

    Returns
    -------
    dict of str to float
        Every candidate's fastest call (those dropped early: their fastest before they were).
    """
    for name in candidates:
        run(dense.PATHS[name])
    times = {name: [] for name in candidates}
    timed = list(candidates)
    for rounds in range(1, MAX_ROUNDS + 1):
        for name in timed:
            start = time.perf_counter()
            run(dense.PATHS[name])
            times[name].append(time.perf_counter() - start)
        best = min(min(times[name]) for name in timed)
        timed = [name for name in timed if min(times[name]) <= DROP_BEYOND * best]
        if all(min(times[name]) >= LONG_CALL for name in timed):
            break
        if rounds >= MIN_ROUNDS and all(sum(times[name]) >= SECONDS_PER_CANDIDATE for name in timed):
            break
    return {name: min(t) for name, t in times.items()}


class Planner:
    """Decisions of one mode (:data:`PLAN_ENV`), kept in memory and, when measuring, in :func:`plan_file`.

    Parameters
    ----------
    mode : str
        ``"measure"``, ``"estimate"``, ``"serial"``, ``"threads"``, ``"blas"`` or a plan file's path.
    """

    def __init__(self, mode):
        self.mode = mode
        self._lock = threading.Lock()
        self._file = None
        if mode == "measure":
            self._file = plan_file()
            self.decisions = {} if self._file is None else _read(self._file, pinned=False)
        elif mode in ("estimate", *_FORCED):
            self.decisions = {}
        else:
            self.decisions = _read(mode, pinned=True)

    def source(self):
        """How this planner decides, in words, for ``nncore compare``."""
        if self.mode == "measure":
            return f"measured on this machine, kept in {self._file}" if self._file else "measured (not saved)"
        if self.mode in _FORCED:
            return f"forced to {self.mode} by {PLAN_ENV}"
        if self.mode == "estimate":
            return f"the rule of thumb ({PLAN_ENV}=estimate)"
        return f"pinned by {PLAN_ENV}={self.mode}"

    def network_plan(self, dims, codes, m, dtype, transposed, threads, X=None, passes=tuple(PASSES)):
        """The plan (L, 3) for a network, timing the passes not decided yet when measuring.

        Parameters
        ----------
        dims : sequence of int
            ``[n_x, n[1], ..., n[L]]``.
        codes : sequence of int
            The layers' activation codes.
        m : int
            Samples.
        dtype : numpy dtype
        transposed : bool
            Whether the network's input is stored one sample per row.
        threads : int
            Numba's thread count.
        X : ndarray, optional
            The network's input as the kernels read it, reused for timing the first layer
            (large inputs need no second copy).
        passes : sequence of str
            The passes needed (``predict`` needs only ``"forward"``); the others are left to the estimate.

        Returns
        -------
        ndarray of int64, shape (L, 3)
            Path codes; ``ESTIMATE`` where the rule of thumb decides.
        """
        L = len(codes)
        plan = np.full((L, 3), dense.ESTIMATE, np.int64)
        if self.mode == "estimate":
            return plan
        if self.mode in _FORCED:
            plan[:] = dense.PATHS[self.mode]
            return plan
        new = {}
        for l in range(L):
            n, n_prev = int(dims[l + 1]), int(dims[l])
            layer_transposed = transposed and l == 0
            for pass_name in passes:
                if pass_name == "backprop" and l == 0:
                    continue  # no gradient for X
                key = decision_key(pass_name, n, n_prev, m, dtype, layer_transposed, threads)
                entry = self.decisions.get(key) or new.get(key)
                if entry is None and self.mode == "measure":
                    entry = self._measure(pass_name, n, n_prev, m, dtype, layer_transposed, codes, l, threads, X)
                    new[key] = entry
                if entry is not None:
                    plan[l, PASSES[pass_name]] = dense.PATHS[entry["path"]]
        if new:
            with self._lock:
                self.decisions.update(new)
            if self._file is not None:
                _write(self._file, new)
        return plan

    def _measure(self, pass_name, n, n_prev, m, dtype, transposed, codes, l, threads, X):
        candidates = ["serial", "blas"] if threads < 2 else ["serial", "threads", "blas"]
        buffers = _Buffers(n, n_prev, m, dtype, transposed, X if l == 0 else None)
        code_prev = int(codes[l - 1]) if l > 0 else IDENTITY
        with serial_blas():
            seconds = time_paths(_runner(pass_name, buffers, transposed, int(codes[l]), code_prev, threads), candidates)
        best = min(seconds, key=seconds.get)
        return {"path": best, "seconds": {name: float(f"{s:.4g}") for name, s in seconds.items()}}


_planners = {}


def planner():
    """The planner of the mode :data:`PLAN_ENV` names now (made once per mode)."""
    mode = os.environ.get(PLAN_ENV, "").strip() or "measure"
    found = _planners.get(mode)
    if found is None:
        found = _planners[mode] = Planner(mode)
    return found


def network_plan(dims, codes, m, dtype, transposed, threads, X=None, passes=tuple(PASSES)):
    """:meth:`Planner.network_plan` of the current mode's :func:`planner`."""
    return planner().network_plan(dims, codes, m, dtype, transposed, threads, X, passes)


def describe(plan):
    """A plan in a few words: ``"L1 F=blas G=blas | L2 F=serial B=serial G=serial"``.

    ``~`` marks a pass left to the rule of thumb; the first layer has no ``B`` (no gradient for X).
    """
    layers = []
    for l, row in enumerate(np.asarray(plan)):
        parts = []
        for pass_name, column in PASSES.items():
            if pass_name == "backprop" and l == 0:
                continue
            name = _PATH_NAMES[int(row[column])]
            parts.append(f"{pass_name[0].upper()}={'~' if name == 'estimate' else name}")
        layers.append(f"L{l + 1} " + " ".join(parts))
    return " | ".join(layers)


def blas_threads_for(plan, passes=tuple(PASSES)):
    """The context a JIT-tier call of `plan` runs in: :func:`~nncore.threadpool.serial_blas` when a
    pass in `passes` may multiply by BLAS (``blas``, or the rule of thumb), else nothing to do.

    The kernels' threads each call BLAS on a block of their own; BLAS's own threads would compete
    with them for the cores. Entering :func:`~nncore.threadpool.serial_blas` costs microseconds,
    which a small layer's serial pass does not need to pay.
    """
    columns = np.asarray(plan)[:, [PASSES[name] for name in passes]]
    may_use_blas = np.isin(columns, (dense.BLAS, dense.ESTIMATE)).any()
    return serial_blas() if may_use_blas else contextlib.nullcontext()


def plan_for_training(X, layer_dims, activations):
    """The plan the JIT tier's ``train`` takes for input `X` and this network.

    Plans (times) what is not decided yet, as ``train`` would on its first call.

    Parameters
    ----------
    X : ndarray of shape (n_x, m)
        The training input, in the memory order ``train`` will get it.
    layer_dims : sequence of int
        ``[n_x, n[1], ..., n[L]]``.
    activations : sequence of str
        The layers' activations.

    Returns
    -------
    ndarray of int64, shape (L, 3)
        As :meth:`Planner.network_plan`.
    """
    from nncore.kernels.elementwise import CODES
    from nncore.kernels.layout import input_layout

    X, transposed = input_layout(X)
    m = X.shape[0] if transposed else X.shape[1]
    codes = [CODES[name] for name in activations]
    return network_plan(layer_dims, codes, m, X.dtype, transposed, numba.get_num_threads(), X)


def training_plan(X, layer_dims, activations):
    """:func:`plan_for_training` in words: :func:`describe`, then how it was decided (:meth:`Planner.source`)."""
    return f"{describe(plan_for_training(X, layer_dims, activations))} ({planner().source()})"
