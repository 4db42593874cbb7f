"""``--format github``: GitHub Actions workflow commands that annotate the pull request.

``::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`` per finding. Values
are escaped as the runner unescapes them (``%``, CR and LF everywhere; ``:`` and ``,`` in
properties too), so text from the scanned repository can neither break the line nor start a
workflow command of its own. GitHub shows only the first few annotations of each level per
step, so the most severe come first.
"""

from __future__ import annotations

from shipcheck.models.findings import Finding, Severity
from shipcheck.report import Report
from shipcheck.reporters.base import Reporter
from shipcheck.reporters.locations import RepoPaths

COMMAND = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def escape_data(text: str) -> str:
    """A workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter(Reporter):
    """Workflow-command annotations plus a plain summary line."""

    name = "github"

    def render(self, report: Report) -> str:
        """One command per finding, most severe first, then the verdict."""
        paths = RepoPaths(report.root)
        ordered = sorted(report.findings, key=lambda f: (-f.severity.rank, f.sort_key()))
        lines = [
            "::warning title=shipcheck::"
            + escape_data(w.reason if w.path == "." else f"{w.path}: {w.reason}")
            for w in report.warnings
        ]
        lines += [self._annotation(f, paths) for f in ordered]
        score = report.scores.overall
        verdict = "passed" if report.gate.passed else "failed: " + "; ".join(report.gate.reasons)
        lines.append(
            f"shipcheck: {len(report.findings)} open finding(s), score "
            f"{'n/a' if score is None else score} (grade {report.scores.grade or '-'}); "
            f"gate {escape_data(verdict)}"
        )
        return "\n".join(lines) + "\n"

    def _annotation(self, finding: Finding, paths: RepoPaths) -> str:
        props = []
        if not finding.project_level:  # a project-level finding annotates the run, no file
            props.append(f"file={escape_property(paths.path(finding.path))}")
            props.append(f"line={finding.line}")
            props.append(f"col={finding.column}")
            end_line = max(finding.end_line, finding.line)
            props.append(f"endLine={end_line}")
            if end_line == finding.line and finding.end_column > finding.column:
                props.append(f"endColumn={finding.end_column}")
        props.append(f"title={escape_property(f'{finding.rule_id} {finding.rule_name}')}")
        message = f"{finding.message}\n\nFix: {finding.remediation}"
        return f"::{COMMAND[finding.severity]} {','.join(props)}::{escape_data(message)}"
