"""``--format github``: GitHub Actions workflow commands that annotate the pull request.

``::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`` per finding. Values
are escaped as the runner unescapes them (``%``, CR and LF everywhere; ``:`` and ``,`` in
properties too), so text from the scanned repository can neither break the line nor start a
workflow command of its own.

GitHub shows at most 10 error, 10 warning and 10 notice annotations per step and 50 per job
(actions/toolkit ``docs/problem-matchers.md``, "Limitations"); the rest stay in the log only.
So the most severe come first and, when a level is over its limit, a notice placed before the
findings says how many will not be shown and points at the SARIF upload and the job summary.
"""

from __future__ import annotations

from collections import Counter

from shipcheck.models.findings import Finding, Severity
from shipcheck.report import Report
from shipcheck.reporters.base import Reporter
from shipcheck.reporters.locations import RepoPaths, span
from shipcheck.reporters.source import SourceReader

COMMAND = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}
PER_STEP = 10  # annotations of each level GitHub shows for one step
PER_JOB = 50


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
        source = SourceReader(report.root)
        ordered = sorted(report.findings, key=lambda f: (-f.severity.rank, f.sort_key()))
        lines = [
            "::warning title=shipcheck::"
            + escape_data(w.reason if w.path == "." else f"{w.path}: {w.reason}")
            for w in report.warnings
        ]
        lines += [self._annotation(f, paths, source) for f in ordered]
        overflow = limit_notice(ordered)
        if overflow:
            lines.insert(0, f"::notice title=shipcheck::{escape_data(overflow)}")
        score = report.scores.overall
        verdict = "passed" if report.gate.passed else "failed: " + "; ".join(report.gate.reasons)
        scored = (
            ""
            if report.partial
            else (
                f", score {'n/a' if score is None else score} (grade {report.scores.grade or '-'})"
            )
        )
        lines.append(
            f"shipcheck: {len(report.findings)} open finding(s){scored}; "
            f"gate {escape_data(verdict)}"
        )
        if overflow:
            lines.append(f"shipcheck: {overflow}")
        return "\n".join(lines) + "\n"

    def _annotation(self, finding: Finding, paths: RepoPaths, source: SourceReader) -> str:
        props = []
        if not finding.project_level:  # a project-level finding annotates the run, no file
            line, column, end_line, end_column = span(finding, source)
            props.append(f"file={escape_property(paths.path(finding.path))}")
            props.append(f"line={line}")
            props.append(f"col={column}")
            props.append(f"endLine={end_line}")
            if end_line == line and end_column > column:
                props.append(f"endColumn={end_column}")
        props.append(f"title={escape_property(f'{finding.rule_id} {finding.rule_name}')}")
        message = f"{finding.message}\n\nFix: {finding.remediation}"
        return f"::{COMMAND[finding.severity]} {','.join(props)}::{escape_data(message)}"


def limit_notice(findings: list[Finding]) -> str | None:
    """What GitHub will not show of these annotations, or None when it shows them all."""
    levels = Counter(COMMAND[f.severity] for f in findings)
    if all(n <= PER_STEP for n in levels.values()):
        return None
    levels["notice"] += 1  # this notice comes first and takes one of the notice places
    hidden = {level: n - PER_STEP for level, n in levels.items() if n > PER_STEP}
    parts = ", ".join(f"{hidden[level]} {level}" for level in ("error", "warning", "notice")
                      if level in hidden)  # fmt: skip
    return (
        f"{len(findings)} findings, but GitHub shows only {PER_STEP} annotations of each level "
        f"per step ({PER_JOB} per job): {parts} annotation(s) will not appear on the pull "
        "request. The SARIF upload (code scanning) and the job summary list them all; the "
        "log has every one."
    )
