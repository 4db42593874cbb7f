"""Facts about how Compose and Kubernetes run images, for the container rules' project pass:
:class:`K8sContainer`, :class:`ComposeService` and
:class:`~shipcheck.models.facts.ComposeBuild` (which the deps and project rules read too).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shipcheck import roles
from shipcheck.detectors.kubernetes.workloads import containers
from shipcheck.detectors.registry import fact_extractor
from shipcheck.models.artifacts import ComposeFile, Kind, KubernetesFile
from shipcheck.models.facts import ComposeBuild, Fact


@dataclass(frozen=True, kw_only=True)
class K8sContainer(Fact):
    """A container that runs for its pod's life (init containers other than native
    sidecars are left out): its image, the probe kinds it defines, and its effective
    ``runAsNonRoot`` / ``runAsUser`` (container settings over pod settings)."""

    image: str
    probes: tuple[str, ...]
    run_as_non_root: bool | None
    run_as_user: int | None


@dataclass(frozen=True, kw_only=True)
class ComposeService(Fact):
    """A Compose service: its image, whether it is built, whether it defines a healthcheck
    that runs a test, and its ``user``."""

    service: str
    image: str | None
    build: bool
    healthcheck: bool
    user: str | None


@fact_extractor(Kind.KUBERNETES)
def kubernetes_container_facts(doc: KubernetesFile) -> Iterator[Fact]:
    """One :class:`K8sContainer` per container of a workload (securityContext inheritance
    and probe kinds come from the Kubernetes rules' workload model)."""
    for obj in doc.objects:
        if not isinstance(obj.doc, dict):
            continue
        for container in containers(obj):
            if container.init and not container.sidecar:
                continue
            image = container.spec.get("image")
            user = container.run_as_user
            yield K8sContainer(
                path=doc.path,
                line=container.location()[0],
                image=image if isinstance(image, str) else "",
                probes=tuple(container.probes),
                run_as_non_root=container.run_as_non_root,
                run_as_user=user if isinstance(user, int) else None,
            )


def _healthcheck(service: dict[Any, Any]) -> bool:
    check = service.get("healthcheck")
    if not isinstance(check, dict):
        return False
    if check.get("disable") is True:
        return False
    test = check.get("test")
    if isinstance(test, list) and test and str(test[0]).upper() == "NONE":
        return False
    # Without `test` the service only tunes the image's own HEALTHCHECK.
    return test is not None


def _build(compose_path: str, build: Any) -> tuple[str, str, str | None] | None:
    """Repository paths of a service's build context and Dockerfile, and its target stage."""
    target = None
    if isinstance(build, str):
        context, dockerfile = build, "Dockerfile"
    elif isinstance(build, dict):
        context = build.get("context", ".")
        dockerfile = build.get("dockerfile", "Dockerfile")
        target = build.get("target") if isinstance(build.get("target"), str) else None
        if "dockerfile_inline" in build or not isinstance(dockerfile, str):
            return None
    else:
        return None
    if not isinstance(context, str) or "://" in context or context.startswith("git@"):
        return None
    base = posixpath.dirname(compose_path)
    context_path = posixpath.normpath(posixpath.join(base, context))
    dockerfile_path = posixpath.normpath(posixpath.join(context_path, dockerfile))
    return context_path, dockerfile_path, target


def compose_builds(doc: ComposeFile) -> Iterator[tuple[str, str | None]]:
    """(Dockerfile, target stage) of every service built from a Dockerfile to be deployed:
    not those of development Compose files (``docker-compose.override.yml``, ``*.dev.yml``:
    their role), nor of services that bind-mount their build context over the image, a
    live-reload set-up whose stage (``target: dev``) is not the one that ships."""
    if not roles.of(doc.path).role.ships:
        return
    services = doc.services if isinstance(doc.services, dict) else {}
    for service in services.values():
        if isinstance(service, dict):
            build = _build(doc.path, service.get("build"))
            if build is not None and not _mounts_context(doc.path, service, build[0]):
                yield build[1], build[2]


def _mounts_context(compose_path: str, service: dict[str, Any], context: str) -> bool:
    """Whether ``service`` bind-mounts its build context (the source tree) or a folder of it
    (``./src``, ``./docs``: a name without a suffix) into the container; a single file
    (``./nginx.conf``) is configuration, as in production."""
    volumes = service.get("volumes")
    if not isinstance(volumes, list):
        return False
    base = posixpath.dirname(compose_path)
    for volume in volumes:
        source: Any = None
        if isinstance(volume, str) and ":" in volume:
            source = volume.split(":", 1)[0]
        elif isinstance(volume, dict) and volume.get("type", "bind") == "bind":
            source = volume.get("source")
        if not isinstance(source, str) or not source.startswith((".", "${PWD}", "$PWD")):
            continue
        source = source.replace("${PWD}", ".").replace("$PWD", ".")
        mounted = posixpath.normpath(posixpath.join(base, source))
        if mounted == context:
            return True
        inside = context == "." or mounted.startswith(context + "/")
        if inside and "." not in posixpath.basename(mounted).lstrip("."):
            return True
    return False


@fact_extractor(Kind.COMPOSE)
def compose_service_facts(doc: ComposeFile) -> Iterator[Fact]:
    """A :class:`ComposeService` per service, and a :class:`ComposeBuild` for services built
    from a Dockerfile."""
    services = doc.services if isinstance(doc.services, dict) else {}
    for name, service in services.items():
        if not isinstance(service, dict):
            continue
        line = services.key_line(name) if hasattr(services, "key_line") else 1
        image = service.get("image")
        user = service.get("user")
        yield ComposeService(
            path=doc.path,
            line=line,
            service=str(name),
            image=str(image) if isinstance(image, str) else None,
            build="build" in service,
            healthcheck=_healthcheck(service),
            user=str(user) if user is not None and not isinstance(user, dict | list) else None,
        )
        build = _build(doc.path, service.get("build"))
        if build is None:
            continue
        raw = service.get("command")
        command: str | tuple[str, ...] | None = None
        if isinstance(raw, str):
            command = raw
        elif isinstance(raw, list):
            command = tuple(str(part) for part in raw)
        working_dir = service.get("working_dir")
        has_command = command is not None and hasattr(service, "value_line")
        yield ComposeBuild(
            path=doc.path,
            line=line,
            service=str(name),
            context=build[0],
            dockerfile=build[1],
            target=build[2],
            image=str(image) if isinstance(image, str) else None,
            command=command,
            command_line=service.value_line("command") if has_command else None,
            command_column=service.value_column("command") if has_command else None,
            working_dir=working_dir if isinstance(working_dir, str) else None,
        )
