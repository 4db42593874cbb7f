"""Liveness and readiness probes on long-running containers."""

from __future__ import annotations

import re
from collections.abc import Iterator

from shipcheck import lazyre
from shipcheck.detectors.kubernetes.workloads import Container, all_containers, pod_labels
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, KubernetesFile
from shipcheck.models.findings import Hit
from shipcheck.parsers.yaml_values import get_path

# Commands that serve traffic (a readiness probe gates it).
_SERVER = lazyre.compile(
    r"\b(gunicorn|uvicorn|daphne|hypercorn|granian|uwsgi|waitress-serve|runserver|nginx|httpd"
    r"|caddy|envoy|haproxy|http\.server|serve|server|web|api|node|npm|java|flask)\b",
    re.IGNORECASE,
)


def _worker(container: Container, selectors: list[dict[str, str]]) -> bool:
    """A container known not to serve traffic: no ports, no Service of the file selecting
    its pods, and a command that names no server (``celery worker``, ``locust --headless``).
    Without a command (the image's own) nothing can be told, and it is not a worker."""
    spec = container.spec
    if spec.get("ports"):
        return False
    labels = pod_labels(container.obj)
    if any(selector.items() <= labels.items() for selector in selectors):
        return False
    words = [spec.get("command"), spec.get("args")]
    text = " ".join(" ".join(map(str, w)) if isinstance(w, list) else str(w) for w in words if w)
    return bool(text.strip()) and not _SERVER.search(text)


def _service_selectors(doc: KubernetesFile) -> list[dict[str, str]]:
    found = []
    for obj in doc.objects:
        selector = get_path(obj.doc, "spec", "selector") if obj.kind == "Service" else None
        if isinstance(selector, dict) and selector:
            found.append({str(k): str(v) for k, v in selector.items()})
    return found


@detector("kubernetes.missing-probes", kind=Kind.KUBERNETES)
def missing_probes(doc: KubernetesFile, params: None) -> Iterator[Hit]:
    """Containers of long-running workloads (not Jobs, CronJobs or init containers; native
    sidecars count) without a readiness or a liveness probe. A readiness probe gates traffic,
    so a worker (:func:`_worker`) needs only the liveness probe."""
    selectors = _service_selectors(doc)
    for container in all_containers(doc.objects):
        if not container.long_running:
            continue
        present = container.probes
        wanted = (
            ["livenessProbe"]
            if _worker(container, selectors)
            else ["readinessProbe", "livenessProbe"]
        )
        missing = [p for p in wanted if p not in present]
        if missing:
            line, column = container.location()
            yield Hit(
                line=line,
                column=column,
                fields={"container": container.label, "missing": " or ".join(missing)},
                context=f"{container.context_key} {' '.join(missing)}",
            )


@detector("kubernetes.liveness-equals-readiness", kind=Kind.KUBERNETES)
def liveness_equals_readiness(doc: KubernetesFile, params: None) -> Iterator[Hit]:
    """A livenessProbe identical to the readinessProbe: when a dependency slows down, pods
    are restarted instead of being taken out of rotation, and every replica restarts at once."""
    for container in all_containers(doc.objects):
        liveness = container.spec.get("livenessProbe")
        readiness = container.spec.get("readinessProbe")
        if isinstance(liveness, dict) and liveness and liveness == readiness:
            spec = container.spec
            yield Hit(
                line=spec.key_line("livenessProbe"),
                column=spec.key_pos["livenessProbe"][1],
                fields={"container": container.label},
                context=f"{container.context_key} liveness=readiness",
            )
