"""Walking pod-carrying Kubernetes objects: pod specs, containers, and the security context
a container ends up with once pod-level defaults are applied."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shipcheck.models.artifacts import KubernetesObject
from shipcheck.parsers.yaml_values import LMap, get_path

POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
POD_LABEL_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("metadata", "labels"),
    "PodTemplate": ("template", "metadata", "labels"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "metadata", "labels"),
}
LONG_RUNNING = frozenset(
    {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"}
)
PROBES = ("readinessProbe", "livenessProbe", "startupProbe")
# securityContext fields a container inherits from the pod when it does not set them itself.
POD_LEVEL_FIELDS = frozenset(
    {"runAsUser", "runAsGroup", "runAsNonRoot", "seLinuxOptions", "seccompProfile",
     "windowsOptions", "appArmorProfile"}
)  # fmt: skip

_EMPTY = LMap()


@dataclass(frozen=True)
class Setting:
    """A securityContext value and the mapping it was read from (for its position)."""

    value: Any
    where: Any  # the LMap holding ``key``, or None when nothing sets it
    key: str
    level: str  # "container", "pod" or "default"

    @property
    def line(self) -> int:
        """Line of the value (the owning mapping's line when it is unset)."""
        return self.where.value_line(self.key) if self.where is not None else 0

    @property
    def column(self) -> int:
        """Column of the value."""
        return self.where.value_column(self.key) if self.where is not None else 0


@dataclass(frozen=True)
class Container:
    """A container of a workload; ``init`` for initContainers (restartPolicy Always marks
    a native sidecar, which runs for the pod's lifetime)."""

    obj: KubernetesObject
    spec: Any
    name: str
    init: bool
    sidecar: bool
    pod: Any = None

    @property
    def label(self) -> str:
        """How messages name it: ``Deployment/web container `app```."""
        if self.sidecar:
            kind = "sidecar container"
        elif self.init:
            kind = "init container"
        else:
            kind = "container"
        return f"{self.obj.kind}/{self.obj.name or '(unnamed)'} {kind} `{self.name}`"

    @property
    def long_running(self) -> bool:
        """Runs for the pod's lifetime in a workload that is meant to keep running."""
        return self.obj.kind in LONG_RUNNING and (not self.init or self.sidecar)

    @property
    def context_key(self) -> str:
        """Fingerprint context: the object and container, not the line."""
        return f"{self.obj.kind}/{self.obj.namespace or ''}/{self.obj.name}/{self.name}"

    @property
    def security_context(self) -> Any:
        """The container's own securityContext mapping (an empty one when absent)."""
        value = self.spec.get("securityContext")
        return value if isinstance(value, dict) else _EMPTY

    @property
    def pod_security_context(self) -> Any:
        """The pod's securityContext mapping (an empty one when absent)."""
        value = self.pod.get("securityContext") if isinstance(self.pod, dict) else None
        return value if isinstance(value, dict) else _EMPTY

    def setting(self, key: str) -> Setting:
        """The effective securityContext ``key``: the container's value, else the pod's
        for fields a pod can set, else unset."""
        own = self.security_context
        if key in own:
            return Setting(own[key], own, key, "container")
        pod = self.pod_security_context
        if key in POD_LEVEL_FIELDS and key in pod:
            return Setting(pod[key], pod, key, "pod")
        return Setting(None, None, key, "default")

    @property
    def run_as_non_root(self) -> bool | None:
        """Effective runAsNonRoot (None when neither level sets a boolean)."""
        value = self.setting("runAsNonRoot").value
        return value if isinstance(value, bool) else None

    @property
    def run_as_user(self) -> int | None:
        """Effective runAsUser (None when unset or not a number)."""
        return as_int(self.setting("runAsUser").value)

    @property
    def probes(self) -> list[str]:
        """Probe kinds the container defines."""
        return [p for p in PROBES if isinstance(self.spec.get(p), dict)]

    def ports(self) -> list[Port]:
        """Declared container ports."""
        items = self.spec.get("ports")
        found: list[Port] = []
        if not isinstance(items, list):
            return found
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            number = as_int(item.get("containerPort"))
            if number is None:
                continue
            name = item.get("name") if isinstance(item.get("name"), str) else None
            line = item.value_line("containerPort") if isinstance(item, LMap) else 0
            column = item.value_column("containerPort") if isinstance(item, LMap) else 1
            found.append(Port(number, name, line, column, index))
        return found

    def location(self) -> tuple[int, int]:
        """Where findings about the container as a whole point: its first key."""
        return getattr(self.spec, "line", self.obj.line), getattr(self.spec, "column", 1)


@dataclass(frozen=True)
class Port:
    """A ``containerPort`` with its optional name and position."""

    number: int
    name: str | None
    line: int
    column: int
    index: int


def as_int(value: Any) -> int | None:
    """An integer from YAML (``8000`` or ``"8000"``), never from a bool."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def pod_spec(obj: KubernetesObject) -> Any:
    """The pod spec of a workload, or None."""
    path = POD_SPEC_PATHS.get(obj.kind)
    spec = get_path(obj.doc, *path) if path else None
    return spec if isinstance(spec, dict) else None


def pod_labels(obj: KubernetesObject) -> dict[str, str]:
    """The labels its pods get (the template's labels)."""
    path = POD_LABEL_PATHS.get(obj.kind, ("spec", "template", "metadata", "labels"))
    labels = get_path(obj.doc, *path)
    if not isinstance(labels, dict):
        return {}
    return {str(k): str(v) for k, v in labels.items() if not isinstance(v, dict | list)}


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
                yield Container(obj, item, str(item.get("name", "?")), init, sidecar, spec)


def all_containers(objects: list[KubernetesObject]) -> Iterator[Container]:
    """Containers of every pod-carrying object, in file order."""
    for obj in objects:
        yield from containers(obj)
