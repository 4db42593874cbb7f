"""OSV records (https://ossf.github.io/osv-schema/): reading them defensively and deciding
whether a PyPI package version is affected.

Range semantics follow the OSV specification: the events of an ``ECOSYSTEM`` (or
``SEMVER``) range are sorted by version; ``introduced`` opens an affected interval
(``"0"`` is the beginning of time), ``fixed`` closes it at that version (exclusive),
``last_affected`` closes it after that version (inclusive), and ``limit`` bounds the whole
range from above. A version is also affected when it is listed in ``affected[].versions``.
``GIT`` ranges (commit hashes) cannot be judged from a version number and are ignored.
Versions are compared with :mod:`packaging.version` (PEP 440).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from packaging.version import InvalidVersion, Version

from shipcheck.advisories.cvss import base_score, severity_of

ECOSYSTEM = "PyPI"
SEVERITY_ORDER = ("low", "medium", "high", "critical")
_WORDS = {
    "critical": "critical",
    "high": "high",
    "important": "high",
    "moderate": "medium",
    "medium": "medium",
    "low": "low",
    "negligible": "low",
}
_EVENT_ORDER = {"introduced": 0, "fixed": 1, "last_affected": 2, "limit": 3}


def canonical(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _version(text: Any) -> Version | None:
    try:
        return Version(str(text))
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class Assessment:
    """Whether a version is affected, and the first fixed version above it (if known)."""

    affected: bool
    fixed: Version | None = None


def range_affects(events: Iterable[Any], version: Version) -> Assessment:
    """Evaluate one ECOSYSTEM/SEMVER range's ``events`` for ``version`` (OSV algorithm).

    A range with an event that is not a PEP 440 version cannot be judged: not affected.
    """
    parsed: list[tuple[str, Version | None]] = []
    for event in events:
        if not isinstance(event, Mapping):
            continue
        for kind in _EVENT_ORDER:
            if kind not in event:
                continue
            raw = str(event[kind])
            if kind == "introduced" and raw == "0":
                parsed.append((kind, None))
            elif kind == "limit" and raw == "*":
                continue
            else:
                value = _version(raw)
                if value is None:
                    return Assessment(False)
                parsed.append((kind, value))
    # "0" sorts first; at equal versions, `introduced` before the events that close.
    parsed.sort(key=lambda e: (e[1] is not None, e[1] or Version("0"), _EVENT_ORDER[e[0]]))
    affected = False
    for kind, value in parsed:
        if kind == "introduced":
            if value is None or version >= value:
                affected = True
        elif kind == "fixed":
            if value is not None and version >= value:
                affected = False
        elif kind == "last_affected" and value is not None and version > value:
            affected = False
    limits = [v for k, v in parsed if k == "limit" and v is not None]
    if limits and version >= min(limits):
        affected = False
    fixes = [v for k, v in parsed if k == "fixed" and v is not None and v > version]
    return Assessment(affected, min(fixes) if fixes else None)


@dataclass(frozen=True)
class Advisory:
    """One advisory about one package version: ids, summary, severity, fix."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: str | None  # critical | high | medium | low, or None when the record has none
    fixed: Version | None

    @property
    def ids(self) -> tuple[str, ...]:
        """The id and its aliases."""
        return (self.id, *self.aliases)


