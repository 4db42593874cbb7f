"""Live progress on standard error while a scan runs: the phase and files done/total.

Shown only when standard error is a terminal, and only once the scan has run for
:data:`DELAY` seconds, so a quick scan prints nothing extra; it is erased before the report
prints. The engine's calls (per file and at each phase) only record the state; a display
thread reads it a few times a second and draws, so a slow or paused terminal never holds the
scan up.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
)

DELAY = 1.0  # seconds before the display appears
REFRESH = 8  # redraws per second
DELAY_VARIABLE = "SHIPCHECK_PROGRESS_DELAY"  # tests set it to 0 to see the display at once


class ScanProgress:
    """A transient progress line; call it as the engine's ``progress(phase, done, total)``."""

    def __init__(self, stream: TextIO | None = None, delay: float | None = None) -> None:
        self.stream = stream or sys.stderr
        if delay is None:
            try:
                delay = float(os.environ.get(DELAY_VARIABLE, DELAY))
            except ValueError:
                delay = DELAY
        self.delay = delay
        self._lock = threading.Lock()
        self._state: tuple[str, int, int] = ("starting", 0, 0)
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._timer: threading.Timer | None = None
        self._stopped = False
        self._halt = threading.Event()
        self._started = time.monotonic()
        self.shown = False  # whether the display ever appeared

    def __enter__(self) -> ScanProgress:
        self._started = time.monotonic()
        self._timer = threading.Timer(self.delay, self._show)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __call__(self, phase: str, done: int, total: int) -> None:
        self._state = (phase, done, total)  # one assignment: the scan never waits here

    def _show(self) -> None:
        """Runs on the timer's thread: draw until stopped."""
        with self._lock:
            if self._stopped:
                return
            console = Console(file=self.stream, stderr=self.stream is sys.stderr)
            # Three columns short of the edge: on a full-width line the "^C" the terminal
            # echoes would wrap to a new line and survive the erasing of the display.
            console.width = max(console.width - 3, 20)
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("[bold]{task.description}"),
                BarColumn(bar_width=None),
                TextColumn("{task.fields[count]}"),
                TextColumn("{task.fields[elapsed]}", style="yellow"),
                console=console,
                transient=True,
                refresh_per_second=REFRESH,
            )
            self._task = self._progress.add_task("", total=None, count="", elapsed="")
            self._update()
            self._progress.start()
            self.shown = True
        while not self._halt.wait(1 / REFRESH):
            with self._lock:
                if self._progress is None:
                    return
                self._update()

    def _update(self) -> None:
        assert self._progress is not None and self._task is not None
        phase, done, total = self._state
        count = f"{done}/{total}" if total else ""
        # Since the scan began, not since the display appeared.
        minutes, seconds = divmod(int(time.monotonic() - self._started), 60)
        elapsed = f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"
        self._progress.update(
            self._task,
            description=phase,
            completed=done,
            total=total or None,
            count=count,
            elapsed=elapsed,
        )

    def stop(self) -> None:
        """Erase the display (idempotent); the report prints after this."""
        self._halt.set()
        with self._lock:
            self._stopped = True
            if self._timer is not None:
                self._timer.cancel()
            if self._progress is not None:
                # Draw the last phase once, however quick it was, then erase the display.
                self._update()
                self._progress.refresh()
                self._progress.stop()
                self._progress = None
