"""Source text for reporters: code snippets and GitHub line hashes.

The report carries no file contents, so the HTML and SARIF reporters read the few lines they
show here — bounded in size, never through a symlink that leaves the project root, and
redacted: a finding about a secret shows no source at all, and any line shown elsewhere has
secret-looking values masked (a ``DEBUG = True`` finding must not print the
``SECRET_KEY = ...`` line above it).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from shipcheck import lazyre
from shipcheck.detectors.common import is_secret_name, mask
from shipcheck.models.findings import Finding
from shipcheck.text import split_lines

MAX_FILE_BYTES = 2 * 1024 * 1024  # the scanner's default max-file-size
MAX_LINE_WIDTH = 240
MAX_SNIPPET_LINES = 12
_CACHE_FILES = 8

# Checklist items whose findings point at a secret value: their source line is never shown.
SECRET_ITEMS = frozenset({"container.secrets-in-image", "k8s.secret-refs", "ci.secret-exposure"})

_ASSIGNMENT = lazyre.compile(
    r"(?P<key>[A-Za-z_][A-Za-z0-9_.\-]*)(?P<quote_key>[\"']?)\s*(?P<op>:=|=|:)\s*"
    r"(?P<quote>[\"']?)(?P<value>[^\s\"',;#]+)"
)
_URL_PASSWORD = lazyre.compile(
    r"(?P<head>[a-z][a-z0-9+.\-]*://[^:/@\s]+:)(?P<value>[^@\s]+)(?=@)", re.IGNORECASE
)
_TOKENS = lazyre.compile(
    r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}\b"
    r"|\bgithub_pat_[A-Za-z0-9_]{30,}\b"
    r"|\bglpat-[A-Za-z0-9_\-]{20,}\b"
    r"|\bxox[abprs]-[A-Za-z0-9\-]{10,}\b"
    r"|\b[rs]k_live_[A-Za-z0-9]{16,}\b"
    r"|\bAIza[0-9A-Za-z_\-]{35}\b"
    r"|\bsk-[A-Za-z0-9_\-]{32,}\b"
)
# Values that name where a secret comes from rather than holding one. Deliberately narrow:
# showing a masked placeholder costs nothing, showing a real value is a leak.
_REFERENCE = lazyre.compile(
    r"^(\$\{?\w|\$\(|\{\{|%\(|<|os\.(environ|getenv)|env\(|getenv\(|settings\.|config\.)"
)
_KEY_BODY = lazyre.compile(r"^\s*[\"']?[A-Za-z0-9+/=]{40,}[\"',\\n]*\s*$")
# Kubernetes / Compose env lists put the name and the value on consecutive lines.
_NAME_LINE = lazyre.compile(r"^\s*-?\s*name:\s*[\"']?(?P<name>[A-Za-z_][A-Za-z0-9_]*)")
_VALUE_LINE = lazyre.compile(r"^(?P<head>\s*value:\s*[\"']?)(?P<value>[^\"'\s#]+)")


def withholds_source(finding: Finding) -> bool:
    """Whether a finding is about a secret, so its source lines must not be shown."""
    key = finding.checklist_key
    return key.startswith("secrets.") or key in SECRET_ITEMS or "secret" in key


def redact_line(text: str, previous: str = "") -> str:
    """``text`` with secret-looking values masked (assignments to secret names, URL
    passwords, well-known token formats, key material). ``previous`` is the line above,
    for ``name:`` / ``value:`` pairs."""
    if _KEY_BODY.match(text):
        return "[redacted key material]"
    name = _NAME_LINE.match(previous)
    pair = _VALUE_LINE.match(text) if name and is_secret_name(name.group("name")) else None
    if pair and not _REFERENCE.match(pair.group("value")):
        text = pair.group("head") + mask(pair.group("value")) + text[pair.end() :]
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + mask(m.group("value")), text)
    text = _TOKENS.sub(lambda m: mask(m.group(0)), text)

    def assignment(match: re.Match[str]) -> str:
        value = match.group("value")
        already_masked = value.endswith("…")  # a known token format, masked above
        if already_masked or len(value) < 4 or _REFERENCE.match(value):
            return match.group(0)
        if not is_secret_name(match.group("key")):
            return match.group(0)
        start = match.start("value") - match.start(0)
        return match.group(0)[:start] + mask(value)

    return _ASSIGNMENT.sub(assignment, text)


@dataclass(frozen=True)
class SnippetLine:
    """One shown source line."""

    number: int
    text: str
    marked: bool  # inside the finding's range


@dataclass(frozen=True)
class Snippet:
    """The lines around a finding (redacted), or a note saying why none are shown."""

    lines: tuple[SnippetLine, ...] = ()
    withheld: str | None = None

    @property
    def marked_text(self) -> str:
        """Only the finding's own lines, joined (for SARIF ``region.snippet``)."""
        return "\n".join(line.text for line in self.lines if line.marked)


