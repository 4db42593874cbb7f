"""One parser per artifact kind; :func:`parse` dispatches on the kind from classification."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from shipcheck.models.kinds import Kind

if TYPE_CHECKING:  # defined when a file is first parsed, not when the configuration loads
    from shipcheck.models.artifacts import Artifact


class ParseError(Exception):
    """The file could not be parsed; the message is the user-facing reason, ``line`` where
    the problem is (1-based) when the parser knows."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


# Kind → (module, function); a module is imported when a file of its kind is first parsed (a
# pre-commit run over Python files does not load the YAML, TOML or Dockerfile parsers).
_PARSERS: dict[Kind, tuple[str, str]] = {
    Kind.PYTHON: ("python", "parse"),
    Kind.REQUIREMENTS: ("requirements", "parse"),
    Kind.PYPROJECT: ("tomlfiles", "parse_pyproject"),
    Kind.PIPFILE: ("tomlfiles", "parse_pipfile"),
    Kind.LOCKFILE: ("tomlfiles", "parse_lockfile"),
    Kind.DOCKERFILE: ("dockerfile", "parse"),
    Kind.YAML: ("yamlfiles", "parse"),
    Kind.ENV: ("envfile", "parse"),
    Kind.PROCFILE: ("procfile", "parse"),
}


def parse(path: str, kind: Kind, data: bytes) -> Artifact:
    """Parse ``data`` (the file's bytes) as ``kind``. Raises :class:`ParseError`."""
    where = _PARSERS.get(kind)
    if where is None:
        from shipcheck.models.artifacts import Artifact

        return Artifact(path=path, kind=kind, text=decode(data))
    module = importlib.import_module(f"shipcheck.parsers.{where[0]}")
    parser: Callable[[str, bytes], Artifact] = getattr(module, where[1])
    return parser(path, data)


def decode(data: bytes) -> str:
    """Text of a file: UTF-8 (with or without BOM), else Latin-1 so every byte maps."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")
