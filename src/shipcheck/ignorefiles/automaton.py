"""A small regular-expression core shared by the git and Docker matchers.

Both matchers translate their glob dialect into the same tree of nodes (character sets,
sequences, alternatives, ``*`` and ``?`` repetition, begin/end and word-boundary
assertions). A tree is run in one of two ways, with the same answer:

- as a Python ``re`` pattern when it holds at most two unbounded repetitions and the text
  is at most 1024 long, where a backtracking engine is at worst quadratic;
- otherwise by a Thompson automaton whose state sets are cached per (state set, character)
  like a lazy DFA, linear in the text length whatever the pattern.

Texts are bytes for git (which matches bytes) and str for Docker (Go matches runes).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

MAX_BYTE = 0xFF
MAX_RUNE = 0x10FFFF
# The fast path is kept to texts a quadratic backtracking bound keeps instant.
_FAST_TEXT_LIMIT = 1024
_FAST_MAX_STARS = 2
_DFA_CACHE_LIMIT = 50_000


def to_utf8(text: str) -> bytes:
    """``text`` as the bytes a tool would see: undecodable bytes (surrogate escapes) come
    back as they were, other lone surrogates are encoded as is."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class CharSet:
    """A set of characters as sorted, disjoint, inclusive ``(lo, hi)`` ranges."""

    ranges: tuple[tuple[int, int], ...]

    @staticmethod
    def of(ranges: list[tuple[int, int]] | set[int] | frozenset[int]) -> CharSet:
        """Normalise ranges (or single characters) into a set."""
        pairs = (
            sorted((r, r) for r in ranges)
            if isinstance(ranges, set | frozenset)
            else sorted(ranges)
        )
        merged: list[list[int]] = []
        for lo, hi in pairs:
            if lo > hi:
                continue
            if merged and lo <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        return CharSet(tuple((lo, hi) for lo, hi in merged))

    def union(self, other: CharSet) -> CharSet:
        """Characters in either set."""
        return CharSet.of(list(self.ranges) + list(other.ranges))

    def complement(self, maximum: int) -> CharSet:
        """Characters from 0 to ``maximum`` not in the set."""
        out: list[tuple[int, int]] = []
        start = 0
        for lo, hi in self.ranges:
            if lo > start:
                out.append((start, lo - 1))
            start = hi + 1
        if start <= maximum:
            out.append((start, maximum))
        return CharSet(tuple(out))

    def minus(self, other: CharSet, maximum: int) -> CharSet:
        """Characters in this set and not in ``other``."""
        keep = other.complement(maximum)
        out = []
        for lo, hi in self.ranges:
            for klo, khi in keep.ranges:
                a, b = max(lo, klo), min(hi, khi)
                if a <= b:
                    out.append((a, b))
        return CharSet.of(out)

    def __contains__(self, char: int) -> bool:
        index = bisect_right(self.ranges, (char, MAX_RUNE + 1)) - 1
        return index >= 0 and self.ranges[index][1] >= char


# The tree. Tuples keep it cheap: ("set", CharSet), ("cat", [nodes]), ("alt", [nodes]),
# ("star", node), ("opt", node), ("assert", "begin" | "end" | "wordb" | "nwordb").
Node = tuple

NEVER: Node = ("set", CharSet(()))


def lit(char: int) -> Node:
    """One character."""
    return ("set", CharSet(((char, char),)))


def chars(charset: CharSet) -> Node:
    """One character of ``charset``."""
    return ("set", charset)


def cat(nodes: list[Node]) -> Node:
    """The nodes in sequence."""
    return ("cat", nodes)


def star(node: Node) -> Node:
    """Zero or more of ``node``."""
    return ("star", node)


def opt(node: Node) -> Node:
    """Zero or one of ``node``."""
    return ("opt", node)


