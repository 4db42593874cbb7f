"""``--format html``: one self-contained page (inline CSS, inline script, no external asset).

Rendered with jinja2 from ``templates/report.html.j2`` with autoescaping on; a Content
Security Policy in the page forbids loading anything from elsewhere, so the file can be
archived as a CI artifact and opened offline. Findings show their source lines (read through
:class:`~shipcheck.reporters.source.SourceReader`, redacted) and the fix, and can be filtered
by severity, area and text.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from markupsafe import Markup

from shipcheck.fixes import fix_command
from shipcheck.models.findings import Finding, Severity
from shipcheck.report import Report
from shipcheck.reporters.base import Reporter
from shipcheck.reporters.locations import RepoPaths
from shipcheck.reporters.source import SourceReader
from shipcheck.scoring import FAIL, NOT_APPLICABLE, NOT_CHECKED, PASS

MAX_FINDINGS = 5_000  # beyond this the page gets too heavy to be useful
MAX_SNIPPETS = 500  # source reads per report
GAUGE_RADIUS = 52
GRADE_COLOR = {"A": "#1a7f37", "B": "#4c9a2a", "C": "#b08800", "D": "#d1501f", "F": "#c62828"}


class HtmlReporter(Reporter):
    """A single HTML file."""

    name = "html"

    def render(self, report: Report) -> str:
        """The page."""
        from jinja2 import Environment, PackageLoader, StrictUndefined

        env = Environment(
            loader=PackageLoader("shipcheck.reporters", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        env.filters["ticks"] = ticks
        return env.get_template("report.html.j2").render(**context(report))


def ticks(text: str) -> Markup:
    """Escape ``text`` and show its `backtick` spans as code, as messages are written."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # unbalanced: show the text as it is
        return Markup.escape(text)
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if index % 2 else Markup.escape(part)
        for index, part in enumerate(parts)
    )


def context(report: Report) -> dict[str, Any]:
    """Everything the template shows, as plain values."""
    paths = RepoPaths(report.root)
    source = SourceReader(report.root)
    scores = report.scores
    ordered = sorted(report.findings, key=lambda f: (-f.severity.rank, f.sort_key()))
    shown = ordered[:MAX_FINDINGS]
    circumference = 2 * math.pi * GAUGE_RADIUS
    overall = scores.overall
    areas_used = {f.area for f in report.findings}
    return {
        "project": report.root.name or str(report.root),
        "version": report.tool_version,
        "files_scanned": report.files_scanned,
        "score": None if report.partial else overall,
        "grade": None if report.partial else scores.grade,
        "partial": report.partial,
        "grade_color": GRADE_COLOR.get(scores.grade or "", "#6e7781"),
        "gauge": {
            "radius": GAUGE_RADIUS,
            "circumference": f"{circumference:.2f}",
            "filled": f"{circumference * (overall or 0) / 100:.2f}",
        },
        "gate": report.gate,
        "counts": report.counts(),
        "severities": [s.value for s in Severity],
        "areas": [
            {
                "key": a.area,
                **a.to_dict(),
                "color": GRADE_COLOR.get(a.grade or "", "#6e7781"),
                "has_findings": a.area in areas_used,
            }
            for a in scores.areas.values()
        ],
        "checklist": _checklist(report),
        "checklist_counts": Counter(i.status for i in scores.items.values()),
        "findings": [
            _finding(report, f, paths, source, with_source=index < MAX_SNIPPETS)
            for index, f in enumerate(shown)
        ],
        "hidden_findings": len(ordered) - len(shown),
        "total_findings": len(report.findings),
        "suppressed": len(report.suppressed),
        "baselined": report.baselined,
        "outside_diff": report.outside_diff,
        "diff_ref": report.diff_ref,
        "diagnostics": [
            {"where": f"{d.path}:{d.line}" if d.line else d.path, "reason": d.reason}
            for d in report.diagnostics
        ],
        "unused_suppressions": [
            {"where": f"{s.path}:{s.line}", "rules": ", ".join(s.codes)}
            for s in report.unused_suppressions
        ],
    }


def _checklist(report: Report) -> list[dict[str, Any]]:
    groups = []
    for area in report.scores.areas.values():
        items = [
            {
                "key": i.key,
                "title": i.title,
                "status": i.status,
                "findings": i.findings,
                "worst": i.worst.value if i.worst else None,
                "reason": i.reason,
            }
            for i in report.scores.items.values()
            if i.area == area.area
        ]
        groups.append(
            {
                "key": area.area,
                "title": area.title,
                "failing": [i for i in items if i["status"] == FAIL],
                "passing": [i for i in items if i["status"] == PASS],
                "not_applicable": [i for i in items if i["status"] == NOT_APPLICABLE],
                "not_checked": [i for i in items if i["status"] == NOT_CHECKED],
            }
        )
    return groups


def _finding(
    report: Report, finding: Finding, paths: RepoPaths, source: SourceReader, with_source: bool
) -> dict[str, Any]:
    rule = report.rule(finding.rule_id)
    area = report.scores.areas.get(finding.area)
    snippet = source.snippet(finding) if with_source else None
    return {
        "severity": finding.severity.value,
        "rule_id": finding.rule_id,
        "rule_name": finding.rule_name,
        "area": finding.area,
        "area_title": area.title if area else finding.area,
        "checklist_key": finding.checklist_key,
        "location": (
            paths.path(finding.path)
            if finding.project_level
            else f"{paths.path(finding.path)}:{finding.line}:{finding.column}"
        ),
        "message": finding.message,
        "remediation": finding.remediation,
        "fix_command": fix_command(report, finding) or "",
        "snippet": [
            {"number": line.number, "text": line.text, "marked": line.marked}
            for line in (snippet.lines if snippet else ())
        ],
        "snippet_note": (
            snippet.withheld if snippet else f"source shown for the first {MAX_SNIPPETS} findings"
        ),
        "summary": rule.summary if rule else "",
        "rationale": rule.rationale if rule else "",
        "references": list(rule.references) if rule else [],
        "fingerprint": finding.fingerprint,
    }
