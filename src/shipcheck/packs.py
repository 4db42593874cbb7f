"""Rule packs: the built-in one and third-party ones from the ``shipcheck.packs`` entry point
group. A pack is a prefix, a directory of YAML rules and the modules holding its detectors."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shipcheck import lazyre
from shipcheck.cachefiles import replace_entry
from shipcheck.catalogue import CatalogueError, Rule, load_rules
from shipcheck.detectors import registry

if TYPE_CHECKING:
    from importlib import metadata

ENTRY_POINT_GROUP = "shipcheck.packs"
_LIST_PREFIX = "packs-"  # the installed packs, kept in the cache directory
PREFIX = lazyre.compile(r"^[A-Z]{2,5}$")
BUILTIN_FAMILIES = frozenset(
    {"PY", "DEP", "DKR", "CMP", "KUB", "CI", "PRJ", "SEC", "CFG", "SC", "OPS", "BAN"}
)


@dataclass(frozen=True)
class RulePack:
    """What a third-party distribution exposes at its ``shipcheck.packs`` entry point.

    ``catalogue`` is a directory of rule YAML files (a path or an importlib resource);
    ``detectors`` names modules to import so that their ``@detector`` functions register.
    """

    prefix: str
    catalogue: Any
    detectors: tuple[str, ...] = ()


class PackLoadError(Exception):
    """A pack could not be loaded; names the distribution and the cause."""


@dataclass
class LoadedPack:
    """A pack after loading: where it came from and its rules."""

    prefix: str
    distribution: str
    version: str
    rules: list[Rule] = field(default_factory=list)
    modules: tuple[str, ...] = ()


def builtin_rules_dir() -> Path:
    """The built-in catalogue: inside the installed package, or the checkout's top-level
    ``rules/`` (shipcheck is installed as files, never run from a zip archive)."""
    here = Path(__file__).resolve()
    packaged = here.parent / "rules"
    if packaged.is_dir():
        return packaged
    return here.parents[2] / "rules"


def load_builtin(cache_in: Path | None = None) -> LoadedPack:
    """The catalogue shipped with shipcheck (kept in ``cache_in`` between runs, when given:
    see ``shipcheck.startup``)."""
    from shipcheck import __version__, startup

    built = startup.load(builtin_rules_dir(), cache_in)
    return LoadedPack("", "shipcheck", __version__, list(built.rules), ("shipcheck.detectors",))


def installed_packs() -> list[tuple[str, str, str]]:
    """(entry point name, distribution, version) of every installed pack, without loading any."""
    return [(name, dist, version) for name, _value, dist, version in _pack_entries(None)]


def load_third_party(
    required: list[str], cache_in: Path | None = None
) -> tuple[list[LoadedPack], list[str]]:
    """Packs from installed distributions, and warnings for optional packs that failed (the
    list of installed packs kept in ``cache_in`` between runs, when given)."""
    packs: list[LoadedPack] = []
    warnings: list[str] = []
    seen: set[str] = set()
    entries = _pack_entries(cache_in)
    if entries:
        from importlib import metadata
    for name, value, dist, version in entries:
        entry = metadata.EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)
        try:
            pack = _load_entry(entry, dist, seen)
            seen.add(pack.prefix)
            packs.append(
                LoadedPack(pack.prefix, dist, version, _pack_rules(pack, dist), pack.detectors)
            )
        except (PackLoadError, CatalogueError) as exc:
            if name in required:
                raise
            warnings.append(f"rule pack {name!r} from {dist} not loaded: {exc}")
    missing = sorted(set(required) - {p.prefix for p in packs})
    if missing:
        raise PackLoadError(f"required rule pack(s) not installed: {', '.join(missing)}")
    return packs, warnings


def _pack_entries(cache_in: Path | None) -> list[tuple[str, str, str, str]]:
    """(name, value, distribution, version) of each ``shipcheck.packs`` entry point, by name.

    Reading entry points opens every installed distribution's metadata, a cost each scan
    would pay for the few installs that have packs. The list is kept in ``cache_in`` under
    the import path's folders and their modification times: installing, upgrading or
    removing a distribution adds or removes a folder in them, which moves the time.
    """
    entry = None
    if cache_in is not None:
        entry = cache_in / f"{_LIST_PREFIX}{_import_path_fingerprint()}.json"
        with contextlib.suppress(OSError, ValueError, TypeError):
            found = json.loads(entry.read_text(encoding="utf-8"))
            if isinstance(found, list) and all(
                isinstance(e, list) and len(e) == 4 and all(isinstance(x, str) for x in e)
                for e in found
            ):
                return [tuple(e) for e in found]  # type: ignore[misc]
    from importlib import metadata

    listed = []
    for point in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dist = point.dist.name if point.dist else point.value
        listed.append((point.name, point.value, dist, point.dist.version if point.dist else ""))
    if entry is not None:
        replace_entry(entry, json.dumps(listed).encode(), _LIST_PREFIX)
    return listed


def _import_path_fingerprint() -> str:
    digest = hashlib.blake2b(digest_size=16)
    here = os.getcwd()
    for folder in sys.path:
        with contextlib.suppress(OSError):
            if folder in ("", here):
                # The working folder changes all the time: what matters there is which
                # distributions it holds.
                state = ",".join(sorted(_distributions(folder or ".")))
            else:
                state = str(os.stat(folder).st_mtime_ns)
            digest.update(f"{folder}\0{state}\0".encode())
    return digest.hexdigest()


def _distributions(folder: str) -> list[str]:
    with os.scandir(folder) as entries:
        return [e.name for e in entries if e.name.endswith((".dist-info", ".egg-info"))]


def _load_entry(entry: metadata.EntryPoint, dist: str, seen: set[str]) -> RulePack:
    if not PREFIX.match(entry.name):
        raise PackLoadError(f"{dist}: entry point name {entry.name!r} must be 2-5 capitals")
    if entry.name in BUILTIN_FAMILIES or entry.name in seen:
        raise PackLoadError(f"{dist}: prefix {entry.name!r} is already taken")
    try:
        pack = entry.load()
        if callable(pack) and not isinstance(pack, RulePack):
            pack = pack()
        for module in pack.detectors:
            registry.import_modules(module)
    except Exception as exc:  # a broken plug-in must not take the scan down
        raise PackLoadError(f"{dist}: {type(exc).__name__}: {exc}") from exc
    if not isinstance(pack, RulePack):
        raise PackLoadError(f"{dist}: entry point {entry.value!r} is not a RulePack")
    if pack.prefix != entry.name:
        raise PackLoadError(f"{dist}: pack prefix {pack.prefix!r} != entry point {entry.name!r}")
    return pack


def _pack_rules(pack: RulePack, dist: str) -> list[Rule]:
    rules = load_rules(pack.catalogue, origin=f"pack:{pack.prefix}", label=dist)
    for rule in rules:
        if not rule.id.startswith(pack.prefix):
            raise CatalogueError(f"{rule.source}: rule {rule.id}: id must start with {pack.prefix}")
    return rules
