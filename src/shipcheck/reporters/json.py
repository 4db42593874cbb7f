"""``--format json``: the versioned machine-readable report."""

from __future__ import annotations

import json

from shipcheck.report import Report
from shipcheck.reporters.base import Reporter


class JsonReporter(Reporter):
    """Stable, sorted JSON (schema ``data/schemas/report.schema.json``)."""

    name = "json"

    def render(self, report: Report) -> str:
        """Indented JSON with a trailing newline."""
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
