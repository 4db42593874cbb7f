"""Privileged Compose services."""

from __future__ import annotations

from collections.abc import Iterator

from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import ComposeFile, Kind
from shipcheck.models.findings import Hit


@detector("compose.privileged", kind=Kind.COMPOSE)
def privileged_service(doc: ComposeFile, params: None) -> Iterator[Hit]:
    """Services with ``privileged: true``."""
    for name, service in (doc.services or {}).items():
        if isinstance(service, dict) and service.get("privileged") is True:
            yield Hit(
                line=service.key_line("privileged"),
                column=service.key_pos.get("privileged", (0, 1))[1],
                fields={"service": name},
            )
