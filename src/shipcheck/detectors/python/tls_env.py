"""Environment switches that turn TLS verification off for Python clients
(code.tls-verification): ``PYTHONHTTPSVERIFY=0`` (the ``ssl`` module's default context for
``urllib``/``http.client``), ``CURL_CA_BUNDLE=""`` and ``REQUESTS_CA_BUNDLE=""`` (requests
and the tools built on it), set in a Dockerfile (``ENV``/``ARG``), a Compose service or a
Kubernetes container."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shipcheck.detectors.compose.services import environment
from shipcheck.detectors.dockerfile.stages import shipped
from shipcheck.detectors.dockerfile.syntax import locate, pairs
from shipcheck.detectors.kubernetes.workloads import all_containers
from shipcheck.models.artifacts import Artifact, ComposeFile, Dockerfile, KubernetesFile
from shipcheck.models.findings import Hit

_EMPTY_MEANS_OFF = ("CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE")


def switch_off(name: str, value: str) -> str | None:
    """How ``name=value`` disables verification, or None."""
    value = value.strip().strip("\"'").strip()
    if name == "PYTHONHTTPSVERIFY" and value == "0":
        return "`PYTHONHTTPSVERIFY=0` turns off certificate checks of Python's default context"
    if name in _EMPTY_MEANS_OFF and value == "":
        return f'`{name}=""` makes requests-based clients skip certificate checks'
    return None


def tls_env_hits(doc: Artifact) -> Iterator[Hit]:
    """Hits for the environment switches in a Dockerfile, Compose or Kubernetes file."""
    if isinstance(doc, Dockerfile):
        yield from _dockerfile(doc)
    elif isinstance(doc, ComposeFile):
        yield from _compose(doc)
    elif isinstance(doc, KubernetesFile):
        yield from _kubernetes(doc)


def _dockerfile(doc: Dockerfile) -> Iterator[Hit]:
    ships = {id(s) for s in shipped(doc)}
    for stage in doc.stages:
        for instruction in stage.instructions:
            if instruction.keyword not in ("ENV", "ARG"):
                continue
            for pair in pairs(instruction, doc.escape):
                if not pair.has_value:
                    continue  # ``ARG NAME`` declares, it does not set
                why = switch_off(pair.key, pair.value)
                if why is None:
                    continue
                when = (
                    "in the running container"
                    if instruction.keyword == "ENV" and id(stage) in ships
                    else "while the image is built"
                )
                span = locate(doc, instruction, pair.key)
                yield Hit(
                    line=span.line,
                    column=span.column,
                    end_column=span.end_column,
                    fields={"what": f"{why} {when} (`{instruction.keyword}`)"},
                )


def _compose(doc: ComposeFile) -> Iterator[Hit]:
    services = doc.services if isinstance(doc.services, dict) else {}
    for name, service in services.items():
        if not isinstance(service, dict):
            continue
        for key, value in environment(service).items():
            why = switch_off(key, value)
            if why:
                line = _env_line(service.get("environment"), key) or service.get("line", 1)
                yield Hit(line=line, fields={"what": f"{why} (Compose service `{name}`)"})


def _kubernetes(doc: KubernetesFile) -> Iterator[Hit]:
    for container in all_containers(doc.objects):
        env = container.spec.get("env")
        if not isinstance(env, list):
            continue
        for item in env:
            if not isinstance(item, dict) or "value" not in item:
                continue
            value = item.get("value")
            why = switch_off(str(item.get("name", "")), "" if value is None else str(value))
            if why:
                line = getattr(item, "line", None) or container.location()[0]
                yield Hit(line=line, fields={"what": f"{why} (container {container.label})"})


def _env_line(env: Any, key: str) -> int | None:
    """The line of ``key`` in a Compose ``environment`` mapping or list."""
    if isinstance(env, dict) and hasattr(env, "key_line"):
        return int(env.key_line(key)) if key in env else None
    if isinstance(env, list) and hasattr(env, "item_line"):
        for index, item in enumerate(env):
            if isinstance(item, str) and item.partition("=")[0].strip() == key:
                return int(env.item_line(index))
    return None
