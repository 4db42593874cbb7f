"""Baselines: accept today's findings so a gate on a legacy repository fails only on new ones.

``shipcheck baseline`` writes the fingerprints of the open findings to a versioned JSON file
(``.shipcheck-baseline.json``); ``shipcheck scan --baseline FILE`` then reports and gates only
on findings whose fingerprint is not in it. Fingerprints hold no line number (see
:mod:`shipcheck.fingerprint`), so edits elsewhere in a file do not bring a finding back.

The file is deterministic — sorted, no timestamp — so regenerating it gives a readable diff.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shipcheck.models.findings import Finding

BASELINE_FILE = ".shipcheck-baseline.json"
BASELINE_VERSION = 1


class BaselineError(Exception):
    """The baseline file is missing or malformed; the message names the file."""


@dataclass(frozen=True)
class Baseline:
    """Accepted fingerprints, read from ``source``."""

    source: str
    fingerprints: frozenset[str]

    def partition(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
        """(findings not in the baseline, findings it accepts)."""
        new: list[Finding] = []
        known: list[Finding] = []
        for finding in findings:
            (known if finding.fingerprint in self.fingerprints else new).append(finding)
        return new, known


def dumps(findings: Iterable[Finding], tool_version: str) -> str:
    """The baseline document for ``findings``. Rule, path and message are there for people
    reviewing the file; only the fingerprint is matched."""
    entries = sorted(
        (
            {
                "fingerprint": f.fingerprint,
                "rule_id": f.rule_id,
                "path": f.path,
                "message": f.message,
            }
            for f in findings
        ),
        key=lambda e: (e["path"], e["rule_id"], e["fingerprint"]),
    )
    document = {
        "version": BASELINE_VERSION,
        "tool": "shipcheck",
        "tool_version": tool_version,
        "findings": entries,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load(path: Path) -> Baseline:
    """Read a baseline file; raises :class:`BaselineError` with a message naming the file."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(
            f"baseline file {path} not found (create it with `shipcheck baseline`)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"cannot read baseline file {path}: {exc}") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"baseline file {path} is not valid JSON: {exc}") from None
    return Baseline(str(path), frozenset(_fingerprints(data, path)))


def _fingerprints(data: Any, path: Path) -> list[str]:
    if not isinstance(data, dict) or data.get("tool") != "shipcheck":
        raise BaselineError(f"{path} is not a shipcheck baseline file")
    version = data.get("version")
    if version != BASELINE_VERSION:
        raise BaselineError(
            f"baseline file {path} has version {version!r}; this shipcheck reads version "
            f"{BASELINE_VERSION} (regenerate it with `shipcheck baseline`)"
        )
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise BaselineError(f"baseline file {path}: `findings` must be a list")
    found = []
    for number, entry in enumerate(entries, start=1):
        value = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(value, str) or not value:
            raise BaselineError(f"baseline file {path}: entry {number} has no `fingerprint`")
        found.append(value)
    return found
