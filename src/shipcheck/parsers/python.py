"""Python modules through the standard :mod:`ast` (fast, exact 1-based lines)."""

from __future__ import annotations

import ast
import sys
import warnings

from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.parsers import ParseError, decode

_PY2_HINTS = ("print ", "except Exception, ", "exec ", "ur'", 'ur"', "<>")


def parse(path: str, data: bytes) -> PythonFile:
    """Parse a module; a syntax error becomes a :class:`ParseError` with a hint."""
    text = decode(data)
    try:
        with warnings.catch_warnings():
            # Invalid escape sequences in scanned code are the scanned code's business.
            warnings.simplefilter("ignore")
            tree = ast.parse(data, filename=path)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" if exc.lineno else "unknown line"
        bad = (exc.text or "").strip()
        if any(h in bad for h in _PY2_HINTS) or "Missing parentheses" in str(exc.msg):
            hint = " (Python 2 code? shipcheck reads Python 3 only)"
        else:
            running = f"{sys.version_info.major}.{sys.version_info.minor}"
            hint = f" (read with Python {running}: newer syntax needs a newer Python)"
        raise ParseError(f"Python syntax error at {where}: {exc.msg}{hint}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ParseError(f"Python source could not be parsed: {type(exc).__name__}") from None
    return PythonFile(path=path, kind=Kind.PYTHON, text=text, tree=tree)
