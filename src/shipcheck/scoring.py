"""Scores: checklist item status → area scores → overall score and grade.

The formula (documented in README.md, "Scoring"):

* An item is **not applicable** when none of its enabled rules can be judged for the
  project (no Dockerfile → no container items). It is left out of every sum: an area with
  no applicable item has no score, rather than a perfect one.
* An item is **not checked** when a check it needs could not run (``RuleSkipped``: the
  vulnerability check offline with no local advisory data, an unreachable service) and it
  has no open finding. Like a not-applicable item it is left out of the sums, but reports
  say it was not checked: it is neither a pass nor a perfect area.
* An applicable item **passes** when it has no open finding, else it **fails**.
* Item weight = the weight of its most severe enabled rule
  (critical 10, high 6, medium 3, low 1, info 0.5).
* Item credit = 1 when it passes; when it fails, the credit left by its worst open finding
  (critical 0, high 0, medium 0.4, low 0.7, info 0.9).
* Area score = 100 × Σ(weight × credit) / Σ weight over the area's applicable items,
  rounded half up; the overall score is the same sum over all applicable items.
* Grade: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, else F; an open critical finding caps the grade
  at D and an open high finding at B, so a leaked key is never an A.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shipcheck.catalogue import Rule
from shipcheck.checklist import Checklist
from shipcheck.models.findings import Finding, Severity

WEIGHT = {
    Severity.CRITICAL: 10.0,
    Severity.HIGH: 6.0,
    Severity.MEDIUM: 3.0,
    Severity.LOW: 1.0,
    Severity.INFO: 0.5,
}
CREDIT = {
    Severity.CRITICAL: 0.0,
    Severity.HIGH: 0.0,
    Severity.MEDIUM: 0.4,
    Severity.LOW: 0.7,
    Severity.INFO: 0.9,
}
GRADES = ((90, "A"), (80, "B"), (70, "C"), (60, "D"))
PASS, FAIL, NOT_APPLICABLE, NOT_CHECKED = "pass", "fail", "not-applicable", "not-checked"
UNSCORED = frozenset({NOT_APPLICABLE, NOT_CHECKED})


@dataclass(frozen=True)
class ItemResult:
    """One checklist item's verdict."""

    key: str
    area: str
    title: str
    status: str
    weight: float
    credit: float
    findings: int
    worst: Severity | None
    reason: str = ""  # why it was not checked


@dataclass(frozen=True)
class AreaScore:
    """One area's score (None when nothing in it applies or was checked)."""

    area: str
    title: str
    score: int | None
    grade: str | None
    passed: int
    failed: int
    not_applicable: int
    not_checked: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The area as the JSON report (and the HTML page) show it."""
        return {
            "title": self.title,
            "score": self.score,
            "grade": self.grade,
            "passed": self.passed,
            "failed": self.failed,
            "not_applicable": self.not_applicable,
            "not_checked": self.not_checked,
        }


@dataclass(frozen=True)
class Scores:
    """Items, areas and the overall result."""

    items: dict[str, ItemResult]
    areas: dict[str, AreaScore]
    overall: int | None
    grade: str | None

    def not_checked(self, area: str | None = None) -> list[ItemResult]:
        """Items a skipped check left unjudged (in ``area``, or all)."""
        return [
            i
            for i in self.items.values()
            if i.status == NOT_CHECKED and (area is None or i.area == area)
        ]


def _round(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def grade_for(score: int, worst: Severity | None) -> str:
    """Letter grade for a score, capped by the worst open finding."""
    letter = next((g for threshold, g in GRADES if score >= threshold), "F")
    order = "ABCDF"
    cap = {Severity.CRITICAL: "D", Severity.HIGH: "B"}.get(worst) if worst else None
    if cap and order.index(letter) < order.index(cap):
        return cap
    return letter


def _worst(severities: Iterable[Severity]) -> Severity | None:
    return max(severities, key=lambda s: s.rank, default=None)


def score(
    checklist: Checklist,
    rules: list[Rule],
    applicable: dict[str, bool],
    findings: list[Finding],
    skipped: Mapping[str, str] | None = None,
) -> Scores:
    """Score the checklist from the enabled rules, their applicability and open findings.
    ``skipped`` maps rule ids whose check could not run to the reason."""
    skipped = skipped or {}
    by_key: dict[str, list[Finding]] = {}
    for finding in findings:
        by_key.setdefault(finding.checklist_key, []).append(finding)
    items: dict[str, ItemResult] = {}
    for key, item in checklist.items.items():
        item_rules = [r for r in rules if r.checklist == key]
        live = [r for r in item_rules if applicable.get(r.id)]
        open_findings = by_key.get(key, [])
        worst = _worst(f.severity for f in open_findings)
        unjudged = [r for r in item_rules if r.id in skipped]
        if unjudged and not open_findings:
            reason = "; ".join(f"{r.id}: {skipped[r.id]}" for r in unjudged)
            items[key] = ItemResult(
                key, item.area, item.title, NOT_CHECKED, 0.0, 0.0, 0, None, reason
            )
            continue
        if not live and not open_findings:
            items[key] = ItemResult(key, item.area, item.title, NOT_APPLICABLE, 0.0, 0.0, 0, None)
            continue
        weight = max((WEIGHT[r.severity] for r in live or item_rules), default=1.0)
        if worst is not None:
            weight = max(weight, WEIGHT[worst])
        credit = 1.0 if worst is None else CREDIT[worst]
        status = PASS if worst is None else FAIL
        items[key] = ItemResult(
            key, item.area, item.title, status, weight, credit, len(open_findings), worst
        )

    areas: dict[str, AreaScore] = {}
    for area, title in checklist.areas.items():
        members = [i for i in items.values() if i.area == area]
        areas[area] = _area_score(area, title, members, findings)
    live_items = [i for i in items.values() if i.status not in UNSCORED]
    overall = _weighted(live_items)
    worst_open = _worst(f.severity for f in findings)
    grade = grade_for(overall, worst_open) if overall is not None else None
    return Scores(items=items, areas=areas, overall=overall, grade=grade)


def _weighted(items: list[ItemResult]) -> int | None:
    total = sum(i.weight for i in items)
    if not total:
        return None
    return _round(100 * sum(i.weight * i.credit for i in items) / total)


def _area_score(
    area: str, title: str, members: list[ItemResult], findings: list[Finding]
) -> AreaScore:
    live = [i for i in members if i.status not in UNSCORED]
    value = _weighted(live)
    worst = _worst(f.severity for f in findings if f.area == area)
    return AreaScore(
        area=area,
        title=title,
        score=value,
        grade=grade_for(value, worst) if value is not None else None,
        passed=sum(i.status == PASS for i in members),
        failed=sum(i.status == FAIL for i in members),
        not_applicable=sum(i.status == NOT_APPLICABLE for i in members),
        not_checked=sum(i.status == NOT_CHECKED for i in members),
    )
