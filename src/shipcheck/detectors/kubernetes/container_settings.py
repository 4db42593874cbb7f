"""Facts about what a Kubernetes container is given to run with, for the project pass's
consistency rules: the environment variables it is given (:class:`K8sContainerEnv`),
its CPU and memory limits, liveness probe timing and termination grace
(:class:`K8sContainerLimits`), and the ConfigMaps and Secrets the scanned manifests define
(:class:`K8sConfigData`), which ``envFrom`` refers to.

A container is keyed like :class:`~shipcheck.models.facts.K8sRuntime`: the manifest's path
and the container's line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shipcheck import lazyre
from shipcheck.detectors.kubernetes.workloads import Container, as_int, containers, pod_spec
from shipcheck.detectors.registry import fact_extractor
from shipcheck.models.artifacts import Kind, KubernetesFile, KubernetesObject
from shipcheck.models.facts import Fact
from shipcheck.parsers.yaml_values import LMap, get_path

_CPU = lazyre.compile(r"^\s*(\d+(?:\.\d+)?)(m?)\s*$")
_MEMORY = lazyre.compile(r"^\s*(\d+(?:\.\d+)?)(?:e(\d+))?\s*([KMGTPE]i?|k)?\s*$")
_MEMORY_UNITS = {
    None: 1, "k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15,
    "E": 10**18, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
}  # fmt: skip
# Objects that create a Secret whose keys the manifests do not list.
_SECRET_MAKERS = frozenset({"ExternalSecret", "SealedSecret", "SecretProviderClass",
                            "VaultStaticSecret", "VaultDynamicSecret", "OnePasswordItem",
                            "InfisicalSecret", "DopplerSecret"})  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class EnvFromRef:
    """An ``envFrom`` entry: a ConfigMap or Secret by name, with its key prefix."""

    kind: str  # configMap | secret
    name: str
    prefix: str
    optional: bool


@dataclass(frozen=True, kw_only=True)
class K8sContainerEnv(Fact):
    """The environment a container is given: the ``env`` entries' names (literal values and
    ``valueFrom`` alike) and its ``envFrom`` sources."""

    workload_kind: str
    workload: str
    container: str
    init: bool
    names: tuple[str, ...]
    env_from: tuple[EnvFromRef, ...]


@dataclass(frozen=True, kw_only=True)
class Quantity:
    """A resource quantity as written, its value (CPUs, bytes or seconds) and position."""

    raw: str
    value: float
    line: int
    column: int


@dataclass(frozen=True, kw_only=True)
class K8sContainerLimits(Fact):
    """A long-running container's limits and timing: CPU (cores) and memory (bytes)
    limits, its liveness probe (period, failure threshold, timeout, handler port), the pod's
    ``terminationGracePeriodSeconds`` and a ``preStop`` sleep, each None when unset."""

    workload_kind: str
    workload: str
    container: str
    cpu_limit: Quantity | None
    memory_limit: Quantity | None
    liveness_period: int | None
    liveness_failures: int | None
    liveness_timeout: int | None
    liveness_line: int | None
    grace_period: Quantity | None
    pre_stop_sleep: int | None


@dataclass(frozen=True, kw_only=True)
class K8sConfigData(Fact):
    """A ConfigMap or Secret the manifests define (also a kustomize generator, and objects
    that create a Secret: ExternalSecret, SealedSecret…). ``keys`` are its data keys, None
    when they cannot be read from the manifest; ``env_files`` are files a kustomize
    generator reads its keys from (repository paths)."""

    kind: str  # configMap | secret
    name: str
    keys: tuple[str, ...] | None
    env_files: tuple[str, ...] = ()


def cpu_cores(text: Any) -> float | None:
    """``500m`` → 0.5, ``2`` → 2.0."""
    match = _CPU.match(str(text))
    if match is None or isinstance(text, bool):
        return None
    value = float(match.group(1))
    return value / 1000 if match.group(2) else value


def memory_bytes(text: Any) -> float | None:
    """``512Mi`` → 536870912, ``1G`` → 1e9, ``129e6`` → 1.29e8."""
    match = _MEMORY.match(str(text))
    if match is None or isinstance(text, bool):
        return None
    value = float(match.group(1))
    if match.group(2):
        value *= 10 ** int(match.group(2))
    return value * _MEMORY_UNITS.get(match.group(3), 1)


def _quantity(holder: Any, key: str, parse: Any) -> Quantity | None:
    if not isinstance(holder, dict) or key not in holder:
        return None
    raw = holder.get(key)
    value = parse(raw)
    if value is None:
        return None
    return Quantity(
        raw=str(raw), value=value, line=holder.value_line(key), column=holder.value_column(key)
    )


def _env(container: Container) -> tuple[list[str], list[EnvFromRef]]:
    names = []
    for entry in container.spec.get("env") or []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            names.append(str(entry["name"]))
    refs = []
    for entry in container.spec.get("envFrom") or []:
        if not isinstance(entry, dict):
            continue
        prefix = str(entry.get("prefix") or "")
        for key, kind in (("configMapRef", "configMap"), ("secretRef", "secret")):
            ref = entry.get(key)
            if isinstance(ref, dict):
                refs.append(
                    EnvFromRef(
                        kind=kind,
                        name=str(ref.get("name") or ""),
                        prefix=prefix,
                        optional=ref.get("optional") is True,
                    )
                )
    return names, refs


def _pre_stop_sleep(container: Container) -> int | None:
    hook = get_path(container.spec, "lifecycle", "preStop")
    if not isinstance(hook, dict):
        return None
    sleep = hook.get("sleep")
    if isinstance(sleep, dict):
        return as_int(sleep.get("seconds"))
    command = get_path(hook, "exec", "command")
    if isinstance(command, list):
        text = " ".join(str(c) for c in command)
        match = re.search(r"(?:^|[\s;&/])sleep\s+(\d+)\s*(?:$|[;&])", text)
        if match:
            return int(match.group(1))
    return None


def _limits(obj: KubernetesObject, container: Container, path: str) -> K8sContainerLimits:
    limits = get_path(container.spec, "resources", "limits")
    probe = container.spec.get("livenessProbe")
    probe = probe if isinstance(probe, dict) else None
    pod = pod_spec(obj)
    return K8sContainerLimits(
        path=path,
        line=container.location()[0],
        workload_kind=obj.kind,
        workload=obj.name,
        container=container.name,
        cpu_limit=_quantity(limits, "cpu", cpu_cores),
        memory_limit=_quantity(limits, "memory", memory_bytes),
        liveness_period=as_int(probe.get("periodSeconds")) if probe else None,
        liveness_failures=as_int(probe.get("failureThreshold")) if probe else None,
        liveness_timeout=as_int(probe.get("timeoutSeconds")) if probe else None,
        # The `livenessProbe:` key, not its mapping's first entry.
        liveness_line=(
            container.spec.key_line("livenessProbe", probe.line)
            if probe and isinstance(container.spec, LMap)
            else (probe.line if probe else None)
        ),
        grace_period=_quantity(pod, "terminationGracePeriodSeconds", as_int),
        pre_stop_sleep=_pre_stop_sleep(container),
    )


def _data_keys(obj: KubernetesObject) -> tuple[str, ...]:
    keys: list[str] = []
    for section in ("data", "stringData", "binaryData"):
        value = obj.doc.get(section)
        if isinstance(value, dict):
            keys.extend(str(k) for k in value)
    return tuple(keys)


def _generators(path: str, obj: KubernetesObject) -> Iterator[K8sConfigData]:
    """``configMapGenerator`` / ``secretGenerator`` of a kustomization."""
    folder = path.rpartition("/")[0]
    for section, kind in (("configMapGenerator", "configMap"), ("secretGenerator", "secret")):
        items = obj.doc.get(section)
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            keys = []
            for literal in item.get("literals") or []:
                if isinstance(literal, str) and "=" in literal:
                    keys.append(literal.split("=", 1)[0].strip())
            envs = [e for e in (item.get("envs") or []) if isinstance(e, str)]
            if isinstance(item.get("env"), str):
                envs.append(item["env"])
            yield K8sConfigData(
                path=path,
                line=item.line,
                kind=kind,
                name=str(item["name"]),
                keys=tuple(keys),
                env_files=tuple(f"{folder}/{e}" if folder else e for e in envs),
            )


def config_data(path: str, obj: KubernetesObject) -> Iterator[K8sConfigData]:
    """ConfigMaps, Secrets, generators and Secret-making objects of one manifest object."""
    if obj.kind in {"ConfigMap", "Secret"}:
        kind = "configMap" if obj.kind == "ConfigMap" else "secret"
        yield K8sConfigData(
            path=path, line=obj.line, kind=kind, name=obj.name, keys=_data_keys(obj)
        )
    elif obj.kind == "Kustomization":
        yield from _generators(path, obj)
    elif obj.kind in _SECRET_MAKERS:
        target = get_path(obj.doc, "spec", "target", "name")
        name = target if isinstance(target, str) else obj.name
        yield K8sConfigData(path=path, line=obj.line, kind="secret", name=name, keys=None)


@fact_extractor(Kind.KUBERNETES)
def container_settings_facts(doc: KubernetesFile) -> Iterator[Fact]:
    """:class:`K8sContainerEnv` per container, :class:`K8sContainerLimits` per long-running
    container, :class:`K8sConfigData` per ConfigMap, Secret or generator."""
    for obj in doc.objects:
        if not isinstance(obj.doc, dict):
            continue
        yield from config_data(doc.path, obj)
        for container in containers(obj):
            names, refs = _env(container)
            yield K8sContainerEnv(
                path=doc.path,
                line=container.location()[0],
                workload_kind=obj.kind,
                workload=obj.name,
                container=container.name,
                init=container.init and not container.sidecar,
                names=tuple(names),
                env_from=tuple(refs),
            )
            if container.long_running:
                yield _limits(obj, container, doc.path)
