"""Automatic fixes (`shipcheck fix`): a registry of fixers by rule id, planning the edits of
a scan's findings, checking and writing them. Importing this package does not import
libcst; only fixing Python code does."""

from __future__ import annotations

from shipcheck.catalogue import Rule
from shipcheck.models.findings import Finding


def availability(rule: Rule | None, finding: Finding) -> str | None:
    """``safe`` or ``unsafe`` when `shipcheck fix` (with ``--unsafe-fixes`` for unsafe
    ones) is expected to fix ``finding``; None when it has no fix for it."""
    from shipcheck.fixes import registry

    if rule is None or rule.fix == "none":
        return None
    fixer = registry.get(rule.id)
    if fixer is None or not fixer.handles(finding):
        return None
    return fixer.safety
