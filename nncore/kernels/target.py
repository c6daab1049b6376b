"""The vector width the kernels are compiled for, chosen by measuring on the running CPU.

LLVM, hence Numba, compiles for the host CPU, but on Intel's AVX-512 server cores it prefers 256-bit
vectors (its tuning flag ``prefer-256-bit``, set from Skylake-X to Emerald Rapids): the kernels'
loops then run at half the width the CPU has. Whether 512-bit code is faster depends on the CPU
(clock licences, how many 512-bit FMA units it has), so it is measured, not assumed: the first time
nncore's kernels are imported on a CPU with AVX-512, :func:`measure` compiles and times the
kernels' register tile (fused multiply-adds, fast-math reassociation) in two child processes, one
per width (about two seconds in all), and the width is kept in a file per CPU beside the kernels'
cache (:func:`decision_file`). Later processes read it back.

The width is Numba's ``NUMBA_CPU_FEATURES`` (LLVM's host features, plus ``-prefer-256-bit`` for
512-bit code). It is a setting of the whole process, read when Numba first compiles anything, so
:func:`configure` (called by :mod:`nncore.kernels.config` before any kernel is made) sets it only
when the user has set neither ``NUMBA_CPU_FEATURES`` nor ``NUMBA_CPU_NAME`` and Numba has not
compiled anything yet; the user's own ``@njit`` functions in the process then get the same
vectors. ``NNCORE_VECTOR_WIDTH`` chooses: ``measure`` (the default), ``256`` (LLVM's choice,
no change) or ``512``.
"""

import hashlib
import json
import os
import subprocess
import sys
import threading

import numba
from numba.core.registry import cpu_target

#: The environment variable that chooses the width.
WIDTH_ENV = "NNCORE_VECTOR_WIDTH"

#: What the user may set it to.
MODES = ("measure", "256", "512")

#: 512-bit code is chosen when the probe runs in at most this share of the 256-bit code's time.
WIN = 0.9

#: Seconds the probe's two child processes may take in all before they are killed (the probe fails).
PROBE_TIMEOUT = 120

#: What the child processes run: the fastest of 25 timings of the probe, in seconds per call, for the
#: width they were started with. The probe is the kernels' register tile (four rows of one operand
#: against three of the other, twelve accumulators; rows of 512 float64, in L1), the loop that
#: decides the speed of their matrix products. The fastest timing, not the median: another
#: process or the host can only slow a timing down.
_PROBE = r"""
import sys, time
import numba, numpy as np

@numba.njit(**OPTIONS)
def tile(a, w, repeats):
    total = 0.0
    for _ in range(repeats):
        c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = 0.0
        for k in range(w.shape[1]):
            x0, x1, x2, x3 = a[0, k], a[1, k], a[2, k], a[3, k]
            y = w[0, k]
            c00 += x0 * y; c01 += x1 * y; c02 += x2 * y; c03 += x3 * y
            y = w[1, k]
            c10 += x0 * y; c11 += x1 * y; c12 += x2 * y; c13 += x3 * y
            y = w[2, k]
            c20 += x0 * y; c21 += x1 * y; c22 += x2 * y; c23 += x3 * y
        total += c00 + c01 + c02 + c03 + c10 + c11 + c12 + c13 + c20 + c21 + c22 + c23
    return total

a, w = np.full((4, 512), 0.5), np.full((3, 512), 0.25)
tile(a, w, 1)
print("ready", flush=True)
sys.stdin.readline()  # timed when the parent says: the two widths one after the other, nothing compiling
times = []
for _ in range(25):
    start = time.perf_counter()
    tile(a, w, 2000)
    times.append(time.perf_counter() - start)
print(min(times) / 2000)
"""


def host_features():
    """LLVM's features of this CPU, as Numba passes them (``+avx512f,...``)."""
    from llvmlite import binding

    return binding.get_host_cpu_features().flatten()


def wide_features():
    """The features string that gives 512-bit code: the host's, without LLVM's 256-bit preference."""
    return host_features() + ",-prefer-256-bit"


def has_avx512():
    """Whether this CPU has AVX-512 (and so a width to choose)."""
    return "+avx512f" in host_features().split(",")


def _identity():
    return {"cpu": numba.config.CPU_NAME or "host", "features": host_features(), "numba": numba.__version__}


def decision_file():
    """The file keeping this CPU's width (it may not exist yet), or None without a cache folder.

    Returns
    -------
    pathlib.Path or None
        ``<cache folder>/width-<hash of the CPU's features and Numba's version>.json``.
    """
    from nncore.kernels import cache

    folder = cache.cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(json.dumps(_identity(), sort_keys=True).encode()).hexdigest()[:12]
    return folder / f"width-{digest}.json"


