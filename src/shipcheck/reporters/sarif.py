"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Shaped by what GitHub documents it reads (``sarif-support``): rules from the catalogue with
short/full descriptions, help text and Markdown, a default level, tags (checklist item,
area, ``external/cwe/cwe-N``), ``security-severity`` and precision; results with a
repository-relative location, 1-based regions and ``partialFingerprints``. One run only:
GitHub rejects several runs with the same tool and category. When GitHub's limits (25,000
results per run, 10 MB gzipped) would be exceeded, the least severe results are dropped and
a notification says what was dropped.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from typing import Any

from shipcheck.catalogue import Rule
from shipcheck.models.findings import Diagnostic, Finding, Severity
from shipcheck.report import Report
from shipcheck.reporters.base import Reporter
from shipcheck.reporters.linehash import line_hashes
from shipcheck.reporters.locations import RepoPaths, span
from shipcheck.reporters.source import SourceReader
from shipcheck.ruledocs import explain_text, rule_markdown

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/shipcheck/shipcheck"
RULES_DOC = INFORMATION_URI + "/blob/main/docs/rules.md"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "shipcheck/v1"

LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
# GitHub buckets: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}
PRECISIONS = frozenset({"very-high", "high", "medium", "low"})
NOTIFICATION_LEVEL = {
    "parse-error": "warning",
    "suppression": "warning",
    "network": "warning",
    "config": "error",
    "git": "warning",
    "timeout": "warning",
    "crash": "error",
    "limit": "warning",
}
MAX_TAGS = 20
MAX_SHORT_DESCRIPTION = 1024
MAX_NAME = 255


class SarifReporter(Reporter):
    """One SARIF run for the whole scan."""

    name = "sarif"
    # GitHub's published upload limits; class attributes so tests can lower them.
    max_results = 25_000
    max_gzip_bytes = 10_000_000

    def __init__(self, category: str | None = None, include_suppressed: bool = False) -> None:
        self.category = category
        self.include_suppressed = include_suppressed
        self.warnings: list[str] = []  # what the CLI should tell the user (dropped results)

    def render(self, report: Report) -> str:
        """The SARIF log as indented JSON."""
        self.warnings = []
        paths = RepoPaths(report.root)
        source = SourceReader(report.root)
        rules = _rules_for(report)
        index = {rule.id: position for position, rule in enumerate(rules)}
        findings = list(report.findings)
        if self.include_suppressed:
            findings += report.suppressed
            findings.sort(key=lambda f: f.sort_key())
        hashes = _LineHashes(source, findings)
        results = [_result(f, index, paths, source, hashes) for f in findings]
        from shipcheck.fixes.sarif import sarif_fixes

        fixes = sarif_fixes(report, paths.uri)
        for finding, result in zip(findings, results, strict=True):
            if finding.suppressed is None and finding.fingerprint in fixes:
                result["fixes"] = fixes[finding.fingerprint]
        ranked = sorted(
            range(len(findings)),
            key=lambda i: (findings[i].suppressed is not None, -findings[i].severity.rank, i),
        )
        keep = min(len(results), self.max_results)
        while True:
            kept = sorted(ranked[:keep])
            dropped = [findings[i] for i in ranked[keep:]]
            document = self._document(report, rules, [results[i] for i in kept], dropped, paths)
            text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
            size = len(gzip.compress(text.encode("utf-8"), 6, mtime=0))
            if size <= self.max_gzip_bytes or keep == 0:
                return text
            keep = min(keep - 1, int(keep * self.max_gzip_bytes / size * 0.95))
            keep = max(keep, 0)

    def _document(
        self,
        report: Report,
        rules: list[Rule],
        results: list[dict[str, Any]],
        dropped: list[Finding],
        paths: RepoPaths,
    ) -> dict[str, Any]:
        notifications = [_notification(d, paths) for d in report.diagnostics]
        for item in report.unused_suppressions:
            notifications.append(
                _note(
                    f"unused suppression ignore[{', '.join(item.codes)}] matches no finding",
                    "note",
                    "unused-suppression",
                    item.path,
                    item.line,
                    paths,
                )
            )
        if dropped:
            message = _dropped_message(dropped, len(results))
            self.warnings.append(message)
            notifications.append(
                {"level": "warning", "message": {"text": message}, "descriptor": {"id": "limits"}}
            )
        run: dict[str, Any] = {
            "tool": {"driver": _driver(report, rules)},
            "invocations": [
                {"executionSuccessful": True, "toolExecutionNotifications": notifications}
            ],
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": _run_properties(report, dropped),
        }
        if self.category:
            category = self.category.strip().strip("/")
            run["automationDetails"] = {"id": f"{category}/"}
        return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _rules_for(report: Report) -> list[Rule]:
    """The rules that ran, plus any rule a finding names (sorted by id)."""
    rules = {rule.id: rule for rule in report.rules}
    for finding in (*report.findings, *report.suppressed):
        if finding.rule_id not in rules:
            rules[finding.rule_id] = _placeholder_rule(finding)
    return [rules[key] for key in sorted(rules)]


