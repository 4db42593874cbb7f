"""Facts about what a Compose service is given to run with, for the project pass's
consistency rules: its environment (:class:`ComposeEnv`: variable names, ``env_file``
entries, ``extends``) and its resource limits and stop grace period
(:class:`ComposeLimits`)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shipcheck import lazyre
from shipcheck.detectors.compose.services import service_position, services
from shipcheck.detectors.kubernetes.container_settings import Quantity
from shipcheck.detectors.registry import fact_extractor
from shipcheck.models.artifacts import ComposeFile, Kind
from shipcheck.models.facts import Fact
from shipcheck.parsers.yaml_values import get_path

_BYTES = lazyre.compile(r"^\s*(\d+(?:\.\d+)?)\s*([bkmg]?)b?\s*$", re.IGNORECASE)
_DURATION = lazyre.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)")
_UNITS = {"": 1, "b": 1, "k": 2**10, "m": 2**20, "g": 2**30}
_SECONDS = {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}


@dataclass(frozen=True, kw_only=True)
class EnvFileRef:
    """An ``env_file`` entry: the repository path it names and whether Compose requires it."""

    path: str
    required: bool


@dataclass(frozen=True, kw_only=True)
class ComposeEnv(Fact):
    """A service's environment: names set in ``environment`` (pass-through names without a
    value included), its ``env_file`` entries, and the service it ``extends`` (``file`` is
    set when that service is in another file). ``line``/``column`` locate the service's name."""

    service: str
    column: int
    names: tuple[str, ...]
    env_files: tuple[EnvFileRef, ...]
    extends: str | None
    extends_file: str | None


@dataclass(frozen=True, kw_only=True)
class ComposeLimits(Fact):
    """A service's CPU and memory limits (``deploy.resources.limits``, or ``cpus`` /
    ``mem_limit``) and ``stop_grace_period`` in seconds, each None when unset."""

    service: str
    cpu_limit: Quantity | None
    memory_limit: Quantity | None
    grace_period: Quantity | None


def compose_bytes(value: Any) -> float | None:
    """``512m``, ``1g``, ``1024`` (bytes)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    match = _BYTES.match(str(value))
    return float(match.group(1)) * _UNITS[match.group(2).lower()] if match else None


def compose_seconds(value: Any) -> float | None:
    """``1m30s``, ``10s``, ``90`` (seconds)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(n) * _SECONDS[u] for n, u in parts)


def _cpus(value: Any) -> float | None:
    try:
        number = float(str(value))
    except ValueError:
        return None
    return number if number > 0 else None


def _quantity(holder: Any, key: str, parse: Any) -> Quantity | None:
    if not isinstance(holder, dict) or key not in holder:
        return None
    value = parse(holder.get(key))
    if value is None:
        return None
    return Quantity(
        raw=str(holder.get(key)),
        value=value,
        line=holder.value_line(key),
        column=holder.value_column(key),
    )


def _names(service: Any) -> list[str]:
    env = service.get("environment")
    if isinstance(env, dict):
        return [str(k) for k in env]
    if isinstance(env, list):
        return [str(i).split("=", 1)[0].strip() for i in env if isinstance(i, str | int)]
    return []


def _env_files(compose_path: str, service: Any) -> list[EnvFileRef]:
    value = service.get("env_file")
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    base = posixpath.dirname(compose_path)
    found = []
    for item in items:
        path, required = None, True
        if isinstance(item, str):
            path = item
        elif isinstance(item, dict) and isinstance(item.get("path"), str):
            path, required = item["path"], item.get("required", True) is not False
        if path is None:
            continue
        joined = posixpath.normpath(posixpath.join(base, path)) if "$" not in path else path
        found.append(EnvFileRef(path=joined, required=required))
    return found


@fact_extractor(Kind.COMPOSE)
def compose_settings_facts(doc: ComposeFile) -> Iterator[Fact]:
    """A :class:`ComposeEnv` and a :class:`ComposeLimits` per service."""
    for name, service in services(doc):
        extends = service.get("extends")
        extends_service = extends_file = None
        if isinstance(extends, str):
            extends_service = extends
        elif isinstance(extends, dict) and isinstance(extends.get("service"), str):
            extends_service = extends["service"]
            if isinstance(extends.get("file"), str):
                extends_file = posixpath.normpath(
                    posixpath.join(posixpath.dirname(doc.path), extends["file"])
                )
        line, column = service_position(doc, name)
        yield ComposeEnv(
            path=doc.path,
            line=line,
            column=column,
            service=name,
            names=tuple(_names(service)),
            env_files=tuple(_env_files(doc.path, service)),
            extends=extends_service,
            extends_file=extends_file,
        )
        limits = get_path(service, "deploy", "resources", "limits")
        yield ComposeLimits(
            path=doc.path,
            line=service.line,
            service=name,
            cpu_limit=_quantity(limits, "cpus", _cpus) or _quantity(service, "cpus", _cpus),
            memory_limit=_quantity(limits, "memory", compose_bytes)
            or _quantity(service, "mem_limit", compose_bytes),
            grace_period=_quantity(service, "stop_grace_period", compose_seconds),
        )
