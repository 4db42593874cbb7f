"""Facts from Kubernetes manifests for cross-file rules: containers (image, probes, ports,
effective user, command), workloads (replicas, pod labels), PodDisruptionBudgets and
autoscalers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shipcheck.detectors.kubernetes.workloads import (
    PROBES,
    Container,
    as_int,
    containers,
    pod_labels,
    pod_spec,
)
from shipcheck.detectors.registry import fact_extractor
from shipcheck.models.artifacts import Kind, KubernetesFile, KubernetesObject
from shipcheck.models.facts import Fact
from shipcheck.parsers.yaml_nodes import get_path

SCALED_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet"})


def plain(value: Any) -> Any:
    """A YAML value as plain JSON-like data (facts cross process boundaries)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v) for v in value]
    return None


def probe_facts(container: Container) -> list[dict[str, Any]]:
    """Each probe: its kind, handler, HTTP path and port with their positions."""
    found = []
    for kind in PROBES:
        probe = container.spec.get(kind)
        if not isinstance(probe, dict):
            continue
        for handler in ("httpGet", "tcpSocket", "grpc", "exec"):
            action = probe.get(handler)
            if not isinstance(action, dict):
                continue
            item: dict[str, Any] = {
                "kind": kind,
                "handler": handler,
                "line": probe.line,
                "column": probe.column,
                "path": None,
                "port": None,
            }
            if isinstance(action.get("path"), str):
                item["path"] = action["path"]
                item["path_line"] = action.value_line("path")
                item["path_column"] = action.value_column("path")
            port = action.get("port")
            if isinstance(port, str | int) and not isinstance(port, bool):
                item["port"] = as_int(port) if as_int(port) is not None else port
                item["port_line"] = action.value_line("port")
                item["port_column"] = action.value_column("port")
                item["port_end_column"] = item["port_column"] + len(str(port))
            if isinstance(action.get("scheme"), str):
                item["scheme"] = action["scheme"].upper()
            found.append(item)
            break
    return found


def container_fact(path: str, container: Container) -> Fact:
    """A ``k8s-runtime`` fact: how the container runs (command, ports, probes, env)."""
    obj = container.obj
    env = {}
    for entry in container.spec.get("env") or []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and "value" in entry:
            env[entry["name"]] = plain(entry.get("value"))
    line, column = container.location()
    return Fact(
        "k8s-runtime",
        path,
        line,
        {
            "name": container.name,
            "workload_kind": obj.kind,
            "workload": obj.name,
            "namespace": obj.namespace if isinstance(obj.namespace, str) else None,
            "image": container.spec.get("image")
            if isinstance(container.spec.get("image"), str)
            else None,
            "image_line": container.spec.value_line("image"),
            "init": container.init,
            "sidecar": container.sidecar,
            "probes": container.probes,
            "probe_specs": probe_facts(container),
            "run_as_non_root": container.run_as_non_root,
            "run_as_user": container.run_as_user,
            "command": _strings(container.spec.get("command")),
            "args": _strings(container.spec.get("args")),
            "command_line": container.spec.value_line("command")
            if "command" in container.spec
            else container.spec.value_line("args"),
            "ports": [
                {
                    "number": p.number,
                    "name": p.name,
                    "line": p.line,
                    "column": p.column,
                    "end_column": p.column + len(str(p.number)),
                }  # fmt: skip
                for p in container.ports()
            ],
            "env": env,
            "column": column,
        },
    )


def _replicas(obj: KubernetesObject) -> tuple[Any, int, int]:
    spec = obj.doc.get("spec")
    if isinstance(spec, dict) and "replicas" in spec:
        value = spec.get("replicas")
        number = as_int(value)
        return (
            (number if number is not None else "templated"),
            spec.value_line("replicas"),
            spec.value_column("replicas"),
        )
    return None, obj.line, obj.doc.column


