"""Facts from Kubernetes manifests for cross-file rules: containers
(:class:`~shipcheck.models.facts.K8sRuntime`: image, probes, ports, effective user,
command), workloads (:class:`K8sWorkload`: replicas, pod labels), PodDisruptionBudgets
(:class:`K8sPdb`), autoscalers (:class:`K8sScaler`) and kustomize replica overrides
(:class:`K8sReplicas`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
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
from shipcheck.models.facts import ContainerPort, Fact, K8sRuntime, Probe
from shipcheck.parsers.yaml_values import get_path

SCALED_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet"})


@dataclass(frozen=True, kw_only=True)
class K8sWorkload(Fact):
    """A Deployment, StatefulSet or ReplicaSet, at its ``replicas`` (else its own line).

    ``replicas`` is the count, ``templated`` when it is not a number, None when unset;
    ``labels`` are the pod template's labels; ``name_line``/``name_column`` locate
    ``metadata.name``; ``defines_pods`` is False for a kustomize patch that names the
    workload without a pod template.
    """

    kind: str
    name: str
    namespace: str | None
    replicas: int | str | None
    column: int
    labels: dict[str, str]
    strategy: str | None
    name_line: int
    name_column: int
    defines_pods: bool


@dataclass(frozen=True, kw_only=True)
class K8sPdb(Fact):
    """A PodDisruptionBudget and its label selector (``match_expressions`` as plain data;
    ``valid`` is False when the selector is not a mapping)."""

    name: str
    namespace: str | None
    match_labels: dict[str, str]
    match_expressions: tuple[Any, ...]
    valid: bool


@dataclass(frozen=True, kw_only=True)
class K8sScaler(Fact):
    """A HorizontalPodAutoscaler or KEDA ScaledObject: what it scales and its minimum
    (None when the minimum is not a number)."""

    name: str
    kind: str
    namespace: str | None
    target_kind: str
    target_name: str
    min_replicas: int | None


@dataclass(frozen=True, kw_only=True)
class K8sReplicas(Fact):
    """A kustomization's ``replicas:`` override for the workload ``name``."""

    name: str
    count: int


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


def probe_facts(container: Container) -> list[Probe]:
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
            item: dict[str, Any] = {}
            if isinstance(action.get("path"), str):
                item["path"] = str(action["path"])
                item["path_line"] = action.value_line("path")
                item["path_column"] = action.value_column("path")
            port = action.get("port")
            if isinstance(port, str | int) and not isinstance(port, bool):
                number = as_int(port)
                item["port"] = number if number is not None else str(port)
                item["port_line"] = action.value_line("port")
                item["port_column"] = action.value_column("port")
                item["port_end_column"] = item["port_column"] + len(str(port))
            if isinstance(action.get("scheme"), str):
                item["scheme"] = action["scheme"].upper()
            found.append(
                Probe(kind=kind, handler=handler, line=probe.line, column=probe.column, **item)
            )
            break
    return found


