"""dotenv files (``KEY=value``, ``export KEY=value``, quoted values)."""

from __future__ import annotations

import re

from shipcheck import lazyre
from shipcheck.models.artifacts import EnvEntry, EnvFile, Kind
from shipcheck.parsers import decode
from shipcheck.text import split_lines

_ENTRY = lazyre.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*)$")


def parse(path: str, data: bytes) -> EnvFile:
    """Parse a .env file; lines that are not assignments are ignored."""
    text = decode(data)
    entries: list[EnvEntry] = []
    for number, raw in enumerate(split_lines(text), start=1):
        match = _ENTRY.match(raw)
        if not match:
            continue
        value_start = match.start(2)
        value = match.group(2).strip()
        if value[:1] in {'"', "'"}:
            quote = value[0]
            end = value.find(quote, 1)
            value = value[1:end] if end > 0 else value[1:]
            value_start += 1
        else:
            value = re.sub(r"\s+#.*$", "", value)
        entries.append(
            EnvEntry(key=match.group(1), value=value, line=number, column=value_start + 1)
        )
    return EnvFile(path=path, kind=Kind.ENV, text=text, entries=entries)
