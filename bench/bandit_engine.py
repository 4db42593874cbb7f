#!/usr/bin/env python3
"""The BAN pack (bandit in-process) against `bandit -r`, on one large tree, in one run.

Times, on the same machine and the same files (median of ``--repeat`` runs each):

- ``bandit -r TREE`` with bandit's defaults (every test), and with only the tests the BAN
  pack maps (``-t B102,B105,…``);
- ``shipcheck scan TREE`` alone, with ``--extend-select BAN`` (BAN rules skip test code, as
  shipcheck's code rules do), and with ``--extend-select BAN`` plus ``include_tests`` (every
  file bandit reads, for a like-for-like comparison).

Then checks that the pack finds what bandit finds: bandit's results for the mapped tests
against shipcheck's BAN findings with ``--select BAN`` and ``include_tests`` (same files, same
``# nosec`` handling; shipcheck's own rules off, so nothing is merged away), by file, line
and test. Writes ``bench/RESULTS-bandit.md`` (``--output``).

    python bench/bandit_engine.py [TREE] [--bandit PATH] [--repeat 3] [--jobs N]

``TREE`` defaults to /work/realapps/saleor; it is only read.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import hardware  # bench/hardware.py: this folder is on the path when run as a script

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from shipcheck.banditpack.mapping import TESTS, Mapped, rule_id  # noqa: E402

MAPPED = sorted(t for t, entry in TESTS.items() if isinstance(entry, Mapped))


def timed(args: list[str]) -> tuple[float, float, str]:
    """Wall time, CPU time (user + system, all processes) and standard output of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{args[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def shipcheck(tree: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "shipcheck", "scan", str(tree), "--offline", "--no-color",
            "--format", "json", "--fail-on", "never", *extra]  # fmt: skip


def include_tests_config(where: Path) -> Path:
    """A configuration that runs every BAN rule on test code too."""
    path = where / "shipcheck-include-tests.toml"
    path.write_text(
        "".join(f"[params.{rule_id(t)}]\ninclude_tests = true\n\n" for t in MAPPED),
        encoding="utf-8",
    )
    return path


def main() -> None:
    """Time both tools, compare their findings, write the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", nargs="?", type=Path, default=Path("/work/realapps/saleor"))
    parser.add_argument("--bandit", default=str(Path(sys.executable).parent / "bandit"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--jobs", type=int, default=None, help="shipcheck --jobs (default: all CPUs)"
    )
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "RESULTS-bandit.md")
    args = parser.parse_args()
    tree = args.tree.resolve()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    work = Path(tempfile.mkdtemp(prefix="bandit-bench-"))
    config = include_tests_config(work)
    bandit_version = subprocess.run(
        [args.bandit, "--version"], capture_output=True, text=True
    ).stdout.split("\n")[0]
    python_files = sum(1 for _ in tree.rglob("*.py"))

    bandit_json = work / "bandit.json"
    mapped_json = work / "bandit-mapped.json"
    commands = {
        "bandit -r (all tests)": [args.bandit, "-r", str(tree), "-q", "-f", "json", "-o", str(bandit_json)],
        "bandit -r (the 46 mapped tests)": [args.bandit, "-r", str(tree), "-q", "-t", ",".join(MAPPED),
                                            "-f", "json", "-o", str(mapped_json)],
        "shipcheck scan": shipcheck(tree, *jobs),
        "shipcheck scan --extend-select BAN": shipcheck(tree, "--extend-select", "BAN", *jobs),
        "shipcheck scan --extend-select BAN, include_tests": shipcheck(
            tree, "--extend-select", "BAN", "--config", str(config), *jobs
        ),
    }  # fmt: skip
    # Round robin, so that a machine shared with other work slows every command alike.
    walls: dict[str, list[float]] = {label: [] for label in commands}
    cpus: dict[str, list[float]] = {label: [] for label in commands}
    outputs: dict[str, str] = {}
    for attempt in range(args.repeat):
        for label, command in commands.items():
            wall, cpu, outputs[label] = timed(command)
            walls[label].append(wall)
            cpus[label].append(cpu)
            print(
                f"run {attempt + 1}: {label}: {wall:.1f} s wall, {cpu:.1f} s CPU", file=sys.stderr
            )
    all_results = json.loads(bandit_json.read_text())["results"]
    mapped_results = json.loads(mapped_json.read_text())["results"]
    ban = json.loads(outputs["shipcheck scan --extend-select BAN"])
    parity = json.loads(
        timed(shipcheck(tree, "--select", "BAN", "--config", str(config), *jobs))[2]
    )

    theirs = Counter(
        (os.path.relpath(r["filename"], tree), r["line_number"], rule_id(r["test_id"]))
        for r in mapped_results
    )
    ours = Counter((f["path"], f["line"], f["rule_id"]) for f in parity["findings"])
    only_bandit = theirs - ours
    only_shipcheck = ours - theirs
    skipped_files = [d for d in parity["diagnostics"] if d["kind"] == "parse-error"]

    bandit_all = statistics.median(walls["bandit -r (all tests)"])
    with_ban = statistics.median(walls["shipcheck scan --extend-select BAN"])
    lines = [
        "# The BAN pack against `bandit -r`",
        "",
        f"Generated by `python bench/bandit_engine.py {args.tree}` ({args.repeat} runs of each"
        " command, round robin; medians).",
        "",
        f"- Machine: {hardware.describe()}; load average {os.getloadavg()[0]:.1f} at the end (the machine"
        " is shared: wall times move with the load, CPU times much less).",
        f"- Tree: `{args.tree}`, {python_files} Python files; {bandit_version}; shipcheck "
        f"{'--jobs ' + str(args.jobs) if args.jobs else 'with one worker per CPU'}.",
        "",
        "| run | wall time | CPU time | wall times |",
        "| --- | ---: | ---: | --- |",
    ]
    for label in commands:
        lines.append(
            f"| {label} | {statistics.median(walls[label]):.1f} s | "
            f"{statistics.median(cpus[label]):.1f} s | "
            f"{', '.join(f'{t:.1f}' for t in walls[label])} |"
        )
    rounds = list(
        zip(
            walls["shipcheck scan --extend-select BAN"], walls["bandit -r (all tests)"], strict=True
        )
    )
    faster = sum(ours < theirs for ours, theirs in rounds)
    own = statistics.median(cpus["shipcheck scan"])
    added = statistics.median(cpus["shipcheck scan --extend-select BAN, include_tests"]) - own
    lines += [
        "",
        f"`shipcheck scan --extend-select BAN` took {with_ban:.1f} s against {bandit_all:.1f} s for "
        f"`bandit -r` alone ({with_ban / bandit_all:.0%} of it), and less than `bandit -r` in "
        f"{faster} of {len(rounds)} rounds (each round runs both under the same load): the whole "
        "deployment audit with bandit's tests against bandit alone.",
        "",
        f"Like for like (the same tests on the same files, test code included), the BAN rules "
        f"add {added:.1f} s of CPU to shipcheck's own {own:.1f} s; `bandit -r` with the same "
        f"tests takes {statistics.median(cpus['bandit -r (the 46 mapped tests)']):.1f} s of CPU "
        "(it walks the tree, reads and parses every file again, and keeps scores shipcheck does "
        "not need).",
        "",
        "Findings:",
        "",
        f"- `bandit -r`, all tests: {len(all_results)} results "
        f"({', '.join(f'{k} {v}' for k, v in Counter(r['test_id'] for r in all_results).most_common(6))}, …).",
        f"- `bandit -r`, mapped tests: {len(mapped_results)} results.",
        f"- shipcheck `--extend-select BAN` (test code skipped, duplicates merged): "
        f"{sum(1 for f in ban['findings'] if f['rule_id'].startswith('BAN'))} BAN findings, "
        f"{ban['summary'].get('merged_duplicates', 0)} merged into shipcheck's own, "
        f"{sum(1 for f in ban['suppressed_findings'] if f['rule_id'].startswith('BAN'))} suppressed by `# nosec`.",
        f"- Parity (`--select BAN`, include_tests) against bandit's mapped-test results, by file, line "
        f"and test: {sum((theirs & ours).values())} in both, {sum(only_bandit.values())} only bandit, "
        f"{sum(only_shipcheck.values())} only shipcheck; "
        f"{len(skipped_files)} file(s) shipcheck could not parse.",
    ]
    for label, diff in (("only bandit", only_bandit), ("only shipcheck", only_shipcheck)):
        for (path, line, rule), count in sorted(diff.items())[:20]:
            lines.append(
                f"  - {label}: `{path}:{line}` {rule}" + (f" ×{count}" if count > 1 else "")
            )
    lines += ["", "Commands (TREE is the tree above):", ""]
    for label, command in commands.items():
        shown = " ".join(command).replace(str(tree), "TREE").replace(sys.executable, "python")
        lines.append(f"- {label}: `{re.sub(r'/tmp/[^ ]+/', '', shown)}`")
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
