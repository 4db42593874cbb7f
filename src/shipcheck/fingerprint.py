"""Stable finding fingerprints: rule + path + normalised code context + occurrence number.

No line number goes in, so a fingerprint survives edits above the finding; the occurrence
number tells apart identical lines in one file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace

from shipcheck.models.findings import Finding


def normalise(text: str) -> str:
    """Collapse whitespace so re-indentation does not move a fingerprint."""
    return " ".join(text.split())


def context_hash(rule_id: str, path: str, context: str) -> str:
    """Hash of what identifies a finding, before the occurrence number is added."""
    digest = hashlib.sha256(f"{rule_id}\0{path}\0{normalise(context)}".encode())
    return digest.hexdigest()[:32]


def finalise(findings: Iterable[Finding]) -> list[Finding]:
    """Turn context hashes (in ``fingerprint``) into final fingerprints, in report order."""
    seen: dict[str, int] = {}
    result = []
    for finding in sorted(findings, key=lambda f: f.sort_key()):
        occurrence = seen.get(finding.fingerprint, 0)
        seen[finding.fingerprint] = occurrence + 1
        final = hashlib.sha256(f"{finding.fingerprint}:{occurrence}".encode()).hexdigest()[:32]
        result.append(replace(finding, fingerprint=final))
    return result
