#!/usr/bin/env python3
"""The cross-artifact consistency rules (PRJ012-PRJ016) on real applications.

Scans each application under a folder of checkouts (``/work/realapps`` by default) with only
those rules selected, offline and without the result cache, and prints every finding with
its message, then a table of findings per rule and application. The checkouts are only read.

    python bench/consistency_realapps.py [--apps DIR] [--markdown]

Each finding is meant to be read and judged by hand: the figures are what the rules report,
not how many of those reports are right (docs/consistency-realapps.md records the verdicts).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

RULES = ("PRJ012", "PRJ013", "PRJ014", "PRJ015", "PRJ016")


def scan(app: Path) -> tuple[list[dict], float]:
    """The app's findings of RULES and the scan's wall time."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "shipcheck", "scan", str(app), "--offline", "--no-cache",
         "--isolated", "--format", "json", "--fail-on", "never", "--select", ",".join(RULES)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{app.name}: shipcheck exited {done.returncode}: {done.stderr[-500:]}")
    return json.loads(done.stdout)["findings"], elapsed


def main() -> None:
    """Scan every application and print the findings and the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=Path, default=Path("/work/realapps"))
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")
    args = parser.parse_args()
    apps = sorted(p for p in args.apps.iterdir() if p.is_dir())
    table: dict[str, dict[str, int]] = {}
    for app in apps:
        findings, elapsed = scan(app)
        table[app.name] = {rule: 0 for rule in RULES}
        print(f"== {app.name} ({elapsed:.1f} s)")
        for finding in findings:
            table[app.name][finding["rule_id"]] += 1
            print(f"  {finding['rule_id']} {finding['severity']:<6} {finding['path']}:"
                  f"{finding['line']}  {finding['message']}")  # fmt: skip
    print()
    header = ["application", *RULES, "total"]
    rows = [[name, *map(str, counts.values()), str(sum(counts.values()))]
            for name, counts in table.items()]  # fmt: skip
    totals = [sum(c[r] for c in table.values()) for r in RULES]
    rows.append(["total", *map(str, totals), str(sum(totals))])
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + " --- |" * len(header))
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        for row in [header, *rows]:
            print("  ".join(cell.ljust(12) for cell in row))


if __name__ == "__main__":
    main()
