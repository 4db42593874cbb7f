"""Running the file pass over many files: in this process, or in worker processes, always
under a per-file time budget, so that no file can hold the scan hostage.

In this process the budget is a SIGALRM timer: it stops Python code that runs too long (an
exponential walk, a slow detector) but not a single C call that never returns. Worker
processes are watched from here instead: a worker past the budget is killed, a worker that
dies (a segfault in a C extension, the OOM killer) costs only the file it held; both are
replaced and the scan goes on. Results come back in the order of ``files`` either way, so
the report does not depend on the mode.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from shipcheck.filepass import FileResult, WorkerSettings, init_worker, process_file
from shipcheck.models.findings import Diagnostic

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

# Below this many files (and without --jobs) worker processes cost more than they save.
POOL_THRESHOLD = 64
# Tasks handed to a worker ahead of the one it runs: it never waits for the next file, and a
# killed worker loses at most this many files to re-queue.
_IN_FLIGHT = 2

Progress = Callable[[int, int], None]  # (files done, files in all)


class FileTimeout(BaseException):
    """Raised by the alarm in this process. A BaseException, so that the handlers that keep
    one broken detector from hiding the others do not swallow it."""


def timeout_diagnostic(path: str, budget: float) -> Diagnostic:
    """What the report says about a file abandoned for taking too long."""
    return Diagnostic(
        path,
        f"abandoned after {budget:g} s (file-timeout): parsing or checking this file took too "
        "long; its findings are missing, the rest of the scan went on",
        kind="timeout",
    )


def crash_diagnostic(path: str, how: str) -> Diagnostic:
    """What the report says about a file whose worker process died."""
    return Diagnostic(
        path,
        f"the worker process checking this file died ({how}); its findings are missing, "
        "the rest of the scan went on",
        kind="crash",
    )


def run(
    files: Sequence[Any],
    settings: WorkerSettings,
    jobs: int | None,
    budget: float | None,
    progress: Progress | None = None,
) -> list[FileResult]:
    """``process_file`` for every file (``discover.SourceRef``), results in ``files`` order.

    ``jobs`` given: that many worker processes, so a crash or a hang costs one file. Not
    given: this process for a scan smaller than :data:`POOL_THRESHOLD` files (a pre-commit
    run, where starting workers would cost more than the scan), else one worker per core.
    ``budget`` is seconds per file (None or 0: unbounded).
    """
    budget = budget or None
    if not files:
        return []
    if jobs is None and len(files) < POOL_THRESHOLD:
        return list(_inline(files, settings, budget, progress))
    count = jobs if jobs is not None else (os.cpu_count() or 1)
    return _Pool(files, settings, max(1, min(count, len(files))), budget, progress).run()


# --- in this process ---------------------------------------------------------------------


def _inline(
    files: Sequence[Any], settings: WorkerSettings, budget: float | None, progress: Progress | None
) -> Iterator[FileResult]:
    init_worker(settings)
    for done, ref in enumerate(files, start=1):
        try:
            with _alarm(budget):
                result = process_file(ref)
        except FileTimeout:
            result = FileResult(
                ref.path, None, diagnostics=[timeout_diagnostic(ref.path, budget or 0)]
            )
        if progress is not None:
            progress(done, len(files))
        yield result


@contextmanager
def _alarm(seconds: float | None) -> Iterator[None]:
    """Raise :class:`FileTimeout` in this thread after ``seconds`` (main thread, POSIX only;
    elsewhere the budget cannot be enforced in-process and this does nothing)."""
    usable = (
        seconds
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise FileTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- worker processes --------------------------------------------------------------------


def _context() -> Any:
    # Imported here: a scan small enough for this process never starts a worker.
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _worker_main(conn: Connection, settings: WorkerSettings) -> None:
    # Ctrl-C reaches the whole process group: the parent alone answers it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    init_worker(settings)
    conn.send(("ready", None))
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        index, ref = task
        conn.send((index, process_file(ref)))


class _Worker:
    """One worker process and the tasks it holds, oldest (the one running) first."""

    def __init__(self, settings: WorkerSettings) -> None:
        parent, child = _context().Pipe()
        self.conn = parent
        self.process = _context().Process(target=_worker_main, args=(child, settings), daemon=True)
        self.process.start()
        child.close()
        self.pending: deque[int] = deque()
        self.ready = False
        self.started = time.monotonic()  # when the task now running began

    def how_it_died(self) -> str:
        self.process.join(timeout=1)
        code = self.process.exitcode
        if code is None:
            return "did not exit"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class _Pool:
    """A fixed number of workers fed one file at a time, watched for time and death."""

    def __init__(
        self,
        files: Sequence[Any],
        settings: WorkerSettings,
        size: int,
        budget: float | None,
        progress: Progress | None,
    ) -> None:
        self.files = files
        self.settings = settings
        self.size = size
        self.budget = budget
        self.progress = progress
        self.queue: deque[int] = deque(range(len(files)))
        self.results: list[FileResult | None] = [None] * len(files)
        self.done = 0
        self.workers: list[_Worker] = []

    def run(self) -> list[FileResult]:
        try:
            self.workers = [_Worker(self.settings) for _ in range(self.size)]
            for worker in self.workers:
                self._feed(worker)
            while any(w.pending for w in self.workers):
                self._step()
        finally:
            for worker in self.workers:
                if worker.process.is_alive() and not worker.pending:
                    with suppress(OSError):
                        worker.conn.send(None)
                    worker.process.join(timeout=5)
                worker.kill()
        return [r for r in self.results if r is not None]

    def _feed(self, worker: _Worker) -> None:
        while self.queue and len(worker.pending) < _IN_FLIGHT:
            index = self.queue.popleft()
            worker.conn.send((index, self.files[index]))
            worker.pending.append(index)

    def _finish(self, index: int, result: FileResult) -> None:
        self.results[index] = result
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, len(self.files))

    def _step(self) -> None:
        from multiprocessing.connection import wait

        busy = [w for w in self.workers if w.pending]
        timeout = None
        if self.budget is not None:
            now = time.monotonic()
            deadlines = [w.started + self.budget for w in busy if w.ready]
            timeout = max(0.0, min(deadlines) - now) if deadlines else self.budget
        waitables: list[Any] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
        ready = set(wait(waitables, timeout))
        for worker in busy:
            if worker.conn in ready:
                self._receive(worker)
            elif worker.process.sentinel in ready:
                self._replace(worker, crash=True)
        if self.budget is not None:
            now = time.monotonic()
            for worker in list(self.workers):
                if worker.pending and worker.ready and now - worker.started > self.budget:
                    self._replace(worker, crash=False)

    def _receive(self, worker: _Worker) -> None:
        try:
            while worker.conn.poll():
                tag, payload = worker.conn.recv()
                now = time.monotonic()
                if tag == "ready":
                    worker.ready = True
                    worker.started = now
                    continue
                finished = worker.pending.popleft()
                self._finish(finished, payload)
                worker.started = now
        except (EOFError, OSError):
            self._replace(worker, crash=True)
            return
        self._feed(worker)

    def _replace(self, worker: _Worker, crash: bool) -> None:
        """The running task failed: record it, re-queue the others, start a new worker."""
        if worker not in self.workers:
            return
        how = worker.how_it_died() if crash else ""
        worker.kill()
        if worker.pending:
            lost = worker.pending.popleft()
            path = self.files[lost].path
            self._finish(
                lost,
                FileResult(
                    path,
                    None,
                    diagnostics=[
                        crash_diagnostic(path, how)
                        if crash
                        else timeout_diagnostic(path, self.budget or 0)
                    ],
                ),
            )
            self.queue.extendleft(reversed(worker.pending))
            worker.pending.clear()
        position = self.workers.index(worker)
        if self.queue:
            fresh = _Worker(self.settings)
            self.workers[position] = fresh
            self._feed(fresh)
        else:
            del self.workers[position]
