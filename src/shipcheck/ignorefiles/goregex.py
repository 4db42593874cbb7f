"""Go's ``regexp`` syntax (RE2 with the ``Perl`` flags), read into the shared tree.

moby/patternmatcher turns a ``.dockerignore`` pattern into a Go regular expression and hands
``[``, ``]``, ``^`` and backslash escapes to it unchanged, so a bracket expression is whatever
Go's parser makes of it: ``[^...]`` negation (which may match ``/`` and newline), ranges,
``[:alpha:]`` and ``[:^alpha:]`` (ASCII), ``\\d\\s\\w`` (ASCII), ``\\pL``-style Unicode
categories, octal and ``\\x`` escapes, ``\\Q...\\E``; a reversed range, an unknown class name or
escape, or a missing ``]`` is a syntax error. ``.`` is any character but newline, ``^`` and
``$`` are the text's ends (no multi-line mode).
"""

from __future__ import annotations

import unicodedata
from functools import cache

from shipcheck.ignorefiles.automaton import (
    MAX_RUNE,
    CharSet,
    Node,
    cat,
    chars,
    lit,
    opt,
    star,
)


class GoRegexError(ValueError):
    """The expression is not valid Go syntax (Docker fails the build on it)."""


def _set(*ranges: tuple[int, int] | str) -> CharSet:
    pairs = []
    for item in ranges:
        if isinstance(item, str):
            pairs.extend((ord(c), ord(c)) for c in item)
        else:
            pairs.append(item)
    return CharSet.of(pairs)


_DIGIT = _set((48, 57))
_WORD = _set((48, 57), (65, 90), "_", (97, 122))
_PERL = {"d": _DIGIT, "s": _set("\t\n\f\r "), "w": _WORD}
_POSIX = {
    "alnum": _set((48, 57), (65, 90), (97, 122)),
    "alpha": _set((65, 90), (97, 122)),
    "ascii": _set((0, 0x7F)),
    "blank": _set("\t "),
    "cntrl": _set((0, 31), (127, 127)),
    "digit": _DIGIT,
    "graph": _set((33, 126)),
    "lower": _set((97, 122)),
    "print": _set((32, 126)),
    "punct": _set((33, 47), (58, 64), (91, 96), (123, 126)),
    "space": _set((9, 13), " "),
    "upper": _set((65, 90)),
    "word": _WORD,
    "xdigit": _set((48, 57), (65, 70), (97, 102)),
}
_NOT_NEWLINE = _set((0, 9), (11, MAX_RUNE))
_SIMPLE_ESCAPES = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}


@cache
def _category(name: str) -> CharSet:
    """A Unicode general category (``L``, ``Lu``) or ``Any``, as Go's unicode tables."""
    if name == "Any":
        return CharSet(((0, MAX_RUNE),))
    if name == "C":  # Go's C is Cc, Cf, Co and Cs: unassigned code points are not in it
        wanted = ("Cc", "Cf", "Co", "Cs")
    elif len(name) == 1 and name in "LMNPSZ":
        wanted = tuple(f"{name}{x}" for x in "cdefiklmnopstu")
    elif len(name) == 2 and name[0] in "CLMNPSZ" and name != "Cn":
        wanted = (name,)
    else:
        raise GoRegexError(f"invalid character class range: \\p{name}")
    members = [c for c in range(MAX_RUNE + 1) if unicodedata.category(chr(c)) in wanted]
    return CharSet.of(set(members))


class _Reader:
    def __init__(self, source: str) -> None:
        self.s = source
        self.i = 0

    def peek(self, offset: int = 0) -> str:
        index = self.i + offset
        return self.s[index] if index < len(self.s) else ""

    def take(self) -> str:
        char = self.peek()
        self.i += 1
        return char

    def startswith(self, text: str) -> bool:
        return self.s.startswith(text, self.i)


def _escape(reader: _Reader) -> int:
    """A single-character escape after the backslash (Go's parseEscape)."""
    char = reader.take()
    if not char:
        raise GoRegexError("trailing backslash at end of expression")
    if char in "1234567" and not ("0" <= reader.peek() <= "7"):
        raise GoRegexError(f"invalid escape sequence: \\{char}")  # a backreference
    if char in "01234567":
        value = int(char)
        for _ in range(2):
            if not ("0" <= reader.peek() <= "7"):
                break
            value = value * 8 + int(reader.take())
        return value
    if char == "x":
        if reader.peek() == "{":
            close = reader.s.find("}", reader.i)
            digits = reader.s[reader.i + 1 : close] if close > 0 else ""
            if not digits or any(d not in "0123456789abcdefABCDEF" for d in digits):
                raise GoRegexError("invalid escape sequence: \\x{")
            value = int(digits, 16)
            if value > MAX_RUNE:
                raise GoRegexError("invalid escape sequence: \\x{")
            reader.i = close + 1
            return value
        digits = reader.peek() + reader.peek(1)
        if len(digits) < 2 or any(d not in "0123456789abcdefABCDEF" for d in digits):
            raise GoRegexError("invalid escape sequence: \\x")
        reader.i += 2
        return int(digits, 16)
    if char in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[char]
    if ord(char) < 0x80 and not char.isalnum():
        return ord(char)  # an escaped punctuation or control character is itself
    raise GoRegexError(f"invalid escape sequence: \\{char}")


