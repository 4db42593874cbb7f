"""Health checks for service images (container.healthcheck): the image's ``HEALTHCHECK``,
or a probe or healthcheck where Compose or Kubernetes runs it."""

from __future__ import annotations

from collections.abc import Iterator

from shipcheck.detectors.dockerfile.app_run import image_app_module
from shipcheck.detectors.dockerfile.image_facts import DockerfileImage
from shipcheck.detectors.dockerfile.linking import Runners, runners
from shipcheck.detectors.dockerfile.orchestration_facts import K8sContainer
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind
from shipcheck.models.findings import Hit
from shipcheck.project import ProjectModel

_HEALTH_PROBES = ("livenessProbe", "readinessProbe")


@detector(
    "dockerfile.no-healthcheck",
    kind=Kind.PROJECT,
    needs=(Kind.DOCKERFILE,),
)
def no_healthcheck(project: ProjectModel, params: None) -> Iterator[Hit]:
    """An image that serves traffic (EXPOSE, a web server as its command, or ``python
    app.py`` whose module starts a server with ``app.run()``) has no
    HEALTHCHECK (or ``HEALTHCHECK NONE``), no Compose service building it has a
    healthcheck, and no Kubernetes container running it has a liveness or readiness
    probe. When Kubernetes containers have probes but none can be tied to the image, the
    image is given the benefit of the doubt."""
    unlinked_probes = any(
        set(_HEALTH_PROBES) & set(f.probes) for f in project.facts_of(K8sContainer)
    )
    for fact in project.facts_of(DockerfileImage):
        if fact.healthcheck == "cmd":
            continue
        if not fact.service and not image_app_module(project, fact):
            continue
        found = runners(project, fact.path)
        if any(f.healthcheck for f in found.compose_services):
            continue
        if any(set(_HEALTH_PROBES) & set(f.probes) for f in found.k8s_containers):
            continue
        if not found.k8s_containers and unlinked_probes:
            continue
        disabled = fact.healthcheck == "none"
        yield Hit(
            line=fact.line,
            path=fact.path,
            fields={
                "stage": fact.stage,
                "detail": "disables the health check (`HEALTHCHECK NONE`)"
                if disabled
                else "has no HEALTHCHECK",
                "orchestrators": _orchestrators(found),
            },
            context=f"no-healthcheck {fact.stage}",
        )


def _orchestrators(found: Runners) -> str:
    compose, k8s = found.compose_services, found.k8s_containers
    parts = []
    if compose:
        parts.append("Compose service " + ", ".join(f"`{f.service}`" for f in compose))
    if k8s:
        places = sorted({f.path for f in k8s})
        parts.append("the Kubernetes containers in " + ", ".join(places))
    if not parts:
        return "and no Compose service or Kubernetes workload that runs it defines one"
    return f"and neither does {' or '.join(parts)}"