def container_fact(path: str, container: Container) -> K8sRuntime:
    """A :class:`K8sRuntime` fact: how the container runs (command, ports, probes, env)."""
    obj = container.obj
    env = {}
    for entry in container.spec.get("env") or []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and "value" in entry:
            env[entry["name"]] = plain(entry.get("value"))
    line, column = container.location()
    image = container.spec.get("image")
    command = _strings(container.spec.get("command"))
    args = _strings(container.spec.get("args"))
    return K8sRuntime(
        path=path,
        line=line,
        name=container.name,
        workload_kind=obj.kind,
        workload=obj.name,
        namespace=obj.namespace if isinstance(obj.namespace, str) else None,
        image=str(image) if isinstance(image, str) else None,
        image_line=container.spec.value_line("image"),
        init=container.init,
        sidecar=container.sidecar,
        probes=tuple(container.probes),
        probe_specs=tuple(probe_facts(container)),
        run_as_non_root=container.run_as_non_root,
        run_as_user=container.run_as_user,
        command=tuple(command) if command is not None else None,
        args=tuple(args) if args is not None else None,
        command_line=container.spec.value_line("command")
        if "command" in container.spec
        else container.spec.value_line("args"),
        ports=tuple(
            ContainerPort(
                number=p.number,
                name=p.name,
                line=p.line,
                column=p.column,
                end_column=p.column + len(str(p.number)),
            )
            for p in container.ports()
        ),
        env=env,
        column=column,
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


def workload_fact(path: str, obj: KubernetesObject) -> K8sWorkload:
    """A :class:`K8sWorkload` fact: kind, name, namespace, replicas and pod labels."""
    replicas, line, column = _replicas(obj)
    strategy = get_path(obj.doc, "spec", "strategy", "type")
    name_line = get_path(obj.doc, "metadata")
    return K8sWorkload(
        path=path,
        line=line,
        kind=obj.kind,
        name=obj.name,
        namespace=obj.namespace if isinstance(obj.namespace, str) else None,
        replicas=replicas,
        column=column,
        labels=pod_labels(obj),
        strategy=strategy if isinstance(strategy, str) else None,
        name_line=name_line.value_line("name") if isinstance(name_line, dict) else obj.line,
        name_column=name_line.value_column("name") if isinstance(name_line, dict) else 1,
        # A kustomize patch names a Deployment without defining its pods.
        defines_pods=isinstance(get_path(pod_spec(obj), "containers"), list),
    )


def _pdb(path: str, obj: KubernetesObject, namespace: str | None, selector: Any) -> K8sPdb:
    if not isinstance(selector, dict):
        return K8sPdb(
            path=path,
            line=obj.line,
            name=obj.name,
            namespace=namespace,
            match_labels={},
            match_expressions=(),
            valid=False,
        )
    labels = selector.get("matchLabels")
    expressions = selector.get("matchExpressions")
    return K8sPdb(
        path=path,
        line=obj.line,
        name=obj.name,
        namespace=namespace,
        match_labels={str(k): str(v) for k, v in labels.items()}
        if isinstance(labels, dict)
        else {},
        match_expressions=tuple(plain(expressions)) if isinstance(expressions, list) else (),
        valid=True,
    )


def policy_facts(path: str, obj: KubernetesObject) -> Iterator[Fact]:
    """:class:`K8sPdb`, :class:`K8sScaler` (HorizontalPodAutoscaler, KEDA ScaledObject) and
    :class:`K8sReplicas` facts."""
    namespace = obj.namespace if isinstance(obj.namespace, str) else None
    if obj.kind == "Kustomization":
        yield from _kustomize_replicas(path, obj)
        return
    spec = obj.doc.get("spec")
    if not isinstance(spec, dict):
        return
    if obj.kind == "PodDisruptionBudget":
        yield _pdb(path, obj, namespace, spec.get("selector"))
    elif obj.kind in {"HorizontalPodAutoscaler", "ScaledObject"}:
        target = spec.get("scaleTargetRef")
        if not isinstance(target, dict):
            return
        default_min = 1 if obj.kind == "HorizontalPodAutoscaler" else 0
        minimum = spec.get("minReplicas" if obj.kind != "ScaledObject" else "minReplicaCount")
        yield K8sScaler(
            path=path,
            line=obj.line,
            name=obj.name,
            kind=obj.kind,
            namespace=namespace,
            target_kind=str(target.get("kind") or "Deployment"),
            target_name=str(target.get("name") or ""),
            min_replicas=as_int(minimum) if minimum is not None else default_min,
        )


def _kustomize_replicas(path: str, obj: KubernetesObject) -> Iterator[K8sReplicas]:
    """``replicas:`` overrides of a kustomization, as :class:`K8sReplicas` facts."""
    items = obj.doc.get("replicas")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            count = as_int(item.get("count"))
            if count is not None:
                yield K8sReplicas(path=path, line=item.line, name=str(item["name"]), count=count)


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
