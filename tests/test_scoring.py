"""The scoring formula documented in README.md."""

from __future__ import annotations

from dataclasses import replace

from shipcheck.checklist import Checklist, Item
from shipcheck.models.findings import Finding, Severity
from shipcheck.packs import load_builtin
from shipcheck.scoring import grade_for, score

from conftest import run_scan

RULES = {r.id: r for r in load_builtin().rules}


def _finding(rule_id: str, severity: Severity | None = None) -> Finding:
    rule = RULES[rule_id]
    return Finding(rule.id, rule.name, rule.checklist, rule.area, severity or rule.severity,
                   "x", 1, 1, 1, 2, "m", "r")  # fmt: skip


def _checklist(*keys: str) -> Checklist:
    return Checklist(
        areas={"a": "Area A", "b": "Area B"},
        items={k: Item(k, "a" if i % 2 == 0 else "b", k, "") for i, k in enumerate(keys)},
    )


def test_area_without_applicable_items_has_no_score():
    rules = [replace(RULES["DKR001"], checklist="one", area="a")]
    result = score(_checklist("one", "two"), rules, {"DKR001": True}, [])
    assert result.areas["a"].score == 100
    assert result.areas["b"].score is None and result.areas["b"].grade is None
    assert result.items["two"].status == "not-applicable"
    assert result.overall == 100 and result.grade == "A"


def test_weighting_by_severity():
    high = replace(RULES["DKR001"], checklist="one", area="a", severity=Severity.HIGH)
    low = replace(RULES["DEP001"], id="DEP001", checklist="two", area="b", severity=Severity.LOW)
    failing = replace(_finding("DEP001", Severity.LOW), checklist_key="two", area="b")
    result = score(
        _checklist("one", "two"), [high, low], {"DKR001": True, "DEP001": True}, [failing]
    )
    # weights: high 6 (pass, credit 1), low 1 (fail with a low finding, credit 0.7)
    assert result.overall == round(100 * (6 + 0.7) / 7)
    assert result.areas["b"].score == 70
    assert result.items["two"].status == "fail" and result.items["one"].status == "pass"


def test_grade_caps():
    assert grade_for(95, None) == "A"
    assert grade_for(95, Severity.HIGH) == "B"
    assert grade_for(95, Severity.CRITICAL) == "D"
    assert grade_for(50, Severity.HIGH) == "F"
    assert grade_for(80, Severity.MEDIUM) == "B"


def test_not_applicable_when_no_artifact_of_the_rule_kind(tmp_path):
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\n")
    report = run_scan(tmp_path, fail_on="never")
    items = report.scores.items
    assert items["container.non-root"].status == "not-applicable"
    assert items["deps.pinned"].status == "pass"
    assert report.scores.areas["container"].score is None


def test_real_scan_is_deterministic_and_in_range(tmp_path):
    (tmp_path / "Dockerfile").write_text('FROM python:3.12\nCMD ["app"]\n')
    (tmp_path / "requirements.txt").write_text("flask\n")
    first = run_scan(tmp_path, fail_on="never")
    second = run_scan(tmp_path, fail_on="never")
    assert first.scores == second.scores
    assert 0 <= first.scores.overall < 100
    assert first.scores.items["container.non-root"].status == "fail"
