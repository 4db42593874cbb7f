"""Cross-file consistency of the running application: health paths that probes and Compose
healthchecks request against the routes the app serves, and the port the app's server
listens on against Kubernetes containerPorts, Compose ports and Dockerfile EXPOSE."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from shipcheck import lazyre
from shipcheck.detectors.project.routing import RouteTable, route_table
from shipcheck.detectors.project.runners import (
    Runner,
    compose_runners,
    dockerfile_runners,
    framework_label,
    kubernetes_runners,
)
from shipcheck.detectors.project.runtime_facts import ComposeRuntime
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind
from shipcheck.models.facts import K8sRuntime, Probe, PyRoutes
from shipcheck.models.findings import Hit, Severity
from shipcheck.project import ProjectModel

# A URL the healthcheck requests from inside the container.
_LOCAL_URL = lazyre.compile(
    r"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::\d+)?[^\s'\"\\)]*"
)


# The runtime definitions the consistency rules compare the code with.
_RUNTIME = (Kind.KUBERNETES, Kind.COMPOSE, Kind.DOCKERFILE)


def _health_urls(text: str) -> list[tuple[int, str]]:
    """(port, path) of every local URL in a healthcheck command."""
    found = []
    for match in _LOCAL_URL.finditer(text):
        parts = urlsplit(match.group(0))
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            continue
        found.append((port, parts.path or "/"))
    return found


def _probe_port(runner: Runner[K8sRuntime], probe: Probe) -> int | None:
    port = probe.port
    if isinstance(port, int):
        return port
    for declared in runner.fact.ports:
        if declared.name == port:
            return declared.number
    return None


class _Tables:
    """Route tables per build context, built once."""

    def __init__(self, project: ProjectModel) -> None:
        self.project = project
        self.cache: dict[str | None, RouteTable] = {}

    def get(self, scope: str | None) -> RouteTable:
        if scope not in self.cache:
            self.cache[scope] = route_table(self.project.facts_of(PyRoutes), scope)
        return self.cache[scope]


@detector("project.probe-path-not-served", kind=Kind.PROJECT, needs=_RUNTIME)
def probe_path_not_served(project: ProjectModel, params: None) -> Iterator[Hit]:
    """HTTP probes and Compose healthchecks of containers that run this project's app, whose
    path no route of the app serves. Only when every route registration of the app was
    resolved statically, only when a known Python web server runs in the container, and only
    when the check targets that server's port."""
    tables = _Tables(project)
    for runner in kubernetes_runners(project):
        if not runner.runs_server or runner.unix_socket:
            continue
        table = tables.get(runner.scope)
        if not table.complete:
            continue
        for probe in runner.fact.probe_specs:
            path = probe.path
            if probe.handler != "httpGet" or path is None:
                continue
            port = _probe_port(runner, probe)
            if runner.server and port is not None and port != runner.server.port:
                continue  # another process's port (a sidecar, a metrics server)
            if table.lookup(path) != "missing":
                continue
            line, column = probe.path_line or probe.line, probe.path_column or probe.column
            yield Hit(
                path=runner.path,
                line=line,
                column=column,
                end_column=column + len(path),
                fields={
                    "check": f"The {probe.kind} of {runner.label}",
                    "path": path,
                    "framework": framework_label(table.frameworks),
                    "table": table.describe(),
                },
                context=f"{runner.label} {probe.kind} {path}",
            )
    for service in compose_runners(project):
        check = service.fact.healthcheck
        if not service.runs_server or service.unix_socket or check is None:
            continue
        table = tables.get(service.scope)
        if not table.complete:
            continue
        for port, path in _health_urls(check.text):
            if service.server and port != service.server.port:
                continue
            if table.lookup(path) != "missing":
                continue
            yield Hit(
                path=service.path,
                line=check.line,
                column=check.column,
                end_column=check.end_column,
                fields={
                    "check": f"The healthcheck of {service.label}",
                    "path": path,
                    "framework": framework_label(table.frameworks),
                    "table": table.describe(),
                },
                severity=Severity.MEDIUM,
                context=f"{service.label} healthcheck {path}",
            )


