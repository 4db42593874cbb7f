"""What a scan derives from the list of the project's files, remembered between scans of the
same project: the listed files discovery looks at and their kinds, the roles decided for the
paths, and each file's result key at the size and modification time it had.

A pre-commit run over five files still needs all of them for the whole project (the memos of
:mod:`shipcheck.projectmemo` are keyed by every file's key); working them out again from
thousands of paths was a third of such a run. Each part is reused only while what it was
derived from is unchanged, and derived afresh otherwise:

- the entries: git's listing (the same paths, each tracked or not) and the excludes
  (``discover.Discovery.listing``);
- the roles: the same paths and configured roles, and every file read to decide them
  (READMEs, CI files, Compose files) at the same size and modification time;
- a file's key: the same size, modification time and what the file pass knows of it besides
  its bytes (its role, its build targets) — what the result cache's per-file table checks,
  in one record instead of a query per file.

One record per project root and rule settings (which every key depends on); two scans at
once each write a whole record, and the last one stays.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shipcheck import roles as roles_mod
from shipcheck.discover import Listing, SourceRef

FORMAT = 1  # bump when Tree's fields change


@dataclass
class Tree:
    """The remembered parts (empty when nothing was remembered)."""

    listing: Listing | None = None
    paths: str = ""  # digest of the paths and configured roles the roles were decided for
    roles: dict[str, roles_mod.FileRole] = field(default_factory=dict)
    read: dict[str, tuple[int, int]] = field(default_factory=dict)  # path → size, mtime
    # path → (what the file pass knows of it besides its bytes, size, mtime, key)
    keys: dict[str, tuple[str, int, int, str]] = field(default_factory=dict)
    record: str = field(default="", compare=False)  # where it is stored (record_key)
    changed: bool = field(default=False, compare=False)  # since it was loaded

    def use_listing(self, listing: Listing | None) -> None:
        """Discovery's entries of this scan (the remembered ones or new)."""
        if listing != self.listing:
            self.listing, self.changed = listing, True

    def decide(
        self, root: Path, files: Sequence[SourceRef], overrides: Mapping[str, str]
    ) -> dict[str, roles_mod.FileRole]:
        """``shipcheck.roles.decide`` for ``files``, remembered."""
        digest = hashlib.blake2b(repr(sorted(overrides.items())).encode(), digest_size=16)
        digest.update("\0".join(r.path for r in files).encode("utf-8", "surrogateescape"))
        paths = digest.hexdigest()
        seen = {r.path: (r.size, r.mtime_ns) for r in files}
        if paths == self.paths and all(seen.get(p) == s for p, s in self.read.items()):
            return self.roles
        opened: list[str] = []
        decided = roles_mod.decide(root, list(seen), overrides, opened=opened)
        # Without a modification time, a read file could change unseen.
        if all(seen.get(p, (0, 0))[1] for p in opened):
            shared: dict[roles_mod.FileRole, roles_mod.FileRole] = {}  # one per distinct decision
            self.roles = {p: shared.setdefault(r, r) for p, r in decided.items()}
            self.paths, self.read, self.changed = paths, {p: seen[p] for p in opened}, True
        return decided

    def key_of(self, ref: SourceRef, what: str) -> str | None:
        """The key ``ref`` had at its size and modification time, if it was remembered."""
        found = self.keys.get(ref.path)
        if found is None or not ref.mtime_ns or found[:3] != (what, ref.size, ref.mtime_ns):
            return None
        return found[3]

    def use_keys(self, keys: dict[str, tuple[str, int, int, str]]) -> None:
        """Every file's key in this scan (files without a modification time left out)."""
        if keys != self.keys:
            self.keys, self.changed = keys, True


def record_key(settings_fp: str, root: Path) -> str:
    """Where the record of ``root`` scanned with these settings is stored."""
    text = f"tree\0{FORMAT}\0{settings_fp}\0{root.resolve()}"
    return "tree:" + hashlib.blake2b(text.encode("utf-8", "surrogateescape")).hexdigest()
