"""Secret literals in settings files: INI-style (``.ini``, ``.cfg``, ``.conf``,
``.properties``, ``.pypirc``, ``.npmrc``), ``.netrc``, TOML and JSON."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from shipcheck import lazyre
from shipcheck.detectors.common import mask
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.context import ValueParams
from shipcheck.detectors.secrets.text import is_generated
from shipcheck.detectors.secrets.values import named_secret
from shipcheck.models.artifacts import Artifact, Kind
from shipcheck.models.findings import Hit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

INI_SUFFIXES = frozenset({".ini", ".cfg", ".conf", ".properties", ".pypirc", ".npmrc"})
INI_NAMES = frozenset({".pypirc", ".npmrc", "pip.conf", "pip.ini", ".pgpass"})
_INI_ENTRY = lazyre.compile(r"^(?P<key>[^=:\s\[;#][^=]*?)\s*(?P<op>[=:])\s*(?P<value>.*)$")
_INLINE_COMMENT = lazyre.compile(r"\s+[#;].*$")


@dataclass(frozen=True)
class Setting:
    """A key and its string value, with the value's 1-based position."""

    key: str
    value: str
    line: int
    column: int


def ini_settings(text: str) -> Iterator[Setting]:
    """``key = value`` / ``key: value`` lines of an INI-style file (sections, comments and
    indented continuation lines skipped; the first ``=`` splits, so ``.npmrc`` keys with a
    colon work)."""
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw[:1] in " \t" or raw.lstrip()[:1] in "#;[":
            continue
        line = raw.rstrip()
        split = line.find("=")
        if split < 0:
            match = _INI_ENTRY.match(line)
            if not match:
                continue
            split = match.start("op")
        key = line[:split].strip()
        rest = line[split + 1 :]
        value = _INLINE_COMMENT.sub("", rest).strip()
        start = split + 1 + (len(rest) - len(rest.lstrip()))
        if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) > 1:
            value, start = value[1:-1], start + 1
        if key:
            yield Setting(key, value, number, start + 1)


def netrc_settings(text: str) -> Iterator[Setting]:
    """``password`` tokens of a .netrc file."""
    for number, line in enumerate(text.splitlines(), start=1):
        for match in re.finditer(r"(?:^|\s)(password|passwd)\s+(\S+)", line):
            yield Setting(match.group(1), match.group(2), number, match.start(2) + 1)


def _leaves(data: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for name, value in data.items():
            yield from _leaves(value, str(name))
    elif isinstance(data, list):
        for item in data:
            yield from _leaves(item, key)
    elif isinstance(data, str) and key:
        yield key, data


def _locate(lines: list[str], key: str, needle: str) -> tuple[int, int] | None:
    """The line holding both ``key`` and ``needle`` (a value as spelt in the source)."""
    fallback = None
    for number, line in enumerate(lines, start=1):
        column = line.find(needle)
        if column < 0:
            continue
        if key in line[:column]:
            return number, column + 1
        fallback = fallback or (number, column + 1)
    return fallback


def strip_json_comments(text: str) -> str:
    """JSON with ``//`` and ``/* */`` comments (JSONC, as in editor and tool settings) as
    plain JSON; comments become spaces so offsets and lines stay put."""
    out: list[str] = []
    index, size, in_string = 0, len(text), False
    while index < size:
        char = text[index]
        if in_string:
            out.append(char)
            if char == "\\" and index + 1 < size:
                out.append(text[index + 1])
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif text.startswith("//", index):
            end = text.find("\n", index)
            end = size if end < 0 else end
            out.append(" " * (end - index))
            index = end
            continue
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            end = size if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[index:end]))
            index = end
            continue
        else:
            out.append(char)
        index += 1
    return "".join(out)


def _load(text: str, suffix: str) -> Any:
    if suffix != ".json":
        return tomllib.loads(text)
    try:
        return json.loads(text)
    except ValueError:
        if "//" not in text and "/*" not in text:
            raise
        return json.loads(strip_json_comments(text))


def structured_settings(text: str, suffix: str) -> Iterator[Setting]:
    """Leaves of a TOML or JSON (JSONC) document located in the source text."""
    try:
        data = _load(text, suffix)
    except (ValueError, tomllib.TOMLDecodeError, RecursionError):
        return
    lines = text.splitlines()
    for key, value in _leaves(data):
        if not value or "\n" in value:
            continue
        spelt = json.dumps(value)[1:-1] if suffix == ".json" else value
        found = _locate(lines, key, spelt)
        if found:
            yield Setting(key, value, found[0], found[1])


def settings_of(doc: Artifact) -> Iterator[Setting]:
    """The settings of a config file, by its type; nothing for other files."""
    posix = PurePosixPath(doc.path)
    name, suffix = posix.name.lower(), posix.suffix.lower()
    if name in {".netrc", "_netrc"}:
        return netrc_settings(doc.text)
    if suffix in INI_SUFFIXES or name in INI_NAMES:
        return ini_settings(doc.text)
    if suffix in {".toml", ".json"}:
        return structured_settings(doc.text, suffix)
    return iter(())


@detector("secrets.config-file-literal", kind=(Kind.TEXT, Kind.PYPROJECT), params=ValueParams)
def config_file_literal(doc: Artifact, params: ValueParams) -> Iterator[Hit]:
    """Real-looking values of secret-named keys in INI, .properties, .pypirc/.npmrc/.netrc,
    TOML and JSON settings files (lock files and bundles skipped; known credential formats
    and URLs left to their own rules)."""
    report, floor = params.verdict(doc.path)
    if not report or is_generated(doc):
        return
    for setting in settings_of(doc):
        kind = named_secret(setting.key, setting.value, params.min_length, params.min_entropy)
        if kind is None:
            continue
        yield Hit(
            line=setting.line,
            column=setting.column,
            end_column=setting.column + len(setting.value),
            fields={"name": setting.key, "kind": kind, "masked": mask(setting.value)},
            severity=floor,
        )
