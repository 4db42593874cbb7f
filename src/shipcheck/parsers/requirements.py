"""pip requirements files, one :class:`Requirement` per requirement line (via ``packaging``)."""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PkgRequirement

from shipcheck.models.artifacts import Kind, Requirement, RequirementsFile
from shipcheck.parsers import decode

_COMMENT = re.compile(r"(^|\s+)#.*$")
_HASH = re.compile(r"--hash[=\s]+(\S+)")
_EGG = re.compile(r"#egg=([A-Za-z0-9_.\-\[\]]+)")
_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)[=\s]*(\S+)")


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Join backslash continuations; yield (first line number, content)."""
    result: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not buffer:
            start = number
        stripped = raw.rstrip()
        if stripped.endswith("\\"):
            buffer.append(stripped[:-1])
            continue
        buffer.append(stripped)
        result.append((start, " ".join(part.strip() for part in buffer)))
        buffer = []
    if buffer:
        result.append((start, " ".join(part.strip() for part in buffer)))
    return result


def parse(path: str, data: bytes) -> RequirementsFile:
    """Parse a requirements file. Unparseable lines are kept as options, never fatal."""
    text = decode(data)
    artifact = RequirementsFile(path=path, kind=Kind.REQUIREMENTS, text=text)
    for number, content in _logical_lines(text):
        line = _COMMENT.sub("", content).strip()
        if not line:
            continue
        hashes = tuple(_HASH.findall(line))
        line = _HASH.sub("", line).strip()
        include = _INCLUDE.match(line)
        if include:
            artifact.includes.append((include.group(2), number))
            continue
        editable = False
        if line.startswith(("-e ", "--editable")):
            editable = True
            line = line.split(None, 1)[1] if " " in line else ""
            line = line.lstrip("=")
        elif line.startswith("-"):
            artifact.options.append((line, number))
            continue
        requirement = _requirement(line, number, content, hashes, editable)
        if requirement is not None:
            artifact.requirements.append(requirement)
        else:
            artifact.options.append((line, number))
    return artifact


def _requirement(
    line: str, number: int, raw: str, hashes: tuple[str, ...], editable: bool
) -> Requirement | None:
    if editable or ("://" in line.split(";")[0] and " @ " not in line):
        egg = _EGG.search(line)
        name = egg.group(1) if egg else line.rsplit("/", 1)[-1]
        return Requirement(
            name=name, specifier="", line=number, raw=raw, url=line, hashes=hashes, editable=True
        )
    # Options such as --install-option may trail a requirement; packaging rejects them.
    spec_text = re.split(r"\s--?[a-z]", line, maxsplit=1)[0].strip()
    try:
        parsed = PkgRequirement(spec_text)
    except InvalidRequirement:
        return None
    return Requirement(
        name=parsed.name,
        specifier=str(parsed.specifier),
        line=number,
        raw=raw,
        marker=str(parsed.marker) if parsed.marker else None,
        url=parsed.url,
        extras=tuple(sorted(parsed.extras)),
        hashes=hashes,
    )
