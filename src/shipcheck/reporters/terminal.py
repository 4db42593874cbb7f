"""The human report: findings grouped by area, the checklist with area scores, the grade.

Laid out for the width it is given (the CLI passes the terminal's real width, or 80 columns
in a pipe): every wrapped line keeps its hanging indent, so a finding's message and fix stay
in their column. With colour off it is plain text.
"""

from __future__ import annotations

import io
import textwrap
from collections import defaultdict

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from shipcheck.fixes import COMMANDS, fix_command, fixable_sentence
from shipcheck.models.findings import Finding, Severity
from shipcheck.report import Report
from shipcheck.reporters.base import Reporter
from shipcheck.scoring import FAIL

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
GRADE_STYLE = {"A": "bold green", "B": "green", "C": "yellow", "D": "red", "F": "bold red"}
DEFAULT_WIDTH = 80
SEVERITY_COLUMN = 9  # "CRITICAL" and a space


def nothing_found(where: str) -> str:
    """The one sentence for a scan that found no file shipcheck reads."""
    return f"Nothing shipcheck reads was found in {where}."


class TerminalReporter(Reporter):
    """Rich text for a terminal; plain text when colour is off."""

    name = "terminal"

    def __init__(
        self, color: bool = False, width: int | None = None, where: str | None = None
    ) -> None:
        self.color = color
        self.width = width or DEFAULT_WIDTH
        self.where = where  # what was scanned, as the user named it

    def console(self, buffer: io.StringIO) -> Console:
        """A console that renders into ``buffer`` at this reporter's width."""
        return Console(
            file=buffer,
            force_terminal=self.color,
            no_color=not self.color,
            color_system="standard" if self.color else None,
            width=self.width,
            highlight=False,
            emoji=False,
            soft_wrap=False,
        )

    def render(self, report: Report) -> str:
        """The whole report."""
        buffer = io.StringIO()
        console = self.console(buffer)
        if report.files_scanned == 0 and not report.findings:
            console.print(Text(nothing_found(self.where or str(report.root))))
            self._diagnostics(console, report)
            return self._finish(buffer)
        scope = "files checked (a partial scan)" if report.partial else "files scanned"
        console.print(
            Text.assemble(
                (f"shipcheck {report.tool_version}", "bold"),
                f" · {report.files_scanned} {scope}",
            )
        )
        for warning in report.warnings:
            where = "" if warning.path == "." else f"{warning.path}: "
            console.print(Text(f"warning: {where}{warning.reason}", "bold yellow"))
        self._findings(console, report)
        if not report.partial:
            self._checklist(console, report)
        self._diagnostics(console, report)
        self._footer(console, report)
        return self._finish(buffer)

    def _finish(self, buffer: io.StringIO) -> str:
        text = buffer.getvalue()
        if self.color:
            return text
        # Tables and grids pad every line to the width; plain text should not end in blanks.
        return "\n".join(line.rstrip() for line in text.split("\n"))

    def _findings(self, console: Console, report: Report) -> None:
        if not report.findings:
            console.print(Text("\nNo open findings.", style="green"))
            return
        by_area: dict[str, list[Finding]] = defaultdict(list)
        for finding in report.findings:
            by_area[finding.area].append(finding)
        areas = report.scores.areas
        order = [a for a in areas if a in by_area] + sorted(set(by_area) - set(areas))
        for area in order:
            title = areas[area].title if area in areas else area
            console.print()
            console.rule(
                Text.assemble((title, "bold"), f" ({len(by_area[area])})"),
                align="left",
                style="dim",
            )
            for finding in by_area[area]:
                console.print(finding_block(finding, fix_command(report, finding)))

    def _checklist(self, console: Console, report: Report) -> None:
        scores = report.scores
        bar_width = 20 if self.width >= 100 else 10
        table = Table(
            title="Checklist",
            title_justify="left",
            title_style="bold",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
        )
        table.add_column("Area", ratio=1)
        table.add_column("Score", justify="right", no_wrap=True)
        table.add_column("Grade", no_wrap=True)
        unscored = any(a.score is None for a in scores.areas.values())
        # Wide enough for "not applicable" when an area has no score.
        table.add_column("", no_wrap=True, width=max(bar_width, 14) if unscored else bar_width)
        table.add_column("Pass", justify="right", style="green", no_wrap=True)
        table.add_column("Fail", justify="right", style="red", no_wrap=True)
        table.add_column("N/A", justify="right", style="dim", no_wrap=True)
        for area in scores.areas.values():
            title = Text(area.title)
            if area.not_checked:
                title.append(f" ({area.not_checked} not checked)", style="yellow")
            if area.score is None:
                label = "not checked" if area.not_checked else "not applicable"
                bar = Text(label, style="dim")
                score, grade = "–", "–"
            else:
                filled = round(area.score * bar_width / 100)
                bar = Text("█" * filled, style=GRADE_STYLE.get(area.grade or "F", ""))
                bar.append("░" * (bar_width - filled), style="dim")
                score, grade = str(area.score), area.grade or ""
            table.add_row(
                title,
                score,
                Text(grade, style=GRADE_STYLE.get(grade, "")),
                bar,
                str(area.passed),
                str(area.failed),
                str(area.not_applicable),
            )
        console.print()
        console.print(table)
        failing = [i for i in scores.items.values() if i.status == FAIL]
        if failing:
            console.print(Text("Failing items", style="bold"))
            grid = _grid(2)
            for area in scores.areas.values():  # area keys: what --select/--ignore take
                names = [f"{i.key} ({i.findings})" for i in failing if i.area == area.area]
                if names:
                    grid.add_row(Text(area.area), Text(", ".join(names), style="red"))
            console.print(Padding(grid, (0, 0, 0, 2)))
        unchecked = scores.not_checked()
        if unchecked:
            heading = "Not checked (not a pass, not scored)"
            console.print(Text(("\n" if failing else "") + heading, style="bold yellow"))
            grid = _grid(2)
            for item in unchecked:
                grid.add_row(Text(item.key), Text(item.reason))
            console.print(Padding(grid, (0, 0, 0, 2)))
        # The table ends in a blank line; a section after it needs one of its own.
        gap = "\n" if failing or unchecked else ""
        if scores.overall is None:
            console.print(Text(f"{gap}Overall: nothing to score (no applicable checklist items)"))
            return
        grade = scores.grade or "F"
        line = Text.assemble(
            (f"{gap}Overall score: ", "bold"),
            (f"{scores.overall}/100", "bold"),
            ("  grade ", "bold"),
            (grade, GRADE_STYLE.get(grade, "")),
        )
        if unchecked:
            line.append(f"  ({len(unchecked)} checklist item(s) not checked)", style="yellow")
        console.print(line)

    def _diagnostics(self, console: Console, report: Report) -> None:
        unchecked = {f"{i.key} skipped (" for i in report.scores.not_checked()}
        shown = [
            d
            for d in report.diagnostics
            if d.kind != "unread" and not (d.path == "." and d.reason.startswith(tuple(unchecked)))
        ]
        unread = [d.path for d in report.diagnostics if d.kind == "unread"]
        if unread:
            console.print(Text(f"\nNot read, not a kind of file shipcheck reads ({len(unread)}):"))
            console.print(Padding(Text(", ".join(unread)), (0, 0, 0, 2)))
        if shown:
            console.print(Text(f"\nSkipped or partly read ({len(shown)}):", style="bold"))
            for diag in shown:
                where = f"{diag.path}:{diag.line}" if diag.line else diag.path
                # Paths can be as wide as the screen: wrap the whole line, hanging under it.
                console.print(Text(hanging(f"{where}: {diag.reason}", self.width, 2, 6)))
        if report.unused_suppressions:
            console.print(
                Text(f"\nUnused suppressions ({len(report.unused_suppressions)}):", style="bold")
            )
            for item in report.unused_suppressions:
                codes = ", ".join(item.codes)
                console.print(Text(f"  {item.path}:{item.line}: ignore[{codes}] matches nothing"))

    def _footer(self, console: Console, report: Report) -> None:
        console.print()
        for line in footer_lines(report):
            console.print(line)


