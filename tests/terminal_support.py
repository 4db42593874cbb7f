"""Run shipcheck on a pseudo-terminal, as a person would see it (tests only)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass
class TerminalRun:
    returncode: int
    terminal: str  # what the pseudo-terminal received (raw, escape sequences included)
    stdout: str  # standard output when it was a pipe, else ""

    @property
    def screen_text(self) -> str:
        """The terminal output without escape sequences, with plain newlines."""
        return ANSI.sub("", self.terminal).replace("\r\n", "\n")


def pty_run(
    args: list[str],
    cwd: Path,
    columns: int = 80,
    stdout_on_terminal: bool = True,
    env: dict[str, str] | None = None,
    interrupt_when: str | None = None,
    timeout: float = 120,
) -> TerminalRun:
    """Run ``shipcheck ARGS`` with standard error (and standard output, unless
    ``stdout_on_terminal`` is False) on a pseudo-terminal ``columns`` wide. With
    ``interrupt_when``, send Ctrl-C (SIGINT to the process group, as a terminal does) once
    that text has appeared on the terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    environment.update(env or {})
    process = subprocess.Popen(
        [sys.executable, "-m", "shipcheck", *args],
        stdin=slave,
        stdout=slave if stdout_on_terminal else subprocess.PIPE,
        stderr=slave,
        cwd=cwd,
        env=environment,
        start_new_session=True,
    )
    os.close(slave)
    received = b""
    interrupted = False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # every writer closed the terminal
                break
            if not data:
                break
            received += data
        text = received.decode("utf-8", errors="replace")
        if interrupt_when and not interrupted and interrupt_when in text:
            os.killpg(process.pid, signal.SIGINT)
            interrupted = True
        if not ready and process.poll() is not None:
            break
    stdout = process.stdout.read().decode("utf-8") if process.stdout else ""
    process.wait(timeout=30)
    os.close(master)
    if interrupt_when:
        assert interrupted, f"{interrupt_when!r} never appeared"
    return TerminalRun(process.returncode, received.decode("utf-8", errors="replace"), stdout)
