"""One finding per problem: a BAN (bandit) finding that repeats a shipcheck finding — same
file, same line, same checklist item — is dropped in favour of shipcheck's, which is graded
by evidence (what reaches the call, whether the file ships) and carries shipcheck's message.
"""

from __future__ import annotations

from collections.abc import Iterable

from shipcheck.banditpack import DETECTOR
from shipcheck.catalogue import Rule
from shipcheck.models.findings import Finding


def merge_duplicates(
    findings: list[Finding], rules: Iterable[Rule]
) -> tuple[list[Finding], int | None]:
    """``findings`` without the BAN findings that shipcheck's own rules already report, and
    how many were dropped (None when no BAN rule ran). Runs before suppressions, so a
    shipcheck finding that is suppressed still absorbs its bandit twin."""
    engine_ids = {r.id for r in rules if r.detector == DETECTOR}
    if not engine_ids:
        return findings, None
    own = {(f.path, f.line, f.checklist_key) for f in findings if f.rule_id not in engine_ids}
    kept = [
        f
        for f in findings
        if f.rule_id not in engine_ids or (f.path, f.line, f.checklist_key) not in own
    ]
    return kept, len(findings) - len(kept)
