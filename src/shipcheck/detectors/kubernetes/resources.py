"""CPU and memory requests and limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shipcheck.detectors.kubernetes.workloads import Container, all_containers
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, KubernetesFile
from shipcheck.models.findings import Hit


def _section(resources: Any, name: str) -> dict[Any, Any]:
    value = resources.get(name) if isinstance(resources, dict) else None
    return value if isinstance(value, dict) else {}


def _set(section: dict[Any, Any], key: str) -> bool:
    value = section.get(key)
    return value is not None and str(value).strip() not in {"", "0"}


def _anchor(container: Container) -> tuple[int, int]:
    """The ``resources:`` key when present, else the container."""
    spec = container.spec
    if "resources" in spec and hasattr(spec, "key_pos"):
        return spec.key_pos["resources"]
    return container.location()


@detector("kubernetes.missing-requests", kind=Kind.KUBERNETES)
def missing_requests(doc: KubernetesFile, params: None) -> Iterator[Hit]:
    """Containers (init containers included) without a CPU or memory request. A limit
    without a request counts as a request: Kubernetes then requests the limit."""
    for container in all_containers(doc.objects):
        resources = container.spec.get("resources")
        requests, limits = _section(resources, "requests"), _section(resources, "limits")
        missing = [r for r in ("cpu", "memory") if not (_set(requests, r) or _set(limits, r))]
        if missing:
            line, column = _anchor(container)
            label = " or ".join("CPU" if r == "cpu" else r for r in missing)
            yield Hit(
                line=line,
                column=column,
                fields={"container": container.label, "missing": label},
                context=f"{container.context_key} requests {' '.join(missing)}",
            )


@detector("kubernetes.missing-memory-limit", kind=Kind.KUBERNETES)
def missing_memory_limit(doc: KubernetesFile, params: None) -> Iterator[Hit]:
    """Containers (init containers included) without a memory limit."""
    for container in all_containers(doc.objects):
        limits = _section(container.spec.get("resources"), "limits")
        if not _set(limits, "memory"):
            line, column = _anchor(container)
            yield Hit(
                line=line,
                column=column,
                fields={"container": container.label},
                context=f"{container.context_key} memory-limit",
            )
