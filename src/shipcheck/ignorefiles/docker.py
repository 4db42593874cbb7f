"""``.dockerignore`` matching as Docker does it.

Reading (moby/buildkit ``dockerignore.ReadAll``, the same in moby/patternmatcher's
``ignorefile``): a UTF-8 BOM is dropped from the first line and a ``\\r`` from each line's end;
a line starting with ``#`` at column 0 is a comment (an indented ``#`` is a pattern);
surrounding whitespace is trimmed; a leading ``!`` marks an exception and the rest is trimmed
again (``! .env`` is ``!.env``); the pattern is normalised with Go's ``filepath.Clean`` (``./x``
is ``x``, ``a/../.env`` is ``.env``, a trailing ``/`` goes) and a leading ``/`` is dropped.

Matching (moby/patternmatcher): ``*`` is ``[^/]*``, ``?`` is ``[^/]``, ``**`` is ``(.*/)?``
(a ``/`` after it is eaten, and at the end it is ``.*``), backslash escapes the next
character, and ``[``, ``]`` and ``^`` go to Go's regexp as they are (see ``goregex``). Patterns
without those characters are compared literally (``**`` at the start is a suffix test, ``**``
at the end a prefix test). A pattern excludes a path when it matches the path or one of its
parent folders, and the last pattern that matches decides: an exception (``!``) puts the path
back in the build context.

A pattern Docker rejects (``!`` alone, a malformed class, Go regexp syntax errors) makes
``docker build`` fail; such lines are reported in ``errors`` and match nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from shipcheck.ignorefiles import goregex
from shipcheck.ignorefiles.automaton import (
    MAX_RUNE,
    CharSet,
    Matcher,
    Node,
    cat,
    chars,
    star,
    to_utf8,
)

# Go's unicode.IsSpace, which strings.TrimSpace uses.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"  # noqa: E501
_REGEX_ESCAPED = set(".+()|{}$")
_LINE_LIMIT = 64 * 1024  # bufio.Scanner's longest line; Docker fails on a longer one


def go_trim_space(text: str) -> str:
    """Go's ``strings.TrimSpace``."""
    return text.strip(_GO_SPACE)


def go_clean(path: str) -> str:
    """Go's ``filepath.Clean`` for ``/``-separated paths."""
    if not path:
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    cleaned = ("/" if rooted else "") + "/".join(parts)
    return cleaned or "."


def _scan_chunk(pattern: str) -> tuple[bool, str, str]:
    """Go ``filepath.Match``'s split of a pattern at its next unbracketed ``*``."""
    stripped = pattern.lstrip("*")
    star_seen = len(stripped) != len(pattern)
    in_range = False
    i = 0
    while i < len(stripped):
        char = stripped[i]
        if char == "\\":
            if i + 1 < len(stripped):
                i += 1
        elif char == "[":
            in_range = True
        elif char == "]":
            in_range = False
        elif char == "*" and not in_range:
            break
        i += 1
    return star_seen, stripped[:i], stripped[i:]


def _range_end(chunk: str) -> str | None:
    """Go's ``getEsc``: the chunk after one class character, None on a syntax error."""
    if not chunk or chunk[0] in "-]":
        return None
    if chunk[0] == "\\":
        chunk = chunk[1:]
        if not chunk:
            return None
    if "\ud800" <= chunk[0] <= "\udfff":  # not valid UTF-8 in the file
        return None
    chunk = chunk[1:]
    return chunk or None


def _chunk_is_bad(chunk: str) -> bool:
    while chunk:
        char = chunk[0]
        if char == "[":
            chunk = chunk[1:]
            if chunk.startswith("^"):
                chunk = chunk[1:]
            ranges = 0
            while True:
                if chunk.startswith("]") and ranges > 0:
                    chunk = chunk[1:]
                    break
                rest = _range_end(chunk)
                if rest is None:
                    return True
                if rest[0] == "-":
                    rest = _range_end(rest[1:])
                    if rest is None:
                        return True
                chunk = rest
                ranges += 1
        elif char == "\\":
            if len(chunk) < 2:
                return True
            chunk = chunk[2:]
        else:
            chunk = chunk[1:]
    return False


def go_match_syntax_error(pattern: str) -> bool:
    """Whether Go's ``filepath.Match`` reports ``ErrBadPattern`` for ``pattern``."""
    rest = pattern
    while rest:
        star_seen, chunk, rest = _scan_chunk(rest)
        if star_seen and not chunk:
            return False
        if _chunk_is_bad(chunk):
            return True
    return False


def _translate(pattern: str) -> tuple[str, str]:
    """patternmatcher's ``compile``: the match kind and the Go regexp source."""
    source = "^"
    kind = "exact"
    i = 0
    token = 0
    while i < len(pattern):
        char = pattern[i]
        i += 1
        if char == "*":
            if i < len(pattern) and pattern[i] == "*":
                i += 1
                if i < len(pattern) and pattern[i] == "/":
                    i += 1  # `**/` is `**`: the slash is eaten
                if i == len(pattern):
                    if kind == "exact":
                        kind = "prefix"
                    else:
                        source += ".*"
                        kind = "regex"
                else:
                    source += "(.*/)?"
                    kind = "regex"
                if token == 0:
                    kind = "suffix"
            else:
                source += "[^/]*"
                kind = "regex"
        elif char == "?":
            source += "[^/]"
            kind = "regex"
        elif char in _REGEX_ESCAPED:
            source += "\\" + char
        elif char == "\\":
            if i < len(pattern):
                source += "\\" + pattern[i]
                i += 1
                kind = "regex"
            else:
                source += "\\"
        elif char in "[]":
            source += char
            kind = "regex"
        else:
            source += char
        token += 1
    if kind == "regex":
        source += "$"
    return kind, source


