"""The built-in catalogue, ready to use: its rules validated, the checklist and the index of
where every detector lives, kept in the user's cache directory per code fingerprint.

Parsing ~150 rule files and importing every detector module to validate them is most of a
small scan's start-up. Cached, a scan reads one file and imports only the detectors for the
kinds of files it reads (``registry.Index``). The fingerprint covers shipcheck's version and
the size and time of every file of its code and rules, so an edited rule or detector
rebuilds the entry; a missing, stale or unreadable entry is rebuilt without a word.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

from shipcheck import cache as cache_mod
from shipcheck.cachefiles import replace_entry
from shipcheck.catalogue import Rule, load_rules
from shipcheck.checklist import Checklist, load_checklist, remember_checklist
from shipcheck.detectors import load_builtin, registry

PREFIX = "catalogue-"
_FORMAT = 2  # bump when Builtin's fields change


@dataclass(frozen=True)
class Builtin:
    """What the built-in pack contributes before any file is read."""

    rules: tuple[Rule, ...]
    checklist: Checklist
    index: registry.Index


def load(rules_dir: object, cache_in: Path | None) -> Builtin:
    """The built-in catalogue: from ``cache_in`` (a directory) when an entry for this code is
    there, else built by importing every detector, and then stored there."""
    entry = None
    if cache_in is not None:
        entry = cache_in / f"{PREFIX}{cache_mod.code_fingerprint(())}.pickle"
        found = _read(entry)
        if found is not None:
            remember_checklist(found.checklist)
            registry.use_index(found.index)
            return found
    built = _build(rules_dir)
    if entry is not None:
        _write(entry, built)
    # Everything is imported already; worker processes started afresh import on demand.
    registry.use_index(built.index)
    return built


def _build(rules_dir: object) -> Builtin:
    modules = load_builtin()
    rules = tuple(load_rules(rules_dir, origin="builtin", label="rules"))
    return Builtin(rules, load_checklist(), registry.index_of(modules))


def _read(entry: Path) -> Builtin | None:
    try:
        data = entry.read_bytes()
        found = cache_mod.restricted_loads(data, kind=tuple)
    except FileNotFoundError:
        return None
    except Exception:  # a damaged entry is only a slower start: rebuild it
        return None
    if len(found) != 2 or found[0] != _FORMAT or not isinstance(found[1], Builtin):
        return None
    return found[1]


def _write(entry: Path, built: Builtin) -> None:
    """Store ``built`` and drop older entries (see :func:`cachefiles.replace_entry`)."""
    data = pickle.dumps((_FORMAT, built), protocol=pickle.HIGHEST_PROTOCOL)
    replace_entry(entry, data, PREFIX)
