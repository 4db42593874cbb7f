"""Dockerfiles through dockerfile-parse, split into build stages.

dockerfile-parse does not understand BuildKit heredocs (``RUN <<EOF``), so their
bodies are folded into the opening instruction before parsing, line numbers intact,
and kept on :attr:`Instruction.heredoc`.
"""

from __future__ import annotations

import io
import re

from dockerfile_parse import DockerfileParser

from shipcheck.models.artifacts import Dockerfile, Instruction, Kind, Stage
from shipcheck.parsers import ParseError, decode

_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_HEREDOC_INSTRUCTION = re.compile(r"^\s*(RUN|COPY|ADD)\s", re.IGNORECASE)
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+]([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_FROM = re.compile(r"^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?\s*$", re.IGNORECASE)


_ESCAPE = re.compile(r"^#\s*escape\s*=\s*(\S)\s*$", re.IGNORECASE)


def escape_char(lines: list[str]) -> str:
    """The line-continuation character: ``\\`` unless a leading ``# escape=`` says otherwise."""
    for line in lines:
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        match = _ESCAPE.match(stripped)
        if match:
            return match.group(1)
    return "\\"


def _fold_heredocs(lines: list[str]) -> tuple[list[str], dict[int, str]]:
    """Turn heredoc bodies into dummy continuation lines; return bodies by opening line."""
    escape = escape_char(lines)
    prepared = list(lines)
    bodies: dict[int, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        match = _HEREDOC.search(line) if _HEREDOC_INSTRUCTION.match(line) else None
        if not match:
            index += 1
            continue
        word = match.group(3)
        end = next((j for j in range(index + 1, len(lines)) if lines[j].strip() == word), None)
        if end is None:
            index += 1
            continue
        bodies[index + 1] = "\n".join(lines[index + 1 : end])
        prepared[index] = f"{line.rstrip()} {escape}"
        for body_index in range(index + 1, end):
            prepared[body_index] = f"_ {escape}"
        prepared[end] = "_"
        index = end + 1
    return prepared, bodies


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
    prepared, heredocs = _fold_heredocs(text.splitlines())
    try:
        parser = DockerfileParser(
            fileobj=io.BytesIO("\n".join(prepared).encode("utf-8")), env_replace=False
        )
        structure = sorted(parser.structure, key=lambda item: item["startline"])
    except Exception as exc:  # dockerfile-parse raises bare exceptions on odd input
        raise ParseError(f"Dockerfile could not be parsed: {exc}") from None

    artifact = Dockerfile(path=path, kind=Kind.DOCKERFILE, text=text)
    stage_args: dict[str, str] = {}
    for item in structure:
        keyword = str(item["instruction"]).upper()
        if keyword == "COMMENT":
            continue
        line = int(item["startline"]) + 1
        instruction = Instruction(
            keyword=keyword,
            value=str(item["value"]),
            line=line,
            end_line=int(item["endline"]) + 1,
            original=str(item["content"]),
            heredoc=heredocs.get(line),
        )
        if instruction.heredoc is not None:
            instruction.value = instruction.value.split(" _", 1)[0].strip()
        artifact.instructions.append(instruction)
        if keyword == "ARG":
            name, default = _arg_default(instruction.value)
            target = artifact.global_args if not artifact.stages else stage_args
            if default is not None:
                target[name] = default
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
    )
