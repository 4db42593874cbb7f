"""Source text as editors, git and GitHub see it: lines end at ``\\r\\n``, ``\\r`` or ``\\n``
only (``str.splitlines`` also splits at form feeds, ``\\x85`` and ``\\u2028``, which would
shift every later line number), and columns count code points, 1-based (SARIF's default unit;
Python's ``ast`` reports UTF-8 byte offsets instead)."""

from __future__ import annotations

from shipcheck import lazyre

_LINE_BREAK = lazyre.compile(r"\r\n|\r|\n")
# Go/Helm/Jinja/cookiecutter templating (`{{ .Values.x }}`, `{% if %}`), but not GitHub's
# `${{ expressions }}`: a file holding it is a template, read only once rendered.
TEMPLATE_MARKUP = lazyre.compile(r"(?<!\$)\{\{-?\s*[.$A-Za-z(]|\{%-?\s")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` without their line endings; no empty last line for a final
    newline (as ``str.splitlines``)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def char_column(line: str, utf8_offset: int) -> int:
    """The 1-based code-point column of a 0-based UTF-8 byte offset into ``line`` (what
    ``ast`` nodes' ``col_offset`` holds)."""
    if line.isascii():
        return utf8_offset + 1
    return len(line.encode("utf-8")[:utf8_offset].decode("utf-8", errors="ignore")) + 1
