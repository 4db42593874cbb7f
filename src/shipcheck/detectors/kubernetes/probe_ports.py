"""Probes aimed at a port the container does not declare."""

from __future__ import annotations

from collections.abc import Iterator

from shipcheck.detectors.kubernetes.workloads import PROBES, all_containers, as_int
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, KubernetesFile
from shipcheck.models.findings import Hit, Severity


@detector("kubernetes.probe-port-mismatch", kind=Kind.KUBERNETES)
def probe_port_mismatch(doc: KubernetesFile, params: None) -> Iterator[Hit]:
    """A probe whose port names no port of its container (high: the probe can never
    succeed), or whose number matches none of the ports the container declares (medium)."""
    for container in all_containers(doc.objects):
        ports = container.ports()
        names = {p.name for p in ports if p.name}
        numbers = {p.number for p in ports}
        declared = (
            ", ".join(f"{p.number} ({p.name})" if p.name else str(p.number) for p in ports)
            or "none"
        )
        for kind in PROBES:
            probe = container.spec.get(kind)
            if not isinstance(probe, dict):
                continue
            for handler in ("httpGet", "tcpSocket", "grpc"):
                action = probe.get(handler)
                if not isinstance(action, dict) or "port" not in action:
                    continue
                port = action.get("port")
                number = as_int(port)
                if isinstance(port, str) and number is None:
                    if port in names:
                        continue
                    problem = f"port `{port}`, which names no port of the container"
                    severity = Severity.HIGH
                elif number is not None and ports and number not in numbers:
                    problem = f"port {number}, which is not a declared containerPort"
                    severity = Severity.MEDIUM
                else:
                    continue
                yield Hit(
                    line=action.value_line("port"),
                    column=action.value_column("port"),
                    fields={
                        "container": container.label,
                        "probe": kind,
                        "problem": problem,
                        "declared": declared,
                    },
                    severity=severity,
                    context=f"{container.context_key} {kind} port {port}",
                )
