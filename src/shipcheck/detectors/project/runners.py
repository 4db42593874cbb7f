"""What runs the project's application: Kubernetes containers and Compose services joined
with the Dockerfile that builds their image, the command they effectively start (image
ENTRYPOINT/CMD under the orchestrator's overrides) and the port that command listens on."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from shipcheck import roles
from shipcheck.detectors.dockerfile.linking import contexts, image_names
from shipcheck.detectors.dockerfile.syntax import parse_image
from shipcheck.detectors.project.binds import Bind, argv_bind, parse_address
from shipcheck.detectors.project.runtime_facts import ComposeRuntime, DockerRuntime, PythonProject
from shipcheck.models.facts import ComposeBuild, GunicornConfig, K8sRuntime
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


R = TypeVar("R", K8sRuntime, ComposeRuntime, DockerRuntime)


@dataclass
class Runner(Generic[R]):
    """One Kubernetes container, Compose service or Dockerfile image, from its fact."""

    kind: str  # "kubernetes", "compose" or "docker"
    label: str
    path: str
    line: int
    fact: R
    dockerfile: str | None = None
    docker: DockerRuntime | None = None  # how the Dockerfile's image runs
    overridden: bool = False  # the orchestrator replaces the image's command
    server: ServerPort | None = None
    runs_server: bool = False  # the command starts a known Python web server
    unix_socket: bool = False
    scope: str | None = None  # build context: where the app's code is
    extras: dict[str, Any] = field(default_factory=dict)
    # The command the container effectively starts (None: the base image's, unknown) and
    # the literal environment it starts with (image ENV under the orchestrator's env).
    argv: list[str] | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def ours(self) -> bool:
        """Built from this repository, or runs a Python web server."""
        return self.dockerfile is not None or self.runs_server


def _dockerfiles(project: ProjectModel) -> dict[str, DockerRuntime]:
    return {f.path: f for f in project.facts_of(DockerRuntime)}


def _names(project: ProjectModel, dockerfile: str) -> set[str]:
    """Names the image of ``dockerfile`` is likely pushed as: the Dockerfile rules' names,
    plus the name of the Python distribution built next to it."""
    names = image_names(project, dockerfile)
    folder = posixpath.dirname(dockerfile)
    for fact in project.facts_of(PythonProject):
        if posixpath.dirname(fact.path) == folder:
            name = fact.name.lower()
            names |= {name, name.replace("_", "-"), name.replace("-", "_")}
    return names


def _by_image(project: ProjectModel, image: str | None, files: dict[str, Any]) -> str | None:
    if not image:
        return None
    name = parse_image(image).name
    matches = [path for path in sorted(files) if name in _names(project, path)]
    if len(matches) > 1:
        # A devcontainer's or a test image's Dockerfile does not build what is deployed.
        matches = [path for path in matches if roles.of(path).role.ships]
    return matches[0] if len(matches) == 1 else None


def _gunicorn_config(
    project: ProjectModel, bind: Bind, context: str | None
) -> tuple[int, str] | None:
    """The port of the gunicorn config file the command reads (``-c`` or
    ``./gunicorn.conf.py`` in the working directory, taken as the build context)."""
    configs = project.facts_of(GunicornConfig)
    if bind.config:
        base = posixpath.basename(bind.config.removeprefix("python:"))
        chosen = [f for f in configs if posixpath.basename(f.path) == base]
    else:
        expected = posixpath.normpath(posixpath.join(context or ".", "gunicorn.conf.py"))
        chosen = [f for f in configs if f.path == expected]
    if len(chosen) != 1 or not chosen[0].binds:
        return None
    fact = chosen[0]
    for address in fact.binds or ():
        parsed = parse_address(address, "gunicorn", {})
        if parsed.port is not None:
            return parsed.port, f"{fact.path}:{fact.line}"
    return None


def _resolve(
    project: ProjectModel,
    runner: Runner[Any],
    argv: list[str] | None,
    env: dict[str, str],
    where: str,
) -> None:
    docker = runner.docker
    runner.env = env
    runner.argv = argv if argv is not None else image_argv(docker)
    if argv is None and docker is not None and docker.bind is not None:
        image_bind = docker.bind
        bind = Bind(
            image_bind.server,
            image_bind.port,
            default=image_bind.default,
            unix=image_bind.unix,
            config=image_bind.config,
        )
        where = f"{image_bind.keyword} at {runner.dockerfile}:{image_bind.line}"
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


def image_argv(docker: DockerRuntime | None) -> list[str] | None:
    """The image's own command: ENTRYPOINT then CMD (a shell-form ENTRYPOINT ignores CMD)."""
    if docker is None:
        return None
    entrypoint, cmd = list(docker.entrypoint or ()), list(docker.cmd or ())
    if entrypoint[:2] == ["/bin/sh", "-c"]:
        return entrypoint
    return [*entrypoint, *cmd] or None