class SourceReader:
    """Reads scanned files below ``root`` for snippets; keeps a few files cached."""

    def __init__(self, root: Path, max_bytes: int = MAX_FILE_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes
        try:
            self._real_root: Path | None = root.resolve(strict=True)
        except (OSError, RuntimeError):
            self._real_root = None
        self._cache: OrderedDict[str, str | None] = OrderedDict()
        self._lines: tuple[str, list[str]] | None = None  # the last file's lines, split once

    def text(self, path: str) -> str | None:
        """The file's text, or None when it is missing, binary, too large, unreadable or
        reached through a symlink that leaves the root."""
        if path in self._cache:
            self._cache.move_to_end(path)
            return self._cache[path]
        text = self._read(path)
        self._cache[path] = text
        if len(self._cache) > _CACHE_FILES:
            self._cache.popitem(last=False)
        return text

    def lines(self, path: str) -> list[str] | None:
        """The file's lines (without line endings), or None like :meth:`text`."""
        if self._lines is not None and self._lines[0] == path:
            return self._lines[1]
        text = self.text(path)
        if text is None:
            return None
        self._lines = (path, split_lines(text))
        return self._lines[1]

    def _read(self, path: str) -> str | None:
        if self._real_root is None or not path or path.startswith(("<", "/")) or "\\" in path:
            return None
        if ".." in path.split("/"):
            return None
        try:
            target = (self.root / path).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if self._real_root != target and self._real_root not in target.parents:
            return None
        try:
            if not target.is_file() or target.stat().st_size > self.max_bytes:
                return None
            with open(target, "rb") as handle:
                data = handle.read(self.max_bytes + 1)
        except OSError:
            return None
        if len(data) > self.max_bytes or b"\x00" in data[:8192]:
            return None
        return data.decode("utf-8", errors="replace")

    def snippet(self, finding: Finding, context: int = 2) -> Snippet:
        """Up to :data:`MAX_SNIPPET_LINES` redacted lines around ``finding``."""
        if withholds_source(finding):
            return Snippet(withheld="source not shown: this finding is about a secret value")
        lines = self.lines(finding.path)
        if lines is None or not 0 < finding.line <= len(lines):
            return Snippet(withheld="source not available")
        last = min(max(finding.end_line, finding.line), len(lines))
        first_shown = max(1, finding.line - context)
        last_shown = min(len(lines), last + context, first_shown + MAX_SNIPPET_LINES - 1)
        shown = []
        for number in range(first_shown, last_shown + 1):
            previous = lines[number - 2] if number > 1 else ""
            line = redact_line(lines[number - 1].rstrip(), previous)
            if len(line) > MAX_LINE_WIDTH:
                line = line[:MAX_LINE_WIDTH] + "…"
            shown.append(SnippetLine(number, line, finding.line <= number <= last))
        return Snippet(lines=tuple(shown))
