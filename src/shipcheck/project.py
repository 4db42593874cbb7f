"""The project model: what the file pass learnt, merged, for cross-file (project) rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from shipcheck.git import GitRepo
from shipcheck.models.kinds import Kind

if TYPE_CHECKING:
    from shipcheck.models.facts import Fact

_READ_LIMIT = 256 * 1024
F = TypeVar("F", bound="Fact")


@dataclass
class ProjectModel:
    """Files scanned (path → kind), their facts, and read-only access to the project root.

    ``complete`` is False when only some files were scanned (pre-commit file lists); project
    rules do not run then, since they would judge a part as the whole.
    """

    root: Path
    files: dict[str, Kind]
    facts: list[Fact] = field(default_factory=list)  # fixed once built: facts_of reads an index
    complete: bool = True
    offline: bool = False  # --offline: detectors must not open network connections
    skipped: dict[str, str] = field(default_factory=dict)  # rule id → why it was skipped
    # Derived views several project rules share (e.g. the dependency shape), built once.
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _git: GitRepo | None = field(default=None, repr=False)
    # Paths outside the scanned files that rules asked about (exists, read_text): whether a
    # remembered project pass still holds depends on them too (shipcheck.projectmemo).
    asked: set[str] = field(default_factory=set, repr=False, compare=False)
    # Scanned files whose text rules read (read_text): their bytes count, not only their facts.
    read: set[str] = field(default_factory=set, repr=False, compare=False)
    # Facts by class (and by each Fact base class), indexed once when the model is built.
    _by_type: dict[type[Fact], list[Fact]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_type = {}
        if not self.facts:
            return  # a remembered pass: the fact classes need not even be defined
        from shipcheck.models.facts import Fact

        for fact in self.facts:
            for cls in type(fact).__mro__:
                if isinstance(cls, type) and issubclass(cls, Fact):
                    self._by_type.setdefault(cls, []).append(fact)

    def facts_of(self, fact_type: type[F]) -> list[F]:
        """Facts of class ``fact_type`` (subclasses included), in the order they were found."""
        return cast("list[F]", list(self._by_type.get(fact_type, ())))

    def paths_of(self, *kinds: Kind) -> list[str]:
        """Scanned files of the given kinds, sorted."""
        return sorted(p for p, k in self.files.items() if k in kinds)

    def has_kind(self, *kinds: Kind) -> bool:
        """Whether any scanned file is of one of ``kinds``."""
        # Asked by every rule's applicability check: the set of kinds is built once per size.
        known = self.memo.get("kinds")
        if known is None or known[0] != len(self.files):
            known = self.memo["kinds"] = (len(self.files), frozenset(self.files.values()))
        return not known[1].isdisjoint(kinds)

    def exists(self, rel: str) -> bool:
        """Whether ``rel`` exists under the root (scanned or not)."""
        if rel not in self.files:
            self.asked.add(rel)
        return (self.root / rel).exists()

    def read_text(self, rel: str) -> str | None:
        """A small file's text under the root (``None`` when missing or unreadable)."""
        (self.read if rel in self.files else self.asked).add(rel)
        path = self.root / rel
        try:
            resolved = path.resolve(strict=True)
            if self.root.resolve() not in resolved.parents or not resolved.is_file():
                return None
            with open(resolved, "rb") as handle:
                return handle.read(_READ_LIMIT).decode("utf-8", errors="replace")
        except (OSError, RuntimeError):
            return None

    @property
    def git(self) -> GitRepo:
        """The git repository holding the root (asked lazily, hardened)."""
        if self._git is None:
            self._git = GitRepo(self.root)
        return self._git

    def git_tracked(self, rel: str) -> bool | None:
        """Whether git tracks ``rel``; None when that cannot be told."""
        tracked = self.git.tracked()
        return None if tracked is None else rel in tracked

    def tracked_paths(self) -> frozenset[str] | None:
        """Every path git tracks under the root (relative to it); None when unknown.
        Finds tracked files that discovery skipped because a later .gitignore covers them."""
        return self.git.tracked()