def _placeholder_rule(finding: Finding) -> Rule:
    return Rule(
        id=finding.rule_id,
        name=finding.rule_name,
        checklist=finding.checklist_key,
        area=finding.area,
        severity=finding.severity,
        detector="",
        message=finding.message,
        summary=finding.message,
        rationale=finding.message,
        remediation=finding.remediation,
        example_bad="",
        example_good="",
        references=(),
    )


def _driver(report: Report, rules: list[Rule]) -> dict[str, Any]:
    return {
        "name": "shipcheck",
        "fullName": "shipcheck deployment-readiness audit",
        "version": report.tool_version,
        "semanticVersion": report.tool_version,
        "informationUri": INFORMATION_URI,
        "rules": [_descriptor(rule) for rule in rules],
    }


def cwe_tag(reference: str) -> str | None:
    """``CWE-079`` → ``external/cwe/cwe-79`` (the form GitHub and bandit use)."""
    number = reference.upper().removeprefix("CWE-")
    return f"external/cwe/cwe-{int(number)}" if number.isdigit() else None


def _descriptor(rule: Rule) -> dict[str, Any]:
    level = LEVEL[rule.severity]
    security = "security" in rule.tags
    tags = ["security"] if security else []
    tags += [rule.checklist, rule.area]
    tags += [t for t in (cwe_tag(r) for r in rule.cwes) if t]
    tags += list(rule.tags)
    unique = list(dict.fromkeys(tags))[:MAX_TAGS]
    properties: dict[str, Any] = {"tags": unique, "checklist": rule.checklist, "area": rule.area}
    if rule.precision in PRECISIONS:
        properties["precision"] = rule.precision
    if security and rule.severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    if not security:
        properties["problem.severity"] = PROBLEM_SEVERITY[level]
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name[:MAX_NAME],
        "shortDescription": {"text": rule.summary[:MAX_SHORT_DESCRIPTION]},
        "fullDescription": {"text": rule.rationale or rule.summary},
        "defaultConfiguration": {"level": level},
        "help": {"text": _help_text(rule), "markdown": _help_markdown(rule)},
        "properties": properties,
    }
    uri = _help_uri(rule)
    if uri:
        descriptor["helpUri"] = uri
    return descriptor


def _help_text(rule: Rule) -> str:
    if not rule.detector:  # a placeholder for a rule the report does not describe
        return f"{rule.summary}\n\nFix: {rule.remediation}\n"
    return explain_text(rule)


def _help_markdown(rule: Rule) -> str:
    if not rule.detector:
        return f"{rule.summary}\n\n**Fix:** {rule.remediation}\n"
    suppress = f"\nSuppress one finding: `# shipcheck: ignore[{rule.id}] <reason>`\n"
    return rule_markdown(rule) + suppress


def _help_uri(rule: Rule) -> str | None:
    if rule.origin == "builtin" and rule.detector:
        return f"{RULES_DOC}#{rule.id.lower()}-{rule.name}"
    return next(iter(rule.urls), None)


