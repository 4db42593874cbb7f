"""Compose services that share the host's namespaces, restart nothing, start before their
dependencies are ready, or publish a database to every network interface."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shipcheck.detectors.compose.databases import database
from shipcheck.detectors.compose.services import (
    dependencies,
    has_healthcheck,
    is_override_file,
    is_throwaway_file,
    ports,
    service_position,
    services,
)
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import ComposeFile, Kind
from shipcheck.models.findings import Hit

_HOST_MODES = (
    ("network_mode", "network"),
    ("pid", "process (PID)"),
    ("ipc", "IPC"),
)


@detector("compose.host-namespace", kind=Kind.COMPOSE)
def host_namespace(doc: ComposeFile, params: None) -> Iterator[Hit]:
    """Services with ``network_mode: host``, ``pid: host`` or ``ipc: host``."""
    for name, service in services(doc):
        for key, what in _HOST_MODES:
            value = service.get(key)
            if isinstance(value, str) and value.strip().lower() == "host":
                yield Hit(
                    line=service.value_line(key),
                    column=service.key_pos[key][1],
                    fields={"service": name, "setting": f"{key}: host", "namespace": what},
                    context=f"{name} {key}",
                )


def _one_shot(doc: ComposeFile, name: str) -> bool:
    """Other services wait for it to finish: a migration or setup task, not a server."""
    return any(
        dep.service == name and dep.condition == "service_completed_successfully"
        for _, other in services(doc)
        for dep in dependencies(other)
    )


def _restart_policy(service: Any) -> bool:
    deploy = service.get("deploy")
    return "restart" in service or (isinstance(deploy, dict) and "restart_policy" in deploy)


@detector("compose.missing-restart", kind=Kind.COMPOSE)
def missing_restart(doc: ComposeFile, params: None) -> Iterator[Hit]:
    """Services with an image or build and neither ``restart`` nor
    ``deploy.restart_policy``. Override files (partial definitions), test/CI Compose files,
    services behind ``profiles`` and one-shot tasks others wait to complete are skipped."""
    if is_override_file(doc.path) or is_throwaway_file(doc.path):
        return
    for name, service in services(doc):
        if not ({"image", "build"} & set(service)) or "profiles" in service:
            continue
        if "extends" in service or _restart_policy(service) or _one_shot(doc, name):
            continue
        line, column = service_position(doc, name)
        yield Hit(
            line=line,
            column=column,
            fields={"service": name},
            context=f"{name} restart",
        )


@detector("compose.depends-on-not-healthy", kind=Kind.COMPOSE)
def depends_on_not_healthy(doc: ComposeFile, params: None) -> Iterator[Hit]:
    """``depends_on`` entries that wait for a service to start, not to be healthy (one-shot
    dependencies awaited with ``service_completed_successfully`` pass). One finding per
    service, at its first such entry, listing them all: one cause (the service does not
    wait for readiness), however many dependencies."""
    defined = dict(services(doc))
    for name, service in services(doc):
        waiting = [
            dep
            for dep in dependencies(service)
            if dep.condition not in {"service_healthy", "service_completed_successfully"}
        ]
        if not waiting:
            continue
        checked = [d.service for d in waiting if _healthchecked(defined, d.service)]
        unchecked = [d.service for d in waiting if not _healthchecked(defined, d.service)]
        advice = []
        if checked:
            advice.append(f"add `condition: service_healthy` for {_names(checked)}")
        if unchecked:
            advice.append(
                f"give {_names(unchecked)} a healthcheck and wait with `condition: service_healthy`"
            )
        first = waiting[0]
        listed = [
            f"`{d.service}`" + (f" (line {d.line})" if d is not first else "") for d in waiting
        ]
        yield Hit(
            line=first.line,
            column=first.column,
            fields={
                "service": name,
                "dependency": first.service,
                "dependencies": ", ".join(listed),
                "count": len(waiting),
                "advice": "; ".join(advice),
            },
            # The first dependency's context: a service with one such dependency keeps the
            # fingerprint it had when each dependency was a finding of its own.
            context=f"{name} depends_on {first.service}",
        )


def _healthchecked(defined: dict[str, Any], name: str) -> bool:
    target = defined.get(name)
    return target is not None and has_healthcheck(target)


def _names(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


@detector("compose.database-port-published", kind=Kind.COMPOSE)
def database_port_published(doc: ComposeFile, params: None) -> Iterator[Hit]:
    """Database services that publish a port on every host interface."""
    for name, service in services(doc):
        db = database(service)
        if db is None:
            continue
        for mapping in ports(service):
            if not mapping.all_interfaces:
                continue
            yield Hit(
                line=mapping.line,
                column=mapping.column,
                fields={
                    "service": name,
                    "engine": db.engine,
                    "port": mapping.target,
                    "mapping": mapping.raw,
                },
                context=f"{name} publishes {mapping.raw}",
            )
