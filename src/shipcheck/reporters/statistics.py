"""``--statistics``: open findings counted per rule (id, name, severity, count, fixable),
most frequent first, then the summary and the gate."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from shipcheck.catalogue import Rule
from shipcheck.report import Report
from shipcheck.reporters.base import Reporter
from shipcheck.reporters.concise import gate_line, summary_line

HEADER = ("count", "id", "name", "severity", "fixable")


def rule_is_fixable(rule: Rule | None) -> bool:
    """Whether ``shipcheck fix`` can fix this rule's findings (a rule declares it)."""
    return rule is not None and rule.fix != "none"


class StatisticsReporter(Reporter):
    """Plain, aligned columns; ``fixable`` decides the last column (tests inject it)."""

    name = "statistics"

    def __init__(self, fixable: Callable[[Rule | None], bool] = rule_is_fixable) -> None:
        self.fixable = fixable

    def rows(self, report: Report) -> list[tuple[str, str, str, str, str]]:
        """One row per rule with open findings: most findings first, then by id."""
        counts = Counter(f.rule_id for f in report.findings)
        first = {}
        for finding in report.findings:
            first.setdefault(finding.rule_id, finding)
        rows = []
        for rule_id, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            finding = first[rule_id]
            rule = report.rule(rule_id)
            # A rule's findings may differ in severity (advisories): show the worst.
            worst = max(
                (f.severity for f in report.findings if f.rule_id == rule_id),
                key=lambda s: s.rank,
            )
            # How `shipcheck fix` fixes it: safe (by default), unsafe (--unsafe-fixes), no.
            fixable = rule.fix if rule is not None and self.fixable(rule) else "no"
            rows.append((str(count), rule_id, finding.rule_name, worst.value, fixable))
        return rows

    def render(self, report: Report) -> str:
        """The table (nothing when there is no finding), the summary and the gate."""
        rows = self.rows(report)
        lines = []
        if rows:
            table = [HEADER, *rows]
            widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
            for row in table:
                cells = [row[0].rjust(widths[0])]
                cells += [c.ljust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
                lines.append("  ".join(cells).rstrip())
        lines.append(summary_line(report))
        lines.append(gate_line(report))
        return "\n".join(lines) + "\n"
