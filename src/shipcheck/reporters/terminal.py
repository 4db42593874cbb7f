"""The human report: findings grouped by area, the checklist, area scores, the grade."""

from __future__ import annotations

import io
import os
from collections import defaultdict

from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from shipcheck.models.findings import Severity
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


class TerminalReporter(Reporter):
    """Rich text for a terminal; plain text when colour is off."""

    name = "terminal"

    def __init__(self, color: bool = False, width: int | None = None) -> None:
        self.color = color
        self.width = width or int(os.environ.get("COLUMNS", "0") or 0) or 100

    def render(self, report: Report) -> str:
        """The whole report."""
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            force_terminal=self.color,
            no_color=not self.color,
            width=self.width,
            highlight=False,
            emoji=False,
        )
        console.print(
            f"[bold]shipcheck {report.tool_version}[/] · {report.files_scanned} files scanned"
        )
        self._findings(console, report)
        self._checklist(console, report)
        self._scores(console, report)
        self._diagnostics(console, report)
        self._footer(console, report)
        return buffer.getvalue()

    def _findings(self, console: Console, report: Report) -> None:
        if not report.findings:
            console.print("\n[green]No open findings.[/]")
            return
        by_area = defaultdict(list)
        for finding in report.findings:
            by_area[finding.area].append(finding)
        areas = report.scores.areas
        for area in [a for a in areas if a in by_area]:
            console.print()
            console.rule(
                f"[bold]{escape(areas[area].title)}[/] ({len(by_area[area])})", align="left"
            )
            for finding in by_area[area]:
                head = Text()
                head.append(
                    f"{finding.severity.value.upper():<8}", SEVERITY_STYLE[finding.severity]
                )
                head.append(f" {finding.path}:{finding.line}:{finding.column}", "bold")
                head.append(f"  {finding.rule_id} {finding.rule_name}", "magenta")
                console.print(head)
                console.print(Text("    " + finding.message))
                console.print(Text("    fix: " + finding.remediation, style="dim"))

    def _checklist(self, console: Console, report: Report) -> None:
        table = Table(title="Checklist", title_justify="left")
        table.add_column("Area")
        table.add_column("Pass", justify="right", style="green")
        table.add_column("Fail", justify="right", style="red")
        table.add_column("N/A", justify="right", style="dim")
        table.add_column("Failing items")
        items = report.scores.items.values()
        for area in report.scores.areas.values():
            failing = [
                f"{i.key} ({i.findings})" for i in items if i.area == area.area and i.status == FAIL
            ]
            table.add_row(
                area.title,
                str(area.passed),
                str(area.failed),
                str(area.not_applicable),
                Text(", ".join(failing), style="red"),
            )
        console.print()
        console.print(table)

    def _scores(self, console: Console, report: Report) -> None:
        table = Table(title="Scores", title_justify="left")
        table.add_column("Area")
        table.add_column("Score", justify="right")
        table.add_column("Grade")
        table.add_column("", no_wrap=True)
        for area in report.scores.areas.values():
            if area.score is None:
                table.add_row(area.title, "–", "–", Text("not applicable", style="dim"))
                continue
            filled = round(area.score / 5)
            bar = Text("█" * filled, style=GRADE_STYLE.get(area.grade or "F", ""))
            bar.append("░" * (20 - filled), style="dim")
            table.add_row(area.title, str(area.score), area.grade or "", bar)
        console.print()
        console.print(table)
        if report.scores.overall is None:
            console.print("\n[bold]Overall:[/] nothing to score (no applicable checklist items)")
            return
        grade = report.scores.grade or "F"
        console.print(
            Group(
                Text.assemble(
                    ("\nOverall score: ", "bold"),
                    (f"{report.scores.overall}/100", "bold"),
                    ("  grade ", "bold"),
                    (grade, GRADE_STYLE.get(grade, "")),
                )
            )
        )

    def _diagnostics(self, console: Console, report: Report) -> None:
        if report.diagnostics:
            console.print(f"\n[bold]Skipped or partly read ({len(report.diagnostics)}):[/]")
            for diag in report.diagnostics:
                where = f"{diag.path}:{diag.line}" if diag.line else diag.path
                console.print(Text(f"  {where}: {diag.reason}"))
        if report.unused_suppressions:
            console.print(f"\n[bold]Unused suppressions ({len(report.unused_suppressions)}):[/]")
            for item in report.unused_suppressions:
                codes = ", ".join(item.codes)
                console.print(Text(f"  {item.path}:{item.line}: ignore[{codes}] matches nothing"))

    def _footer(self, console: Console, report: Report) -> None:
        counts = report.counts()
        summary = ", ".join(f"{n} {sev}" for sev, n in counts.items() if n) or "no findings"
        total, suppressed = len(report.findings), len(report.suppressed)
        console.print(f"\n{total} open finding(s): {summary}; {suppressed} suppressed.")
        if report.baselined is not None:
            console.print(f"{report.baselined} finding(s) accepted by the baseline, not shown.")
        if report.merged:
            console.print(
                f"{report.merged} bandit finding(s) merged into shipcheck's own "
                "(same line and checklist item)."
            )
        if report.outside_diff is not None:
            console.print(
                Text(
                    f"Only lines changed since {report.diff_ref} are judged; "
                    f"{report.outside_diff} finding(s) elsewhere, not shown."
                )
            )
        if report.gate.passed:
            console.print(f"[green]Gate passed[/] (fail-on {report.gate.fail_on}).")
        else:
            console.print(f"[red]Gate failed:[/] {escape('; '.join(report.gate.reasons))}.")
