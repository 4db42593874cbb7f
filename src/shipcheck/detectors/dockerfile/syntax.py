"""Reading instruction arguments: image references, ``--flags``, exec (JSON) form,
``KEY=value`` pairs, and where a piece of an instruction stands in the file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from shipcheck import lazyre
from shipcheck.detectors.dockerfile.shell import SimpleCommand, split_commands
from shipcheck.models.artifacts import Dockerfile, Instruction

_FLAG = lazyre.compile(r"^--([A-Za-z][A-Za-z0-9-]*)(?:=(\S*))?$")
_SHELL_NAMES = frozenset({"sh", "bash", "dash", "ash", "zsh"})


@dataclass(frozen=True)
class ImageRef:
    """``[registry/]repository[:tag][@digest]`` split up. ``repository`` keeps its path
    (``distroless/python3-debian12``) without the registry; ``library/`` is dropped."""

    raw: str
    registry: str | None
    repository: str
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        """The repository's last path component (``python3-debian12``)."""
        return self.repository.rsplit("/", 1)[-1]

    @property
    def unresolved(self) -> bool:
        """The reference still holds a ``$VARIABLE`` nobody gave a default."""
        return "$" in self.raw

    @property
    def is_scratch(self) -> bool:
        """``FROM scratch``: an empty image."""
        return self.raw.lower() == "scratch"

    @property
    def is_distroless(self) -> bool:
        """Google distroless or Chainguard images: no shell, no package manager."""
        lowered = self.raw.lower()
        return "distroless" in lowered or lowered.startswith("cgr.dev/chainguard/")

    @property
    def official_python(self) -> bool:
        """The Docker Official ``python`` image."""
        return self.repository == "python" and self.registry in (None, "docker.io")


def parse_image(reference: str) -> ImageRef:
    """Split an image reference. Never raises."""
    raw = reference.strip()
    rest, _, digest = raw.partition("@")
    registry: str | None = None
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, rest = first.lower(), remainder
    repository, tag = rest, None
    last_slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > last_slash:
        repository, tag = rest[:colon], rest[colon + 1 :]
    if registry in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        registry = "docker.io"
    if repository.startswith("library/") and registry in (None, "docker.io"):
        repository = repository[len("library/") :]
    return ImageRef(raw, registry, repository.lower(), tag or None, digest or None)


def split_flags(value: str) -> tuple[dict[str, list[str]], str]:
    """Leading ``--name=value`` flags of an instruction, and the rest of its value."""
    flags: dict[str, list[str]] = {}
    rest = value.strip()
    while rest.startswith("--"):
        word, _, after = rest.partition(" ")
        match = _FLAG.match(word)
        if not match:
            break
        flags.setdefault(match.group(1).lower(), []).append(match.group(2) or "")
        rest = after.strip()
    return flags, rest


def mount_targets(flags: dict[str, list[str]], mount_type: str) -> list[str]:
    """Targets of ``--mount=type=<mount_type>,target=…`` flags."""
    targets = []
    for spec in flags.get("mount", []):
        options = dict(
            part.split("=", 1) if "=" in part else (part, "") for part in spec.split(",")
        )
        if options.get("type", "bind") == mount_type:
            targets.append(
                options.get("target") or options.get("dst") or options.get("destination") or ""
            )
    return targets


def exec_form(value: str) -> list[str] | None:
    """The argument list of a JSON-form ``CMD``/``ENTRYPOINT``/``RUN``, or None for
    shell form (Docker falls back to shell form for anything that is not a JSON string
    array)."""
    text = value.strip()
    if not text.startswith("["):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    if isinstance(parsed, list) and all(isinstance(item, str) for item in parsed):
        return parsed
    return None


def run_commands(instruction: Instruction) -> list[SimpleCommand]:
    """The simple commands a ``RUN`` executes, heredoc scripts included."""
    _, rest = split_flags(instruction.value)
    argv = exec_form(rest)
    if argv is not None:
        return split_commands(" ".join(_quote(a) for a in argv))
    if instruction.heredoc is None:
        return split_commands(rest)
    # ``RUN <<EOF`` and ``RUN <<EOF bash`` run the body as a shell script; ``RUN python3 <<EOF``
    # feeds it to another program, so only the command line is shell.
    command = re.sub(r"<<-?([\"']?)[A-Za-z_][A-Za-z0-9_]*\1", " ", rest).strip()
    head = command.split()[0].rsplit("/", 1)[-1] if command else ""
    if not command or head in _SHELL_NAMES:
        return split_commands(instruction.heredoc)
    return split_commands(command)


