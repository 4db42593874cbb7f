"""The literal environment values deployment artifacts give, with their positions: a
Kubernetes container's ``env`` entries (and its ``configMapKeyRef`` references), a
ConfigMap's ``data`` and a kustomize ``configMapGenerator``'s ``literals``, and a Compose
service's ``environment`` in map and list form. The project pass
(:mod:`.deploy_values`) follows them, with ``envFrom``, ``env_file`` and the ``.env`` file
Compose interpolates from, to the settings of the code each target runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shipcheck.detectors.compose.services import services
from shipcheck.detectors.kubernetes.workloads import containers
from shipcheck.detectors.registry import fact_extractor
from shipcheck.detectors.secrets.yaml_values import local_development
from shipcheck.models.artifacts import ComposeFile, Kind, KubernetesFile
from shipcheck.models.facts import Fact
from shipcheck.parsers.yaml_values import LList, LMap, get_path


@dataclass(frozen=True, kw_only=True)
class EnvValue:
    """``name`` set to the literal ``value`` at ``line``/``column`` (of the value)."""

    name: str
    value: str
    line: int
    column: int


@dataclass(frozen=True, kw_only=True)
class KeyRef:
    """``env: [{name: DEBUG, valueFrom: {configMapKeyRef: {name: web, key: debug}}}]``."""

    name: str
    config_map: str
    key: str


@dataclass(frozen=True, kw_only=True)
class DeployEnv(Fact):
    """The literal environment of one deployment target or ConfigMap.

    ``kind`` is ``kubernetes`` (``key`` = workload kind, workload, container, as
    :class:`~shipcheck.detectors.project.targets.Target` keys it), ``compose`` (``key`` =
    service; ``development`` when the file runs a development server or mounts the source)
    or ``configmap`` (``key`` = its name; kustomize generators included)."""

    kind: str
    key: tuple[str, ...]
    values: tuple[EnvValue, ...]
    refs: tuple[KeyRef, ...] = ()
    development: bool = False


def _scalar(value: Any) -> str | None:
    """The text a YAML scalar gives the environment (YAML's true is "true")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _mapping_values(node: LMap) -> list[EnvValue]:
    found = []
    for key, value in node.items():
        text = _scalar(value)
        if text is not None:
            found.append(
                EnvValue(
                    name=str(key),
                    value=text,
                    line=node.value_line(key),
                    column=node.value_column(key),
                )
            )
    return found


def _list_values(node: LList) -> list[EnvValue]:
    """``- DEBUG=1`` items (``- DEBUG`` alone passes the shell's value through: skipped)."""
    found = []
    for index, item in enumerate(node):
        if not isinstance(item, str) or "=" not in item or index >= len(node.item_pos):
            continue
        name, value = item.split("=", 1)
        line, column = node.item_pos[index]
        found.append(
            EnvValue(name=name.strip(), value=value, line=line, column=column + len(name) + 1)
        )
    return found


def _container_env(spec: Any) -> tuple[list[EnvValue], list[KeyRef]]:
    values: list[EnvValue] = []
    refs: list[KeyRef] = []
    for entry in spec.get("env") or [] if isinstance(spec, dict) else []:
        if not isinstance(entry, LMap) or not isinstance(entry.get("name"), str):
            continue
        name = entry["name"]
        text = _scalar(entry.get("value"))
        if text is not None:
            values.append(
                EnvValue(
                    name=name,
                    value=text,
                    line=entry.value_line("value"),
                    column=entry.value_column("value"),
                )
            )
        ref = get_path(entry, "valueFrom", "configMapKeyRef")
        if isinstance(ref, dict) and isinstance(ref.get("name"), str):
            refs.append(KeyRef(name=name, config_map=ref["name"], key=str(ref.get("key") or "")))
    return values, refs


def _generator_literals(item: LMap) -> list[EnvValue]:
    literals = item.get("literals")
    return _list_values(literals) if isinstance(literals, LList) else []


@fact_extractor(Kind.KUBERNETES)
def kubernetes_env_values(doc: KubernetesFile) -> Iterator[DeployEnv]:
    """A :class:`DeployEnv` per container with literal values or ``configMapKeyRef``s, per
    ConfigMap and per ``configMapGenerator``."""
    for obj in doc.objects:
        if not isinstance(obj.doc, dict):
            continue
        if obj.kind == "ConfigMap" and isinstance(obj.doc.get("data"), LMap):
            yield DeployEnv(
                path=doc.path,
                line=obj.line,
                kind="configmap",
                key=(obj.name,),
                values=tuple(_mapping_values(obj.doc["data"])),
            )
        elif obj.kind == "Kustomization":
            for item in obj.doc.get("configMapGenerator") or []:
                if isinstance(item, LMap) and isinstance(item.get("name"), str):
                    literals = _generator_literals(item)
                    if literals:
                        yield DeployEnv(
                            path=doc.path,
                            line=item.line,
                            kind="configmap",
                            key=(item["name"],),
                            values=tuple(literals),
                        )
        for container in containers(obj):
            if container.init and not container.sidecar:
                continue
            values, refs = _container_env(container.spec)
            if values or refs:
                yield DeployEnv(
                    path=doc.path,
                    line=container.location()[0],
                    kind="kubernetes",
                    key=(obj.kind, obj.name, container.name),
                    values=tuple(values),
                    refs=tuple(refs),
                )


@fact_extractor(Kind.COMPOSE)
def compose_env_values(doc: ComposeFile) -> Iterator[DeployEnv]:
    """A :class:`DeployEnv` per service."""
    development = local_development(doc)
    for name, service in services(doc):
        env = service.get("environment")
        if isinstance(env, LMap):
            values = _mapping_values(env)
        elif isinstance(env, LList):
            values = _list_values(env)
        else:
            values = []  # env_file alone: the project pass reads it
        yield DeployEnv(
            path=doc.path,
            line=service.line,
            kind="compose",
            key=(name,),
            values=tuple(values),
            development=development,
        )
