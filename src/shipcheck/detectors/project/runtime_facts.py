"""Facts about how images run, for the port and health-path consistency rules: the
Dockerfile's command, environment and ``EXPOSE`` (:class:`DockerRuntime`), a Compose
service's command, ports and healthcheck (:class:`ComposeRuntime`) and the name of the
Python distribution a pyproject.toml builds (:class:`PythonProject`). Kubernetes containers
are described by :class:`~shipcheck.models.facts.K8sRuntime` facts (see
``detectors/kubernetes/facts.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from shipcheck.detectors.compose.services import (
    command_tokens,
    environment,
    ports,
    services,
)
from shipcheck.detectors.dockerfile.command import image_command
from shipcheck.detectors.dockerfile.stages import environment as image_environment
from shipcheck.detectors.dockerfile.stages import image_instructions
from shipcheck.detectors.dockerfile.syntax import exec_form, locate
from shipcheck.detectors.project.binds import argv_bind, expand
from shipcheck.detectors.registry import fact_extractor
from shipcheck.models.artifacts import ComposeFile, Dockerfile, Instruction, Kind, TomlFile
from shipcheck.models.facts import Fact


@dataclass(frozen=True, kw_only=True)
class ExposedPort:
    """A port of an ``EXPOSE`` instruction, where it is written and as written."""

    port: int
    line: int
    column: int
    raw: str


@dataclass(frozen=True, kw_only=True)
class ImageBind:
    """The address the image's own command binds (see ``binds.Bind``), and where the
    instruction (``keyword``) that decides it is written."""

    server: str
    port: int | None
    default: bool
    unix: bool
    config: str | None
    keyword: str
    line: int
    column: int


@dataclass(frozen=True, kw_only=True)
class DockerRuntime(Fact):
    """How a Dockerfile's image runs, at its final stage: ENTRYPOINT and CMD as argument
    lists, ENV and ARG defaults, EXPOSEd ports and the bind of its own command."""

    entrypoint: tuple[str, ...] | None
    cmd: tuple[str, ...] | None
    env: dict[str, str]
    expose: tuple[ExposedPort, ...]
    bind: ImageBind | None


@dataclass(frozen=True, kw_only=True)
class PublishedPort:
    """A Compose ``ports:`` entry: the container port, as written, and where."""

    target: int
    raw: str
    line: int
    column: int
    end_column: int


@dataclass(frozen=True, kw_only=True)
class Healthcheck:
    """A Compose healthcheck's command text and where its ``test`` is written."""

    text: str
    line: int
    column: int
    end_column: int


@dataclass(frozen=True, kw_only=True)
class ComposeRuntime(Fact):
    """How a Compose service runs: command and entrypoint as token lists, environment,
    published ports, ``expose`` entries, healthcheck, image, and the line of the
    entrypoint (else command)."""

    service: str
    command: tuple[str, ...] | None
    entrypoint: tuple[str, ...] | None
    environment: dict[str, str]
    ports: tuple[PublishedPort, ...]
    expose: tuple[str, ...]
    healthcheck: Healthcheck | None
    image: str | None
    command_line: int


@dataclass(frozen=True, kw_only=True)
class PythonProject(Fact):
    """A pyproject.toml's distribution name (``[project]`` or Poetry's)."""

    name: str


def _argv(instruction: Instruction | None) -> tuple[str, ...] | None:
    if instruction is None:
        return None
    argv = exec_form(instruction.value)
    return tuple(argv) if argv is not None else ("/bin/sh", "-c", instruction.value)


def _tokens(value: Any) -> tuple[str, ...] | None:
    tokens = command_tokens(value)
    return tuple(tokens) if tokens is not None else None


def _expose(doc: Dockerfile, env: dict[str, str]) -> list[ExposedPort]:
    found = []
    for instruction in image_instructions(doc):
        if instruction.keyword != "EXPOSE":
            continue
        for word in instruction.value.split():
            text = expand(word.split("/", 1)[0], env)
            if text is None or not text.isdigit():
                continue
            span = locate(doc, instruction, word)
            found.append(ExposedPort(port=int(text), line=span.line, column=span.column, raw=word))
    return found