def _result(
    finding: Finding,
    index: dict[str, int],
    paths: RepoPaths,
    source: SourceReader,
    hashes: _LineHashes,
) -> dict[str, Any]:
    region = _region(finding, source)
    fingerprints = {FINGERPRINT_KEY: finding.fingerprint}
    line_hash = hashes.get(finding)
    if line_hash:
        fingerprints["primaryLocationLineHash"] = line_hash
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index[finding.rule_id],
        "level": LEVEL[finding.severity],
        "message": {"text": finding.message or finding.rule_name},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": paths.uri(finding.path), "uriBaseId": SRCROOT},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": fingerprints,
        "properties": {
            "severity": finding.severity.value,
            "checklist": finding.checklist_key,
            "area": finding.area,
            "remediation": finding.remediation,
        },
    }
    if finding.suppressed is not None:
        in_source = finding.suppressed.startswith(("inline", "ignore-file", "nosec"))
        kind = "inSource" if in_source else "external"
        result["suppressions"] = [
            {"kind": kind, "status": "accepted", "justification": finding.suppressed}
        ]
    return result


def _region(finding: Finding, source: SourceReader) -> dict[str, Any]:
    if finding.project_level:
        # No line belongs to it, but GitHub needs a start line to accept a result (OpenSSF
        # Scorecard's repository-level results do the same).
        return {"startLine": 1}
    # The JSON report uses the same span, so both formats agree on every column.
    start_line, start_column, end_line, end_column = span(finding, source)
    snippet = source.snippet(finding, context=0)
    region: dict[str, Any] = {
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    }
    if snippet.lines:
        region["snippet"] = {"text": snippet.marked_text}
    return region


class _LineHashes:
    """GitHub line hashes, computed once per file up to its last finding."""

    def __init__(self, source: SourceReader, findings: list[Finding]) -> None:
        self.source = source
        self.last: dict[str, int] = {}
        for finding in findings:
            self.last[finding.path] = max(self.last.get(finding.path, 1), finding.line)
        self.cache: dict[str, dict[int, str]] = {}

    def get(self, finding: Finding) -> str | None:
        if finding.project_level:
            return None
        if finding.path not in self.cache:
            text = self.source.text(finding.path)
            upto = self.last.get(finding.path, 1)
            self.cache[finding.path] = {} if text is None else line_hashes(text, upto=upto)
        return self.cache[finding.path].get(max(finding.line, 1))


def _notification(diagnostic: Diagnostic, paths: RepoPaths) -> dict[str, Any]:
    level = NOTIFICATION_LEVEL.get(diagnostic.kind, "note")
    return _note(diagnostic.reason, level, diagnostic.kind, diagnostic.path, diagnostic.line, paths)


def _note(
    text: str, level: str, kind: str, path: str, line: int | None, paths: RepoPaths
) -> dict[str, Any]:
    note: dict[str, Any] = {"level": level, "message": {"text": text}, "descriptor": {"id": kind}}
    if path and path != "." and not path.startswith("<"):
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": paths.uri(path), "uriBaseId": SRCROOT}
        }
        if line:
            physical["region"] = {"startLine": line}
        note["locations"] = [{"physicalLocation": physical}]
    return note


def _dropped_message(dropped: list[Finding], kept: int) -> str:
    by_severity = Counter(f.severity.value for f in dropped)
    parts = ", ".join(f"{by_severity[s.value]} {s.value}" for s in Severity if by_severity[s.value])
    return (
        f"SARIF output dropped {len(dropped)} result(s) ({parts}) to stay within GitHub's upload "
        f"limits (25,000 results per run, 10 MB gzipped); kept the {kept} most severe. "
        "Use --format json or html for the complete list."
    )


def _run_properties(report: Report, dropped: list[Finding]) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "score": report.scores.overall,
        "grade": report.scores.grade,
        "gatePassed": report.gate.passed,
        "suppressed": len(report.suppressed),
    }
    if report.baselined is not None:
        properties["baselined"] = report.baselined
    if report.outside_diff is not None:
        properties["outsideDiff"] = report.outside_diff
    if report.merged is not None:
        properties["mergedDuplicates"] = report.merged
    if dropped:
        properties["droppedResults"] = len(dropped)
    return properties
