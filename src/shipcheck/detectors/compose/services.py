"""Reading Compose service definitions: ports, mounts, commands, environment, dependencies,
each in its short and long syntax, with positions for findings."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from shipcheck import lazyre
from shipcheck.detectors.kubernetes.images import ImageRef, parse_image
from shipcheck.models.artifacts import ComposeFile

_SHORT_PORT = lazyre.compile(
    r"^(?:(?P<ip>\[[0-9a-fA-F:.]*\]|[0-9.]+|[A-Za-z0-9.\-]+):)??"
    r"(?:(?P<published>\d+(?:-\d+)?)?:)?(?P<target>\d+(?:-\d+)?)(?:/(?P<proto>\w+))?$"
)
# Compose files that exist for tests or CI, where throwaway state is the point.
_THROWAWAY = frozenset({"test", "tests", "testing", "ci", "e2e", "integration"})
LOCAL_HOSTS = frozenset({"127.0.0.1", "::1", "[::1]", "localhost"})


@dataclass(frozen=True)
class PortMapping:
    """A ``ports:`` entry: host address, published and container port (first of a range)."""

    host_ip: str | None
    published: str | None
    target: int
    raw: str
    line: int
    column: int

    @property
    def all_interfaces(self) -> bool:
        """Published on every host interface (no host address, 0.0.0.0 or ::)."""
        return self.host_ip is None or self.host_ip in {"0.0.0.0", "::", "[::]", ""}


@dataclass(frozen=True)
class Mount:
    """A ``volumes:`` or ``tmpfs:`` entry. ``type`` is volume, bind, tmpfs or anonymous."""

    type: str
    source: str | None
    target: str


def services(doc: ComposeFile) -> Iterator[tuple[str, Any]]:
    """(name, mapping) of every service defined as a mapping."""
    items = doc.services if isinstance(doc.services, dict) else {}
    for name, service in items.items():
        if isinstance(service, dict):
            yield str(name), service


def service_position(doc: ComposeFile, name: str) -> tuple[int, int]:
    """Where the service's name stands under ``services:``."""
    items = doc.services
    pos = getattr(items, "key_pos", {}).get(name)
    return pos if pos else (getattr(items, "line", 1), getattr(items, "column", 1))


def is_throwaway_file(path: str) -> bool:
    """``docker-compose.test.yml``, ``compose.ci.yaml``: state is meant to be thrown away."""
    stem = PurePosixPath(path).name.lower()
    return bool(_THROWAWAY & set(re.split(r"[.\-_]", stem)))


def is_override_file(path: str) -> bool:
    """``docker-compose.override.yml`` and friends hold partial service definitions."""
    return "override" in re.split(r"[.\-_]", PurePosixPath(path).name.lower())


def image_of(service: Any) -> ImageRef | None:
    """The service's image reference, when it names one."""
    image = service.get("image")
    return parse_image(image) if isinstance(image, str) else None


def _position(container: Any, key: Any, index: int | None = None) -> tuple[int, int]:
    if index is not None and hasattr(container, "item_pos") and index < len(container.item_pos):
        return container.item_pos[index]
    if hasattr(container, "value_pos") and key in container.value_pos:
        return container.value_pos[key]
    return getattr(container, "line", 1), getattr(container, "column", 1)


def _first_port(text: str) -> int | None:
    head = text.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def ports(service: Any) -> list[PortMapping]:
    """Published ports, short (``"127.0.0.1:8000:8000/tcp"``) and long syntax."""
    items = service.get("ports")
    found: list[PortMapping] = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        line, column = _position(items, None, index)
        if isinstance(item, bool):
            continue
        if isinstance(item, int | str):
            text = str(item).strip().strip("\"'")
            match = _SHORT_PORT.match(text)
            target = _first_port(match.group("target")) if match else None
            if match is None or target is None:
                continue
            ip = match.group("ip")
            found.append(PortMapping(ip, match.group("published"), target, text, line, column))
        elif isinstance(item, dict):
            target = _first_port(str(item.get("target", "")))
            if target is None:
                continue
            published = item.get("published")
            host_ip = item.get("host_ip")
            raw = f"{host_ip + ':' if host_ip else ''}{published or ''}:{target}"
            found.append(
                PortMapping(
                    str(host_ip) if host_ip is not None else None,
                    str(published) if published is not None else None,
                    target,
                    raw,
                    line,
                    column,
                )
            )
    return found


def _mount_from_text(text: str) -> Mount | None:
    parts = text.split(":")
    if len(parts) == 1:
        return Mount("anonymous", None, parts[0])
    source, target = parts[0], parts[1]
    if not target.startswith("/"):
        return None
    kind = "bind" if source.startswith((".", "/", "~", "$")) else "volume"
    return Mount(kind, source, target)


def mounts(service: Any) -> list[Mount]:
    """Volumes and tmpfs mounts of a service."""
    found: list[Mount] = []
    items = service.get("volumes")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            mount = _mount_from_text(item.strip())
            if mount:
                found.append(mount)
        elif isinstance(item, dict) and isinstance(item.get("target"), str):
            kind = str(item.get("type") or "volume")
            source = item.get("source")
            if kind == "volume" and not source:
                kind = "anonymous"
            found.append(Mount(kind, str(source) if source else None, item["target"]))
    tmpfs = service.get("tmpfs")
    for item in [tmpfs] if isinstance(tmpfs, str) else tmpfs if isinstance(tmpfs, list) else []:
        if isinstance(item, str):
            found.append(Mount("tmpfs", None, item.split(":", 1)[0].strip()))
    return found


def command_tokens(value: Any) -> list[str] | None:
    """``command``/``entrypoint`` as a token list (strings are split like a shell would)."""
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int | float)]
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError:
            return value.split()
    return None


def environment(service: Any) -> dict[str, str]:
    """``environment`` as a mapping, from either syntax (unset values are left out)."""
    env = service.get("environment")
    found: dict[str, str] = {}
    if isinstance(env, dict):
        for key, value in env.items():
            if value is not None and not isinstance(value, dict | list):
                found[str(key)] = str(value)
    elif isinstance(env, list):
        for item in env:
            if isinstance(item, str) and "=" in item:
                key, _, value = item.partition("=")
                found[key.strip()] = value
    return found


@dataclass(frozen=True)
class Dependency:
    """A ``depends_on`` entry with its condition (``service_started`` when not given)."""

    service: str
    condition: str
    line: int
    column: int


def dependencies(service: Any) -> list[Dependency]:
    """``depends_on`` in list or mapping form."""
    value = service.get("depends_on")
    found: list[Dependency] = []
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                line, column = _position(value, None, index)
                found.append(Dependency(item, "service_started", line, column))
    elif isinstance(value, dict):
        for name, spec in value.items():
            condition = "service_started"
            if isinstance(spec, dict) and isinstance(spec.get("condition"), str):
                condition = spec["condition"]
            line, column = value.key_pos.get(name, (value.line, value.column))
            found.append(Dependency(str(name), condition, line, column))
    return found


def has_healthcheck(service: Any) -> bool:
    """A healthcheck that is not disabled."""
    check = service.get("healthcheck")
    if not isinstance(check, dict):
        return False
    test = check.get("test")
    if check.get("disable") is True:
        return False
    return not (isinstance(test, list) and test[:1] == ["NONE"]) and test != "NONE"
