"""Dockerfiles through dockerfile-parse, split into build stages.

dockerfile-parse reads logical lines well, but not the whole BuildKit grammar, so the
text is prepared first, keeping every line number intact:

- heredocs (``RUN <<EOF`` … ``EOF``, also when the marker sits on a continuation line or
  several heredocs open on one line) become continuation lines; their bodies are kept on
  :attr:`Instruction.heredoc`;
- an empty line inside a continuation, which Docker skips, would end the instruction for
  dockerfile-parse: it becomes a comment line, which both skip;
- the ``# escape=`` directive is honoured (dockerfile-parse knows it too; the preparation
  must continue lines with the same character).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from shipcheck import lazyre
from shipcheck.models.artifacts import Dockerfile, Instruction, Kind, Stage
from shipcheck.parsers import ParseError, decode
from shipcheck.text import split_lines

_HEREDOC = lazyre.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
_DIRECTIVE = lazyre.compile(r"^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(\S.*?)\s*$")
_VAR = lazyre.compile(
    r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+]([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)"
)
_FROM = lazyre.compile(r"^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?\s*$", re.IGNORECASE)
# Stands in for heredoc body lines; cut from the instruction's value after parsing.
_BODY = "__shipcheck_heredoc__"


def directives(lines: list[str]) -> dict[str, str]:
    """Parser directives (``# escape=``, ``# syntax=``): comment lines before anything else."""
    found: dict[str, str] = {}
    for line in lines:
        match = _DIRECTIVE.match(line.strip())
        if not match or match.group(1).lower() in found:
            break
        found[match.group(1).lower()] = match.group(2)
    return found


@dataclass
class _Prepared:
    lines: list[str]
    heredocs: dict[int, str] = field(default_factory=dict)  # 1-based opening line → body


def _continues(line: str, escape: str) -> bool:
    return line.rstrip().endswith(escape)


def _prepare(lines: list[str], escape: str) -> _Prepared:
    """Fold heredocs and blank continuation lines (see the module docstring)."""
    out = _Prepared(lines=list(lines))
    keyword: str | None = None
    start = 0  # where the current instruction begins
    in_continuation = False
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if in_continuation and not stripped:
            out.lines[index] = "#"
            index += 1
            continue
        if stripped.startswith("#"):
            # Docker drops comment lines inside a continuation; elsewhere they end nothing.
            index += 1
            continue
        if not stripped:
            index += 1
            continue
        if not in_continuation:
            start = index
            words = stripped.split(None, 2)
            keyword = words[0].upper()
            if keyword == "ONBUILD" and len(words) > 1:
                keyword = words[1].upper()
        markers = list(_HEREDOC.finditer(line)) if keyword in _HEREDOC_KEYWORDS else []
        end = _fold(lines, index, start, markers, escape, out) if markers else None
        if end is None:
            in_continuation = _continues(line, escape)
            index += 1
        else:
            in_continuation = False
            index = end + 1
    return out


def _fold(
    lines: list[str],
    index: int,
    start_index: int,
    markers: list[re.Match[str]],
    escape: str,
    out: _Prepared,
) -> int | None:
    """Fold the heredocs opened on line ``index`` of the instruction that begins at
    ``start_index``; the index of the last terminator, or None when none is closed."""
    bodies: list[str] = []
    start = index + 1
    for marker in markers:
        word = marker.group(3)
        end = next((j for j in range(start, len(lines)) if lines[j].strip() == word), None)
        if end is None:  # `<<word` inside quotes or an unterminated heredoc: not one
            break
        bodies.append("\n".join(lines[start:end]))
        start = end + 1
    if not bodies:
        return None
    last = start - 1
    out.heredocs[start_index + 1] = "\n".join(bodies)
    out.lines[index] = lines[index].rstrip() + " " + escape
    for body_index in range(index + 1, last):
        out.lines[body_index] = f"{_BODY} {escape}"
    out.lines[last] = _BODY
    return last


def substitute(value: str, variables: dict[str, str]) -> str:
    """Expand ``$VAR``, ``${VAR}`` and ``${VAR:-default}`` where the variable is known."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3)
        if name in variables:
            return variables[name]
        if match.group(2) is not None and match.group(0).find(":-") > 0:
            return match.group(2)
        return match.group(0)

    return _VAR.sub(replace, value)


def _arg_default(value: str) -> tuple[str, str | None]:
    name, sep, default = value.strip().partition("=")
    if not sep:
        return name.strip(), None
    return name.strip(), default.strip().strip("\"'")


def parse(path: str, data: bytes) -> Dockerfile:
    """Parse a Dockerfile into instructions and stages (1-based lines)."""
    text = decode(data)
    if "\x00" in text:
        raise ParseError("binary content, not a Dockerfile")
    lines = split_lines(text)
    found = directives(lines)
    escape = found.get("escape", "\\")
    if escape not in ("\\", "`"):
        escape = "\\"
    prepared = _prepare(lines, escape)
    # Imported here: detectors import this module for `substitute` on runs that parse no
    # Dockerfile (their facts come from the cache).
    from dockerfile_parse import DockerfileParser

    try:
        parser = DockerfileParser(
            fileobj=io.BytesIO("\n".join(prepared.lines).encode("utf-8")), env_replace=False
        )
        structure = sorted(parser.structure, key=lambda item: item["startline"])
    except Exception as exc:  # dockerfile-parse raises bare exceptions on odd input
        raise ParseError(f"Dockerfile could not be parsed: {exc}") from None

    artifact = Dockerfile(
        path=path, kind=Kind.DOCKERFILE, text=text, escape=escape, directives=found
    )
    stage_args: dict[str, str] = {}
    for item in structure:
        keyword = str(item["instruction"]).upper()
        if keyword == "COMMENT":
            continue
        line = int(item["startline"]) + 1
        value = str(item["value"])
        heredoc = prepared.heredocs.get(line)
        if heredoc is not None:
            value = re.sub(rf"\s*{_BODY}", "", value).strip()
        instruction = Instruction(
            keyword=keyword,
            value=value,
            line=line,
            end_line=int(item["endline"]) + 1,
            original="\n".join(lines[line - 1 : int(item["endline"]) + 1]),
            heredoc=heredoc,
        )
        artifact.instructions.append(instruction)
        if keyword == "ARG":
            name, default = _arg_default(instruction.value)
            target = artifact.global_args if not artifact.stages else stage_args
            if default is not None:
                known = {k: v for k, v in artifact.global_args.items() if v}
                target[name] = substitute(default, known) if not artifact.stages else default
            elif not artifact.stages:
                target.setdefault(name, "")
        if keyword == "FROM":
            artifact.stages.append(_stage(instruction, artifact))
            stage_args = {}
        elif artifact.stages:
            artifact.stages[-1].instructions.append(instruction)
    return artifact


def _stage(instruction: Instruction, artifact: Dockerfile) -> Stage:
    match = _FROM.match(instruction.value.strip())
    raw_image = match.group(1) if match else instruction.value.strip()
    name = match.group(2) if match else None
    known = {k: v for k, v in artifact.global_args.items() if v}
    image = substitute(raw_image, known)
    earlier = {s.name.lower(): s.name for s in artifact.stages if s.name}
    parent = earlier.get(image.lower())
    return Stage(
        index=len(artifact.stages),
        image=image,
        raw_image=raw_image,
        name=name,
        line=instruction.line,
        parent_stage=parent,
        instruction=instruction,
    )
