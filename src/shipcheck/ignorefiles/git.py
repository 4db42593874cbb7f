"""``.gitignore`` matching as git does it (``dir.c`` and ``wildmatch.c``).

Reading a file: a UTF-8 BOM is skipped; lines are split on ``\\n`` and a ``\\r`` before it is
dropped; a line starting with ``#`` is a comment (only at column 0; ``\\#`` is a literal
``#``); unescaped trailing spaces are trimmed (tabs are not); a leading ``!`` negates
(``\\!`` is a literal ``!``); a trailing ``/`` limits the pattern to folders.

Matching one pattern: a pattern without a ``/`` (other than a trailing one) is matched against
the path's last component at any depth; otherwise against the path relative to the folder of
its ignore file (a leading ``/`` only anchors). git compares the literal part before the first
wildcard character as a plain prefix and matches the rest with wildmatch: ``*``, ``?`` and
bracket classes never match ``/``; ``**`` is special only when the rest of the pattern starts
with it or a ``/`` precedes it, and it ends the pattern or a ``/`` follows: ``**/`` is zero or
more folders, a trailing ``**`` everything; any other ``**`` is a ``*``. Classes take ``!`` or
``^`` negation, ranges, ``[:alpha:]``-style names (ASCII, git's own ``ctype``), a ``]`` first
is literal and ``\\`` escapes; an unterminated or malformed class makes the pattern match
nothing. Matching is on bytes (``?`` is one byte of a UTF-8 name) and case-sensitive.

Precedence: the deepest ignore file that has a matching pattern decides, within a file the
last matching line, and the ``.gitignore`` files beat ``$GIT_DIR/info/exclude``. A path below
an excluded folder is excluded whatever the later lines say: git does not descend there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from shipcheck.ignorefiles.automaton import (
    MAX_BYTE,
    NEVER,
    CharSet,
    Matcher,
    Node,
    cat,
    chars,
    lit,
    opt,
    star,
    to_utf8,
)

_SLASH = 0x2F
_BACKSLASH = 0x5C
_GLOB_SPECIAL = frozenset(b"*?[\\")
_ALL = CharSet(((0, MAX_BYTE),))
_NOT_SLASH = CharSet(((0, _SLASH - 1), (_SLASH + 1, MAX_BYTE)))
_SLASH_SET = CharSet(((_SLASH, _SLASH),))


def _ascii(*ranges: tuple[int, int] | int) -> CharSet:
    return CharSet.of([(r, r) if isinstance(r, int) else r for r in ranges])


# git's ctype (git-compat-util.h, ctype.c): ASCII only; its isspace is \t \n \r and space;
# blank and graph come from the C library, which for single bytes is ASCII too.
_CLASSES: dict[bytes, CharSet] = {
    b"alnum": _ascii((48, 57), (65, 90), (97, 122)),
    b"alpha": _ascii((65, 90), (97, 122)),
    b"blank": _ascii(9, 32),
    b"cntrl": _ascii((0, 31), 127),
    b"digit": _ascii((48, 57)),
    b"graph": _ascii((33, 126)),
    b"lower": _ascii((97, 122)),
    b"print": _ascii((32, 126)),
    b"punct": _ascii((33, 47), (58, 64), (91, 96), (123, 126)),
    b"space": _ascii(9, 10, 13, 32),
    b"upper": _ascii((65, 90)),
    b"xdigit": _ascii((48, 57), (65, 70), (97, 102)),
}


def _bracket(pattern: bytes, start: int) -> tuple[CharSet, int] | None:
    """The class opening at ``pattern[start] == '['``: its set (``/`` excluded) and the
    index after its ``]``; None when it is unterminated or malformed."""
    size = len(pattern)
    j = start + 1
    negated = j < size and pattern[j] in b"!^"
    if negated:
        j += 1
    members: set[int] = set()
    named = CharSet(())
    prev = 0  # 0: no character a '-' could start a range from
    while True:
        if j >= size:
            return None
        char = pattern[j]
        if char == _BACKSLASH:
            j += 1
            if j >= size:
                return None
            members.add(pattern[j])
            prev = pattern[j]
        elif char == 0x2D and prev and j + 1 < size and pattern[j + 1] != 0x5D:  # '-'
            j += 1
            high = pattern[j]
            if high == _BACKSLASH:
                j += 1
                if j >= size:
                    return None
                high = pattern[j]
            members.update(range(prev, high + 1))
            prev = 0
        elif char == 0x5B and j + 1 < size and pattern[j + 1] == 0x3A:  # '[:'
            close = pattern.find(b"]", j + 2)
            if close < 0:
                return None
            if close - (j + 2) - 1 < 0 or pattern[close - 1] != 0x3A:
                members.add(char)  # not a [:name:]: a literal '['
                prev = char
            else:
                found = _CLASSES.get(pattern[j + 2 : close - 1])
                if found is None:
                    return None
                named = named.union(found)
                prev = 0
                j = close
        else:
            members.add(char)
            prev = char
        j += 1
        if j < size and pattern[j] == 0x5D:
            break
    charset = CharSet.of(members).union(named)
    if negated:
        charset = charset.complement(MAX_BYTE)
    return charset.minus(_SLASH_SET, MAX_BYTE), j + 1


def wildmatch_tree(pattern: bytes) -> Node:
    """The tree of ``pattern`` under wildmatch with WM_PATHNAME."""
    items: list[Node] = []
    size = len(pattern)
    i = 0
    while i < size:
        char = pattern[i]
        if char == _BACKSLASH:
            if i + 1 >= size:
                return NEVER  # a trailing backslash matches nothing
            items.append(lit(pattern[i + 1]))
            i += 2
        elif char == 0x3F:  # '?'
            items.append(chars(_NOT_SLASH))
            i += 1
        elif char == 0x2A:  # '*'
            j = i
            while j < size and pattern[j] == 0x2A:
                j += 1
            bounded_before = i == 0 or pattern[i - 1] == _SLASH
            if j - i >= 2 and bounded_before and j == size:
                items.append(star(chars(_ALL)))
            elif j - i >= 2 and bounded_before and pattern[j] == _SLASH:
                # Zero or more folders; the slash after `**` is part of it.
                items.append(opt(cat([star(chars(_ALL)), lit(_SLASH)])))
                j += 1
            elif j - i >= 2 and bounded_before and pattern[j : j + 2] == b"\\/":
                items.append(star(chars(_ALL)))  # no zero-folder shortcut before `\/`
            else:
                items.append(star(chars(_NOT_SLASH)))
            i = j
        elif char == 0x5B:  # '['
            found = _bracket(pattern, i)
            if found is None:
                return NEVER
            charset, i = found
            items.append(chars(charset))
        else:
            items.append(lit(char))
            i += 1
    return cat(items)


@lru_cache(maxsize=4096)
def _wildmatcher(pattern: bytes) -> Matcher:
    # The same lines recur across ignore files and scans: compile each once.
    return Matcher(wildmatch_tree(pattern), text_is_bytes=True)


def _simple_length(pattern: bytes) -> int:
    for index, char in enumerate(pattern):
        if char in _GLOB_SPECIAL:
            return index
    return len(pattern)


def trim_trailing_spaces(line: bytes) -> bytes:
    """git's rule: drop trailing spaces unless escaped with a backslash (tabs stay)."""
    last_space = -1
    index = 0
    while index < len(line):
        char = line[index]
        if char == 0x20:
            if last_space < 0:
                last_space = index
        elif char == _BACKSLASH:
            index += 1
            if index >= len(line):
                return line
            last_space = -1
        else:
            last_space = -1
        index += 1
    return line[:last_space] if last_space >= 0 else line