def _link(project: ProjectModel, runner: Runner[Any], dockerfile: str | None) -> None:
    files = _dockerfiles(project)
    if dockerfile is not None and dockerfile in files:
        runner.dockerfile = dockerfile
        runner.docker = files[dockerfile]
        found = contexts(project, dockerfile)
        runner.scope = found[0] if len(found) == 1 else None


def kubernetes_runners(project: ProjectModel) -> list[Runner[K8sRuntime]]:
    """Long-running containers (and native sidecars) of the project's manifests."""
    files = _dockerfiles(project)
    found = []
    for fact in project.facts_of(K8sRuntime):
        if fact.init and not fact.sidecar:
            continue
        kind = "sidecar container" if fact.sidecar else "container"
        runner = Runner(
            "kubernetes",
            f"{fact.workload_kind}/{fact.workload} {kind} `{fact.name}`",
            fact.path,
            fact.line,
            fact,
        )
        _link(project, runner, _by_image(project, fact.image, files))
        command, args = fact.command, fact.args
        docker = runner.docker
        env = {**(docker.env if docker else {}), **{k: str(v) for k, v in fact.env.items()}}
        argv: list[str] | None = None
        if command or args:
            runner.overridden = True
            if command:
                argv = [*command, *(args or ())]
            else:
                argv = [*((docker.entrypoint if docker else None) or ()), *(args or ())]
        where = f"{'command' if command else 'args'} at {fact.path}:{fact.command_line}"
        _resolve(project, runner, argv, env, where)
        found.append(runner)
    return found


def _compose_builds(project: ProjectModel) -> dict[tuple[str, str], ComposeBuild]:
    return {(f.path, f.service): f for f in project.facts_of(ComposeBuild)}


def compose_runners(project: ProjectModel) -> list[Runner[ComposeRuntime]]:
    """Compose services."""
    files = _dockerfiles(project)
    builds = _compose_builds(project)
    found = []
    for fact in project.facts_of(ComposeRuntime):
        runner = Runner("compose", f"Compose service `{fact.service}`", fact.path, fact.line, fact)
        build = builds.get((fact.path, fact.service))
        if build is not None:
            _link(project, runner, build.dockerfile)
            if runner.dockerfile is not None:
                runner.scope = build.context
        else:
            _link(project, runner, _by_image(project, fact.image, files))
        entrypoint, command = fact.entrypoint, fact.command
        docker = runner.docker
        env = {**(docker.env if docker else {}), **fact.environment}
        argv: list[str] | None = None
        if entrypoint or command:
            runner.overridden = True
            if entrypoint:
                argv = [*entrypoint, *(command or ())]
            else:
                argv = [*((docker.entrypoint if docker else None) or ()), *(command or ())]
        where = f"{'entrypoint' if entrypoint else 'command'} at {fact.path}:{fact.command_line}"
        _resolve(project, runner, argv, env, where)
        found.append(runner)
    return found


def dockerfile_runners(project: ProjectModel) -> list[Runner[DockerRuntime]]:
    """Each Dockerfile's image run as built (no orchestrator override)."""
    found = []
    for fact in project.facts_of(DockerRuntime):
        runner = Runner("docker", fact.path, fact.path, fact.line, fact)
        _link(project, runner, fact.path)
        _resolve(project, runner, None, fact.env, fact.path)
        found.append(runner)
    return found


def framework_label(frameworks: list[str]) -> str:
    """``Flask``, ``FastAPI and Django``."""
    names = [FRAMEWORK_LABELS.get(f, f) for f in frameworks]
    return " and ".join(names) if names else "web"