def _walk(node: Node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        tag = current[0]
        if tag in ("cat", "alt"):
            stack.extend(current[1])
        elif tag in ("star", "opt"):
            stack.append(current[1])


def _escape(char: int, text_is_bytes: bool) -> str:
    if text_is_bytes or char <= 0xFF:
        return f"\\x{char:02x}"
    return f"\\U{char:08x}"


def _regex(node: Node, text_is_bytes: bool) -> str:
    tag = node[0]
    if tag == "set":
        ranges = node[1].ranges
        if not ranges:
            return "(?!)"
        body = "".join(
            _escape(lo, text_is_bytes)
            if lo == hi
            else f"{_escape(lo, text_is_bytes)}-{_escape(hi, text_is_bytes)}"
            for lo, hi in ranges
        )
        return f"[{body}]"
    if tag == "cat":
        return "".join(_regex(child, text_is_bytes) for child in node[1])
    if tag == "alt":
        return "(?:" + "|".join(_regex(child, text_is_bytes) for child in node[1]) + ")"
    if tag == "star":
        return f"(?:{_regex(node[1], text_is_bytes)})*"
    if tag == "opt":
        return f"(?:{_regex(node[1], text_is_bytes)})?"
    return {"begin": r"\A", "end": r"\Z", "wordb": r"\b", "nwordb": r"\B"}[node[1]]


# --- the automaton -------------------------------------------------------------------------

_CHAR, _EPS, _ASSERT, _MATCH = range(4)
_WORD = CharSet.of([(48, 57), (65, 90), (95, 95), (97, 122)])


class _Program:
    """A Thompson NFA with a cache of state-set transitions."""

    def __init__(self, node: Node) -> None:
        self.kinds: list[int] = []
        self.args: list[object] = []
        self.outs: list[list[int]] = []
        match = self._add(_MATCH, None, [])
        self.start = self._compile(node, match)
        self.uses_words = any(n[0] == "assert" and n[1] in ("wordb", "nwordb") for n in _walk(node))
        self.cache: dict[tuple, frozenset[int]] = {}

    def _add(self, kind: int, arg: object, outs: list[int]) -> int:
        self.kinds.append(kind)
        self.args.append(arg)
        self.outs.append(outs)
        return len(self.kinds) - 1

    def _compile(self, node: Node, following: int) -> int:
        tag = node[0]
        if tag == "set":
            return self._add(_CHAR, node[1], [following])
        if tag == "cat":
            for child in reversed(node[1]):
                following = self._compile(child, following)
            return following
        if tag == "alt":
            return self._add(_EPS, None, [self._compile(c, following) for c in node[1]])
        if tag == "star":
            loop = self._add(_EPS, None, [])
            self.outs[loop] = [self._compile(node[1], loop), following]
            return loop
        if tag == "opt":
            return self._add(_EPS, None, [self._compile(node[1], following), following])
        return self._add(_ASSERT, node[1], [following])

    def _holds(self, kind: object, context: tuple[bool, bool, bool, bool]) -> bool:
        at_begin, at_end, prev_word, next_word = context
        if kind == "begin":
            return at_begin
        if kind == "end":
            return at_end
        if kind == "wordb":
            return prev_word != next_word
        return prev_word == next_word

    def _closure(self, kernel: frozenset[int], context: tuple[bool, bool, bool, bool]) -> set[int]:
        seen: set[int] = set()
        stack = list(kernel)
        while stack:
            state = stack.pop()
            if state in seen:
                continue
            seen.add(state)
            kind = self.kinds[state]
            if kind == _EPS or (kind == _ASSERT and self._holds(self.args[state], context)):
                stack.extend(self.outs[state])
        return {s for s in seen if self.kinds[s] in (_CHAR, _MATCH)}

    def run(self, text: list[int] | bytes) -> bool:
        kernel = frozenset((self.start,))
        first = True
        prev_word = False
        cache = self.cache
        if len(cache) > _DFA_CACHE_LIMIT:
            cache.clear()
        for char in text:
            key = (kernel, first, prev_word, char)
            following = cache.get(key)
            if following is None:
                next_word = self.uses_words and char in _WORD
                states = self._closure(kernel, (first, False, prev_word, next_word))
                following = frozenset(
                    self.outs[s][0]
                    for s in states
                    if self.kinds[s] == _CHAR and char in self.args[s]  # type: ignore[operator]
                )
                cache[key] = following
            if not following:
                return False
            kernel = following
            first = False
            prev_word = self.uses_words and char in _WORD
        key = (kernel, first, prev_word, None)
        accepted = cache.get(key)
        if accepted is None:
            states = self._closure(kernel, (first, True, prev_word, False))
            accepted = (
                frozenset((1,)) if any(self.kinds[s] == _MATCH for s in states) else frozenset()
            )
            cache[key] = accepted
        return bool(accepted)


class Matcher:
    """A compiled tree: ``fullmatch(text)`` says whether the whole text matches."""

    def __init__(self, node: Node, *, text_is_bytes: bool) -> None:
        self.text_is_bytes = text_is_bytes
        self.never = node == NEVER
        stars = sum(1 for n in _walk(node) if n[0] == "star")
        self._regex: re.Pattern | None = None
        self._program: _Program | None = None
        self._node = node
        if stars <= _FAST_MAX_STARS:
            source = _regex(node, text_is_bytes)
            flags = re.DOTALL | (0 if text_is_bytes else re.ASCII)
            try:
                self._regex = re.compile(source.encode("ascii") if text_is_bytes else source, flags)
            except re.error:  # e.g. a repeated assertion Python refuses: the automaton runs it
                self._regex = None

    def _automaton(self) -> _Program:
        if self._program is None:
            self._program = _Program(self._node)
        return self._program

    def fullmatch(self, text: bytes | str) -> bool:
        """Whether ``text`` (bytes for a bytes matcher, str otherwise) matches as a whole."""
        if self.never:
            return False
        if self._regex is not None and len(text) <= _FAST_TEXT_LIMIT:
            return self._regex.fullmatch(text) is not None  # type: ignore[arg-type]
        sequence = text if isinstance(text, bytes) else [ord(c) for c in text]
        return self._automaton().run(sequence)

    def fullmatch_automaton(self, text: bytes | str) -> bool:
        """The automaton's answer alone (tests compare it with the regex path)."""
        if self.never:
            return False
        sequence = text if isinstance(text, bytes) else [ord(c) for c in text]
        return self._automaton().run(sequence)