@fact_extractor(Kind.DOCKERFILE)
def dockerfile_runtime(doc: Dockerfile) -> Iterator[DockerRuntime]:
    """A :class:`DockerRuntime` fact: ENTRYPOINT/CMD as argument lists, ENV, EXPOSEd ports,
    and the server bind of the image's own command with where it is written."""
    final = doc.final_stage
    if final is None:
        return
    env = {k: v for k, (v, _) in image_environment(doc).items()}
    for instruction in image_instructions(doc):
        if instruction.keyword == "ARG" and "=" in instruction.value:
            key, _, value = instruction.value.partition("=")
            env.setdefault(key.strip(), value.strip().strip("\"'"))
    command = image_command(doc)
    argv = command.argv()
    bind = argv_bind(argv, env) if argv else None
    where: ImageBind | None = None
    if bind is not None:
        owner = command.owner(bind.token or bind.server) or final.instruction
        span = locate(doc, owner, bind.token or bind.server) if owner is not None else None
        where = ImageBind(
            server=bind.server,
            port=bind.port,
            default=bind.default,
            unix=bind.unix,
            config=bind.config,
            keyword=owner.keyword if owner is not None else "CMD",
            line=span.line if span else final.line,
            column=span.column if span else 1,
        )
    yield DockerRuntime(
        path=doc.path,
        line=final.line,
        entrypoint=_argv(command.entrypoint),
        cmd=_argv(command.cmd),
        env=env,
        expose=tuple(_expose(doc, env)),
        bind=where,
    )


def _healthcheck(service: Any, end: Callable[[int], int]) -> Healthcheck | None:
    check = service.get("healthcheck")
    if not isinstance(check, dict) or "test" not in check:
        return None
    test = check.get("test")
    if isinstance(test, list):
        words = [str(t) for t in test]
        if words[:1] == ["NONE"]:
            return None
        text = " ".join(words[1:]) if words[:1] in (["CMD"], ["CMD-SHELL"]) else " ".join(words)
    elif isinstance(test, str):
        text = test
    else:
        return None
    line = check.value_line("test")
    return Healthcheck(
        text=text, line=line, column=check.value_column("test"), end_column=end(line)
    )


@fact_extractor(Kind.COMPOSE)
def compose_runtime(doc: ComposeFile) -> Iterator[ComposeRuntime]:
    """A :class:`ComposeRuntime` fact per service: command/entrypoint, environment,
    published ports with positions, and the healthcheck command."""

    def end(line: int) -> int:
        return len(doc.line_text(line).split(" #", 1)[0].rstrip()) + 1

    for name, service in services(doc):
        image = service.get("image")
        yield ComposeRuntime(
            path=doc.path,
            line=service.line,
            service=name,
            command=_tokens(service.get("command")),
            entrypoint=_tokens(service.get("entrypoint")),
            environment=environment(service),
            ports=tuple(
                PublishedPort(
                    target=p.target,
                    raw=p.raw,
                    line=p.line,
                    column=p.column,
                    end_column=end(p.line),
                )
                for p in ports(service)
            ),
            expose=tuple(str(e) for e in service.get("expose") or [] if isinstance(e, int | str)),
            healthcheck=_healthcheck(service, end),
            image=str(image) if isinstance(image, str) else None,
            command_line=service.value_line("entrypoint" if "entrypoint" in service else "command"),
        )


@fact_extractor(Kind.PYPROJECT)
def python_project(doc: TomlFile) -> Iterator[PythonProject]:
    """A :class:`PythonProject` fact with the distribution's name (``[project]`` or
    Poetry's), which images are commonly named after."""
    project = doc.data.get("project")
    poetry = (
        (doc.data.get("tool") or {}).get("poetry")
        if isinstance(doc.data.get("tool"), dict)
        else None
    )
    for table in (project, poetry):
        if isinstance(table, dict) and isinstance(table.get("name"), str):
            yield PythonProject(path=doc.path, line=1, name=str(table["name"]))
            return
