"""Deployment targets: the processes a deployment starts, whatever describes them — a
Kubernetes container and a Compose service (the runners of :mod:`.runners`: image, effective
command, environment), or a Procfile process — with the application each one runs
(:mod:`.entrypoints`), followed through an entrypoint script of the repository when the
command hands over to one (``exec "$@"``)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from fnmatch import fnmatch
from typing import Any

from shipcheck.detectors.compose.runtime_settings import ComposeEnv
from shipcheck.detectors.dockerfile.app_run import ProcfileProcess
from shipcheck.detectors.dockerfile.image_facts import DockerfileImage
from shipcheck.detectors.project.entrypoints import (
    AppEntry,
    entry_in_text,
    entry_of,
    script_entry,
)
from shipcheck.detectors.project.runners import Runner, compose_runners, kubernetes_runners
from shipcheck.models.artifacts import Kind
from shipcheck.project import ProjectModel


@dataclass
class Target:
    """A process a deployment starts, and where it is declared.

    ``scope`` is where its code comes from (the build context, the Procfile's folder);
    ``env`` the literal environment known to it (image ENV under the orchestrator's);
    ``key`` identifies it across files (kustomize patches, Compose overrides)."""

    kind: str  # kubernetes | compose | procfile
    label: str
    path: str
    line: int
    column: int
    argv: list[str] | None
    text: str | None  # a Procfile command line
    env: dict[str, str]
    scope: str | None
    runner: Runner[Any] | None
    key: tuple[str, ...]
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def dockerfile(self) -> str | None:
        """The Dockerfile that builds its image, when tied to one."""
        return self.runner.dockerfile if self.runner is not None else None

    @property
    def where(self) -> str:
        """How messages name it: the label and, for an image, the Dockerfile."""
        built = f", image built from {self.dockerfile}" if self.dockerfile else ""
        return f"{self.label} ({self.path}{built})"


# The files deployment targets come from: a project without any has none.
TARGET_KINDS = (Kind.KUBERNETES, Kind.COMPOSE, Kind.PROCFILE)


def targets(project: ProjectModel) -> list[Target]:
    """Every Kubernetes container (not init containers), Compose service and Procfile
    process of the project (computed once per scan)."""
    memo = project.memo.get("deployment_targets")
    if memo is not None:
        return memo  # type: ignore[no-any-return]
    found: list[Target] = []
    for runner in kubernetes_runners(project):
        fact = runner.fact
        found.append(
            Target(
                kind="kubernetes",
                label=runner.label,
                path=runner.path,
                line=fact.line,
                column=fact.column,
                argv=runner.argv,
                text=None,
                env=runner.env,
                scope=runner.scope,
                runner=runner,
                key=(fact.workload_kind, fact.workload, fact.name),
            )
        )
    # A service is reported at its name, not at its first setting.
    names = {(f.path, f.service): (f.line, f.column) for f in project.facts_of(ComposeEnv)}
    for runner in compose_runners(project):
        fact = runner.fact
        line, column = names.get((fact.path, fact.service), (fact.line, 1))
        found.append(
            Target(
                kind="compose",
                label=runner.label,
                path=runner.path,
                line=line,
                column=column,
                argv=runner.argv,
                text=None,
                env=runner.env,
                scope=runner.scope,
                runner=runner,
                key=(posixpath.dirname(fact.path), fact.service),
            )
        )
    for process in project.facts_of(ProcfileProcess):
        folder = posixpath.dirname(process.path) or "."
        found.append(
            Target(
                kind="procfile",
                label=f"Procfile process `{process.process}`",
                path=process.path,
                line=process.line,
                column=process.column,
                argv=None,
                text=process.command,
                env={},
                scope=folder,
                runner=None,
                key=(process.path, process.process),
            )
        )
    project.memo["deployment_targets"] = found
    return found


def _image(project: ProjectModel, dockerfile: str) -> DockerfileImage | None:
    return next((f for f in project.facts_of(DockerfileImage) if f.path == dockerfile), None)


def _matches_glob(source: str, name: str) -> bool:
    """Whether a COPY source pattern (``./etc/*.conf``) copies a file named ``name``."""
    pattern = posixpath.basename(source.rstrip("/"))
    return "/" not in name and any(c in pattern for c in "*?[") and fnmatch(name, pattern)


def repo_path(project: ProjectModel, target: Target, word: str) -> str | None:
    """The repository file a path in the target's command names (``/app/entrypoint.sh``,
    ``./bin/start``), through the image's COPY instructions when it runs in an image."""
    dockerfile = target.dockerfile
    scope = target.scope or "."
    candidates: list[str] = []
    if dockerfile is not None:
        image = _image(project, dockerfile)
        if image is not None:
            absolute = posixpath.normpath(posixpath.join(image.workdir, word))
            for copy in image.copies:
                dest = copy.dest.rstrip("/") or "/"
                if absolute.startswith(dest.rstrip("/") + "/"):
                    # Into a folder: ``COPY . /app``, ``COPY bin/ /app/bin/``.
                    inside = absolute[len(dest.rstrip("/")) + 1 :]
                    for source in copy.sources:
                        folder = posixpath.normpath(posixpath.join(scope, source))
                        if _matches_glob(source, inside):
                            # ``COPY ./etc/*.conf /app/etc/``
                            parent = posixpath.dirname(folder)
                            candidates.append(posixpath.join(parent, inside))
                        elif copy.folder or (project.root / folder).is_dir():
                            candidates.append(posixpath.join(folder, inside))
                elif absolute == dest:
                    candidates += [posixpath.join(scope, s) for s in copy.sources]
    elif not word.startswith("/"):
        candidates.append(posixpath.join(scope, word))
    for candidate in candidates:
        normal = posixpath.normpath(candidate)
        if not normal.startswith("..") and project.exists(normal):
            return normal
    return None


def _script_entry(project: ProjectModel, target: Target, argv: list[str]) -> AppEntry | None:
    """Through an entrypoint script of the repository (see ``entrypoints.script_entry``)."""
    path = repo_path(project, target, argv[0])
    text = project.read_text(path) if path else None
    found = script_entry(text, argv[1:]) if text is not None else None
    if found is not None:
        target.extras["script"] = path
    return found


def entry(project: ProjectModel, target: Target) -> AppEntry | None:
    """The application the target runs (None when it cannot be told)."""
    if "entry" in target.extras:
        return target.extras["entry"]  # type: ignore[no-any-return]
    found: AppEntry | None = None
    if target.text is not None:
        found = entry_in_text(target.text)
    elif target.argv:
        found = entry_of(target.argv)
        if found is None and not target.argv[0].startswith("-"):
            found = _script_entry(project, target, target.argv)
    target.extras["entry"] = found
    return found