def _start_probe(features, options):
    """A child process that compiles the probe with `features` (None: LLVM's own) and Numba's
    `options`, says ``ready``, and times it when told to on its standard input."""
    env = {key: value for key, value in os.environ.items() if key not in ("NUMBA_CPU_FEATURES", "NUMBA_CPU_NAME")}
    if features is not None:
        env["NUMBA_CPU_FEATURES"] = features
    command = [sys.executable, "-c", f"OPTIONS = {options!r}\n" + _PROBE]
    return subprocess.Popen(
        command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )


def _answer(child, expected=None):
    """The next line `child` prints, checked against `expected` when given."""
    line = child.stdout.readline().strip()
    if not line or (expected is not None and line != expected):
        raise subprocess.SubprocessError(f"the probe's child process said {line!r} (exit code {child.poll()})")
    return line


def measure(options):
    """Time the probe at both widths, each in a child process; the faster width and the times.

    The two children start and compile at once (about a second: the child's start, Numba's import
    and one small compilation), then are timed one after the other, with nothing else running.

    Parameters
    ----------
    options : dict
        The Numba options the probe is compiled with: the kernels' fast-math flags
        (:data:`nncore.kernels.config.PROBE_OPTIONS`).

    Returns
    -------
    dict
        ``{"width": 256 or 512, "seconds": {"256": s, "512": s}}``: seconds per probe call.
    """
    children = {"256": _start_probe(None, options), "512": _start_probe(wide_features(), options)}
    # A child that hangs is killed after PROBE_TIMEOUT seconds; its read then ends and raises.
    watchdog = threading.Timer(PROBE_TIMEOUT, lambda: [child.kill() for child in children.values()])
    watchdog.start()
    try:
        for child in children.values():
            _answer(child, "ready")
        seconds = {}
        for width, child in children.items():
            child.stdin.write("go\n")
            child.stdin.flush()
            seconds[width] = float(_answer(child))
    finally:
        watchdog.cancel()
        for child in children.values():
            child.kill()
            child.wait()
            child.stdin.close()
            child.stdout.close()
    width = 512 if seconds["512"] <= WIN * seconds["256"] else 256
    return {"width": width, "seconds": seconds}


def _decided(options):
    """This CPU's width from its decision file, measured (with the probe's Numba `options`) and kept
    there first if absent."""
    path = decision_file()
    if path is not None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    try:
        decision = measure(options)
    except (OSError, ValueError, subprocess.SubprocessError) as error:
        return {"width": 256, "reason": f"the probe failed ({error}); LLVM's choice kept"}
    decision["reason"] = "measured on this CPU"
    if path is not None:
        from nncore.kernels import cache

        try:
            cache.write_atomically(path, json.dumps(decision) + "\n")
        except OSError:
            pass
    return decision


#: What :func:`configure` decided in this process (``nncore compare`` prints it).
CHOSEN = {"width": None, "reason": "not configured"}


def configure(options):
    """Set Numba's CPU features for the chosen width, if Numba will still take them; returns :data:`CHOSEN`.

    Parameters
    ----------
    options : dict
        The Numba options the probe is compiled with, when it is measured.

    Returns
    -------
    dict
        ``{"width": 256, 512 or None, "reason": str}`` (None: Numba's own features, not chosen here),
        with the probe's ``"seconds"`` when it was measured.
    """
    mode = os.environ.get(WIDTH_ENV, "").strip() or "measure"
    if mode not in MODES:
        raise ValueError(f"{WIDTH_ENV}={mode!r}: expected one of {', '.join(MODES)}.")
    if numba.config.DISABLE_JIT:
        decision = {"width": None, "reason": "NUMBA_DISABLE_JIT"}
    elif os.environ.get("NUMBA_CPU_FEATURES") or os.environ.get("NUMBA_CPU_NAME"):
        decision = {"width": None, "reason": "NUMBA_CPU_FEATURES or NUMBA_CPU_NAME set by the user"}
    elif "_toplevel_target_context" in vars(cpu_target):
        decision = {"width": None, "reason": "Numba compiled code before nncore's kernels were imported"}
    elif not has_avx512():
        decision = {"width": None, "reason": "no AVX-512: one width"}
    elif mode == "measure":
        decision = _decided(options)
    else:
        decision = {"width": int(mode), "reason": f"{WIDTH_ENV}={mode}"}
    if decision["width"] == 512:
        numba.config.CPU_FEATURES = wide_features()
    CHOSEN.clear()
    CHOSEN.update(decision)
    return CHOSEN


def describe():
    """The width in a few words, for ``nncore compare``: ``"512-bit vectors (measured on this CPU: ...)"``."""
    width = CHOSEN.get("width")
    words = "Numba's default vectors" if width is None else f"{width}-bit vectors"
    seconds = CHOSEN.get("seconds")
    if seconds:
        ratio = seconds["256"] / seconds["512"]
        return f"{words} ({CHOSEN['reason']}: the probe ran {ratio:.2f}x as fast in 512-bit code)"
    return f"{words} ({CHOSEN['reason']})"
