"""The project model: what the file pass learnt, merged, for cross-file (project) rules."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shipcheck.models.artifacts import Kind
from shipcheck.models.facts import Fact

_READ_LIMIT = 256 * 1024


@dataclass
class ProjectModel:
    """Files scanned (path → kind), their facts, and read-only access to the project root.

    ``complete`` is False when only some files were scanned (pre-commit file lists); project
    rules do not run then, since they would judge a part as the whole.
    """

    root: Path
    files: dict[str, Kind]
    facts: list[Fact] = field(default_factory=list)
    complete: bool = True
    offline: bool = False  # --offline: detectors must not open network connections
    skipped: dict[str, str] = field(default_factory=dict)  # rule id → why it was skipped
    # Derived views several project rules share (e.g. the dependency shape), built once.
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _tracked: set[str] | None = field(default=None, repr=False)
    _git_checked: bool = field(default=False, repr=False)

    def facts_of(self, fact_type: str) -> list[Fact]:
        """Facts of one type, in path/line order."""
        return [f for f in self.facts if f.type == fact_type]

    def paths_of(self, *kinds: Kind) -> list[str]:
        """Scanned files of the given kinds, sorted."""
        return sorted(p for p, k in self.files.items() if k in kinds)

    def has_kind(self, *kinds: Kind) -> bool:
        """Whether any scanned file is of one of ``kinds``."""
        return any(k in kinds for k in self.files.values())

    def exists(self, rel: str) -> bool:
        """Whether ``rel`` exists under the root (scanned or not)."""
        return (self.root / rel).exists()

    def read_text(self, rel: str) -> str | None:
        """A small file's text under the root (``None`` when missing or unreadable)."""
        path = self.root / rel
        try:
            resolved = path.resolve(strict=True)
            if self.root.resolve() not in resolved.parents or not resolved.is_file():
                return None
            with open(resolved, "rb") as handle:
                return handle.read(_READ_LIMIT).decode("utf-8", errors="replace")
        except (OSError, RuntimeError):
            return None

    def git_tracked(self, rel: str) -> bool | None:
        """Whether git tracks ``rel``; None when the root is not a git work tree."""
        if not self._git_checked:
            self._git_checked = True
            self._tracked = _git_ls_files(self.root)
        if self._tracked is None:
            return None
        return rel in self._tracked

    def tracked_paths(self) -> frozenset[str] | None:
        """Every path git tracks under the root (relative to it); None when not a work tree.
        Finds tracked files that discovery skipped because a later .gitignore covers them."""
        self.git_tracked("")
        return frozenset(self._tracked) if self._tracked is not None else None


def _git_ls_files(root: Path) -> set[str] | None:
    """Tracked paths, relative to ``root``. The repository's own git config must not run
    programs, so hooks and fsmonitor are switched off."""
    try:
        result = subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "-C", str(root), "ls-files", "-z", "--full-name"],
            capture_output=True,
            timeout=20,
            check=False,
        )
        prefix = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-prefix"],
            capture_output=True,
            timeout=20,
            check=False,
            text=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0 or prefix.returncode != 0:
        return None
    base = prefix.stdout.strip()
    paths = result.stdout.decode("utf-8", errors="replace").split("\0")
    return {p[len(base) :] for p in paths if p and p.startswith(base)}