_ANY = CharSet(((0, MAX_RUNE),))


def _search_tree(tree: Node) -> Node:
    """Go's MatchString searches; an expression that starts with ``^`` and ends with ``$``
    (every translation does) is a whole match, anything else gets free ends."""
    items = tree[1] if tree[0] == "cat" else []
    if items and items[0] == ("assert", "begin") and items[-1] == ("assert", "end"):
        return tree
    return cat([star(chars(_ANY)), tree, star(chars(_ANY))])


@dataclass(frozen=True, eq=False)
class DockerPattern:
    """One pattern of a ``.dockerignore``, as Docker keeps it."""

    line: int
    text: str  # the cleaned pattern, without the leading '!'
    exclusion: bool  # a `!` line: matching paths go back into the context
    kind: str = field(repr=False)
    _matcher: Matcher | None = field(repr=False, default=None)

    def matches(self, path: str) -> bool:
        """Whether the pattern matches ``path`` itself (not its parents)."""
        text = self.text
        if self.kind == "exact":
            return path == text
        if self.kind == "prefix":
            return path.startswith(text[:-2])
        if self.kind == "suffix":
            suffix = text[2:]
            return path.endswith(suffix) or (suffix[:1] == "/" and path == suffix[1:])
        return self._matcher is not None and self._matcher.fullmatch(path)


@lru_cache(maxsize=1024)
def _regex_matcher(source: str) -> Matcher:
    return Matcher(_search_tree(goregex.parse(source)), text_is_bytes=False)


def _compile(text: str, line: int, exclusion: bool) -> DockerPattern:
    kind, source = _translate(text)
    matcher = _regex_matcher(source) if kind == "regex" else None
    return DockerPattern(line=line, text=text, exclusion=exclusion, kind=kind, _matcher=matcher)


def _normalise_path(path: str) -> str:
    # Go sees the path's UTF-8 bytes; an undecodable byte is one U+FFFD rune.
    text = to_utf8(path).decode("utf-8", "replace")
    cleaned = go_clean(text)
    return cleaned.lstrip("/") or "."


class DockerIgnore:
    """The patterns of one ``.dockerignore`` (paths are relative to the build context)."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = list(lines)
        self.patterns: list[DockerPattern] = []
        self.errors: list[tuple[int, str]] = []  # (line, why Docker rejects it)
        for number, raw in enumerate(self.lines, start=1):
            self._read(number, raw)

    @classmethod
    def from_text(cls, text: str | bytes) -> DockerIgnore:
        """From the file's content, split into lines as Docker splits them (on ``\\n``)."""
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return cls(lines)

    def _read(self, number: int, raw: str) -> None:
        text = raw[1:] if number == 1 and raw.startswith("\ufeff") else raw
        if text.endswith("\r"):
            text = text[:-1]
        if len(to_utf8(text)) >= _LINE_LIMIT:
            self.errors.append((number, "line too long (Docker stops reading the file)"))
            return
        if text.startswith("#"):
            return
        pattern = go_trim_space(text)
        if not pattern:
            return
        invert = pattern[0] == "!"
        if invert:
            pattern = go_trim_space(pattern[1:])
        if pattern:
            pattern = go_clean(pattern)
            if len(pattern) > 1 and pattern[0] == "/":
                pattern = pattern[1:]
        if invert:
            pattern = "!" + pattern
        # patternmatcher.New: trimmed and cleaned once more, then the `!` is taken off.
        pattern = go_clean(go_trim_space(pattern))
        exclusion = pattern[0] == "!"
        if exclusion:
            if len(pattern) == 1:
                self.errors.append((number, 'illegal exclusion pattern: "!"'))
                return
            pattern = pattern[1:]
        if go_match_syntax_error(pattern):
            self.errors.append((number, f"syntax error in pattern: {pattern}"))
            return
        try:
            self.patterns.append(_compile(pattern, number, exclusion))
        except goregex.GoRegexError as exc:
            self.errors.append((number, f"error parsing regexp: {exc}"))

    def decider(self, path: str) -> DockerPattern | None:
        """The last pattern that matches ``path`` or one of its parent folders."""
        cleaned = _normalise_path(path)
        if cleaned == ".":
            return None  # Docker never excludes the context root
        parts = cleaned.split("/")
        parents = ["/".join(parts[: i + 1]) for i in range(len(parts) - 1)]
        found = None
        for pattern in self.patterns:
            if pattern.matches(cleaned) or any(pattern.matches(p) for p in parents):
                found = pattern
        return found

    def excludes(self, path: str) -> bool:
        """Whether ``path`` is kept out of the build context."""
        pattern = self.decider(path)
        return pattern is not None and not pattern.exclusion

    def reincluding_line(self, path: str) -> int | None:
        """The line of the ``!`` exception that puts ``path`` back into the context, if one
        does (the last matching pattern is that exception)."""
        pattern = self.decider(path)
        return pattern.line if pattern is not None and pattern.exclusion else None
