"""A one-line progress bar on standard error, for terminals only.

Small on purpose (nncore does not depend on tqdm for this): it shows
``label [#####.....] done/total elapsed`` and redraws itself from a background
thread a few times a second, so the elapsed time keeps moving during one long
call (a loop-tier training iteration on the cat images takes tens of seconds).
It draws nothing when the stream is not a terminal, nor during the first
`delay` seconds, so quick runs and redirected output stay clean, and it
erases itself when closed.
"""

import shutil
import sys
import threading
import time


class Progress:
    """Progress over `total` steps, drawn on `stream` while inside a ``with`` block.

    Parameters
    ----------
    total : int
        The number of steps.
    stream : file, default sys.stderr
    enabled : bool, optional
        Default: whether `stream` is a terminal.
    delay : float, default 1.0
        Seconds before the bar first appears.
    interval : float, default 0.2
        Seconds between redraws.

    Examples
    --------
    >>> with Progress(2, enabled=False) as progress:
    ...     progress.start("first")
    ...     progress.start("second")
    >>> progress.done
    2
    """

    def __init__(self, total, stream=None, enabled=None, delay=1.0, interval=0.2):
        self.total = max(int(total), 1)
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.delay, self.interval = delay, interval
        self.label, self.done = "", 0
        self._stop = threading.Event()
        self._thread = None
        self._drawn = False
        self._lock = threading.Lock()

    def start(self, label):
        """Begin the next step, described by `label` (the previous one counts as done)."""
        if self.label:
            self.done = min(self.done + 1, self.total)
        self.label = label

    def note(self, label):
        """Describe the current step anew without counting a step."""
        self.label = label

    def message(self, text):
        """Write the line `text` to the stream, above the bar (written whether or not the bar is drawn)."""
        with self._lock:
            clear = "\r" + " " * self._width() + "\r" if self._drawn else ""
            self.stream.write(f"{clear}{text}\n")
            self.stream.flush()

    def __enter__(self):
        self._started = time.perf_counter()
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="nncore-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        if self.label:
            self.done = min(self.done + 1, self.total)
            self.label = ""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            if self._drawn:
                self.stream.write("\r" + " " * self._width() + "\r")
                self.stream.flush()
        return False

    def _width(self):
        return max(shutil.get_terminal_size((80, 24)).columns - 1, 20)

    def line(self, elapsed):
        """The bar's text after `elapsed` seconds, fitted to the terminal's width."""
        width = self._width()
        tail = f" {self.done}/{self.total} {elapsed:5.1f}s"
        bar_width = 20
        filled = round(bar_width * self.done / self.total)
        bar = f" [{'#' * filled}{'.' * (bar_width - filled)}]"
        room = width - len(bar) - len(tail)
        label = self.label if len(self.label) <= room else self.label[: max(room - 1, 0)] + "~"
        return f"{label:<{max(room, 0)}}{bar}{tail}"[:width]

    def _run(self):
        while not self._stop.wait(self.interval):
            elapsed = time.perf_counter() - self._started
            if elapsed < self.delay:
                continue
            with self._lock:
                self.stream.write("\r" + self.line(elapsed))
                self.stream.flush()
                self._drawn = True
