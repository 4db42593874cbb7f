"""Compare two shipcheck JSON reports of the same project, finding by finding.

Usage: ``python bench/compare_scans.py BEFORE.json AFTER.json [--rules PY001,DKR001]``

Findings are matched on (rule, path, line); a matched pair whose severity changed is listed
as changed. Prints, per rule, the counts before and after by severity band (high = critical
or high or medium, low = low, info) and then every added, removed or re-graded finding, for
reading and judging one by one.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

_BAND = {"critical": "hi", "high": "hi", "medium": "hi", "low": "low", "info": "info"}


def _load(path: Path) -> dict[tuple[str, str, int], dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {(f["rule_id"], f["path"] or ".", f["line"] or 0): f for f in data["findings"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--rules", default="", help="comma-separated rule ids to show")
    args = parser.parse_args()
    before, after = _load(args.before), _load(args.after)
    wanted = set(filter(None, args.rules.split(",")))
    counts: dict[str, list[Counter[str]]] = {}
    for side, findings in enumerate((before, after)):
        for (rule, _, _), finding in findings.items():
            counts.setdefault(rule, [Counter(), Counter()])[side][_BAND[finding["severity"]]] += 1
    print(f"{'rule':8} {'before hi/low/info':>20} {'after hi/low/info':>20}")
    for rule in sorted(counts):
        if wanted and rule not in wanted:
            continue
        b, a = counts[rule]
        if b == a:
            continue
        fmt = lambda c: f"{c['hi']}/{c['low']}/{c['info']}"  # noqa: E731
        print(f"{rule:8} {fmt(b):>20} {fmt(a):>20}")
    print()
    for key in sorted(set(before) | set(after)):
        if wanted and key[0] not in wanted:
            continue
        old, new = before.get(key), after.get(key)
        if old and new and old["severity"] == new["severity"]:
            continue
        mark = "+" if old is None else "-" if new is None else "~"
        shown = new or old
        grade = shown["severity"] if old is None or new is None else (
            f"{old['severity']}->{new['severity']}"
        )
        print(f"{mark} {key[0]} {grade} {key[1]}:{key[2]} {shown['message'][:160]}")


if __name__ == "__main__":
    main()
