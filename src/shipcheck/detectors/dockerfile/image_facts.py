"""The :class:`DockerfileImage` fact: what the project rules need to know about the image a
Dockerfile builds (health check, whether it serves traffic, whole-context copies, and
where the Python script its command runs came from)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck.detectors.dockerfile.command import image_command
from shipcheck.detectors.dockerfile.servers import python_targets, runs_web_server
from shipcheck.detectors.dockerfile.stages import (
    build_variables,
    image_instructions,
    label,
    last,
    targets,
)
from shipcheck.detectors.dockerfile.syntax import find, keyword_span, transfer, whole_context
from shipcheck.detectors.registry import fact_extractor
from shipcheck.models.artifacts import Dockerfile, Kind, Stage
from shipcheck.models.facts import Fact
from shipcheck.parsers.dockerfile import substitute


@dataclass(frozen=True, kw_only=True)
class ContextCopy:
    """A COPY/ADD of the final image from the build context: its sources (context paths),
    absolute destination, and whether the destination is a folder."""

    sources: tuple[str, ...]
    dest: str
    folder: bool


@dataclass(frozen=True, kw_only=True)
class WholeContextCopy:
    """A COPY/ADD of the whole build context, where its keyword is and its text."""

    line: int
    column: int
    text: str


@dataclass(frozen=True, kw_only=True)
class PythonTarget:
    """A Python script or module (``python app.py``, ``python -m shop``) the image's
    command runs, and where it is written."""

    script: str | None
    module: str | None
    keyword: str
    line: int
    column: int
    end_column: int


@dataclass(frozen=True, kw_only=True)
class DockerfileImage(Fact):
    """The final image of a Dockerfile, at its final stage's ``FROM``.

    ``stage`` is how messages name that stage; ``healthcheck`` is None (no HEALTHCHECK),
    ``none`` (``HEALTHCHECK NONE``) or ``cmd``; ``service`` says whether it serves traffic
    (EXPOSE, or a web server as its command); ``workdir`` is its final working directory.
    """

    stage: str
    healthcheck: str | None
    service: bool
    whole_context_copies: tuple[WholeContextCopy, ...]
    python_targets: tuple[PythonTarget, ...]
    copies: tuple[ContextCopy, ...]
    workdir: str


def copies_and_workdir(
    doc: Dockerfile, stage: Stage | None = None
) -> tuple[list[ContextCopy], str]:
    """The copies from the build context and the working directory of the image built to
    ``stage`` (default: the last stage)."""
    final = stage or doc.final_stage
    workdir = "/"
    copies: list[ContextCopy] = []
    if final is None:
        return copies, workdir
    for instruction in image_instructions(doc, final):
        variables = build_variables(doc, final, instruction)
        if instruction.keyword == "WORKDIR":
            target = substitute(instruction.value.strip().strip("\"'"), variables)
            workdir = posixpath.normpath(posixpath.join(workdir, target))
        elif instruction.keyword in ("COPY", "ADD") and instruction.heredoc is None:
            moved = transfer(instruction, doc.escape)
            if moved is None or moved.from_stage is not None:
                continue
            dest = substitute(moved.dest, variables)
            absolute = posixpath.normpath(posixpath.join(workdir, dest))
            copies.append(
                ContextCopy(
                    sources=tuple(posixpath.normpath(s.lstrip("/")) or "." for s in moved.sources),
                    dest=absolute,
                    folder=dest.endswith("/") or dest in (".", "./") or len(moved.sources) > 1,
                )
            )
    return copies, workdir


@fact_extractor(Kind.DOCKERFILE)
def dockerfile_image_fact(doc: Dockerfile) -> Iterator[Fact]:
    """One :class:`DockerfileImage` per stage the Dockerfile is built to (Compose
    ``build.target``, CI ``--target``, else the last stage)."""
    for final in targets(doc):
        yield _image_fact(doc, final)


def _image_fact(doc: Dockerfile, final: Stage) -> DockerfileImage:
    healthcheck = last(doc, "HEALTHCHECK", final)
    command = image_command(doc, final)
    commands = command.commands()
    exposes = last(doc, "EXPOSE", final) is not None
    whole: list[WholeContextCopy] = []
    for instruction in doc.instructions:
        if instruction.keyword in ("COPY", "ADD") and instruction.heredoc is None:
            moved = transfer(instruction, doc.escape)
            if moved and moved.from_stage is None and any(map(whole_context, moved.sources)):
                span = keyword_span(doc, instruction)
                text = " ".join(instruction.value.split())
                whole.append(WholeContextCopy(line=instruction.line, column=span.column, text=text))
    targets: list[PythonTarget] = []
    for target in python_targets(commands):
        token = target.script or target.module or ""
        owner = command.owner(token)
        if owner is None:
            continue
        span = find(doc, owner, token) or keyword_span(doc, owner)
        targets.append(
            PythonTarget(
                script=target.script,
                module=target.module,
                keyword=owner.keyword,
                line=span.line,
                column=span.column,
                end_column=span.end_column,
            )
        )
    copies, workdir = copies_and_workdir(doc, final)
    return DockerfileImage(
        path=doc.path,
        line=final.line,
        stage=label(final, doc),
        healthcheck=(
            None
            if healthcheck is None
            else "none"
            if healthcheck.value.strip().upper().startswith("NONE")
            else "cmd"
        ),
        service=exposes or runs_web_server(commands),
        whole_context_copies=tuple(whole),
        python_targets=tuple(targets),
        copies=tuple(copies),
        workdir=workdir,
    )
