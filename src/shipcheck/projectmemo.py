"""The project pass remembered, for a re-scan in which nothing it reads changed.

The result cache spares a warm scan the file pass; the project rules would still run, and
importing them and loading every file's facts for them is most of what is left. Their
outcome depends on the files' facts (each file's cache key covers them), the listed files
the rules read, the rules and shipcheck's code (in every key), the scan date and
``--offline`` — and on what the rules see of the tree besides the listed files: which files
exist (``.env`` that git ignores, a virtualenv folder), what git tracks, the ``.gitignore``
and CI files above a monorepo service. A memo is stored under the first and used only while
the second is as it was:

- every folder holding a listed file, the root and its parents up to the git top: their
  modification time moves when an entry is added, removed or renamed in them;
- the ``.gitignore`` files from the git top down to the root;
- what git tracks: the digest of git's listing of the root, each path tracked or not (in the
  key), or git's index when git did not list the files (a later ``git add`` of a changed file
  leaves the first alone);
- each path outside the listed files that a rule asked about (``ProjectModel.exists`` and
  ``read_text`` record them), by size and modification time.

Two memos are kept. One is keyed by every file's cache key and holds the whole pass (a
re-run with nothing changed). The other, for explicit files (pre-commit), is keyed by every
file's facts rather than its bytes and holds only the project rules' part: an edit that
changes no fact (most files have none) finds the project rules' findings as they were, and
only the edited files' own findings are new — unless one of those that the project's facts
refine was not refined when the memo was stored (``refined``), or a listed file a rule read
as text (``read``, by cache key) changed.

Anything else changed means a miss, and a miss only costs the time the memo would have
saved. ``shipcheck fix``, a scan with online advisories or a local advisory database do not
use it.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shipcheck.models.findings import Diagnostic, Finding
from shipcheck.models.kinds import Kind
from shipcheck.suppress import Suppression

FORMAT = 2  # bump when ProjectPass's fields change

# What a probe of one path saw: None (absent), or (is a folder, size, modification time).
Probe = tuple[bool, int, int] | None


@dataclass
class ProjectPass:
    """What the scan computes from the file results and the project rules, before the
    steps every scan repeats (roles, ignores, suppressions, baseline, diff, scoring)."""

    findings: list[Finding]
    suppressions: list[Suppression]
    diagnostics: list[Diagnostic]
    scanned: dict[str, Kind]
    skipped: dict[str, str]
    statuses: dict[str, bool]
    environment: tuple[dict[str, Any], ...]
    # What the tree looked like, for :func:`still_valid` (path → probe).
    seen: dict[str, Probe] = field(default_factory=dict)
    # The listed files the project rules read, by cache key (the facts memo only).
    read: dict[str, str] = field(default_factory=dict)
    # Findings of the reported files that project facts refined, and what they became.
    refined: dict[Finding, Finding] = field(default_factory=dict)


def key(
    settings_fp: str,
    root: Path,
    keys: Mapping[str, str],
    reported: Iterable[str] | None,
    today: str,
    offline: bool,
    listing: str | None,
) -> str:
    """The memo's key: every file's cache key, the files reported (None: all), the date,
    the network setting and git's listing (what it tracks; None: the index is probed
    instead)."""
    digest = hashlib.blake2b(f"{FORMAT}\0{settings_fp}\0{root}\0".encode(), digest_size=20)
    for path in sorted(keys):
        digest.update(f"{path}\0{keys[path]}\n".encode("utf-8", "surrogateescape"))
    listed = "*" if reported is None else "\0".join(sorted(reported))
    digest.update(f"{listed}\0{today}\0{offline}\0{listing}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def facts_key(
    settings_fp: str,
    root: Path,
    files: Iterable[tuple[str, str, str | None, str]],
    today: str,
    offline: bool,
    listing: str | None,
) -> str:
    """The project part's key: each file's path, what the scan knows of it besides its
    bytes (its role, a Dockerfile's stages), its kind and the digest of its facts, with the
    date, the network setting and git's listing."""
    digest = hashlib.blake2b(f"{FORMAT}\0facts\0{settings_fp}\0{root}\0".encode(), digest_size=20)
    for path, known, kind, facts in sorted(files):
        digest.update(f"{path}\0{known}\0{kind}\0{facts}\n".encode("utf-8", "surrogateescape"))
    digest.update(f"{today}\0{offline}\0{listing}".encode())
    return digest.hexdigest()


def surroundings(
    root: Path, listed: Iterable[str], git_top: Path | None, git_dir: Path | None
) -> list[str]:
    """The paths (relative to ``root``, ``..`` for the parents) whose state the memo keeps
    besides the listed files: their folders, the root's parents up to the git top with
    their ``.gitignore``, and git's index (``git_dir``: None when the key holds what git
    tracks)."""
    found = {"."}
    for path in listed:  # relative, normalised: a folder is what precedes the last "/"
        folder = path.rpartition("/")[0]
        while folder and folder not in found:
            found.add(folder)
            folder = folder.rpartition("/")[0]
    if git_top is not None:
        up = "."
        here = root.resolve()
        while True:
            found.add(posixpath.normpath(posixpath.join(up, ".gitignore")))
            if here == git_top or here.parent == here:
                break
            here, up = here.parent, posixpath.normpath(posixpath.join(up, ".."))
            found.add(up)
    if git_dir is not None:
        found.add(os.path.relpath(git_dir / "index", root.resolve()))
    return sorted(found)


def probe(root: Path, paths: Iterable[str]) -> dict[str, Probe]:
    """The state of each path under ``root``."""
    seen: dict[str, Probe] = {}
    for rel in paths:
        try:
            st = os.stat(root / rel)
        except (OSError, ValueError):
            seen[rel] = None
            continue
        is_dir = stat.S_ISDIR(st.st_mode)
        seen[rel] = (is_dir, 0 if is_dir else st.st_size, st.st_mtime_ns)
    return seen


def still_valid(
    root: Path,
    memo: ProjectPass,
    keys: Mapping[str, str] | None = None,
    seen: Mapping[str, Probe] | None = None,
) -> bool:
    """Whether everything the memo's rules saw of the tree is as it was (and, given the
    files' cache keys, every listed file they read). ``seen``: paths probed already."""
    if keys is not None and any(keys.get(path) != key for path, key in memo.read.items()):
        return False
    known = seen or {}
    rest = probe(root, [path for path in memo.seen if path not in known])
    return all(known.get(path, rest.get(path)) == state for path, state in memo.seen.items())
