"""``--format gitlab``: a GitLab Code Quality report (``artifacts: reports: codequality``).

A JSON array of Code Climate issues, of which GitLab reads ``description``, ``check_name``,
``fingerprint``, ``severity`` and ``location`` (path relative to the repository, begin line).
The fingerprint is shipcheck's own, which holds no line number: GitLab compares merge
request and target branch by fingerprint, so a finding that only moved stays "unchanged".
Written without a byte-order mark, which GitLab rejects.
"""

from __future__ import annotations

import json
from typing import Any

from shipcheck.models.findings import Finding, Severity
from shipcheck.report import Report
from shipcheck.reporters.base import Reporter
from shipcheck.reporters.locations import RepoPaths

# GitLab has five levels as well: map them one to one, keeping the order.
SEVERITY = {
    Severity.CRITICAL: "blocker",
    Severity.HIGH: "critical",
    Severity.MEDIUM: "major",
    Severity.LOW: "minor",
    Severity.INFO: "info",
}


class GitlabReporter(Reporter):
    """GitLab Code Quality JSON."""

    name = "gitlab"

    def render(self, report: Report) -> str:
        """The issue array, indented, with a trailing newline."""
        paths = RepoPaths(report.root)
        issues = [self._issue(report, f, paths) for f in report.findings]
        return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"

    def _issue(self, report: Report, finding: Finding, paths: RepoPaths) -> dict[str, Any]:
        rule = report.rule(finding.rule_id)
        security = rule is not None and "security" in rule.tags
        return {
            "type": "issue",
            "engine_name": "shipcheck",
            "check_name": finding.rule_id,
            "description": f"{finding.rule_id} {finding.rule_name}: {finding.message}",
            "content": {"body": f"Fix: {finding.remediation}"},
            "categories": ["Security"] if security else ["Bug Risk"],
            "severity": SEVERITY[finding.severity],
            "fingerprint": finding.fingerprint,
            "location": {
                "path": paths.path(finding.path),
                # Code Quality needs a line; a project-level finding has none: its file's top.
                "lines": {
                    "begin": max(finding.line, 1),
                    "end": max(finding.end_line, finding.line, 1),
                },
            },
        }
