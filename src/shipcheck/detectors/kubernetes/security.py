"""Security contexts: who a container runs as and what it may do to the node."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shipcheck.detectors.kubernetes.workloads import Container, all_containers, pod_spec
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, KubernetesFile
from shipcheck.models.findings import Hit, Severity

# Capabilities that amount to root on the node whatever else is dropped.
DANGEROUS_CAPABILITIES = frozenset(
    {"ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO", "DAC_READ_SEARCH", "BPF",
     "SYS_BOOT", "MAC_ADMIN"}
)  # fmt: skip
RUNTIME_SOCKETS = frozenset(
    {"/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd/containerd.sock",
     "/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/run/crio/crio.sock",
     "/var/run/cri-dockerd.sock"}
)  # fmt: skip
SENSITIVE_HOST_PATHS = ("/", "/etc", "/proc", "/sys", "/root", "/var/lib/kubelet", "/boot", "/dev")


def _windows(container: Container) -> bool:
    os_name = container.pod.get("os") if isinstance(container.pod, dict) else None
    return isinstance(os_name, dict) and str(os_name.get("name", "")).lower() == "windows"


@detector("kubernetes.run-as-root", kind=Kind.KUBERNETES)
def run_as_root(doc: KubernetesFile, params: None) -> Iterator[Hit]:
    """Containers that run as UID 0 (high), or that do not enforce a non-root user at all
    (medium: the image's USER decides). Pod-level settings are inherited."""
    for container in all_containers(doc.objects):
        if _windows(container):
            continue
        user = container.setting("runAsUser")
        non_root = container.setting("runAsNonRoot")
        if container.run_as_user == 0:
            where = "the pod's securityContext" if user.level == "pod" else "its securityContext"
            yield Hit(
                line=user.line,
                column=user.column,
                fields={
                    "container": container.label,
                    "problem": f"runs as root (runAsUser: 0 in {where})",
                },
                context=f"{container.context_key} uid0",
            )
        elif container.run_as_user is None and container.run_as_non_root is not True:
            if non_root.value is False:
                line, column = non_root.line, non_root.column
                problem = (
                    "sets runAsNonRoot: false and no runAsUser, so it runs as the image's user"
                )
            else:
                line, column = container.location()
                problem = (
                    "does not enforce a non-root user (no runAsNonRoot: true or runAsUser > 0 "
                    "in the container or pod securityContext)"
                )
            yield Hit(
                line=line,
                column=column,
                fields={"container": container.label, "problem": problem},
                severity=Severity.MEDIUM,
                context=f"{container.context_key} non-root-unset",
            )


@detector("kubernetes.privilege-escalation", kind=Kind.KUBERNETES)
def privilege_escalation(doc: KubernetesFile, params: None) -> Iterator[Hit]:
    """Containers that do not set ``allowPrivilegeEscalation: false`` (explicit ``true`` is
    high). Privileged containers are left to the privileged rule."""
    for container in all_containers(doc.objects):
        if container.setting("privileged").value is True:
            continue
        setting = container.setting("allowPrivilegeEscalation")
        if setting.value is False:
            continue
        if setting.value is True:
            yield Hit(
                line=setting.line,
                column=setting.column,
                fields={
                    "container": container.label,
                    "setting": "sets allowPrivilegeEscalation: true",
                },
                severity=Severity.HIGH,
                context=f"{container.context_key} ape-true",
            )
        else:
            line, column = container.location()
            yield Hit(
                line=line,
                column=column,
                fields={
                    "container": container.label,
                    "setting": "does not set allowPrivilegeEscalation: false",
                },
                context=f"{container.context_key} ape-unset",
            )


@detector("kubernetes.privileged", kind=Kind.KUBERNETES)
def privileged(doc: KubernetesFile, params: None) -> Iterator[Hit]:
    """Containers with ``privileged: true``."""
    for container in all_containers(doc.objects):
        setting = container.setting("privileged")
        if setting.value is True:
            yield Hit(
                line=setting.line,
                column=setting.column,
                fields={"container": container.label},
                context=f"{container.context_key} privileged",
            )


def _caps(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [str(c).strip().upper().removeprefix("CAP_") for c in value if isinstance(c, str | int)]


@detector("kubernetes.added-capabilities", kind=Kind.KUBERNETES)
def added_capabilities(doc: KubernetesFile, params: None) -> Iterator[Hit]:
    """Containers that add Linux capabilities without dropping ALL (medium), or that add one
    that amounts to root on the node, such as SYS_ADMIN (high, whatever is dropped)."""
    for container in all_containers(doc.objects):
        caps = container.setting("capabilities").value
        if not isinstance(caps, dict) or "add" not in caps:
            continue
        added = _caps(caps.get("add"))
        if not added:
            continue
        dropped = _caps(caps.get("drop"))
        dangerous = [c for c in added if c in DANGEROUS_CAPABILITIES]
        line, column = caps.value_line("add"), caps.value_column("add")
        names = ", ".join(added)
        if dangerous:
            yield Hit(
                line=line,
                column=column,
                fields={
                    "container": container.label,
                    "problem": f"adds {', '.join(dangerous)}, which is as good as root on the node",
                },
                severity=Severity.HIGH,
                context=f"{container.context_key} caps {names}",
            )
        elif "ALL" not in dropped:
            yield Hit(
                line=line,
                column=column,
                fields={
                    "container": container.label,
                    "problem": f"adds {names} but does not drop ALL, so it keeps the runtime's "
                    "default capabilities as well",
                },
                context=f"{container.context_key} caps {names}",
            )


@detector("kubernetes.writable-root-filesystem", kind=Kind.KUBERNETES)
def writable_root_filesystem(doc: KubernetesFile, params: None) -> Iterator[Hit]:
    """Containers without ``readOnlyRootFilesystem: true``."""
    for container in all_containers(doc.objects):
        setting = container.setting("readOnlyRootFilesystem")
        if setting.value is True:
            continue
        if setting.value is False:
            line, column = setting.line, setting.column
            how = "sets readOnlyRootFilesystem: false"
        else:
            line, column = container.location()
            how = "does not set readOnlyRootFilesystem: true"
        yield Hit(
            line=line,
            column=column,
            fields={"container": container.label, "setting": how},
            context=f"{container.context_key} rofs",
        )


@detector("kubernetes.host-namespaces", kind=Kind.KUBERNETES)
def host_namespaces(doc: KubernetesFile, params: None) -> Iterator[Hit]:
    """Pods sharing the node's network, process or IPC namespace."""
    for obj in doc.objects:
        spec = pod_spec(obj)
        if spec is None:
            continue
        for key, what in (
            ("hostNetwork", "network"),
            ("hostPID", "process (PID)"),
            ("hostIPC", "IPC"),
        ):
            if spec.get(key) is True:
                yield Hit(
                    line=spec.value_line(key),
                    column=spec.key_pos[key][1],
                    fields={"workload": f"{obj.kind}/{obj.name}", "field": key, "namespace": what},
                    context=f"{obj.kind}/{obj.namespace or ''}/{obj.name} {key}",
                )


def _mounts(spec: Any, volume: str) -> list[Any]:
    """volumeMounts (of any container) that mount ``volume``."""
    found = []
    for key in ("initContainers", "containers", "ephemeralContainers"):
        items = spec.get(key)
        for item in items if isinstance(items, list) else []:
            mounts = item.get("volumeMounts") if isinstance(item, dict) else None
            for mount in mounts if isinstance(mounts, list) else []:
                if isinstance(mount, dict) and mount.get("name") == volume:
                    found.append(mount)
    return found


def _sensitive(path: str) -> bool:
    clean = "/" + path.strip().strip("/")
    return any(clean == p or (p != "/" and clean.startswith(p + "/")) for p in SENSITIVE_HOST_PATHS)


@detector("kubernetes.host-path", kind=Kind.KUBERNETES)
def host_path(doc: KubernetesFile, params: None) -> Iterator[Hit]:
    """``hostPath`` volumes: a container runtime socket (critical), a writable or sensitive
    host directory (high), any other read-only host directory (medium)."""
    for obj in doc.objects:
        spec = pod_spec(obj)
        volumes = spec.get("volumes") if spec is not None else None
        if not isinstance(volumes, list):
            continue
        for volume in volumes:
            source = volume.get("hostPath") if isinstance(volume, dict) else None
            if not isinstance(source, dict) or not isinstance(source.get("path"), str):
                continue
            path = source["path"].strip()
            mounts = _mounts(spec, volume.get("name"))
            writable = not mounts or any(m.get("readOnly") is not True for m in mounts)
            if path.rstrip("/") in RUNTIME_SOCKETS:
                severity, detail = (
                    Severity.CRITICAL,
                    "the container runtime socket: root on the node",
                )
            elif _sensitive(path):
                severity, detail = Severity.HIGH, "a sensitive host directory"
            elif writable:
                severity, detail = Severity.HIGH, "mounted writable"
            else:
                severity, detail = Severity.MEDIUM, "read-only"
            yield Hit(
                line=source.value_line("path"),
                column=source.value_column("path"),
                fields={"workload": f"{obj.kind}/{obj.name}", "path": path, "detail": detail},
                severity=severity,
                context=f"{obj.kind}/{obj.namespace or ''}/{obj.name} hostPath {path}",
            )
