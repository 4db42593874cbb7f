"""Known vulnerabilities (OSV advisories) in dependencies pinned to one version."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shipcheck import __version__
from shipcheck.advisories import (
    DEFAULT_OSV_URL,
    AdvisoryError,
    AdvisorySource,
    LocalDatabase,
    OsvService,
    ServiceUnreachable,
    UrllibTransport,
    vulnerabilities,
)
from shipcheck.advisories.osv import Vulnerability
from shipcheck.detectors.deps.common import parse_version
from shipcheck.detectors.deps.facts import LockedPackage
from shipcheck.detectors.deps.shape import ignored
from shipcheck.detectors.registry import RuleSkipped, detector
from shipcheck.models.artifacts import Kind
from shipcheck.models.facts import Dependency
from shipcheck.models.findings import Hit, Severity
from shipcheck.project import ProjectModel

ENV_DB = "SHIPCHECK_ADVISORY_DB"  # also engine.ADVISORY_DB_ENV (no memo while it is set)


@dataclass(frozen=True)
class VulnerableParams:
    """``advisory_db``: OSV records on disk (a directory of JSON files, one JSON file or a
    ``.zip`` export), relative to the project root; when set (or ``SHIPCHECK_ADVISORY_DB``
    is), no network is used. ``osv_url`` and ``timeout``: the online OSV API.
    ``ignore_vulns``: advisory ids or aliases to leave out (accepted risks).
    ``advisory_severity``: use each advisory's own rating (else the rule's severity).
    ``dev_severity``: severity for dependencies only used in development."""

    advisory_db: str = ""
    osv_url: str = DEFAULT_OSV_URL
    timeout: float = 15.0
    ignore_vulns: tuple[str, ...] = ()
    advisory_severity: bool = True
    dev_severity: str = "low"


@dataclass(frozen=True)
class Pinned:
    """A dependency pinned to one version, where it is pinned."""

    name: str
    version: str
    path: str
    line: int
    dev: bool
    display: str = ""


def pinned_dependencies(project: ProjectModel) -> list[Pinned]:
    """Every ``==`` pin of a requirements file, pyproject or Pipfile, and every package a
    lock file takes from an index, with a PEP 440 version. Unpinned dependencies cannot be
    judged (they are DEP001's business)."""
    result: dict[tuple[str, int, str], Pinned] = {}
    for fact in project.facts_of(Dependency):
        version = fact.version
        if not fact.pinned or fact.direct or not version:
            continue
        if ignored(fact.path) or parse_version(version) is None:
            continue
        name = fact.name
        pin = Pinned(name, version, fact.path, fact.line, fact.dev, fact.display or name)
        result.setdefault((fact.path, fact.line, name), pin)
    for package in project.facts_of(LockedPackage):
        version = package.version
        if not package.registry or not version or ignored(package.path):
            continue
        if parse_version(version) is None:
            continue
        name = package.name
        pin = Pinned(
            name, version, package.path, package.line, package.dev, package.display or name
        )
        result.setdefault((package.path, package.line, name), pin)
    return sorted(result.values(), key=lambda p: (p.path, p.line, p.name))


def _applies(project: ProjectModel) -> bool:
    return project.complete and bool(pinned_dependencies(project))


def advisory_source(project: ProjectModel, params: VulnerableParams) -> AdvisorySource:
    """The local database when one is configured, else the OSV API unless ``--offline``.
    Raises :class:`RuleSkipped` when neither may be used."""
    configured = params.advisory_db or os.environ.get(ENV_DB, "")
    if configured:
        path = Path(configured).expanduser()
        if not path.is_absolute() and params.advisory_db:
            path = project.root / path
        return LocalDatabase(path)
    if project.offline:
        raise RuleSkipped(
            f"--offline and no advisory_db (set [tool.shipcheck.params.DEP005] advisory_db "
            f"or {ENV_DB} to a local OSV database to check offline)",
            kind="network",
        )
    transport = UrllibTransport(user_agent=f"shipcheck/{__version__}")
    return OsvService(params.osv_url, params.timeout, transport=transport)


def _severity(found: list[Vulnerability], default: Severity | None) -> Severity | None:
    ratings = [v.severity for v in found if v.severity]
    if not ratings:
        return default
    return max((Severity.parse(r) for r in ratings), key=lambda s: s.rank)


def _fix(found: list[Vulnerability]) -> str:
    unfixed = [v for v in found if not v.has_fix]
    fixes = [v.fixed for v in found if v.fixed is not None]
    if unfixed and not fixes:
        return "no fixed release is known yet"
    target = f"upgrade to {max(fixes)} or later" if fixes else ""
    if unfixed:
        ids = ", ".join(v.primary for v in unfixed)
        target += f" ({ids} has no fixed release yet)"
    return target


def _describe(found: list[Vulnerability]) -> str:
    if len(found) == 1:
        vuln = found[0]
        summary = f": {vuln.summary}" if vuln.summary else ""
        return f"a known vulnerability, {vuln.label}{summary}"
    shown = ", ".join(v.label for v in found[:4])
    more = f" and {len(found) - 4} more" if len(found) > 4 else ""
    return f"{len(found)} known vulnerabilities: {shown}{more}"


@detector(
    "deps.vulnerable-dependency", kind=Kind.PROJECT, params=VulnerableParams, applies=_applies
)
def vulnerable_dependency(project: ProjectModel, params: VulnerableParams) -> Iterator[Hit]:
    """Pinned dependencies (``==`` in requirements files, pyproject.toml and Pipfile;
    packages in uv.lock, poetry.lock, pdm.lock, Pipfile.lock, pylock.toml) with a known
    vulnerability in OSV advisories, from a local OSV database or the OSV API. One finding
    per pinned occurrence, listing every advisory with its aliases and the release that
    fixes them all. Skipped with a diagnostic (checklist item not applicable, never a pass)
    under ``--offline`` without a local database, or when the service cannot be reached."""
    pins = pinned_dependencies(project)
    if not pins:
        return
    source = advisory_source(project, params)
    try:
        answers = source.lookup(sorted({(p.name, p.version) for p in pins}))
    except ServiceUnreachable as exc:
        raise RuleSkipped(str(exc), kind="network") from None
    except AdvisoryError as exc:
        kind = "network" if isinstance(source, OsvService) else "note"
        raise RuleSkipped(str(exc), kind=kind) from None
    ignore = {i.upper() for i in params.ignore_vulns}
    dev_severity = Severity.parse(params.dev_severity)
    for pin in pins:
        found = [
            v
            for v in vulnerabilities(answers.get((pin.name, pin.version), []))
            if not ignore & {i.upper() for i in v.ids}
        ]
        if not found:
            continue
        severity = _severity(found, None) if params.advisory_severity else None
        if pin.dev:
            severity = dev_severity
        yield Hit(
            path=pin.path,
            line=pin.line,
            fields={
                "name": pin.display or pin.name,
                "version": pin.version,
                "vulnerabilities": _describe(found),
                "fix": _fix(found),
                "ids": ", ".join(v.primary for v in found),
            },
            severity=severity,
            context=f"vulnerable:{pin.name}=={pin.version}:{','.join(v.primary for v in found)}",
        )
