"""`--format concise` and `--statistics` against golden files (tests/golden/), and their
edge cases. Regenerate the golden files with SHIPCHECK_UPDATE_GOLDEN=1 after a deliberate
change, and read the diff."""

from __future__ import annotations

import dataclasses
import os

import pytest

from shipcheck.report import Gate
from shipcheck.reporters.concise import ConciseReporter
from shipcheck.reporters.statistics import StatisticsReporter

from conftest import FIXTURES, TESTS, run_scan

PROJECT = FIXTURES / "projects" / "orders"
GOLDEN = TESTS / "golden"
SELECTION = ["DKR001", "DKR020", "DEP001", "PY001", "PY003"]


@pytest.fixture(scope="module")
def report():
    return run_scan(PROJECT, select=SELECTION)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SHIPCHECK_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_concise_golden(report):
    text = ConciseReporter(cwd=PROJECT).render(report)
    check_golden("concise.txt", text)
    *findings, summary, gate = text.splitlines()
    assert len(findings) == len(report.findings)
    assert all(line.count(":") >= 3 and " [" in line for line in findings)
    assert summary.startswith(f"{len(report.findings)} finding(s)")
    assert gate.startswith("Gate failed: ")


def test_concise_paths_follow_the_working_directory(report):
    line = ConciseReporter(cwd=PROJECT.parent).render(report).splitlines()[0]
    assert line.startswith("orders/Dockerfile:1:1: DKR001 [high] ")


def test_statistics_golden(report):
    text = StatisticsReporter().render(report)
    check_golden("statistics.txt", text)
    rows = [line.split() for line in text.splitlines()[1:-2]]
    assert sum(int(row[0]) for row in rows) == len(report.findings)
    assert [row[1] for row in rows][:1] == ["DEP001"], "most frequent rule first"


def test_statistics_fixable_column_follows_the_rule(report):
    marked = StatisticsReporter(fixable=lambda rule: rule is not None and rule.id == "DKR020")
    rows = {line.split()[1]: line.split()[-1] for line in marked.render(report).splitlines()[1:-2]}
    assert rows["DKR020"] == "safe" and rows["DKR001"] == "no" and rows["PY003"] == "no"
    default = StatisticsReporter().render(report).splitlines()[1:-2]
    rows = {line.split()[1]: line.split()[-1] for line in default}
    assert rows == {"DEP001": "unsafe", "DKR001": "no", "DKR020": "safe", "PY001": "no",
                    "PY003": "unsafe"}  # fmt: skip


def test_no_findings_gives_just_the_summary_and_gate(report):
    clean = dataclasses.replace(report, findings=(), gate=Gate("high", None, True, ()))
    assert StatisticsReporter().render(clean).splitlines()[0].startswith("0 finding(s)")
    lines = ConciseReporter(cwd=PROJECT).render(clean).splitlines()
    assert lines == ["0 finding(s) in 7 file(s) scanned.", "Gate passed (fail-on high)."]