def finding_block(finding: Finding, command: str | None = None) -> RenderableType:
    """One finding: severity in its own column; location, message and fix wrap beside it.
    ``command`` is the `shipcheck fix` command that fixes it, if any."""
    head = Text()
    position = f":{finding.line}:{finding.column}" if finding.line > 0 else ""
    head.append(f"{finding.path}{position}", "bold")
    head.append(f"  {finding.rule_id} {finding.rule_name}", "magenta")
    if command:
        head.append("  [fix]" if command == COMMANDS["safe"] else "  [unsafe fix]", "green")
    fix = _grid(2, gap=1)
    fix.add_row(Text("fix:", style="dim"), Text(finding.remediation, style="dim"))
    grid = Table.grid(padding=(0, 0))
    grid.add_column(width=SEVERITY_COLUMN, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(
        Text(finding.severity.value.upper(), style=SEVERITY_STYLE[finding.severity]),
        Group(head, Text(finding.message), fix),
    )
    return grid


def footer_lines(report: Report) -> list[Text]:
    """Counts, what narrowed the report, and the gate's verdict with its reason."""
    counts = report.counts()
    summary = ", ".join(f"{n} {sev}" for sev, n in counts.items() if n) or "no findings"
    total, suppressed = len(report.findings), len(report.suppressed)
    lines = [Text(f"{total} open finding(s): {summary}; {suppressed} suppressed.")]
    fixable = fixable_sentence(report)
    if fixable:
        lines.append(Text(f"Fixable ([fix], [unsafe fix]): {fixable}"))
    if report.partial:
        lines.append(
            Text(
                "Partial scan (the files given, as pre-commit passes them): findings and the "
                "gate only; scores and project-wide rules need `shipcheck scan` of the project.",
                style="dim",
            )
        )
    if report.baselined is not None:
        lines.append(Text(f"{report.baselined} finding(s) accepted by the baseline, not shown."))
    if report.merged:
        lines.append(
            Text(
                f"{report.merged} bandit finding(s) merged into shipcheck's own "
                "(same line and checklist item)."
            )
        )
    if report.outside_diff is not None:
        lines.append(
            Text(
                f"Only lines changed since {report.diff_ref} are judged; "
                f"{report.outside_diff} finding(s) elsewhere, not shown."
            )
        )
    if report.gate.passed:
        lines.append(Text.assemble(("Gate passed", "green"), f" (fail-on {report.gate.fail_on})."))
    else:
        lines.append(Text.assemble(("Gate failed: ", "red"), "; ".join(report.gate.reasons) + "."))
    return lines


def hanging(text: str, width: int, indent: int, hang: int) -> str:
    """``text`` wrapped to ``width``: the first line indented by ``indent``, the rest by
    ``hang``; long words (paths) are broken rather than overflowing."""
    return textwrap.fill(
        " ".join(text.split()),
        width=max(width, hang + 20),
        initial_indent=" " * indent,
        subsequent_indent=" " * hang,
        break_on_hyphens=False,
    )


def _grid(columns: int, gap: int = 2) -> Table:
    """Columns that wrap in place: the last one takes the rest of the width."""
    grid = Table.grid(padding=(0, gap, 0, 0))
    for index in range(columns):
        last = index == columns - 1
        grid.add_column(ratio=1 if last else None, no_wrap=not last)
    return grid
