"""Bandit's ``# nosec`` comments, read as suppressions of BAN rules::

    subprocess.run(cmd, shell=True)  # nosec
    subprocess.run(cmd, shell=True)  # nosec B602 - the command is a constant table entry
    subprocess.run(cmd, shell=True)  # nosec: B602, B607
    subprocess.run(cmd, shell=True)  # nosec subprocess_popen_with_shell_equals_true

As in bandit, the comment covers every issue whose node spans its line: a ``# nosec`` at the
end of a call that black split over several lines covers the call's first line, where it is
reported, and one inside a function covers a password default on its ``def`` line. Without
test ids it covers every BAN rule; with ids or test names only those (bandit itself honours
only the last of ``B602,B607`` written without a space; shipcheck honours both). Text after
the ids is the reason. A nosec never covers shipcheck's own rules: they take
``# shipcheck: ignore[...]``.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass

from shipcheck import lazyre

_NOSEC = lazyre.compile(r"#\s*nosec\b:?(?P<rest>[^#]*)")
_CODE = lazyre.compile(r"\s*(?P<code>B\d{3}|[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+)\s*,?")
# Node types BAN tests report on; a string is judged with its parent's line span.
_REPORTED = (
    ast.Call,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ExceptHandler,
    ast.Import,
    ast.ImportFrom,
    ast.Assert,
)


@dataclass(frozen=True)
class Nosec:
    """One ``# nosec`` comment: the rules it names (none: every BAN rule), its reason and
    the lines it covers."""

    line: int
    codes: tuple[str, ...]
    reason: str
    covers: tuple[int, ...]


def parse_comment(comment: str) -> tuple[tuple[str, ...], str] | None:
    """Rule codes and reason of a comment holding ``nosec``, or None. ``B602`` becomes
    ``BAN602``; a test name becomes the rule name (``shell_injection`` → ``shell-injection``)."""
    match = _NOSEC.search(comment)
    if match is None:
        return None
    rest = match["rest"]
    codes: list[str] = []
    position = 0
    while (code := _CODE.match(rest, position)) is not None:
        value = code["code"]
        codes.append("BAN" + value[1:] if re.fullmatch(r"B\d{3}", value) else _name(value))
        position = code.end()
    return tuple(codes), rest[position:].strip(" -:—\t")


def _name(test_name: str) -> str:
    return test_name.replace("_", "-").lower()


def nosec_comments(text: str) -> list[Nosec]:
    """Every ``# nosec`` comment of a Python module (real comments, not strings)."""
    found: dict[int, tuple[tuple[str, ...], str]] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT and "nosec" in token.string:
                parsed = parse_comment(token.string)
                if parsed is not None:
                    found[token.start[0]] = parsed
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []
    if not found:
        return []
    spans = _covering(text, set(found))
    return [
        Nosec(line, codes, reason, tuple(sorted({line} | spans.get(line, set()))))
        for line, (codes, reason) in sorted(found.items())
    ]


def _covering(text: str, lines: set[int]) -> dict[int, set[int]]:
    """For each comment line, the first lines of the reported nodes whose span holds it."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    covers: dict[int, set[int]] = {}

    def add(start: int, first: int, last: int) -> None:
        for line in lines:
            if first <= line <= last and line != start:
                covers.setdefault(line, set()).add(start)

    for parent in ast.walk(tree):
        if isinstance(parent, _REPORTED):
            add(parent.lineno, parent.lineno, parent.end_lineno or parent.lineno)
        for child in ast.iter_child_nodes(parent):
            if (
                isinstance(child, ast.Constant)
                and isinstance(child.value, str | bytes)
                and not isinstance(parent, ast.Expr)
                and hasattr(parent, "lineno")
            ):
                add(child.lineno, parent.lineno, parent.end_lineno or parent.lineno)
    return covers