@dataclass(frozen=True, eq=False)
class GitPattern:
    """One pattern line of an ignore file."""

    source: str  # the ignore file, repo-relative ('.gitignore', 'app/.gitignore')
    line: int
    text: str  # the pattern as git keeps it (trimmed), for messages
    negated: bool
    dir_only: bool
    basename_only: bool
    body: bytes = field(repr=False)  # without '!' and the trailing '/'
    prefix: int = field(repr=False)  # length of the literal part git compares first
    ends_with: bool = field(repr=False)
    _matcher: Matcher | None = field(repr=False, default=None)

    @staticmethod
    def parse(raw: bytes, source: str = "", line: int = 0) -> GitPattern:
        """A pattern from one line (already trimmed, not a comment)."""
        text = raw
        negated = text.startswith(b"!")
        if negated:
            text = text[1:]
        size = len(text)
        dir_only = size > 0 and text[-1] == _SLASH
        if dir_only:
            size -= 1
        body = text[:size]
        basename_only = _SLASH not in body
        prefix = min(_simple_length(text), size)
        ends_with = text[:1] == b"*" and _simple_length(text[1:]) == len(text) - 1
        if basename_only:
            matcher = None if prefix == size or ends_with else _wildmatcher(body)
        else:
            rest = body[1:] if body.startswith(b"/") else body
            literal = prefix - 1 if body.startswith(b"/") else prefix
            matcher = _wildmatcher(rest[literal:])
        return GitPattern(
            source=source,
            line=line,
            text=raw.decode("utf-8", "replace"),
            negated=negated,
            dir_only=dir_only,
            basename_only=basename_only,
            body=body,
            prefix=prefix,
            ends_with=ends_with,
            _matcher=matcher,
        )

    def matches(self, path: bytes, is_dir: bool) -> bool:
        """Whether the pattern matches ``path`` (relative to its ignore file's folder)."""
        if self.dir_only and not is_dir:
            return False
        body = self.body
        if self.basename_only:
            name = path[path.rfind(b"/") + 1 :]
            if self.prefix == len(body):
                return name == body
            if self.ends_with:
                return len(body) - 1 <= len(name) and name.endswith(body[1:])
            return self._matcher is not None and self._matcher.fullmatch(name)
        prefix = self.prefix
        if body.startswith(b"/"):
            body, prefix = body[1:], prefix - 1
        if prefix:
            if prefix > len(path) or path[:prefix] != body[:prefix]:
                return False
            if prefix == len(body) and prefix == len(path):
                return True
        return self._matcher is not None and self._matcher.fullmatch(path[prefix:])