def _port_list(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def _kubernetes_ports(runner: Runner[K8sRuntime]) -> Iterator[Hit]:
    declared = runner.fact.ports
    numbers = [p.number for p in declared]
    server = runner.server
    docker = runner.docker
    if server is not None:
        if declared and server.port not in numbers:
            first = declared[0]
            yield _bind_mismatch(
                runner,
                _At(first.line, first.column, first.end_column),
                f"{runner.label} declares containerPort {_port_list(numbers)}",
                server,
                f"{runner.label} containerPort {numbers} bind {server.port}",
            )
            return
        if declared:
            return
        for probe in runner.fact.probe_specs:
            port = probe.port
            if probe.handler not in {"httpGet", "tcpSocket"} or not isinstance(port, int):
                continue
            if port != server.port:
                at = _At(
                    probe.port_line or probe.line,
                    probe.port_column or probe.column,
                    probe.port_end_column,
                )
                yield _bind_mismatch(
                    runner,
                    at,
                    f"The {probe.kind} of {runner.label} targets port {port}",
                    server,
                    f"{runner.label} {probe.kind} port {port} bind {server.port}",
                )
        return
    exposed = [e.port for e in docker.expose] if docker else []
    if exposed and declared and not runner.overridden and not set(numbers) & set(exposed):
        yield Hit(
            path=runner.path,
            line=declared[0].line,
            column=declared[0].column,
            end_column=declared[0].end_column,
            fields={
                "subject": f"{runner.label} declares containerPort {_port_list(numbers)}",
                "server": "the image",
                "port": _port_list(exposed),
                "where": f"EXPOSE in {runner.dockerfile}",
            },
            severity=Severity.MEDIUM,
            context=f"{runner.label} containerPort {numbers} expose {exposed}",
        )


@dataclass(frozen=True)
class _At:
    line: int
    column: int
    end_column: int | None


def _bind_mismatch(runner: Runner[Any], at: _At, subject: str, server: Any, context: str) -> Hit:
    """A declaration at ``at`` that disagrees with the port the server binds."""
    return Hit(
        path=runner.path,
        line=at.line,
        column=at.column,
        end_column=at.end_column,
        fields={
            "subject": subject,
            "server": server.server,
            "port": server.port,
            "where": server.where,
        },
        context=context,
    )


def _compose_ports(runner: Runner[ComposeRuntime]) -> Iterator[Hit]:
    server = runner.server
    published = runner.fact.ports
    targets = [p.target for p in published]
    if server is None:
        return
    if published and server.port not in targets:
        first = published[0]
        yield _bind_mismatch(
            runner,
            _At(first.line, first.column, first.end_column),
            f"{runner.label} publishes container port {_port_list(targets)} (`{first.raw}`)",
            server,
            f"{runner.label} ports {targets} bind {server.port}",
        )
    check = runner.fact.healthcheck
    if check is None:
        return
    for port, _path in _health_urls(check.text):
        if port != server.port:
            yield _bind_mismatch(
                runner,
                _At(check.line, check.column, check.end_column),
                f"The healthcheck of {runner.label} requests port {port}",
                server,
                f"{runner.label} healthcheck port {port} bind {server.port}",
            )


def _dockerfile_ports(project: ProjectModel) -> Iterator[Hit]:
    for runner in dockerfile_runners(project):
        exposed = runner.fact.expose
        server = runner.server
        if server is None or not exposed or server.port in {e.port for e in exposed}:
            continue
        first = exposed[0]
        yield Hit(
            path=runner.path,
            line=first.line,
            column=first.column,
            end_column=first.column + len(first.raw),
            fields={
                "subject": f"EXPOSE {_port_list([e.port for e in exposed])}",
                "server": server.server,
                "port": server.port,
                "where": server.where,
            },
            severity=Severity.MEDIUM,
            context=f"expose {[e.port for e in exposed]} bind {server.port}",
        )


@detector("project.port-mismatch", kind=Kind.PROJECT, needs=_RUNTIME)
def port_mismatch(project: ProjectModel, params: None) -> Iterator[Hit]:
    """The port the app's server listens on (from the effective command: Dockerfile
    CMD/ENTRYPOINT under Compose or Kubernetes overrides, gunicorn.conf.py) against
    Kubernetes containerPorts and numeric probe ports, Compose published ports and
    healthcheck URLs, and Dockerfile EXPOSE; containerPort against EXPOSE when the server
    port is unknown."""
    seen: set[tuple[str, int]] = set()
    hits = [
        *(h for r in kubernetes_runners(project) if r.ours for h in _kubernetes_ports(r)),
        *(h for r in compose_runners(project) if r.ours for h in _compose_ports(r)),
        *_dockerfile_ports(project),
    ]
    for hit in hits:
        key = (hit.path or "", hit.line)
        if key not in seen:
            seen.add(key)
            yield hit
