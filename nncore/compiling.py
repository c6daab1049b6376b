"""The JIT tier's one-time compilation, made visible: what Numba compiles during a block, and for how long.

The JIT tier compiles each kernel on its first call and keeps the machine code
on disk (:mod:`nncore.kernels.cache`), so only a first run on a machine, or the
first run after an edit of the kernels, pays for it. That run can spend tens
of seconds in one call with nothing to show for it; :class:`CompileWatch`
listens to Numba's ``numba:compile`` events, which fire only when a function is
really compiled (not when it is loaded from the cache), so ``nncore compare``
and ``nncore course`` can say what is happening while it happens and how long
it took afterwards.

Examples
--------
>>> with CompileWatch() as watch:
...     pass
>>> watch.count, watch.seconds
(0, 0.0)
"""

import time

from numba.core import event

#: The progress label while the JIT tier compiles.
COMPILING = "compiling (once; cached for later runs)"


def cache_folder():
    """Where the JIT tier's compiled kernels are kept, as text (``"nowhere"`` when caching is off)."""
    from nncore.kernels.cache import cache_dir

    folder = cache_dir()
    return "nowhere" if folder is None else str(folder)


class CompileWatch(event.Listener):
    """Context manager: record the functions Numba compiles inside the block.

    Only the outermost compilations are counted (compiling a kernel compiles
    the functions it inlines, inside its own event).

    Parameters
    ----------
    on_compile : callable, optional
        Called with no argument when the first compilation of the block starts,
        e.g. to change a progress label.

    Attributes
    ----------
    entries : list of (str, float)
        The name of each function compiled, and the seconds its compilation took.
    """

    def __init__(self, on_compile=None):
        self.on_compile = on_compile
        self.entries = []
        self._depth = 0
        self._started = None

    def on_start(self, ev):
        # Numba compiles under its global lock: the events of one block never interleave.
        self._depth += 1
        if self._depth == 1:
            if not self.entries and self.on_compile is not None:
                self.on_compile()
            self._started = time.perf_counter()

    def on_end(self, ev):
        self._depth -= 1
        if self._depth == 0:
            dispatcher = ev.data["dispatcher"]
            name = getattr(dispatcher, "__qualname__", None) or getattr(dispatcher.py_func, "__qualname__", "?")
            self.entries.append((name, time.perf_counter() - self._started))

    def __enter__(self):
        event.register("numba:compile", self)
        return self

    def __exit__(self, *exc):
        event.unregister("numba:compile", self)
        return False

    @property
    def count(self):
        """How many functions were compiled."""
        return len(self.entries)

    @property
    def seconds(self):
        """The seconds spent compiling them."""
        return float(sum(seconds for _, seconds in self.entries))

    def line(self, what):
        """One line for standard error: what was compiled for `what`, how long it took, where it is kept."""
        kernels = f"{self.count} kernel{'s' * (self.count != 1)}"
        return (
            f"jit: compiled {kernels} for {what} in {self.seconds:.1f} s, once: they are cached in "
            f"{cache_folder()}, and later runs load them from there."
        )
