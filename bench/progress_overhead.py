#!/usr/bin/env python3
"""What the live progress display costs a scan: the same scan with no progress callback, with
the callback the CLI installs (a ScanProgress drawing to a pseudo-terminal), and the
report's rendering at 80 and 120 columns, timed in one process.

    python bench/progress_overhead.py /work/realapps/saleor [--jobs 1] [--repeat 3]

Scans run offline (no advisory look-ups) so the network does not blur the figures; the
minimum of the repeats is printed for each configuration. CPU seconds are this process's:
with ``--jobs 1`` that is the whole scan plus the display thread, the figure to compare on a
busy machine.
"""

from __future__ import annotations

import argparse
import os
import pty
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from shipcheck.engine import ScanOptions, scan  # noqa: E402
from shipcheck.progress import ScanProgress  # noqa: E402
from shipcheck.reporters.terminal import TerminalReporter  # noqa: E402


def timed(
    target: Path, jobs: int | None, progress: ScanProgress | None
) -> tuple[float, float, object]:
    """Wall-clock seconds, this process's CPU seconds (all of it with --jobs 1), report."""
    options = ScanOptions(targets=[target], jobs=jobs, overrides={"offline": True})
    options.progress = progress
    start, cpu = time.perf_counter(), time.process_time()
    if progress is not None:
        with progress:
            report = scan(options)
    else:
        report = scan(options)
    return time.perf_counter() - start, time.process_time() - cpu, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    master, slave = pty.openpty()
    terminal = os.fdopen(slave, "w", encoding="utf-8", buffering=1)
    drawn = [0]

    def drain() -> None:  # a terminal reads what is drawn, or the writer would block
        while True:
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            drawn[0] += len(chunk)

    threading.Thread(target=drain, daemon=True).start()

    plain, shown, plain_cpu, shown_cpu = [], [], [], []
    report = None
    for _ in range(args.repeat):
        seconds, cpu, report = timed(args.target, args.jobs, None)
        plain.append(seconds)
        plain_cpu.append(cpu)
        display = ScanProgress(terminal, delay=0)
        seconds, cpu, _ = timed(args.target, args.jobs, display)
        shown.append(seconds)
        shown_cpu.append(cpu)
    assert report is not None
    render = {}
    for width in (80, 120):
        start = time.perf_counter()
        TerminalReporter(color=True, width=width).render(report)  # type: ignore[arg-type]
        render[width] = time.perf_counter() - start
    files = report.files_scanned  # type: ignore[attr-defined]
    print(f"{args.target}: {files} files, jobs={args.jobs or 'auto'}, best of {args.repeat}")
    print(f"  scan, no progress callback : {min(plain):6.2f} s wall, {min(plain_cpu):6.2f} s CPU")
    print(f"  scan, progress on a pty    : {min(shown):6.2f} s wall, {min(shown_cpu):6.2f} s CPU "
          f"({(min(shown_cpu) / min(plain_cpu) - 1) * 100:+.1f} % CPU, "
          f"{drawn[0]:,} bytes drawn)")  # fmt: skip
    for width, seconds in render.items():
        print(f"  terminal report, {width} cols : {seconds:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