class OsvRecord:
    """An OSV record as read from JSON; every accessor tolerates odd shapes."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw

    @classmethod
    def from_json(cls, raw: Any) -> OsvRecord | None:
        """A record, or None when ``raw`` is not an OSV record (no string ``id``)."""
        if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
            return cls(raw)
        return None

    @property
    def id(self) -> str:
        """The record id (``GHSA-…``, ``PYSEC-…``)."""
        return str(self.raw["id"])

    @property
    def aliases(self) -> tuple[str, ...]:
        """Other ids for the same vulnerability (CVE, GHSA, PYSEC)."""
        aliases = self.raw.get("aliases")
        if not isinstance(aliases, list):
            return ()
        return tuple(str(a) for a in aliases if isinstance(a, str) and a != self.id)

    @property
    def withdrawn(self) -> bool:
        """A withdrawn record no longer applies."""
        return bool(self.raw.get("withdrawn"))

    @property
    def summary(self) -> str:
        """One line: the summary, or the first line of the details."""
        text = self.raw.get("summary")
        if not isinstance(text, str) or not text.strip():
            details = self.raw.get("details")
            text = details.strip().splitlines()[0] if isinstance(details, str) and details else ""
        text = " ".join(text.split())
        return text if len(text) <= 120 else text[:117].rstrip() + "..."

    def _affected(self, name: str) -> list[Mapping[str, Any]]:
        entries = self.raw.get("affected")
        if not isinstance(entries, list):
            return []
        wanted = canonical(name)
        result = []
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            package = entry.get("package")
            if not isinstance(package, Mapping):
                continue
            if str(package.get("ecosystem", "")).split(":")[0] != ECOSYSTEM:
                continue
            if canonical(str(package.get("name", ""))) == wanted:
                result.append(entry)
        return result

    def mentions(self, name: str) -> bool:
        """Whether the record has an ``affected`` entry for PyPI package ``name``."""
        return bool(self._affected(name))

    def assess(self, name: str, version: Version) -> Assessment:
        """Whether ``name`` at ``version`` is affected, and the first fix above it."""
        affected = False
        fixes: list[Version] = []
        all_fixes: list[Version] = []
        for entry in self._affected(name):
            versions = entry.get("versions")
            if isinstance(versions, list) and any(
                _version(v) == version for v in versions if isinstance(v, str)
            ):
                affected = True
            ranges = entry.get("ranges")
            for item in ranges if isinstance(ranges, list) else []:
                if not isinstance(item, Mapping) or item.get("type") not in ("ECOSYSTEM", "SEMVER"):
                    continue
                events = item.get("events")
                result = range_affects(events if isinstance(events, list) else [], version)
                if result.fixed is not None:
                    all_fixes.append(result.fixed)
                if result.affected:
                    affected = True
                    if result.fixed is not None:
                        fixes.append(result.fixed)
        # Listed in `versions` only: the nearest fix of any range is the best hint there is.
        chosen = fixes or all_fixes
        return Assessment(affected, min(chosen) if affected and chosen else None)

    @property
    def severity(self) -> str | None:
        """The worst of the record's ratings: ``database_specific.severity`` (GitHub's
        LOW/MODERATE/HIGH/CRITICAL), CVSS v3 vectors in ``severity[]`` (scored), and
        per-package ``database_specific``/``ecosystem_specific`` severities."""
        found: list[str] = []
        places: list[Any] = [self.raw.get("database_specific")]
        for entry in self.raw.get("affected") if isinstance(self.raw.get("affected"), list) else []:
            if isinstance(entry, Mapping):
                places += [entry.get("database_specific"), entry.get("ecosystem_specific")]
        for place in places:
            if isinstance(place, Mapping) and isinstance(place.get("severity"), str):
                word = _WORDS.get(place["severity"].strip().lower())
                if word:
                    found.append(word)
        scores = self.raw.get("severity")
        for item in scores if isinstance(scores, list) else []:
            if not isinstance(item, Mapping) or not isinstance(item.get("score"), str):
                continue
            score_text = item["score"].strip()
            if str(item.get("type", "")).startswith("CVSS_V3"):
                value = base_score(score_text)
                if value is not None and severity_of(value) != "none":
                    found.append(severity_of(value))
            elif score_text.lower() in _WORDS:
                found.append(_WORDS[score_text.lower()])
        if not found:
            return None
        return max(found, key=SEVERITY_ORDER.index)

    def advisory(
        self, name: str, version: Version, assume_affected: bool = False
    ) -> Advisory | None:
        """The :class:`Advisory` for ``name`` at ``version``, or None when not affected.
        ``assume_affected`` trusts a service that already matched the version."""
        if self.withdrawn:
            return None
        result = self.assess(name, version)
        if not result.affected and not assume_affected:
            return None
        return Advisory(self.id, self.aliases, self.summary, self.severity, result.fixed)


def merge(advisories: Iterable[Advisory]) -> list[list[Advisory]]:
    """Group advisories that describe one vulnerability (shared ids or aliases: a PYSEC and
    a GHSA record for one CVE), keeping input order."""
    groups: list[list[Advisory]] = []
    for advisory in advisories:
        ids = set(advisory.ids)
        touching = [g for g in groups if any(ids & set(a.ids) for a in g)]
        merged = [a for g in touching for a in g] + [advisory]
        groups = [g for g in groups if g not in touching]
        groups.append(merged)
    return groups


@dataclass(frozen=True)
class Vulnerability:
    """One vulnerability of one package version, merged over its advisories."""

    primary: str  # the id to show first (GHSA, then PYSEC, then any)
    aliases: tuple[str, ...]  # every other id, CVEs first
    summary: str
    severity: str | None
    fixed: Version | None
    has_fix: bool

    @property
    def ids(self) -> tuple[str, ...]:
        """Every id."""
        return (self.primary, *self.aliases)

    @property
    def cves(self) -> tuple[str, ...]:
        """The CVE ids."""
        return tuple(i for i in self.ids if i.startswith("CVE-"))

    @property
    def label(self) -> str:
        """``GHSA-xxxx (CVE-2024-1234)``."""
        cves = self.cves
        return f"{self.primary} ({', '.join(cves)})" if cves else self.primary


def _id_rank(identifier: str) -> int:
    for rank, prefix in enumerate(("GHSA-", "PYSEC-", "CVE-")):
        if identifier.startswith(prefix):
            return rank
    return 3


def vulnerabilities(advisories: Iterable[Advisory]) -> list[Vulnerability]:
    """Merge aliases and summarise: one :class:`Vulnerability` per distinct vulnerability,
    sorted by primary id."""
    result = []
    for group in merge(advisories):
        ids: list[str] = []
        for advisory in group:
            for identifier in advisory.ids:
                if identifier not in ids:
                    ids.append(identifier)
        record_ids = sorted((a.id for a in group), key=lambda i: (_id_rank(i), i))
        primary = record_ids[0]
        others = sorted(
            (i for i in ids if i != primary), key=lambda i: (not i.startswith("CVE-"), i)
        )
        severities = [a.severity for a in group if a.severity]
        fixes = [a.fixed for a in group if a.fixed is not None]
        summary = next(
            (a.summary for a in sorted(group, key=lambda a: _id_rank(a.id)) if a.summary), ""
        )
        result.append(
            Vulnerability(
                primary=primary,
                aliases=tuple(others),
                summary=summary,
                severity=max(severities, key=SEVERITY_ORDER.index) if severities else None,
                fixed=max(fixes) if fixes else None,
                has_fix=bool(fixes),
            )
        )
    return sorted(result, key=lambda v: v.primary)
