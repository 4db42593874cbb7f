"""What runs the project's application: Kubernetes containers and Compose services joined
with the Dockerfile that builds their image, the command they effectively start (image
ENTRYPOINT/CMD under the orchestrator's overrides) and the port that command listens on."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from shipcheck.detectors.dockerfile.linking import contexts, image_names
from shipcheck.detectors.dockerfile.syntax import parse_image
from shipcheck.detectors.project.binds import Bind, argv_bind, parse_address
from shipcheck.models.facts import Fact
from shipcheck.project import ProjectModel

FRAMEWORK_LABELS = {
    "flask": "Flask",
    "fastapi": "FastAPI",
    "starlette": "Starlette",
    "django": "Django",
}


@dataclass(frozen=True)
class ServerPort:
    """The port the app's server listens on, and where that is decided."""

    server: str
    port: int
    where: str  # "Dockerfile:12 (CMD)", "k8s/web.yaml:20 (args)", "gunicorn.conf.py:3"
    default: bool = False


@dataclass
class Runner:
    """One Kubernetes container or Compose service."""

    kind: str  # "kubernetes" or "compose"
    label: str
    path: str
    line: int
    data: dict[str, Any]
    dockerfile: str | None = None
    docker: dict[str, Any] | None = None  # the Dockerfile's docker-runtime data
    overridden: bool = False  # the orchestrator replaces the image's command
    server: ServerPort | None = None
    runs_server: bool = False  # the command starts a known Python web server
    unix_socket: bool = False
    scope: str | None = None  # build context: where the app's code is
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def ours(self) -> bool:
        """Built from this repository, or runs a Python web server."""
        return self.dockerfile is not None or self.runs_server


def _dockerfiles(project: ProjectModel) -> dict[str, dict[str, Any]]:
    return {f.path: f.data for f in project.facts_of("docker-runtime")}


def _names(project: ProjectModel, dockerfile: str) -> set[str]:
    """Names the image of ``dockerfile`` is likely pushed as: the Dockerfile rules' names,
    plus the name of the Python distribution built next to it."""
    names = image_names(project, dockerfile)
    folder = posixpath.dirname(dockerfile)
    for fact in project.facts_of("python-project"):
        if posixpath.dirname(fact.path) == folder:
            name = fact.data["name"].lower()
            names |= {name, name.replace("_", "-"), name.replace("-", "_")}
    return names


def _by_image(project: ProjectModel, image: str | None, files: dict[str, Any]) -> str | None:
    if not image:
        return None
    name = parse_image(image).name
    matches = [path for path in sorted(files) if name in _names(project, path)]
    return matches[0] if len(matches) == 1 else None


def _gunicorn_config(
    project: ProjectModel, bind: Bind, context: str | None
) -> tuple[int, str] | None:
    """The port of the gunicorn config file the command reads (``-c`` or
    ``./gunicorn.conf.py`` in the working directory, taken as the build context)."""
    configs = project.facts_of("gunicorn-config")
    if bind.config:
        base = posixpath.basename(bind.config.removeprefix("python:"))
        chosen = [f for f in configs if posixpath.basename(f.path) == base]
    else:
        expected = posixpath.normpath(posixpath.join(context or ".", "gunicorn.conf.py"))
        chosen = [f for f in configs if f.path == expected]
    if len(chosen) != 1 or not chosen[0].data["binds"]:
        return None
    fact = chosen[0]
    for address in fact.data["binds"]:
        parsed = parse_address(address, "gunicorn", {})
        if parsed.port is not None:
            return parsed.port, f"{fact.path}:{fact.line}"
    return None


