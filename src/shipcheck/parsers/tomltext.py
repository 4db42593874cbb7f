"""TOML text to a dict, a syntax error to a :class:`ParseError` with its line: for the
manifest parsers and for shipcheck's own configuration (which loads before any parsed model
is defined)."""

from __future__ import annotations

import sys
from typing import Any

from shipcheck import lazyre
from shipcheck.parsers import ParseError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


_AT_LINE = lazyre.compile(r"\(at line (\d+), column \d+\)")


def load_toml(text: str, what: str) -> dict[str, Any]:
    """Parse TOML text; a syntax error becomes a :class:`ParseError` naming ``what``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = _AT_LINE.search(str(exc))
        raise ParseError(
            f"invalid TOML in {what}: {exc}", int(at.group(1)) if at else None
        ) from None
