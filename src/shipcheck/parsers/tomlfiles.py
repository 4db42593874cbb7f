"""pyproject.toml, Pipfile and TOML/JSON lock files."""

from __future__ import annotations

import json

from shipcheck.models.artifacts import Kind, TomlFile
from shipcheck.parsers import ParseError, decode
from shipcheck.parsers.tomltext import load_toml


def parse_pyproject(path: str, data: bytes) -> TomlFile:
    """Parse pyproject.toml."""
    text = decode(data)
    return TomlFile(path=path, kind=Kind.PYPROJECT, text=text, data=load_toml(text, "pyproject"))


def parse_pipfile(path: str, data: bytes) -> TomlFile:
    """Parse a Pipfile (TOML)."""
    text = decode(data)
    return TomlFile(path=path, kind=Kind.PIPFILE, text=text, data=load_toml(text, "Pipfile"))


def parse_lockfile(path: str, data: bytes) -> TomlFile:
    """Parse poetry.lock / uv.lock / pdm.lock (TOML) or Pipfile.lock (JSON)."""
    text = decode(data)
    if path.endswith(".json") or path.endswith("Pipfile.lock"):
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(f"invalid JSON in lock file: {exc}", exc.lineno) from None
        return TomlFile(
            path=path,
            kind=Kind.LOCKFILE,
            text=text,
            data=loaded if isinstance(loaded, dict) else {},
        )
    return TomlFile(path=path, kind=Kind.LOCKFILE, text=text, data=load_toml(text, "lock file"))
