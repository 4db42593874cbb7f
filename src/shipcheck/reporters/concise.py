"""``--format concise``: one line per finding, ``path:line:col: ID [severity] message``, the
summary and the gate last. What an editor's problem matcher and a pre-commit log want."""

from __future__ import annotations

from pathlib import Path

from shipcheck.models.findings import Finding
from shipcheck.report import Report
from shipcheck.reporters.base import Reporter


def display_path(report: Report, path: str, cwd: Path | None = None) -> str:
    """``path`` (project-relative) relative to the working directory when it lies below it,
    so that terminals and editors can open it; else as the report has it."""
    if path.startswith("<") or path in ("", "."):
        return path
    base = (cwd or Path.cwd()).resolve()
    absolute = report.root.resolve() / path
    try:
        return absolute.relative_to(base).as_posix()
    except ValueError:
        return path


def summary_line(report: Report) -> str:
    """Counts by severity, then what the scan covered."""
    counts = ", ".join(f"{n} {sev}" for sev, n in report.counts().items() if n)
    total = len(report.findings)
    text = f"{total} finding(s)" + (f" ({counts})" if counts else "")
    extra = []
    if report.suppressed:
        extra.append(f"{len(report.suppressed)} suppressed")
    if report.baselined:
        extra.append(f"{report.baselined} accepted by the baseline")
    if report.outside_diff:
        extra.append(f"{report.outside_diff} outside the lines changed since {report.diff_ref}")
    # Not counted: files named but of a kind shipcheck does not read (pre-commit passes every
    # text file), and the notes of checks that did not run (listed as "not checked").
    unchecked = tuple(f"{i.key} skipped (" for i in report.scores.not_checked())
    skipped = sum(
        d.kind != "unread" and not (d.path == "." and d.reason.startswith(unchecked))
        for d in report.diagnostics
    )
    if skipped:
        extra.append(f"{skipped} file note(s), see --format terminal")
    scope = "file(s) given" if report.partial else "file(s) scanned"
    text += f" in {report.files_scanned} {scope}"
    if extra:
        text += "; " + "; ".join(extra)
    return text + "."


def gate_line(report: Report) -> str:
    """The gate's verdict and its reason."""
    gate = report.gate
    if gate.passed:
        return f"Gate passed (fail-on {gate.fail_on})."
    return "Gate failed: " + "; ".join(gate.reasons) + "."


class ConciseReporter(Reporter):
    """One line per finding; ``cwd`` sets what paths are relative to (tests)."""

    name = "concise"

    def __init__(self, cwd: Path | None = None, where: str | None = None) -> None:
        self.cwd = cwd
        self.where = where  # what was scanned, as the user named it

    def line(self, report: Report, finding: Finding) -> str:
        """``path:line:col: ID [severity] message`` (``path: …`` without a position)."""
        where = display_path(report, finding.path, self.cwd)
        if finding.line > 0:  # a finding about the project as a whole has no position
            where += f":{finding.line}:{finding.column}"
        message = " ".join(finding.message.split())  # one line, whatever the message holds
        return f"{where}: {finding.rule_id} [{finding.severity.value}] {message}"

    def render(self, report: Report) -> str:
        """Findings in path order, then parse problems, then the summary and the gate."""
        if report.files_scanned == 0 and not report.findings:
            lines = [f"Nothing shipcheck reads was found in {self.where or report.root}."]
            lines += [
                f"{display_path(report, d.path, self.cwd)}: {d.reason}" for d in report.diagnostics
            ]
            return "\n".join(lines) + "\n"
        lines = [
            f"warning: {'' if w.path == '.' else w.path + ': '}{' '.join(w.reason.split())}"
            for w in report.warnings
        ]
        lines += [self.line(report, f) for f in report.findings]
        for diag in report.diagnostics:
            if diag.kind == "parse-error":
                where = display_path(report, diag.path, self.cwd)
                where += f":{diag.line}" if diag.line else ""
                lines.append(f"{where}: not fully read: {' '.join(diag.reason.split())}")
        for item in report.scores.not_checked():
            lines.append(f"{item.key}: not checked ({' '.join(item.reason.split())})")
        if report.partial:
            lines.append("Partial scan of the files given: findings and the gate only (no scores).")
        lines.append(summary_line(report))
        lines.append(gate_line(report))
        return "\n".join(lines) + "\n"
