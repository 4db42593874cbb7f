"""End-of-life images (container.base-image-supported): Dockerfile ``FROM``, and the images
a project deploys as they are, Compose ``image:`` and Kubernetes container ``image:``.

The end-of-life table is data (the rule's params) and is compared with the date of the
scan, so an image that passes today fails once its Python, distribution or service release
goes out of support, without a new shipcheck release. One detector reads all three kinds so
that the table, and a user's change to it, is one policy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from shipcheck import lazyre
from shipcheck.detectors.compose.services import services
from shipcheck.detectors.dockerfile.base_image import external_stages, image_hit
from shipcheck.detectors.dockerfile.syntax import ImageRef, parse_image
from shipcheck.detectors.kubernetes import images as kube_images
from shipcheck.detectors.kubernetes.workloads import all_containers
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Artifact, ComposeFile, Dockerfile, Kind, KubernetesFile
from shipcheck.models.findings import Hit, Severity

_PYTHON_TAG = lazyre.compile(r"^(\d+)(?:\.(\d+))?(?:\.\d+)?(?:(?:a|b|rc)\d+)?(?:-(.+))?$")
_PYTHON_IN_TAG = lazyre.compile(r"(?:^|[-_])python(\d)\.(\d+)(?=$|[-_.])")
_ALPINE_IN_TAG = lazyre.compile(r"^alpine(\d+\.\d+)")
_DISTROLESS_DEBIAN = lazyre.compile(r"-debian(\d+)$")
_VERSION = lazyre.compile(r"^(\d+)(?:\.(\d+))?")
_DISPLAY = {
    "python": "Python", "debian": "Debian", "ubuntu": "Ubuntu", "alpine": "Alpine",
    "postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB", "node": "Node.js",
    "redis": "Redis", "nginx": "nginx",
}  # fmt: skip
# Service images whose release is the leading version of the tag, and how many of its
# numbers name a release: PostgreSQL 10+ and Node.js by major, MySQL, MariaDB, Redis and
# nginx by major.minor (PostgreSQL 9.x also by major.minor). A major-only tag of a
# major.minor family (``redis:5``) is looked up as the major: the table lists it only when
# every series of that major is gone (``redis:6`` is 6.2 today, which it does not list).
_SERVICE_PARTS = {"postgres": 1, "mysql": 2, "mariadb": 2, "node": 1, "redis": 2, "nginx": 2}
# Re-packagers whose repository name differs from the official image's while their tags
# still carry the upstream version (``bitnami/postgresql:11.22.0-debian-11-r3``,
# ``nginxinc/nginx-unprivileged:1.24-alpine``).
_ALIASES = {"postgresql": "postgres", "nginx-unprivileged": "nginx"}
_SERVICE_TAG = lazyre.compile(r"^(\d+)(?:\.(\d+))?(?:\.\d+)*(?:-(.+))?$")

# Clock for the scan; tests and the ``as_of`` param pin it.
today = dt.date.today


@dataclass(frozen=True)
class EndOfLifeParams:
    """End-of-life dates (``YYYY-MM-DD``) per release, by family: ``python`` (``"3.9"``),
    ``debian`` (codename and number), ``ubuntu`` (``"20.04"`` and codename), ``alpine``
    (``"3.18"``), and the service images ``postgres`` (``"13"``, ``"9.6"``), ``mysql``
    (``"8.0"``), ``mariadb`` (``"10.6"``), ``node`` (``"18"``), ``redis`` (``"7.0"``, and
    ``"5"`` for a major-only tag), ``nginx`` (``"1.24"``). ``as_of`` pins the date
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
    redis: dict[str, Any] = field(default_factory=dict)
    nginx: dict[str, Any] = field(default_factory=dict)
    as_of: str | None = None
    warn_days: int = 0


@dataclass(frozen=True)
class Release:
    """A Python, OS or service release an image is built on."""

    family: str  # a key of _DISPLAY
    version: str

    @property
    def display(self) -> str:
        """``Python 3.9``, ``Debian buster``."""
        return f"{_DISPLAY[self.family]} {self.version}"


def releases(image: ImageRef) -> list[Release]:
    """The Python, OS and service releases an image reference names (nothing for
    ``latest``-ish tags)."""
    found: list[Release] = []
    tag = (image.tag or "").lower()
    name = _ALIASES.get(image.name, image.name)
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
            found.append(
                Release(name, major if parts == 1 or minor is None else f"{major}.{minor}")
            )
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


