"""Liveness and readiness probes on long-running containers."""

from __future__ import annotations

from collections.abc import Iterator

from shipcheck.detectors.kubernetes.workloads import LONG_RUNNING, containers
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, KubernetesFile
from shipcheck.models.findings import Hit


@detector("kubernetes.missing-probes", kind=Kind.KUBERNETES)
def missing_probes(doc: KubernetesFile, params: None) -> Iterator[Hit]:
    """Containers of long-running workloads (not Jobs, CronJobs or init containers) without
    a readiness or a liveness probe."""
    for obj in doc.objects:
        if obj.kind not in LONG_RUNNING:
            continue
        for container in containers(obj):
            if container.init and not container.sidecar:
                continue
            missing = [p for p in ("readinessProbe", "livenessProbe") if p not in container.spec]
            if missing:
                yield Hit(
                    line=container.spec.line,
                    column=container.spec.column,
                    fields={"container": container.label, "missing": " and ".join(missing)},
                    context=f"{obj.kind}/{obj.name}/{container.name}",
                )
