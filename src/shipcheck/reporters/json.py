"""``--format json``: the versioned machine-readable report."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from shipcheck.models.findings import Finding
from shipcheck.report import Report
from shipcheck.reporters.base import Reporter
from shipcheck.reporters.locations import span
from shipcheck.reporters.source import SourceReader


class JsonReporter(Reporter):
    """Stable, sorted JSON (schema ``data/schemas/report.schema.json``)."""

    name = "json"

    def render(self, report: Report) -> str:
        """Indented JSON with a trailing newline."""
        data = report.to_dict()
        source = SourceReader(report.root)
        _spans(data["findings"], report.findings, source)
        _spans(data["suppressed_findings"], report.suppressed, source)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _spans(
    entries: list[dict[str, Any]], findings: Iterable[Finding], source: SourceReader
) -> None:
    """End positions in the convention SARIF uses (1-based, end column exclusive, a finding
    with no extent covering its line), so the two reports give the same columns."""
    for entry, finding in zip(entries, findings, strict=True):
        if entry["line"] is None:  # no position at all: nothing to align
            continue
        _, _, entry["end_line"], entry["end_column"] = span(finding, source)
