"""One parser per artifact kind; :func:`parse` dispatches on the kind from classification."""

from __future__ import annotations

from collections.abc import Callable

from shipcheck.models.artifacts import Artifact, Kind


class ParseError(Exception):
    """The file could not be parsed; the message is the user-facing reason, ``line`` where
    the problem is (1-based) when the parser knows."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def parse(path: str, kind: Kind, data: bytes) -> Artifact:
    """Parse ``data`` (the file's bytes) as ``kind``. Raises :class:`ParseError`."""
    from shipcheck.parsers import (
        dockerfile,
        envfile,
        procfile,
        python,
        requirements,
        tomlfiles,
        yamlfiles,
    )

    parsers: dict[Kind, Callable[[str, bytes], Artifact]] = {
        Kind.PYTHON: python.parse,
        Kind.REQUIREMENTS: requirements.parse,
        Kind.PYPROJECT: tomlfiles.parse_pyproject,
        Kind.PIPFILE: tomlfiles.parse_pipfile,
        Kind.LOCKFILE: tomlfiles.parse_lockfile,
        Kind.DOCKERFILE: dockerfile.parse,
        Kind.YAML: yamlfiles.parse,
        Kind.ENV: envfile.parse,
        Kind.PROCFILE: procfile.parse,
    }
    parser = parsers.get(kind)
    if parser is None:
        return Artifact(path=path, kind=kind, text=decode(data))
    return parser(path, data)


def decode(data: bytes) -> str:
    """Text of a file: UTF-8 (with or without BOM), else Latin-1 so every byte maps."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")
