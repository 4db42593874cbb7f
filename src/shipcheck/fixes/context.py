"""What a fixer sees: one file's current text (as read for fixing, not as scanned), its
parsed artifact, the project model and the fix settings."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from shipcheck.catalogue import Rule
from shipcheck.classify import classify
from shipcheck.fixes.edits import Edit, LineIndex, newline_of
from shipcheck.models.artifacts import Artifact, Kind
from shipcheck.models.findings import Finding
from shipcheck.project import ProjectModel

DEFAULT_HTTP_TIMEOUT = 10


@dataclass(frozen=True)
class FixSettings:
    """``[tool.shipcheck.fix]``: ``http-timeout`` is the timeout (seconds) the HTTP-timeout
    fix adds."""

    http_timeout: int | float = DEFAULT_HTTP_TIMEOUT


@dataclass(frozen=True)
class SourceFile:
    """A file as read for fixing: its bytes' digest, decoded text and how to encode it back."""

    path: str  # relative to the project root, forward slashes
    text: str
    digest: str
    encoding: str = "utf-8"
    bom: bool = False
    exists: bool = True

    @classmethod
    def read(cls, root: Path, path: str) -> SourceFile:
        """Read ``path`` under ``root`` (a missing file, or a folder such as the project
        root a project-level finding is about, reads as empty and not existing)."""
        target = root / path
        if not target.is_file():
            return cls(path, "", digest(b""), exists=False)
        data = target.read_bytes()
        bom = data.startswith(b"\xef\xbb\xbf")
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            # The scan read it as Latin-1 (every byte maps), so offsets agree and it
            # writes back byte for byte.
            text, encoding = data.decode("latin-1"), "latin-1"
        return cls(path, text, digest(data), encoding, bom)

    def encode(self, text: str) -> bytes:
        """``text`` as this file's bytes (same encoding, BOM kept)."""
        data = text.encode(self.encoding)
        return b"\xef\xbb\xbf" + data if self.bom else data


@functools.cache
def artifact_line_breaks() -> str:
    """Which line breaks :attr:`Artifact.lines` splits at: every ``str.splitlines`` break, or
    CR/LF only (``cr-lf``), asked of the artifact model itself so the two agree."""
    probe = Artifact(path="probe", kind=Kind.TEXT, text="a\x0cb")
    return "splitlines" if len(probe.lines) == 2 else "cr-lf"


def digest(data: bytes) -> str:
    """The content hash that detects a file changed on disk."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class FixContext:
    """One file to fix, with lazily parsed views of it."""

    source: SourceFile
    root: Path
    kind: Kind | None  # the scanned kind (Kubernetes, Compose… for YAML files)
    rules: dict[str, Rule]
    settings: FixSettings = field(default_factory=FixSettings)
    project: ProjectModel | None = None

    @property
    def path(self) -> str:
        """Path relative to the project root."""
        return self.source.path

    @property
    def text(self) -> str:
        """The current text."""
        return self.source.text

    @cached_property
    def newline(self) -> str:
        """The file's line break, used for every line a fix adds."""
        return newline_of(self.text)

    @cached_property
    def lines(self) -> LineIndex:
        """Line index numbered as the parsed artifact numbers lines (Dockerfile,
        requirements, ignore files)."""
        return LineIndex(self.text, artifact_line_breaks())

    @cached_property
    def artifact(self) -> Artifact | None:
        """The file parsed as the scan parses it; None when it no longer parses."""
        from shipcheck.parsers import ParseError, parse

        kind = classify(self.path) or self.kind
        if kind is None:
            return None
        try:
            return parse(self.path, kind, self.source.encode(self.text))
        except (ParseError, ValueError, RecursionError):
            return None

    def params(self, rule_id: str) -> Any:
        """The detector parameters of a rule as configured for this scan."""
        from shipcheck.detectors import registry

        rule = self.rules.get(rule_id)
        spec = registry.get(rule.detector) if rule is not None else None
        if rule is None or spec is None:
            return None
        return registry.build_params(spec, rule.params)

    def edit(
        self, finding: Finding | None, start: int, end: int, replacement: str, note: str = ""
    ) -> Edit:
        """An edit of this file resolving ``finding``."""
        rule_id = finding.rule_id if finding is not None else ""
        findings = (finding,) if finding is not None else ()
        return Edit(self.path, start, end, replacement, rule_id, findings, note=note)

    def insert(self, finding: Finding, offset: int, text: str, note: str = "") -> Edit:
        """Insert ``text`` at ``offset``."""
        return self.edit(finding, offset, offset, text, note)