def workload_fact(path: str, obj: KubernetesObject) -> Fact:
    """A ``k8s-workload`` fact: kind, name, namespace, replicas and pod labels."""
    replicas, line, column = _replicas(obj)
    strategy = get_path(obj.doc, "spec", "strategy", "type")
    name_line = get_path(obj.doc, "metadata")
    return Fact(
        "k8s-workload",
        path,
        line,
        {
            "kind": obj.kind,
            "name": obj.name,
            "namespace": obj.namespace if isinstance(obj.namespace, str) else None,
            "replicas": replicas,
            "column": column,
            "labels": pod_labels(obj),
            "strategy": strategy if isinstance(strategy, str) else None,
            "name_line": name_line.value_line("name") if isinstance(name_line, dict) else obj.line,
            "name_column": name_line.value_column("name") if isinstance(name_line, dict) else 1,
            # A kustomize patch names a Deployment without defining its pods.
            "defines_pods": isinstance(get_path(pod_spec(obj), "containers"), list),
        },
    )


def _selector(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {"match_labels": {}, "match_expressions": [], "valid": False}
    labels = value.get("matchLabels")
    expressions = value.get("matchExpressions")
    return {
        "match_labels": {str(k): str(v) for k, v in labels.items()}
        if isinstance(labels, dict)
        else {},
        "match_expressions": plain(expressions) if isinstance(expressions, list) else [],
        "valid": True,
    }


def policy_facts(path: str, obj: KubernetesObject) -> Iterator[Fact]:
    """``k8s-pdb`` and ``k8s-scaler`` (HorizontalPodAutoscaler, KEDA ScaledObject) facts."""
    namespace = obj.namespace if isinstance(obj.namespace, str) else None
    if obj.kind == "Kustomization":
        yield from _kustomize_replicas(path, obj)
        return
    spec = obj.doc.get("spec")
    if not isinstance(spec, dict):
        return
    if obj.kind == "PodDisruptionBudget":
        yield Fact(
            "k8s-pdb",
            path,
            obj.line,
            {"name": obj.name, "namespace": namespace, **_selector(spec.get("selector"))},
        )
    elif obj.kind in {"HorizontalPodAutoscaler", "ScaledObject"}:
        target = spec.get("scaleTargetRef")
        if not isinstance(target, dict):
            return
        default_min = 1 if obj.kind == "HorizontalPodAutoscaler" else 0
        minimum = spec.get("minReplicas" if obj.kind != "ScaledObject" else "minReplicaCount")
        yield Fact(
            "k8s-scaler",
            path,
            obj.line,
            {
                "name": obj.name,
                "kind": obj.kind,
                "namespace": namespace,
                "target_kind": str(target.get("kind") or "Deployment"),
                "target_name": str(target.get("name") or ""),
                "min_replicas": as_int(minimum) if minimum is not None else default_min,
            },
        )


def _kustomize_replicas(path: str, obj: KubernetesObject) -> Iterator[Fact]:
    """``replicas:`` overrides of a kustomization, as ``k8s-replicas`` facts."""
    items = obj.doc.get("replicas")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            count = as_int(item.get("count"))
            if count is not None:
                yield Fact("k8s-replicas", path, item.line, {"name": item["name"], "count": count})


def kubernetes_facts(doc: KubernetesFile) -> list[Fact]:
    """Every fact of one manifest file."""
    found: list[Fact] = []
    for obj in doc.objects:
        if not isinstance(obj.doc, dict):
            continue
        for container in containers(obj):
            found.append(container_fact(doc.path, container))
        if obj.kind in SCALED_KINDS:
            found.append(workload_fact(doc.path, obj))
        found.extend(policy_facts(doc.path, obj))
    return found


@fact_extractor(Kind.KUBERNETES)
def extract(doc: KubernetesFile) -> Iterator[Fact]:
    """Facts for the project pass."""
    yield from kubernetes_facts(doc)