def _class_escape(reader: _Reader) -> CharSet | None:
    """``\\d``-style and ``\\pL``-style classes at the reader (after nothing consumed)."""
    if reader.peek() != "\\":
        return None
    letter = reader.peek(1)
    if letter.lower() in _PERL:
        reader.i += 2
        found = _PERL[letter.lower()]
        return found.complement(MAX_RUNE) if letter.isupper() else found
    if letter in ("p", "P"):
        reader.i += 2
        if reader.peek() == "{":
            close = reader.s.find("}", reader.i)
            if close < 0:
                raise GoRegexError("invalid character class range")
            name = reader.s[reader.i + 1 : close]
            reader.i = close + 1
        else:
            name = reader.take()
            if not name:
                raise GoRegexError("invalid character class range")
        negated = letter == "P"
        if name.startswith("^"):
            negated, name = not negated, name[1:]
        found = _category(name)
        return found.complement(MAX_RUNE) if negated else found
    return None


def _bracket(reader: _Reader) -> CharSet:
    """A bracket expression; the reader is just past ``[``."""
    negated = reader.peek() == "^"
    if negated:
        reader.i += 1
    members = CharSet(())
    first = True
    while first or reader.peek() != "]":
        if not reader.peek():
            raise GoRegexError("missing closing ]")
        first = False
        if reader.startswith("[:"):
            close = reader.s.find(":]", reader.i + 2)
            if close >= 0:
                name = reader.s[reader.i + 2 : close]
                posix_negated = name.startswith("^")
                found = _POSIX.get(name[1:] if posix_negated else name)
                if found is None:
                    raise GoRegexError(f"invalid character class range: [:{name}:]")
                members = members.union(found.complement(MAX_RUNE) if posix_negated else found)
                reader.i = close + 2
                continue
        escaped = _class_escape(reader)
        if escaped is not None:
            members = members.union(escaped)
            continue
        low = _class_char(reader)
        high = low
        if reader.peek() == "-" and reader.peek(1) not in ("]", ""):
            reader.i += 1
            high = _class_char(reader)
            if high < low:
                raise GoRegexError("invalid character class range")
        members = members.union(CharSet(((low, high),)))
    reader.i += 1
    return members.complement(MAX_RUNE) if negated else members


def _class_char(reader: _Reader) -> int:
    char = reader.take()
    if not char:
        raise GoRegexError("missing closing ]")
    if char == "\\":
        return _escape(reader)
    return ord(char)


def parse(source: str) -> Node:
    """The tree of a Go regular expression (Perl flags), or GoRegexError."""
    reader = _Reader(source)
    # Each open group: its finished alternatives and the items of the current one.
    frames: list[tuple[list[Node], list[Node]]] = [([], [])]
    repeated = False  # the last token was a repetition (Go rejects `a**`)
    while reader.peek():
        alternatives, items = frames[-1]
        char = reader.take()
        was_repeat, repeated = repeated, False
        if char in "*+?":
            if was_repeat:
                raise GoRegexError(f"invalid nested repetition operator: {char}")
            if not items:
                raise GoRegexError(f"missing argument to repetition operator: {char}")
            if reader.peek() == "?":
                reader.i += 1  # non-greedy: the same set of matches
            last = items.pop()
            items.append(
                star(last) if char == "*" else opt(last) if char == "?" else cat([last, star(last)])
            )
            repeated = True
        elif char == "(":
            if reader.peek() == "?":
                raise GoRegexError("unsupported group syntax")
            frames.append(([], []))
        elif char == ")":
            if len(frames) == 1:
                raise GoRegexError("unexpected )")
            frames.pop()
            group = _alternation(alternatives, items)
            frames[-1][1].append(group)
        elif char == "|":
            alternatives.append(cat(list(items)))
            items.clear()
        elif char == "^":
            items.append(("assert", "begin"))
        elif char == "$":
            items.append(("assert", "end"))
        elif char == ".":
            items.append(chars(_NOT_NEWLINE))
        elif char == "[":
            items.append(chars(_bracket(reader)))
        elif char == "\\":
            items.extend(_backslash(reader))
        else:
            items.append(lit(ord(char)))
    if len(frames) > 1:
        raise GoRegexError("missing closing )")
    alternatives, items = frames[0]
    return _alternation(alternatives, items)


def _alternation(alternatives: list[Node], items: list[Node]) -> Node:
    last = cat(list(items))
    return ("alt", [*alternatives, last]) if alternatives else last


def _backslash(reader: _Reader) -> list[Node]:
    """What a backslash starts outside a class; the reader is just past it."""
    letter = reader.peek()
    assertions = {"A": "begin", "z": "end", "b": "wordb", "B": "nwordb"}
    if letter in assertions:
        reader.i += 1
        return [("assert", assertions[letter])]
    if letter == "C":
        raise GoRegexError("invalid escape sequence: \\C")
    if letter == "Q":
        end = reader.s.find("\\E", reader.i + 1)
        text = reader.s[reader.i + 1 :] if end < 0 else reader.s[reader.i + 1 : end]
        reader.i = len(reader.s) if end < 0 else end + 2
        return [lit(ord(c)) for c in text]
    reader.i -= 1
    escaped = _class_escape(reader)
    if escaped is not None:
        return [chars(escaped)]
    reader.i += 1
    return [lit(_escape(reader))]
