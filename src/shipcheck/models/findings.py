"""Findings, hits, severities and diagnostics."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Severity(str, enum.Enum):
    """How bad a finding is; ordered by :attr:`rank`."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: info=0 … critical=4."""
        return _RANK[self]

    @classmethod
    def parse(cls, value: str) -> Severity:
        """Parse a severity name, case-insensitively; raises ValueError."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r} (expected one of: {names})") from None


_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


@dataclass(frozen=True)
class Hit:
    """What a detector reports: a location plus the fields of the rule's message.

    The engine joins a hit with the rule's catalogue entry to make a :class:`Finding`.
    File detectors leave ``path`` empty (the artifact's path is used); project
    detectors name the file the finding is anchored to.
    """

    line: int  # 0: about the project as a whole, no line (``path`` says what it is about)
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    path: str | None = None
    severity: Severity | None = None
    # Text that identifies the finding for fingerprints when the source line does not
    # (project findings, or several findings on one line).
    context: str | None = None
    # Columns are UTF-8 byte offsets + 1, as Python's ``ast`` gives them; the engine turns
    # them into code points (what editors, SARIF and GitHub count).
    utf8: bool = False


@dataclass(frozen=True)
class Finding:
    """A rule violation at a location, ready for reporting."""

    rule_id: str
    rule_name: str
    checklist_key: str
    area: str
    severity: Severity
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    remediation: str
    fingerprint: str = ""
    suppressed: str | None = None  # why it is suppressed ("inline: reason"), else None

    @property
    def project_level(self) -> bool:
        """A finding about the project as a whole (no CI, no tests): it has no line, and
        ``path`` is what it is about (``.`` for the project, ``.gitignore`` for a missing
        file), so it never moves with the lines of some other file."""
        return self.line == 0

    @property
    def where(self) -> str:
        """``path:line:column``, or the path alone for a project-level finding."""
        return self.path if self.project_level else f"{self.path}:{self.line}:{self.column}"

    def sort_key(self) -> tuple[Any, ...]:
        """Deterministic report order."""
        return (self.path, self.line, self.column, self.rule_id, self.message)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (report schema field names); positions are null for a
        project-level finding."""
        span = None if self.project_level else self
        data: dict[str, Any] = {
            "rule_id": self.rule_id,
            "rule_name": self.rule_name,
            "checklist_key": self.checklist_key,
            "area": self.area,
            "severity": self.severity.value,
            "path": self.path,
            "line": span and span.line,
            "column": span and span.column,
            "end_line": span and span.end_line,
            "end_column": span and span.end_column,
            "message": self.message,
            "remediation": self.remediation,
            "fingerprint": self.fingerprint,
        }
        if self.suppressed is not None:
            data["suppressed"] = self.suppressed
        return data


@dataclass(frozen=True)
class Diagnostic:
    """A file the scan skipped or could not read fully, or a note about the scan itself."""

    path: str
    reason: str
    kind: str = "skipped"  # skipped | parse-error | suppression | network | note
    line: int | None = None

    def sort_key(self) -> tuple[Any, ...]:
        """Deterministic report order."""
        return (self.path, self.line or 0, self.kind, self.reason)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        data: dict[str, Any] = {"path": self.path, "kind": self.kind, "reason": self.reason}
        if self.line is not None:
            data["line"] = self.line
        return data
