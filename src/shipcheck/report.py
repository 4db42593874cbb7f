"""The report: an immutable value every reporter renders (never the engine itself)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shipcheck import __version__
from shipcheck.catalogue import Rule
from shipcheck.config import Config
from shipcheck.models.findings import Diagnostic, Finding, Severity
from shipcheck.packs import LoadedPack
from shipcheck.scoring import Scores
from shipcheck.suppress import Suppression

REPORT_SCHEMA_VERSION = "1.2"
# Diagnostic kinds a reader must see before the findings.
PROMINENT_KINDS = frozenset({"config", "git", "timeout", "crash"})


@dataclass(frozen=True)
class Gate:
    """The CI gate's verdict."""

    fail_on: str
    min_score: int | None
    passed: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    """Everything a reporter may show."""

    root: Path
    tool_version: str
    rules: tuple[Rule, ...]  # the rules that ran
    findings: tuple[Finding, ...]  # open findings, report order
    suppressed: tuple[Finding, ...]
    unused_suppressions: tuple[Suppression, ...]
    diagnostics: tuple[Diagnostic, ...]
    scores: Scores
    gate: Gate
    files_scanned: int
    packs: tuple[tuple[str, str, str], ...]  # (prefix, distribution, version)
    # Set only when --baseline / --diff narrowed the report: findings hidden by each.
    baselined: int | None = None
    outside_diff: int | None = None
    diff_ref: str | None = None
    # Each scanned file's role: (path, kind, role, why) — see shipcheck.roles.
    files: tuple[tuple[str, str, str, str], ...] = ()
    # Explicit files (pre-commit): a part of the project, so no scores, only findings + gate.
    partial: bool = False
    # Set only when BAN (bandit) rules ran: their findings dropped as duplicates of
    # shipcheck's own (same path, line and checklist item).
    merged: int | None = None
    # The environment variables the shipped code reads (name, required, reads): see
    # shipcheck.detectors.python.env_reads.environment_list.
    environment: tuple[dict[str, Any], ...] = ()

    def rule(self, rule_id: str) -> Rule | None:
        """A rule that ran, by id."""
        return next((r for r in self.rules if r.id == rule_id), None)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """Diagnostics that change what the report means (configuration ignored, git not
        asked, files abandoned): every format shows these first."""
        return tuple(d for d in self.diagnostics if d.kind in PROMINENT_KINDS)

    def counts(self) -> dict[str, int]:
        """Open findings per severity (every severity present, worst first)."""
        counts = {s.value: 0 for s in Severity}
        for finding in self.findings:
            counts[finding.severity.value] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """The JSON report (schema: ``shipcheck/data/schemas/report.schema.json``)."""
        scores = self.scores
        return {
            "version": REPORT_SCHEMA_VERSION,
            "tool": {
                "name": "shipcheck",
                "version": self.tool_version,
                "packs": [{"prefix": p, "distribution": d, "version": v} for p, d, v in self.packs],
            },
            "summary": {
                "files_scanned": self.files_scanned,
                "findings": len(self.findings),
                "by_severity": self.counts(),
                "suppressed": len(self.suppressed),
                "unused_suppressions": len(self.unused_suppressions),
                "diagnostics": len(self.diagnostics),
                "partial": self.partial,
                **({} if self.baselined is None else {"baselined": self.baselined}),
                **({} if self.outside_diff is None else {"outside_diff": self.outside_diff}),
                **({} if self.merged is None else {"merged_duplicates": self.merged}),
            },
            "gate": {
                "fail_on": self.gate.fail_on,
                "min_score": self.gate.min_score,
                "passed": self.gate.passed,
                "reasons": list(self.gate.reasons),
            },
            "scores": self._scores_dict(),
            "checklist": (
                {} if self.partial else {key: i.status for key, i in scores.items.items()}
            ),
            "not_checked": [
                {"checklist_key": i.key, "area": i.area, "reason": i.reason}
                for i in scores.not_checked()
            ],
            "findings": [f.to_dict() for f in self.findings],
            "suppressed": len(self.suppressed),
            "suppressed_findings": [f.to_dict() for f in self.suppressed],
            "unused_suppressions": [
                {"path": s.path, "line": s.line, "rules": list(s.codes)}
                for s in self.unused_suppressions
            ],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "files": [
                {"path": path, "kind": kind, "role": role, "why": why}
                for path, kind, role, why in self.files
            ],
            "rules": [r.id for r in self.rules],
            "environment": list(self.environment),
        }

    def _scores_dict(self) -> dict[str, Any]:
        if self.partial:  # scores of a few files would misdescribe the project
            return {"overall": {"score": None, "grade": None}, "areas": {}}
        return {
            "overall": {"score": self.scores.overall, "grade": self.scores.grade},
            "areas": {a.area: a.to_dict() for a in self.scores.areas.values()},
        }


def evaluate_gate(
    findings: list[Finding], overall: int | None, config: Config, partial: bool = False
) -> Gate:
    """Exit-code verdict: any finding at or above ``fail-on``, or a score below ``min-score``
    (not judged on a ``partial`` scan: the score of a few files is not the project's)."""
    reasons = []
    if config.fail_on != "never":
        threshold = Severity(config.fail_on).rank
        failing = [f for f in findings if f.severity.rank >= threshold]
        if failing:
            reasons.append(f"{len(failing)} finding(s) at or above {config.fail_on}")
    if partial:
        overall = None
    if config.min_score is not None and overall is not None and overall < config.min_score:
        reasons.append(f"score {overall} is below the minimum {config.min_score}")
    return Gate(config.fail_on, config.min_score, not reasons, tuple(reasons))


def build_report(
    *,
    root: Path,
    rules: list[Rule],
    findings: list[Finding],
    suppressed: list[Finding],
    unused_suppressions: list[Suppression],
    diagnostics: list[Diagnostic],
    scores: Scores,
    config: Config,
    files_scanned: int,
    packs: list[LoadedPack],
    files: tuple[tuple[str, str, str, str], ...] = (),
    baselined: int | None = None,
    outside_diff: int | None = None,
    diff_ref: str | None = None,
    partial: bool = False,
    merged: int | None = None,
    environment: tuple[dict[str, Any], ...] = (),
) -> Report:
    """Assemble a report in deterministic order."""
    return Report(
        root=root,
        tool_version=__version__,
        rules=tuple(rules),
        findings=tuple(sorted(findings, key=lambda f: f.sort_key())),
        suppressed=tuple(sorted(suppressed, key=lambda f: f.sort_key())),
        unused_suppressions=tuple(sorted(unused_suppressions, key=lambda s: (s.path, s.line))),
        diagnostics=tuple(sorted(set(diagnostics), key=lambda d: d.sort_key())),
        scores=scores,
        gate=evaluate_gate(findings, scores.overall, config, partial),
        files_scanned=files_scanned,
        files=tuple(sorted(files)),
        packs=tuple((p.prefix, p.distribution, p.version) for p in packs if p.prefix),
        baselined=baselined,
        outside_diff=outside_diff,
        diff_ref=diff_ref,
        partial=partial,
        merged=merged,
        environment=environment,
    )
