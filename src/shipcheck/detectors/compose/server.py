"""Development servers started by a Compose service's ``command`` or ``entrypoint``
(server.production)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from shipcheck.detectors.dockerfile.servers import dev_servers
from shipcheck.detectors.dockerfile.shell import split_commands, unwrap
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import ComposeFile, Kind
from shipcheck.models.findings import Hit

# Compose files named for local development are meant to run development servers.
_LOCAL_WORDS = frozenset({"override", "dev", "develop", "development", "local", "debug"})


def _commands(value: Any) -> list[Any] | None:
    if isinstance(value, str):
        return split_commands(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return unwrap([str(v) for v in value])
    return None


@detector("compose.dev-server", kind=Kind.COMPOSE)
def compose_dev_server(doc: ComposeFile, params: None) -> Iterator[Hit]:
    """A service's ``command`` (or ``entrypoint`` + ``command``) starts a development
    server: ``flask run``, ``manage.py runserver``, ``uvicorn --reload``… Files named for
    development (``compose.override.yaml``, ``*dev*``) are for local use and skipped."""
    words = set(re.split(r"[-._]", doc.name.lower()))
    if words & _LOCAL_WORDS:
        return
    services = doc.services if isinstance(doc.services, dict) else {}
    for service_name, service in services.items():
        if not isinstance(service, dict):
            continue
        entrypoint, command = service.get("entrypoint"), service.get("command")
        candidates = [("command", command), ("entrypoint", entrypoint)]
        if isinstance(entrypoint, list) and isinstance(command, list):
            # An exec-form entrypoint gets the command as its arguments (`gunicorn` + `--reload`).
            candidates.append(("command", [*entrypoint, *command]))
        for key, value in candidates:
            commands = _commands(value)
            found = dev_servers(commands) if commands else []
            if not found:
                continue
            yield Hit(
                line=service.value_line(key),
                column=service.value_column(key),
                fields={"service": service_name, "key": key, "server": found[0].label},
                context=f"{service_name} {key} {found[0].label}",
            )
            break
