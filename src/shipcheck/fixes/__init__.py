"""Automatic fixes (`shipcheck fix`): a registry of fixers by rule id, planning the edits of
a scan's findings, checking and writing them. Importing this package does not import
libcst; only fixing Python code does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shipcheck.catalogue import Rule
from shipcheck.models.findings import Finding

if TYPE_CHECKING:  # pragma: no cover
    from shipcheck.report import Report


def availability(rule: Rule | None, finding: Finding) -> str | None:
    """``safe`` or ``unsafe`` when `shipcheck fix` (with ``--unsafe-fixes`` for unsafe
    ones) is expected to fix ``finding``; None when it has no fix for it."""
    from shipcheck.fixes import registry

    if rule is None or rule.fix == "none":
        return None
    fixer = registry.get(rule.id)
    if fixer is None or not fixer.marked or not fixer.handles(finding):
        return None
    return fixer.safety


COMMANDS = {"safe": "shipcheck fix", "unsafe": "shipcheck fix --unsafe-fixes"}


def fix_command(report: Report, finding: Finding) -> str | None:
    """The command that fixes ``finding`` (``shipcheck fix``, or with ``--unsafe-fixes``),
    or None; for the reports' "fixable" marks."""
    return COMMANDS.get(availability(report.rule(finding.rule_id), finding) or "")


def fixable_counts(report: Report) -> dict[str, int]:
    """Open findings with a safe and with an unsafe automatic fix."""
    counts = {"safe": 0, "unsafe": 0}
    for finding in report.findings:
        kind = availability(report.rule(finding.rule_id), finding)
        if kind:
            counts[kind] += 1
    return counts


def fixable_sentence(report: Report) -> str | None:
    """ "N can be fixed with `shipcheck fix`; M with `--unsafe-fixes` …" for report footers."""
    counts = fixable_counts(report)
    parts = []
    if counts["safe"]:
        parts.append(f"{counts['safe']} can be fixed with `shipcheck fix`")
    if counts["unsafe"]:
        parts.append(
            f"{counts['unsafe']} with `shipcheck fix --unsafe-fixes` (changes behaviour; "
            "review the diff)"
        )
    return "; ".join(parts) + "." if parts else None
