"""End-of-life base images (container.base-image-supported).

The end-of-life table is data (the rule's params) and is compared with the date of the
scan, so a Dockerfile that passes today fails once its Python or distribution release
goes out of support, without a new shipcheck release.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from shipcheck.detectors.dockerfile.base_image import external_stages, image_hit
from shipcheck.detectors.dockerfile.syntax import ImageRef
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Dockerfile, Kind
from shipcheck.models.findings import Hit, Severity

_PYTHON_TAG = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.\d+)?(?:(?:a|b|rc)\d+)?(?:-(.+))?$")
_PYTHON_IN_TAG = re.compile(r"(?:^|[-_])python(\d)\.(\d+)(?=$|[-_.])")
_ALPINE_IN_TAG = re.compile(r"^alpine(\d+\.\d+)")
_DISTROLESS_DEBIAN = re.compile(r"-debian(\d+)$")
_VERSION = re.compile(r"^(\d+)(?:\.(\d+))?")
_DISPLAY = {
    "python": "Python", "debian": "Debian", "ubuntu": "Ubuntu", "alpine": "Alpine",
    "postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB", "node": "Node.js",
}  # fmt: skip
# Service images whose release is the leading version of the tag, and how many of its
# numbers name a release: PostgreSQL 10+ and Node.js by major, MySQL and MariaDB by
# major.minor (PostgreSQL 9.x also by major.minor).
_SERVICE_PARTS = {"postgres": 1, "mysql": 2, "mariadb": 2, "node": 1}
_SERVICE_TAG = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.\d+)*(?:-(.+))?$")

# Clock for the scan; tests and the ``as_of`` param pin it.
today = dt.date.today


@dataclass(frozen=True)
class EndOfLifeParams:
    """End-of-life dates (``YYYY-MM-DD``) per release, by family: ``python`` (``"3.9"``),
    ``debian`` (codename and number), ``ubuntu`` (``"20.04"`` and codename), ``alpine``
    (``"3.18"``), and the service images ``postgres`` (``"13"``, ``"9.6"``), ``mysql``
    (``"8.0"``), ``mariadb`` (``"10.6"``), ``node`` (``"18"``). ``as_of`` pins the date
    compared with (default: today); ``warn_days`` reports releases that reach end of life
    within that many days (low)."""

    python: dict[str, Any] = field(default_factory=dict)
    debian: dict[str, Any] = field(default_factory=dict)
    ubuntu: dict[str, Any] = field(default_factory=dict)
    alpine: dict[str, Any] = field(default_factory=dict)
    postgres: dict[str, Any] = field(default_factory=dict)
    mysql: dict[str, Any] = field(default_factory=dict)
    mariadb: dict[str, Any] = field(default_factory=dict)
    node: dict[str, Any] = field(default_factory=dict)
    as_of: str | None = None
    warn_days: int = 0


@dataclass(frozen=True)
class Release:
    """A Python or OS release an image is built on."""

    family: str  # python | debian | ubuntu | alpine
    version: str

    @property
    def display(self) -> str:
        """``Python 3.9``, ``Debian buster``."""
        return f"{_DISPLAY[self.family]} {self.version}"


def releases(image: ImageRef) -> list[Release]:
    """The Python and OS releases an image reference names (nothing for ``latest``-ish tags)."""
    found: list[Release] = []
    tag = (image.tag or "").lower()
    name = image.name
    if name == "python":
        match = _PYTHON_TAG.match(tag)
        if match:
            major, minor, variant = match.group(1), match.group(2), match.group(3) or ""
            if minor is not None:
                found.append(Release("python", f"{major}.{minor}"))
            elif major == "2":
                found.append(Release("python", "2.7"))
            found.extend(_variant_releases(variant))
        return found
    if name in ("debian", "ubuntu"):
        head = re.split(r"[-_]", tag, maxsplit=1)[0] if tag else ""
        if name == "debian" and head[:1].isdigit():
            head = head.split(".")[0]  # 10.13 is a point release of Debian 10
        if head:
            found.append(Release(name, head))
        return found
    if name in _SERVICE_PARTS:
        match = _SERVICE_TAG.match(tag)
        if match:
            major, minor, variant = match.group(1), match.group(2), match.group(3) or ""
            parts = _SERVICE_PARTS[name] if not (name == "postgres" and major == "9") else 2
            if parts == 1 or minor is not None:
                found.append(Release(name, major if parts == 1 else f"{major}.{minor}"))
            found.extend(_variant_releases(variant))
        return found
    if name == "alpine":
        match = _VERSION.match(tag)
        if match and match.group(2) is not None:
            found.append(Release("alpine", f"{match.group(1)}.{match.group(2)}"))
        return found
    distroless = _DISTROLESS_DEBIAN.search(name)
    if distroless and "distroless" in image.repository:
        found.append(Release("debian", distroless.group(1)))
    python = _PYTHON_IN_TAG.search(tag)
    if python:
        found.append(Release("python", f"{python.group(1)}.{python.group(2)}"))
    found.extend(_variant_releases(tag))
    return found


_CODENAMES = {
    "debian": ("jessie", "stretch", "buster", "bullseye", "bookworm", "trixie", "forky"),
    "ubuntu": ("trusty", "xenial", "bionic", "focal", "jammy", "noble", "oracular", "plucky"),
}


def _variant_releases(variant: str) -> list[Release]:
    found = []
    for word in re.split(r"[-_]", variant):
        alpine = _ALPINE_IN_TAG.match(word)
        if alpine:
            found.append(Release("alpine", alpine.group(1)))
        for family, names in _CODENAMES.items():
            if word in names:
                found.append(Release(family, word))
    return found


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _numeric(version: str) -> tuple[int, ...] | None:
    parts = version.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else None


def end_of_life(release: Release, table: dict[str, Any]) -> tuple[dt.date, bool] | None:
    """The release's end-of-life date, and whether it is only known to be "on or before"
    that date (a numeric version older than every listed one)."""
    exact = _date(table.get(release.version)) if release.version in table else None
    if exact is not None:
        return exact, False
    numeric = _numeric(release.version)
    if numeric is None:
        return None
    # Compare with the listed releases of the same series: 3.3 with 3.x, Debian 7 with 8…
    listed = sorted(
        (key, date)
        for raw, value in table.items()
        if (key := _numeric(str(raw))) is not None
        and len(key) == len(numeric)
        and key[:-1] == numeric[:-1]
        and (date := _date(value)) is not None
    )
    if listed and numeric < listed[0][0]:
        return listed[0][1], True
    return None


def _as_of(params: EndOfLifeParams) -> dt.date:
    pinned = _date(params.as_of) if params.as_of else None
    return pinned or today()


@detector("dockerfile.end-of-life-base", kind=Kind.DOCKERFILE, params=EndOfLifeParams)
def end_of_life_base(doc: Dockerfile, params: EndOfLifeParams) -> Iterator[Hit]:
    """A stage's base image is built on a Python, Debian, Ubuntu, Alpine, PostgreSQL, MySQL,
    MariaDB or Node.js release past its end of life (or, as low, within ``warn_days`` of it)."""
    now = _as_of(params)
    tables = {
        "python": params.python,
        "debian": params.debian,
        "ubuntu": params.ubuntu,
        "alpine": params.alpine,
        "postgres": params.postgres,
        "mysql": params.mysql,
        "mariadb": params.mariadb,
        "node": params.node,
    }
    for stage, image in external_stages(doc):
        if image.unresolved:
            continue
        for release in releases(image):
            known = end_of_life(release, tables[release.family])
            if known is None:
                continue
            date, before = known
            days_left = (date - now).days
            if days_left > 0 and days_left > params.warn_days:
                continue
            if days_left > 0:
                status, severity = f"reaches end of life on {date.isoformat()}", Severity.LOW
            else:
                when = "on or before" if before else "on"
                status, severity = f"reached end of life {when} {date.isoformat()}", None
            yield image_hit(doc, stage, severity, release=release.display, status=status)
