"""The project pass remembered, for a re-scan in which nothing changed.

The result cache spares a warm scan the file pass; the project rules would still run, and
importing them and loading every file's facts for them is most of what is left. Their
outcome depends on the files' contents (the cache keys), the rules and shipcheck's code (in
every key), the scan date and ``--offline`` — and on what the rules see of the tree besides
the listed files: which files exist (``.env`` that git ignores, a virtualenv folder), what
git tracks, the ``.gitignore`` and CI files above a monorepo service. A memo is stored under
the first and used only while the second is as it was:

- every folder holding a listed file, the root and its parents up to the git top: their
  modification time moves when an entry is added, removed or renamed in them;
- the ``.gitignore`` files from the git top down to the root, and git's index (what git
  tracks);
- each path outside the listed files that a rule asked about (``ProjectModel.exists`` and
  ``read_text`` record them), by size and modification time.

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

from shipcheck.models.artifacts import Kind
from shipcheck.models.findings import Diagnostic, Finding
from shipcheck.suppress import Suppression

FORMAT = 1  # bump when ProjectPass's fields change

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


def key(
    settings_fp: str,
    root: Path,
    keys: Mapping[str, str],
    reported: Iterable[str] | None,
    today: str,
    offline: bool,
) -> str:
    """The memo's key: every file's cache key, the files reported (None: all), the date
    and the network setting."""
    digest = hashlib.blake2b(f"{FORMAT}\0{settings_fp}\0{root}\0".encode(), digest_size=20)
    for path in sorted(keys):
        digest.update(f"{path}\0{keys[path]}\n".encode("utf-8", "surrogateescape"))
    listed = "*" if reported is None else "\0".join(sorted(reported))
    digest.update(f"{listed}\0{today}\0{offline}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def surroundings(
    root: Path, listed: Iterable[str], git_top: Path | None, git_dir: Path | None
) -> list[str]:
    """The paths (relative to ``root``, ``..`` for the parents) whose state the memo keeps
    besides the listed files: their folders, the root's parents up to the git top with
    their ``.gitignore``, and git's index."""
    found = {"."}
    for path in listed:
        folder = posixpath.dirname(path)
        while folder and folder not in found:
            found.add(folder)
            folder = posixpath.dirname(folder)
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


def still_valid(root: Path, memo: ProjectPass) -> bool:
    """Whether everything the memo's rules saw of the tree is as it was."""
    return probe(root, memo.seen) == memo.seen
