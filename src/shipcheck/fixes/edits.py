"""Text edits: character ranges of a file's text and what replaces them, applied without
overlap; line/column ↔ offset conversion under the line-break rules of each parser."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from shipcheck import lazyre
from shipcheck.models.findings import Finding

# What each producer of positions counts as a line break. ``str.splitlines`` also breaks on
# \v, \f, \x1c-\x1e, \x85, \u2028 and \u2029; Python's tokenizer, git, editors and SARIF
# only on \r\n, \r and \n (``cr-lf``).
_BREAKS = {
    "splitlines": lazyre.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]"),
    "cr-lf": lazyre.compile(r"\r\n|[\n\r]"),
}


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` of the file at ``path`` with ``replacement``.

    ``start == end`` inserts. ``findings`` are the findings the edit resolves (for the
    report of what was fixed); ``create`` marks an edit that creates a file that does not
    exist yet (the range is then 0:0)."""

    path: str
    start: int
    end: int
    replacement: str
    rule_id: str
    findings: tuple[Finding, ...] = ()
    create: bool = False
    note: str = ""  # what the edit does, for SARIF fix descriptions

    @property
    def key(self) -> tuple[str, int, int, str]:
        """Identical edits (two findings asking for the same change) collapse into one."""
        return (self.path, self.start, self.end, self.replacement)


@dataclass(frozen=True)
class Skipped:
    """A finding a fixer looked at and left alone, with the reason (for the summary)."""

    finding: Finding
    reason: str


@dataclass
class Applied:
    """The result of applying edits to one text: the new text, the edits applied, and
    those left for a later pass because they overlap an applied one."""

    text: str
    applied: list[Edit] = field(default_factory=list)
    deferred: list[Edit] = field(default_factory=list)


def apply_edits(text: str, edits: list[Edit]) -> Applied:
    """Apply non-overlapping edits (in order of position; of two edits that overlap, or
    that insert different text at one offset, the first in rule order wins)."""
    unique: dict[tuple[str, int, int, str], Edit] = {}
    for edit in edits:
        if edit.key in unique:
            kept = unique[edit.key]
            unique[edit.key] = Edit(
                kept.path, kept.start, kept.end, kept.replacement, kept.rule_id,
                kept.findings + edit.findings, kept.create, kept.note,
            )  # fmt: skip
        else:
            unique[edit.key] = edit
    ordered = sorted(unique.values(), key=lambda e: (e.rule_id, e.start, e.end))
    accepted: list[Edit] = []
    deferred: list[Edit] = []
    for edit in ordered:
        if any(_overlap(edit, other) for other in accepted):
            deferred.append(edit)
        else:
            accepted.append(edit)
    accepted.sort(key=lambda e: (e.start, e.end))
    parts: list[str] = []
    cursor = 0
    for edit in accepted:
        parts.append(text[cursor : edit.start])
        parts.append(edit.replacement)
        cursor = edit.end
    parts.append(text[cursor:])
    return Applied("".join(parts), accepted, deferred)


def _overlap(a: Edit, b: Edit) -> bool:
    if a.start == a.end and b.start == b.end:
        return a.start == b.start  # two insertions at one point: their order would matter
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


class LineIndex:
    """1-based line/column ↔ 0-based offset in ``text`` (columns count characters)."""

    def __init__(self, text: str, mode: str = "splitlines") -> None:
        self.text = text
        self.starts = [0]
        self.ends: list[int] = []
        for match in _BREAKS[mode].finditer(text):
            self.ends.append(match.start())
            self.starts.append(match.end())
        self.ends.append(len(text))
        if self.starts[-1] == len(text) and len(self.starts) > 1:
            # A final line break ends the last line; nothing starts after it.
            self.starts.pop()
            self.ends.pop()

    @property
    def count(self) -> int:
        """Number of lines."""
        return len(self.starts)

    def line_text(self, line: int) -> str:
        """Text of 1-based ``line`` without its line break ('' when out of range)."""
        if not 1 <= line <= len(self.starts):
            return ""
        return self.text[self.starts[line - 1] : self.ends[line - 1]]

    def line_start(self, line: int) -> int:
        """Offset of the first character of ``line`` (the end of the text past the last)."""
        if line > len(self.starts):
            return len(self.text)
        return self.starts[max(line, 1) - 1]

    def line_end(self, line: int) -> int:
        """Offset of ``line``'s line break (or of the end of the text)."""
        if line > len(self.ends):
            return len(self.text)
        return self.ends[max(line, 1) - 1]

    def offset(self, line: int, column: int) -> int:
        """Offset of 1-based ``line``/``column`` (clamped to the line)."""
        start = self.line_start(line)
        return min(start + max(column, 1) - 1, self.line_end(line))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of ``offset``; the end of the text after a final line
        break is (last line + 1, 1)."""
        low, high = 0, len(self.starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        if offset > self.ends[low]:  # inside or past the line break
            return low + 2, 1
        return low + 1, offset - self.starts[low] + 1

    def byte_column_to_offset(self, line: int, byte_column: int) -> int:
        """Offset of a 1-based UTF-8 *byte* column (``ast`` counts bytes)."""
        text = self.line_text(line)
        prefix = text.encode("utf-8")[: max(byte_column, 1) - 1]
        return self.line_start(line) + len(prefix.decode("utf-8", errors="ignore"))


def newline_of(text: str) -> str:
    """The file's line break: that of its first line, ``\\n`` when it has none."""
    match = re.search(r"\r\n|\n|\r", text)
    return match.group(0) if match else "\n"


def unified_diff(path: str, before: str, after: str, created: bool = False) -> str:
    """A ``git diff``-style unified diff of one file."""
    old = "/dev/null" if created else f"a/{path}"
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=old,
        tofile=f"b/{path}",
    )
    out = []
    for line in lines:
        out.append(
            line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
        )
    return "".join(out)
