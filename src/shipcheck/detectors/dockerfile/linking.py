"""Which Compose services and Kubernetes containers run the image a Dockerfile builds.

A Compose service is tied to a Dockerfile by its ``build`` (context + dockerfile). A
Kubernetes container only names an image, so it is tied by name: the ``image:`` of a
Compose service built from the Dockerfile, else the name the image is conventionally
given — the Dockerfile's directory (the repository's own name at the root), plus the
suffix of ``Dockerfile.worker`` / ``worker.Dockerfile``. Anything looser would guess.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from shipcheck.buildcontexts import contexts_of
from shipcheck.detectors.dockerfile.orchestration_facts import ComposeService, K8sContainer
from shipcheck.detectors.dockerfile.syntax import parse_image
from shipcheck.models.facts import ComposeBuild
from shipcheck.project import ProjectModel


@dataclass
class Runners:
    """The orchestrator entries that run one Dockerfile's image."""

    compose_builds: list[ComposeBuild] = field(default_factory=list)
    compose_services: list[ComposeService] = field(default_factory=list)
    k8s_containers: list[K8sContainer] = field(default_factory=list)

    @property
    def any(self) -> bool:
        """Whether anything runs the image."""
        return bool(self.compose_services or self.k8s_containers)


def contexts(project: ProjectModel, dockerfile: str) -> list[str]:
    """Build contexts of ``dockerfile``: from Compose and CI when they build it, else its
    folder (shipcheck.buildcontexts)."""
    return sorted({c.context for c in contexts_of(project, dockerfile)})


def _builds(project: ProjectModel, dockerfile: str) -> list[ComposeBuild]:
    target = posixpath.normpath(dockerfile)
    return [f for f in project.facts_of(ComposeBuild) if f.dockerfile == target]


def image_names(project: ProjectModel, dockerfile: str) -> set[str]:
    """Repository names (last path component) the image is likely pushed as."""
    names = {parse_image(f.image).name for f in _builds(project, dockerfile) if f.image is not None}
    folder = posixpath.dirname(dockerfile)
    base = posixpath.basename(folder) if folder else project.root.resolve().name
    stem = posixpath.basename(dockerfile)
    lowered = stem.lower()
    suffix = ""
    for prefix in ("dockerfile.", "dockerfile-", "dockerfile_", "containerfile."):
        if lowered.startswith(prefix):
            suffix = stem[len(prefix) :]
    for ending in (".dockerfile", ".containerfile"):
        if lowered.endswith(ending):
            suffix = stem[: -len(ending)]
    if suffix:
        names |= {suffix.lower(), f"{base}-{suffix}".lower()}
    elif base:
        names.add(base.lower())
    return names


def runners(project: ProjectModel, dockerfile: str) -> Runners:
    """Compose services and Kubernetes containers that run ``dockerfile``'s image."""
    found = Runners()
    builds = _builds(project, dockerfile)
    found.compose_builds = builds
    built = {(f.path, f.service) for f in builds}
    found.compose_services = [
        f for f in project.facts_of(ComposeService) if (f.path, f.service) in built
    ]
    names = image_names(project, dockerfile)
    for container in project.facts_of(K8sContainer):
        image = container.image
        if image and parse_image(image).name in names:
            found.k8s_containers.append(container)
    return found