def _quote(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"


def shell_words(value: str, escape: str = "\\") -> list[tuple[str, int]]:
    """Dockerfile word splitting (for ENV/ARG/LABEL): words with their offset in ``value``;
    quotes removed, ``escape`` escapes the next character."""
    words: list[tuple[str, int]] = []
    word: list[str] = []
    start = -1
    quote: str | None = None
    index = 0
    while index < len(value):
        char = value[index]
        if quote is None and char in " \t\n":
            if start >= 0:
                words.append(("".join(word), start))
                word, start = [], -1
            index += 1
            continue
        if start < 0:
            start = index
        if char == escape and index + 1 < len(value) and quote != "'":
            word.append(value[index + 1])
            index += 2
            continue
        if char in "'\"" and quote is None:
            quote = char
        elif char == quote:
            quote = None
        else:
            word.append(char)
        index += 1
    if start >= 0:
        words.append(("".join(word), start))
    return words


@dataclass(frozen=True)
class Pair:
    """``KEY=value`` in an ENV, ARG or LABEL instruction; ``has_value`` is False for a bare
    ``ARG NAME``."""

    key: str
    value: str
    has_value: bool


def pairs(instruction: Instruction, escape: str = "\\") -> list[Pair]:
    """The key/value pairs of ``ENV``/``ARG``/``LABEL``, legacy ``ENV KEY value`` included."""
    words = shell_words(instruction.value, escape)
    if not words:
        return []
    first = words[0][0]
    if instruction.keyword == "ENV" and "=" not in first:
        # Legacy form: one key, the rest of the line is its value.
        rest = instruction.value[len(instruction.value.split(None, 1)[0]) :].strip()
        value = " ".join(w for w, _ in shell_words(rest, escape))
        return [Pair(first, value, True)]
    found = []
    for word, _ in words:
        key, sep, value = word.partition("=")
        found.append(Pair(key, value, bool(sep)))
    return found


@dataclass(frozen=True)
class Span:
    """A 1-based location: line, column, end column (exclusive)."""

    line: int
    column: int
    end_column: int


def find(
    doc: Dockerfile,
    instruction: Instruction,
    needle: str,
    after: int = 0,
    start: Span | None = None,
) -> Span | None:
    """Where ``needle`` first appears in the instruction's source lines, skipping the first
    ``after`` characters of its first line, or everything up to the end of ``start``."""
    if not needle:
        return None
    first = start.line if start is not None else instruction.line
    for line in range(first, instruction.end_line + 1):
        text = doc.line_text(line)
        offset = after if line == instruction.line else 0
        if start is not None and line == start.line:
            offset = max(offset, start.end_column - 1)
        found = text.find(needle, offset)
        if found >= 0:
            return Span(line, found + 1, found + 1 + len(needle))
    return None


def locate(doc: Dockerfile, instruction: Instruction, needle: str, after: int = 0) -> Span:
    """Like :func:`find`, falling back to the instruction's first line."""
    return find(doc, instruction, needle, after) or keyword_span(doc, instruction)


def keyword_span(doc: Dockerfile, instruction: Instruction) -> Span:
    """The instruction's first line, from its keyword to the end of that line."""
    text = doc.line_text(instruction.line)
    indent = len(text) - len(text.lstrip())
    return Span(instruction.line, indent + 1, len(text.rstrip()) + 1)


def short(instruction: Instruction, limit: int = 60) -> str:
    """``KEYWORD value`` on one line, shortened for messages."""
    text = " ".join(f"{instruction.keyword} {instruction.value}".split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def located_commands(doc: Dockerfile, instruction: Instruction) -> list[tuple[SimpleCommand, Span]]:
    """The simple commands of a ``RUN``, each with where its first word stands."""
    found = []
    cursor: Span | None = None
    after = _after_flags(doc.line_text(instruction.line))
    for command in run_commands(instruction):
        if not command.argv:
            continue
        span = find(doc, instruction, command.argv[0], after=after, start=cursor)
        if span is None:
            span = keyword_span(doc, instruction)
        else:
            cursor = span
        found.append((command, span))
    return found


def _after_flags(text: str) -> int:
    """Offset past the keyword and ``--flags`` on an instruction's first line."""
    match = re.match(r"\s*\S+(?:\s+--\S+)*\s*", text)
    return match.end() if match else 0


@dataclass(frozen=True)
class Transfer:
    """A ``COPY``/``ADD``: its flags, sources and destination (heredocs have no source)."""

    flags: dict[str, list[str]]
    sources: list[str]
    dest: str

    @property
    def from_stage(self) -> str | None:
        """``--from=<stage or image>``, if any."""
        values = self.flags.get("from")
        return values[-1] if values else None


def transfer(instruction: Instruction, escape: str = "\\") -> Transfer | None:
    """Read a COPY or ADD instruction; None when it has no destination."""
    flags, rest = split_flags(instruction.value)
    words = exec_form(rest)
    if words is None:
        words = [word for word, _ in shell_words(rest, escape)]
    if instruction.heredoc is not None:
        words = [w for w in words if not w.startswith("<<")]
    if not words:
        return None
    return Transfer(flags, words[:-1], words[-1])


def whole_context(source: str) -> bool:
    """A COPY source that is the whole build context (``.``, ``./``, ``*``)."""
    return source.strip() in (".", "./", "*", "./*", "/")
