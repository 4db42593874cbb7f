"""Facts about how images run, for the port and health-path consistency rules: the
Dockerfile's command, environment and ``EXPOSE`` (``docker-runtime``) and a Compose service's
command, ports and healthcheck (``compose-runtime``). Kubernetes containers are described by
``k8s-runtime`` facts (see ``detectors/kubernetes/facts.py``)."""

from __future__ import annotations

from collections.abc import Iterator
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


def _argv(instruction: Instruction | None) -> list[str] | None:
    if instruction is None:
        return None
    argv = exec_form(instruction.value)
    return argv if argv is not None else ["/bin/sh", "-c", instruction.value]


def _expose(doc: Dockerfile, env: dict[str, str]) -> list[dict[str, Any]]:
    found = []
    for instruction in image_instructions(doc):
        if instruction.keyword != "EXPOSE":
            continue
        for word in instruction.value.split():
            text = expand(word.split("/", 1)[0], env)
            if text is None or not text.isdigit():
                continue
            span = locate(doc, instruction, word)
            found.append({"port": int(text), "line": span.line, "column": span.column, "raw": word})
    return found


@fact_extractor(Kind.DOCKERFILE)
def dockerfile_runtime(doc: Dockerfile) -> Iterator[Fact]:
    """A ``docker-runtime`` fact: ENTRYPOINT/CMD as argument lists, ENV, EXPOSEd ports, and
    the server bind of the image's own command with where it is written."""
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
    data: dict[str, Any] = {
        "entrypoint": _argv(command.entrypoint),
        "cmd": _argv(command.cmd),
        "env": env,
        "expose": _expose(doc, env),
        "bind": None,
    }
    if bind is not None:
        owner = command.owner(bind.token or bind.server) or final.instruction
        span = locate(doc, owner, bind.token or bind.server) if owner is not None else None
        data["bind"] = {
            "server": bind.server,
            "port": bind.port,
            "default": bind.default,
            "unix": bind.unix,
            "config": bind.config,
            "keyword": owner.keyword if owner is not None else "CMD",
            "line": span.line if span else final.line,
            "column": span.column if span else 1,
        }
    yield Fact("docker-runtime", doc.path, final.line, data)


def _healthcheck(service: Any) -> dict[str, Any] | None:
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
    return {"text": text, "line": line, "column": check.value_column("test")}


@fact_extractor(Kind.COMPOSE)
def compose_runtime(doc: ComposeFile) -> Iterator[Fact]:
    """A ``compose-runtime`` fact per service: command/entrypoint, environment, published
    ports with positions, and the healthcheck command."""

    def end(line: int) -> int:
        return len(doc.line_text(line).split(" #", 1)[0].rstrip()) + 1

    for name, service in services(doc):
        check = _healthcheck(service)
        if check is not None:
            check["end_column"] = end(check["line"])
        yield Fact(
            "compose-runtime",
            doc.path,
            service.line,
            {
                "service": name,
                "command": command_tokens(service.get("command")),
                "entrypoint": command_tokens(service.get("entrypoint")),
                "environment": environment(service),
                "ports": [
                    {
                        "target": p.target,
                        "raw": p.raw,
                        "line": p.line,
                        "column": p.column,
                        "end_column": end(p.line),
                    }
                    for p in ports(service)
                ],
                "expose": [str(e) for e in service.get("expose") or [] if isinstance(e, int | str)],
                "healthcheck": check,
                "image": service.get("image") if isinstance(service.get("image"), str) else None,
                "command_line": service.value_line(
                    "entrypoint" if "entrypoint" in service else "command"
                ),
            },
        )


@fact_extractor(Kind.PYPROJECT)
def python_project(doc: TomlFile) -> Iterator[Fact]:
    """A ``python-project`` fact with the distribution's name (``[project]`` or Poetry's),
    which images are commonly named after."""
    project = doc.data.get("project")
    poetry = (
        (doc.data.get("tool") or {}).get("poetry")
        if isinstance(doc.data.get("tool"), dict)
        else None
    )
    for table in (project, poetry):
        if isinstance(table, dict) and isinstance(table.get("name"), str):
            yield Fact("python-project", doc.path, 1, {"name": table["name"]})
            return
