"""Heroku-style Procfiles (``process: command``)."""

from __future__ import annotations

from shipcheck import lazyre
from shipcheck.models.artifacts import Kind, Procfile, ProcfileEntry
from shipcheck.parsers import decode
from shipcheck.text import split_lines

_ENTRY = lazyre.compile(r"^([A-Za-z0-9_\-]+)\s*:\s*(.+)$")


def parse(path: str, data: bytes) -> Procfile:
    """Parse a Procfile."""
    text = decode(data)
    entries = [
        ProcfileEntry(process=m.group(1), command=m.group(2).strip(), line=number)
        for number, raw in enumerate(split_lines(text), start=1)
        if (m := _ENTRY.match(raw.strip())) and not raw.lstrip().startswith("#")
    ]
    return Procfile(path=path, kind=Kind.PROCFILE, text=text, entries=entries)