def parse_lines(content: bytes | str, source: str = "") -> list[GitPattern]:
    """The patterns of an ignore file's content, as git reads them."""
    data = content if isinstance(content, bytes) else to_utf8(content)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    patterns = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw or raw.startswith(b"#"):
            continue
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        raw = trim_trailing_spaces(raw.split(b"\0", 1)[0])
        patterns.append(GitPattern.parse(raw, source, number))
    return patterns


def _encode(path: str) -> bytes:
    return to_utf8(path)


class GitIgnore:
    """The ignore files of one repository (or of the part of it that was read).

    Add each ``.gitignore`` with its folder relative to the repository top (``""`` for the
    top) and, optionally, the lines of ``$GIT_DIR/info/exclude``. Paths are repository-relative
    with ``/`` separators and no trailing slash.
    """

    _MEMO_LIMIT = 50_000

    def __init__(self) -> None:
        self._files: dict[bytes, list[GitPattern]] = {}
        self._exclude: list[GitPattern] = []
        self._memo: dict[bytes, GitPattern | None] = {}
        self._ordered: list[tuple[bytes, list[GitPattern]]] | None = None

    def add_file(self, folder: str, content: bytes | str, source: str | None = None) -> None:
        """Add the ignore file of ``folder`` (its patterns apply to paths inside it)."""
        base = folder.strip("/")
        base = "" if base == "." else base
        name = source if source is not None else (f"{base}/.gitignore" if base else ".gitignore")
        self._files[_encode(base)] = parse_lines(content, name)
        self._memo.clear()
        self._ordered = None

    def add_exclude(self, content: bytes | str, source: str = ".git/info/exclude") -> None:
        """Add repository-wide patterns (``info/exclude``, ``core.excludesFile``): below
        every ``.gitignore``; a later call beats an earlier one, so add ``core.excludesFile``
        first and ``info/exclude`` second, as git does."""
        self._exclude.extend(parse_lines(content, source))
        self._memo.clear()

    @property
    def sources(self) -> list[str]:
        """The ignore files added, by folder."""
        return [patterns[0].source for patterns in self._files.values() if patterns]

    def _lists_for(self, path: bytes) -> list[tuple[bytes, list[GitPattern]]]:
        # Deepest folder first: a deeper ignore file beats a shallower one.
        if self._ordered is None:
            self._ordered = sorted(self._files.items(), key=lambda item: -len(item[0]))
        return [
            (folder, patterns)
            for folder, patterns in self._ordered
            if not folder or path.startswith(folder + b"/")
        ]

    def _own(self, path: bytes, is_dir: bool) -> GitPattern | None:
        for folder, patterns in self._lists_for(path):
            relative = path[len(folder) + 1 :] if folder else path
            for pattern in reversed(patterns):
                if pattern.matches(relative, is_dir):
                    return pattern
        for pattern in reversed(self._exclude):
            if pattern.matches(path, is_dir):
                return pattern
        return None

    def _excluded_folder(self, folder: bytes) -> GitPattern | None:
        """The pattern that excludes ``folder`` or one of its parents, if any (git checks
        each folder on the way down and does not enter an excluded one)."""
        if len(self._memo) > self._MEMO_LIMIT:
            self._memo.clear()
        found: GitPattern | None = None
        cut = -1
        while True:
            cut = folder.find(b"/", cut + 1)
            ancestor = folder if cut < 0 else folder[:cut]
            if ancestor in self._memo:
                found = self._memo[ancestor]
            else:
                if found is None:
                    own = self._own(ancestor, True)
                    found = own if own is not None and not own.negated else None
                self._memo[ancestor] = found
            if cut < 0:
                return found

    def decider(self, path: str, is_dir: bool = False, parents: bool = True) -> GitPattern | None:
        """The pattern that decides ``path``: the one excluding a parent folder if any, else
        the last matching one (a negated pattern means the path is re-included).

        ``parents=False`` leaves the parent folders out, for a walker that, like git, does
        not enter the folders it found excluded (or that was told to start inside one)."""
        encoded = _encode(path.strip("/"))
        if not encoded:
            return None
        cut = encoded.rfind(b"/")
        if parents and cut > 0:
            parent = self._excluded_folder(encoded[:cut])
            if parent is not None:
                return parent
        return self._own(encoded, is_dir)

    def is_ignored(self, path: str, is_dir: bool = False, parents: bool = True) -> bool:
        """Whether git ignores ``path`` (a folder when ``is_dir``); see ``decider``."""
        pattern = self.decider(path, is_dir, parents)
        return pattern is not None and not pattern.negated

    def where(self, path: str, is_dir: bool = False) -> str | None:
        """``file:line`` of the deciding pattern, for messages."""
        pattern = self.decider(path, is_dir)
        return f"{pattern.source}:{pattern.line}" if pattern is not None else None