def _resolve(
    project: ProjectModel,
    runner: Runner,
    argv: list[str] | None,
    env: dict[str, str],
    where: str,
) -> None:
    docker = runner.docker
    if argv is None and docker is not None and docker.get("bind"):
        bind_data = docker["bind"]
        bind = Bind(
            bind_data["server"],
            bind_data["port"],
            default=bind_data["default"],
            unix=bind_data["unix"],
            config=bind_data["config"],
        )
        where = f"{bind_data['keyword']} at {runner.dockerfile}:{bind_data['line']}"
    elif argv:
        found = argv_bind(argv, env)
        if found is None:
            return
        bind = found
    else:
        return
    runner.runs_server = True
    runner.unix_socket = bind.unix
    port, default = bind.port, bind.default
    if bind.server == "gunicorn" and port is None and not bind.unix:
        from_config = _gunicorn_config(project, bind, runner.scope)
        if from_config is not None:
            port, where = from_config[0], from_config[1]
            default = False
    if port is not None:
        if default:
            where = f"{where}, {bind.server}'s default port"
        runner.server = ServerPort(bind.server, port, where, default)


def _link(project: ProjectModel, runner: Runner, dockerfile: str | None) -> None:
    files = _dockerfiles(project)
    if dockerfile is not None and dockerfile in files:
        runner.dockerfile = dockerfile
        runner.docker = files[dockerfile]
        found = contexts(project, dockerfile)
        runner.scope = found[0] if len(found) == 1 else None


def kubernetes_runners(project: ProjectModel) -> list[Runner]:
    """Long-running containers (and native sidecars) of the project's manifests."""
    files = _dockerfiles(project)
    found = []
    for fact in project.facts_of("k8s-runtime"):
        data = fact.data
        if data["init"] and not data["sidecar"]:
            continue
        kind = "sidecar container" if data["sidecar"] else "container"
        runner = Runner(
            "kubernetes",
            f"{data['workload_kind']}/{data['workload']} {kind} `{data['name']}`",
            fact.path,
            fact.line,
            data,
        )
        _link(project, runner, _by_image(project, data["image"], files))
        command, args = data["command"], data["args"]
        docker = runner.docker or {}
        env = {**(docker.get("env") or {}), **{k: str(v) for k, v in data["env"].items()}}
        argv: list[str] | None = None
        if command or args:
            runner.overridden = True
            if command:
                argv = command + (args or [])
            else:
                argv = (docker.get("entrypoint") or []) + (args or [])
        where = f"{'command' if command else 'args'} at {fact.path}:{data['command_line']}"
        _resolve(project, runner, argv, env, where)
        found.append(runner)
    return found


def _compose_builds(project: ProjectModel) -> dict[tuple[str, str], Fact]:
    return {(f.path, f.data["service"]): f for f in project.facts_of("compose-build")}


def compose_runners(project: ProjectModel) -> list[Runner]:
    """Compose services."""
    files = _dockerfiles(project)
    builds = _compose_builds(project)
    found = []
    for fact in project.facts_of("compose-runtime"):
        data = fact.data
        runner = Runner(
            "compose", f"Compose service `{data['service']}`", fact.path, fact.line, data
        )
        build = builds.get((fact.path, data["service"]))
        if build is not None:
            _link(project, runner, build.data.get("dockerfile"))
            if runner.dockerfile is not None:
                runner.scope = build.data.get("context")
        else:
            _link(project, runner, _by_image(project, data["image"], files))
        entrypoint, command = data["entrypoint"], data["command"]
        docker = runner.docker or {}
        env = {**(docker.get("env") or {}), **data["environment"]}
        argv: list[str] | None = None
        if entrypoint or command:
            runner.overridden = True
            if entrypoint:
                argv = entrypoint + (command or [])
            else:
                argv = (docker.get("entrypoint") or []) + command
        where = f"{'entrypoint' if entrypoint else 'command'} at {fact.path}:{data['command_line']}"
        _resolve(project, runner, argv, env, where)
        found.append(runner)
    return found


def dockerfile_runners(project: ProjectModel) -> list[Runner]:
    """Each Dockerfile's image run as built (no orchestrator override)."""
    found = []
    for fact in project.facts_of("docker-runtime"):
        runner = Runner("docker", fact.path, fact.path, fact.line, fact.data)
        _link(project, runner, fact.path)
        _resolve(project, runner, None, fact.data.get("env") or {}, fact.path)
        found.append(runner)
    return found


def framework_label(frameworks: list[str]) -> str:
    """``Flask``, ``FastAPI and Django``."""
    names = [FRAMEWORK_LABELS.get(f, f) for f in frameworks]
    return " and ".join(names) if names else "web"
