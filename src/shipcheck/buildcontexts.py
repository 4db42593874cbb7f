"""Build contexts: each Dockerfile, the contexts that build it, the ``.dockerignore`` that
applies to each, and the stage each build targets.

A Dockerfile is built from the contexts that Compose (``build.context``/``dockerfile``/
``target``) and CI (``docker build``, ``docker/build-push-action``) give it; with neither,
from its own folder, as ``docker build .`` next to it would. Docker reads
``<Dockerfile>.dockerignore`` next to the Dockerfile when there is one, else the context
root's ``.dockerignore``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shipcheck.models.kinds import Kind
from shipcheck.project import ProjectModel


@dataclass(frozen=True)
class BuildContext:
    """One way a Dockerfile is built."""

    dockerfile: str  # project-relative
    context: str  # project-relative folder ("." for the root)
    ignore_file: str | None  # the .dockerignore Docker reads for this build, if one exists
    target: str | None  # the stage built to (None: the last one)
    source: str  # who builds it: "Compose service `web` (compose.yaml)", "CI (ci.yml)", "default"

    def inside(self, path: str) -> str | None:
        """``path`` relative to the context, or None when it is outside."""
        if self.context == ".":
            return path
        prefix = self.context + "/"
        return path[len(prefix) :] if path.startswith(prefix) else None

    def join(self, rel: str) -> str:
        """A context-relative path as a project-relative one."""
        return rel if self.context == "." else f"{self.context}/{rel}"


def ignore_file(project: ProjectModel, dockerfile: str, context: str) -> str | None:
    """The ignore file Docker reads for ``dockerfile`` built from ``context``, if one exists."""
    joined = ".dockerignore" if context == "." else f"{context}/.dockerignore"
    for candidate in (dockerfile + ".dockerignore", joined):
        if project.exists(candidate):
            return candidate
    return None


def build_contexts(project: ProjectModel) -> dict[str, list[BuildContext]]:
    """Every Dockerfile the project builds or holds → the ways it is built (computed once)."""
    memo = project.memo.get("build_contexts")
    if memo is not None:
        return memo  # type: ignore[no-any-return]
    from shipcheck.models.facts import ComposeBuild, ImageBuild

    found: dict[str, list[BuildContext]] = {}

    def add(dockerfile: str, context: str, target: str | None, source: str) -> None:
        dockerfile, context = posixpath.normpath(dockerfile), posixpath.normpath(context)
        entry = BuildContext(
            dockerfile, context, ignore_file(project, dockerfile, context), target, source
        )
        if entry not in found.setdefault(dockerfile, []):
            found[dockerfile].append(entry)

    for build in project.facts_of(ComposeBuild):
        add(build.dockerfile, build.context, build.target,
            f"Compose service `{build.service}` ({build.path})")  # fmt: skip
    for build in project.facts_of(ImageBuild):
        add(build.dockerfile, build.context, build.target, f"CI job `{build.job}` ({build.path})")
    for dockerfile in project.paths_of(Kind.DOCKERFILE):
        if dockerfile not in found:
            add(dockerfile, posixpath.dirname(dockerfile) or ".", None, "default")
    project.memo["build_contexts"] = found
    return found


def contexts_of(project: ProjectModel, dockerfile: str) -> list[BuildContext]:
    """The ways ``dockerfile`` is built (at least the default one)."""
    dockerfile = posixpath.normpath(dockerfile)
    known = build_contexts(project).get(dockerfile)
    if known:
        return known
    folder = posixpath.dirname(dockerfile) or "."
    return [BuildContext(dockerfile, folder, ignore_file(project, dockerfile, folder), None,
                         "default")]  # fmt: skip


# --- the stage each Dockerfile is built to, known before the file pass -------------------

_TARGETS: dict[str, tuple[str | None, ...]] = {}


def prepass_targets(files: Iterable[Any]) -> dict[str, tuple[str | None, ...]]:
    """Dockerfile → the stages Compose and CI build it to (None: the last stage), read from
    the Compose and CI files among ``files`` (``discover.SourceRef``) before the file pass, so
    that Dockerfile rules judge the stage that ships."""
    builders = [
        ref
        for ref in files
        if ref.kind is Kind.YAML
        and (
            "compose" in (name := posixpath.basename(ref.path).lower())
            or "/.github/workflows/" in f"/{ref.path}"
            or "gitlab-ci" in name
        )
    ]
    if not builders:  # nothing builds an image: spare the Compose and CI models' import
        return {}
    from shipcheck.detectors.dockerfile.orchestration_facts import compose_builds
    from shipcheck.detectors.workflows.builds import image_build_facts
    from shipcheck.models.artifacts import ComposeFile, WorkflowFile
    from shipcheck.parsers import ParseError, parse

    found: dict[str, set[str | None]] = {}
    for ref in builders:
        try:
            data = ref.data if ref.data is not None else Path(ref.abspath).read_bytes()
            if b"build" not in data:
                continue
            doc = parse(ref.path, ref.kind, data)
        except (OSError, ParseError, RecursionError, MemoryError):
            continue
        if isinstance(doc, ComposeFile):
            for dockerfile, target in compose_builds(doc):
                found.setdefault(dockerfile, set()).add(target)
        elif isinstance(doc, WorkflowFile):
            for build in image_build_facts(doc):
                found.setdefault(build.dockerfile, set()).add(build.target)
    return {k: tuple(sorted(v, key=lambda t: (t is not None, t or ""))) for k, v in found.items()}


def use_targets(targets: Mapping[str, tuple[str | None, ...]]) -> None:
    """Install a scan's build targets in this process (the scan's own, or a worker)."""
    _TARGETS.clear()
    _TARGETS.update(targets)


def targets_of(dockerfile: str) -> tuple[str | None, ...]:
    """The stages ``dockerfile`` is built to (``(None,)``: the last, when nothing says)."""
    return _TARGETS.get(posixpath.normpath(dockerfile), (None,))
