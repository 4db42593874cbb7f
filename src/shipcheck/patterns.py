"""Ignore-file patterns: .gitignore semantics and .dockerignore semantics.

Both share the glob dialect (``*``, ``?``, ``[...]``, ``**``, ``!`` exceptions);
they differ in anchoring: a .gitignore pattern without a slash matches at any depth,
a .dockerignore pattern is always relative to the build context root.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Pattern:
    """One compiled ignore pattern."""

    source: str
    regex: re.Pattern[str]
    negated: bool
    dir_only: bool


def _glob_to_regex(glob: str, bang_negates: bool = True) -> str:
    out: list[str] = []
    i = 0
    while i < len(glob):
        char = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if glob.startswith("/**", i) and i + 3 == len(glob):
            out.append("(?:/.*)?")
            i += 3
            continue
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = glob.find("]", i + 2)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = glob[i + 1 : end]
                # git negates a class with `[!…]`; Docker's Go regexps only with `[^…]`.
                if body.startswith("!") and bang_negates:
                    body = "^" + body[1:]
                out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
                i = end
        elif char == "\\" and i + 1 < len(glob):
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


@lru_cache(maxsize=4096)
def compile_pattern(line: str, *, anchored: bool = False) -> Pattern | None:
    """Compile one ignore-file line; None for blanks and comments.

    ``anchored`` gives .dockerignore semantics (every pattern is relative to the root).
    """
    text = line.rstrip("\n")
    if not text.strip() or text.lstrip().startswith("#"):
        return None
    text = text.strip() if anchored else re.sub(r"(?<!\\)\s+$", "", text)
    negated = text.startswith("!")
    if negated:
        text = text[1:]
    if anchored:
        text = re.sub(r"/+", "/", text).lstrip("/")
        if text.startswith("./"):
            text = text[2:]
    dir_only = text.endswith("/")
    text = text.rstrip("/")
    if not text:
        return None
    if anchored or "/" in text:
        body = _glob_to_regex(text.lstrip("/"), bang_negates=not anchored)
    else:
        body = "(?:.*/)?" + _glob_to_regex(text)
    # A pattern that matches a directory also covers everything below it.
    regex = re.compile(f"^{body}(?:/.*)?$" if anchored else f"^{body}$", re.DOTALL)
    return Pattern(source=line, regex=regex, negated=negated, dir_only=dir_only)


class IgnoreRules:
    """The patterns of one ignore file, relative to ``base`` (a repo-relative dir, '' = root)."""

    def __init__(self, base: str, lines: list[str], *, anchored: bool = False) -> None:
        self.base = base.strip("/")
        self.patterns = [p for line in lines if (p := compile_pattern(line, anchored=anchored))]

    def match(self, path: str, is_dir: bool) -> bool | None:
        """True (ignored), False (re-included by ``!``) or None (no pattern speaks)."""
        if self.base:
            if not path.startswith(self.base + "/"):
                return None
            path = path[len(self.base) + 1 :]
        verdict: bool | None = None
        for pattern in self.patterns:
            if pattern.dir_only and not is_dir and not pattern.regex.pattern.endswith("(?:/.*)?$"):
                continue
            if pattern.regex.match(path):
                verdict = not pattern.negated
        return verdict


def is_ignored(stack: list[IgnoreRules], path: str, is_dir: bool) -> bool:
    """Apply ignore files from the outermost to the innermost; the last verdict wins."""
    verdict = False
    for rules in stack:
        result = rules.match(path, is_dir)
        if result is not None:
            verdict = result
    return verdict


def dockerignore_excludes(lines: list[str], path: str) -> bool:
    """Whether a .dockerignore with ``lines`` keeps ``path`` out of the build context."""
    return IgnoreRules("", lines, anchored=True).match(path, is_dir=False) is True


def glob_match(glob: str, path: str) -> bool:
    """Match a config glob (``tests/**``, ``*.py``, ``migrations/``) against a relative path.

    A glob without a slash matches a path component at any depth, like .gitignore.
    """
    pattern = compile_pattern(glob)
    if pattern is None:
        return False
    if pattern.regex.match(path):
        return True
    # A glob naming a directory covers the files below it.
    parts = path.split("/")
    return any(pattern.regex.match("/".join(parts[:i])) for i in range(1, len(parts)))