def _tables(params: EndOfLifeParams) -> dict[str, dict[str, Any]]:
    return {family: getattr(params, family) for family in _DISPLAY}


def _verdicts(
    image: ImageRef, params: EndOfLifeParams, now: dt.date
) -> Iterator[tuple[Release, str, Severity | None]]:
    """(release, status, severity) for every release of ``image`` past (or, as low, near)
    its end of life."""
    tables = _tables(params)
    for release in releases(image):
        known = end_of_life(release, tables[release.family])
        if known is None:
            continue
        date, before = known
        days_left = (date - now).days
        if days_left > 0 and days_left > params.warn_days:
            continue
        if days_left > 0:
            yield release, f"reaches end of life on {date.isoformat()}", Severity.LOW
        else:
            when = "on or before" if before else "on"
            yield release, f"reached end of life {when} {date.isoformat()}", None


def _deployed_hits(
    raw: Any, who: str, where: Any, key: str, params: EndOfLifeParams, now: dt.date
) -> Iterator[Hit]:
    """Findings on the ``image:`` value of mapping ``where`` (a Compose service or a
    container), run by ``who``. Values that are not a plain reference (empty, or holding
    ``${VAR}`` / ``{{ .Values }}`` left to another tool) are not judged."""
    if not isinstance(raw, str) or kube_images.parse_image(raw) is None:
        return
    image = parse_image(raw)
    for release, status, severity in _verdicts(image, params, now):
        yield Hit(
            line=where.value_line("image"),
            column=where.value_column("image"),
            fields={
                "subject": f"{who} runs `{image.raw}` ({release.display})",
                "image": image.raw,
                "release": release.display,
                "status": status,
            },
            severity=severity,
            context=f"{key} {release.display}",
        )


def _dockerfile_hits(doc: Dockerfile, params: EndOfLifeParams, now: dt.date) -> Iterator[Hit]:
    for stage, image in external_stages(doc):
        if image.unresolved:
            continue
        for release, status, severity in _verdicts(image, params, now):
            hit = image_hit(doc, stage, severity, release=release.display, status=status)
            fields = hit.fields
            subject = (
                f"Stage `{fields['stage']}`: `FROM {fields['image']}`{fields['resolved']} "
                f"is built on {release.display}"
            )
            yield dataclasses.replace(hit, fields={**fields, "subject": subject})


def _compose_hits(doc: ComposeFile, params: EndOfLifeParams, now: dt.date) -> Iterator[Hit]:
    for name, service in services(doc):
        # An image Compose builds is judged through its Dockerfile: here ``image:`` only
        # names the result.
        if "build" not in service:
            raw = service.get("image")
            yield from _deployed_hits(raw, f"Service `{name}`", service, name, params, now)


def _kubernetes_hits(doc: KubernetesFile, params: EndOfLifeParams, now: dt.date) -> Iterator[Hit]:
    for c in all_containers(doc.objects):
        raw = c.spec.get("image")
        yield from _deployed_hits(raw, c.label, c.spec, c.context_key, params, now)


@detector(
    "dockerfile.end-of-life-base",
    kind=(Kind.DOCKERFILE, Kind.COMPOSE, Kind.KUBERNETES),
    params=EndOfLifeParams,
)
def end_of_life_base(doc: Artifact, params: EndOfLifeParams) -> Iterator[Hit]:
    """An image is built on a Python, Debian, Ubuntu, Alpine, PostgreSQL, MySQL, MariaDB,
    Node.js, Redis or nginx release past its end of life (or, as low, within ``warn_days``
    of it): a Dockerfile stage's base image, a Compose service's ``image:`` (not when the
    service has ``build:``, whose Dockerfile is judged instead), a Kubernetes container's or
    init container's ``image:``. Templated references are not judged."""
    now = _as_of(params)
    if isinstance(doc, Dockerfile):
        yield from _dockerfile_hits(doc, params, now)
    elif isinstance(doc, ComposeFile):
        yield from _compose_hits(doc, params, now)
    elif isinstance(doc, KubernetesFile):
        yield from _kubernetes_hits(doc, params, now)
