"""Walking pod-carrying Kubernetes objects: pod specs and their containers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shipcheck.models.artifacts import KubernetesObject
from shipcheck.parsers.yaml_nodes import get_path

POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
LONG_RUNNING = frozenset(
    {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"}
)


@dataclass(frozen=True)
class Container:
    """A container of a workload; ``init`` for initContainers (restartPolicy Always marks
    a native sidecar, which runs for the pod's lifetime)."""

    obj: KubernetesObject
    spec: Any
    name: str
    init: bool
    sidecar: bool

    @property
    def label(self) -> str:
        """How messages name it: ``Deployment/web container app``."""
        kind = "init container" if self.init and not self.sidecar else "container"
        return f"{self.obj.kind}/{self.obj.name} {kind} `{self.name}`"


def pod_spec(obj: KubernetesObject) -> Any:
    """The pod spec of a workload, or None."""
    path = POD_SPEC_PATHS.get(obj.kind)
    spec = get_path(obj.doc, *path) if path else None
    return spec if isinstance(spec, dict) else None


def containers(obj: KubernetesObject) -> Iterator[Container]:
    """Every container and init container of a workload."""
    spec = pod_spec(obj)
    if spec is None:
        return
    for key, init in (("initContainers", True), ("containers", False)):
        items = spec.get(key)
        if not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, dict):
                sidecar = init and item.get("restartPolicy") == "Always"
                yield Container(obj, item, str(item.get("name", "?")), init, sidecar)
