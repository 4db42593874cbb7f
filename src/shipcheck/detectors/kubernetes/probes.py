"""Liveness and readiness probes on long-running containers."""

from __future__ import annotations

from collections.abc import Iterator

from shipcheck.detectors.kubernetes.workloads import all_containers
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, KubernetesFile
from shipcheck.models.findings import Hit


@detector("kubernetes.missing-probes", kind=Kind.KUBERNETES)
def missing_probes(doc: KubernetesFile, params: None) -> Iterator[Hit]:
    """Containers of long-running workloads (not Jobs, CronJobs or init containers; native
    sidecars count) without a readiness or a liveness probe."""
    for container in all_containers(doc.objects):
        if not container.long_running:
            continue
        present = container.probes
        missing = [p for p in ("readinessProbe", "livenessProbe") if p not in present]
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
