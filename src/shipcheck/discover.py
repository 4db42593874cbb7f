"""Find the files to scan: walk a tree honouring .gitignore files, configured excludes and
default skips, never following a symlink out of the tree; or take an explicit file list."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shipcheck.classify import classify
from shipcheck.git import GitRepo
from shipcheck.models.findings import Diagnostic
from shipcheck.models.kinds import Kind

if TYPE_CHECKING:
    from shipcheck.patterns import GitIgnore

# Never the project's own code, whether git tracks them or not.
THIRD_PARTY_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", "node_modules", "bower_components", ".venv", "venv",
        "site-packages", "dist-packages", "vendor", "vendored", "third_party", "_vendor",
    }
)  # fmt: skip
# Build output and caches: skipped unless git tracks what is in them (a committed `build/`
# folder holding the project's Dockerfile is the project's).
GENERATED_DIRS = frozenset(
    {
        "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs",
        ".cache", ".idea", ".vscode", "htmlcov", ".terraform", ".direnv", "build", "dist",
        "staticfiles", ".next",
    }
)  # fmt: skip
# Sub-folders setuptools writes into build/: strong evidence that a build/ folder is output.
_SETUPTOOLS_BUILD = ("lib", "bdist.", "temp.", "scripts-")


UNREAD_REASON = "not a kind of file shipcheck reads"


@dataclass(frozen=True)
class SourceRef:
    """A file chosen for scanning."""

    abspath: str
    path: str  # repo-relative, forward slashes
    kind: Kind
    size: int
    data: bytes | None = None  # the content, when it does not come from a file (stdin)
    mtime_ns: int = 0  # when discovery saw it (lets the result cache skip reading it)


@dataclass
class Discovery:
    """What discovery found: files to scan and files it passed over with a reason."""

    files: list[SourceRef]
    diagnostics: list[Diagnostic]
    # From git's listing: its digest with the settings that filtered it, and the entries
    # worth a look (name, kind; no kind: a folder), which a walk of the same listing reuses.
    listing: Listing | None = None


# See Discovery.listing.
Listing = tuple[str, list[tuple[str, Kind | None]]]


def relpath(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` with forward slashes ('.' for the root itself)."""
    rel = os.path.relpath(path, root)
    return rel.replace(os.sep, "/")


def _excluded(rel: str, excludes: list[str], is_dir: bool = False) -> bool:
    if not excludes:
        return False
    # The matchers are loaded when there is something to match (a listing from git needs
    # neither them nor the .gitignore reader).
    from shipcheck.patterns import glob_match

    return any(glob_match(glob, rel, is_dir) for glob in excludes)


def _read_ignore(directory: Path) -> bytes | None:
    path = directory / ".gitignore"
    try:
        # git does not follow a symlinked .gitignore (PATTERN_NOFOLLOW).
        return None if path.is_symlink() else path.read_bytes()
    except OSError:
        return None


def _skip_dir(entry: os.DirEntry[str]) -> bool:
    """Folders the walk (no git to ask) passes over: third-party code, virtualenvs under any
    name, and build output (a build/ folder only when setuptools' own folders are in it)."""
    name = entry.name
    if name in THIRD_PARTY_DIRS or name.endswith(".egg-info"):
        return True
    if name == "build":
        return _setuptools_output(entry.path)
    if name in GENERATED_DIRS:
        return True
    return os.path.exists(os.path.join(entry.path, "pyvenv.cfg"))


def _setuptools_output(path: str) -> bool:
    try:
        return any(e.name.startswith(_SETUPTOOLS_BUILD) for e in os.scandir(path) if e.is_dir())
    except OSError:
        return False


def walk(
    root: Path,
    target: Path,
    excludes: list[str],
    max_size: int,
    git: GitRepo | None = None,
    remembered: Listing | None = None,
) -> Discovery:
    """Every classifiable file below ``target`` (inside ``root``): the files git lists when
    the tree is a git work tree and git answers, else a walk that applies the .gitignore
    files itself. ``remembered``: the ``listing`` of an earlier walk of ``target``, reused
    when git lists the same paths (see :class:`Discovery`)."""
    if git is not None:
        listed = git.listing(target)
        if listed is not None:
            return _from_listing(root, target, listed, excludes, max_size, remembered)
    from shipcheck.patterns import GitIgnore

    found = Discovery(files=[], diagnostics=[])
    real_root = root.resolve()
    # The .gitignore files from the repository's top (which may be above the project root,
    # in a monorepo) down to the target apply; the matcher works in top-relative paths.
    top = git.top if git is not None and git.top is not None else real_root
    prefix = "" if top == real_root else relpath(real_root, top) + "/"
    ignore = _Ignore(GitIgnore(), prefix)
    for ancestor in reversed([target.resolve(), *target.resolve().parents]):
        if ancestor == top or top in ancestor.parents:
            content = _read_ignore(ancestor)
            if content is not None:
                rel = relpath(ancestor, top)
                ignore.rules.add_file("" if rel == "." else rel, content)
    # Excluding the very directory the user asked for, or all it holds (`legacy/**`), would
    # scan nothing: explicit wins. (NUL stands for any name: no real file has it.)
    target_rel = relpath(target, root)
    if target_rel != "." and (
        _excluded(target_rel, excludes, target.is_dir()) or _excluded(f"{target_rel}/\0", excludes)
    ):
        excludes = []
    _walk_dir(target, root, real_root, ignore, excludes, max_size, found)
    found.files.sort(key=lambda ref: ref.path)
    found.diagnostics.sort(key=lambda d: d.sort_key())
    return found


class _Ignore:
    """The repository's ignore rules, asked with project-relative paths."""

    def __init__(self, rules: GitIgnore, prefix: str) -> None:
        self.rules = rules
        self.prefix = prefix  # the project root relative to the repository top, with "/"

    def is_ignored(self, rel: str, is_dir: bool) -> bool:
        return self.rules.is_ignored(self.prefix + rel, is_dir, parents=False)

    def add_file(self, rel: str, content: bytes) -> None:
        self.rules.add_file(self.prefix + rel, content)


def _walk_dir(
    directory: Path,
    root: Path,
    real_root: Path,
    ignore: _Ignore,
    excludes: list[str],
    max_size: int,
    found: Discovery,
) -> None:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        found.diagnostics.append(
            Diagnostic(relpath(directory, root), f"directory not readable: {exc.strerror}")
        )
        return
    base = relpath(directory, root)
    prefix = "" if base == "." else base + "/"
    for entry in entries:
        rel = prefix + entry.name
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        if is_link:
            _symlink(entry, rel, real_root, ignore, excludes, max_size, found)
            continue
        # The walk does not enter ignored folders, and a target the user named is scanned
        # even when it is ignored: only the entry itself is asked about.
        if ignore.is_ignored(rel, is_dir) or _excluded(rel, excludes, is_dir):
            continue
        if is_dir:
            if _skip_dir(entry):
                continue
            content = _read_ignore(Path(entry.path))
            if content is not None:
                ignore.add_file(rel, content)
            _walk_dir(Path(entry.path), root, real_root, ignore, excludes, max_size, found)
        elif entry.is_file(follow_symlinks=False):
            _add_file(entry.path, rel, max_size, found)
        elif classify(rel) is not None:  # a FIFO or a device: reading it could block forever
            found.diagnostics.append(
                Diagnostic(rel, "not a regular file (a FIFO or device), skipped")
            )


def _from_listing(
    root: Path,
    target: Path,
    listed: list[tuple[str, bool]],
    excludes: list[str],
    max_size: int,
    remembered: Listing | None = None,
) -> Discovery:
    found = Discovery(files=[], diagnostics=[])
    real_root = root.resolve()
    submodules: set[str] = set()
    # Thousands of names: joined as strings (a Path and a relpath per file cost more than the
    # listing itself).
    base = str(target)
    under = relpath(target, root)
    under = "" if under == "." else under + "/"
    base = base if base.endswith("/") else base + "/"
    digest = _listing_digest(listed, under, excludes)
    if remembered is not None and remembered[0] == digest:
        entries = remembered[1]
    else:
        entries = _entries(root, base, under, listed, excludes)
    found.listing = (digest, entries)
    for name, kind in entries:
        rel = under + name
        absolute = base + name
        try:
            status = os.lstat(absolute)
        except OSError:
            continue  # tracked, but deleted in the work tree
        mode = status.st_mode
        if stat.S_ISLNK(mode):
            _link(Path(absolute), rel, real_root, found)
        elif stat.S_ISDIR(mode):
            submodules.add(rel)
        elif stat.S_ISREG(mode) and kind is not None:
            _add_file(absolute, rel, max_size, found, status, kind)
    for rel in sorted(submodules):
        found.diagnostics.append(Diagnostic(rel, "git submodule, not scanned (scan it on its own)"))
    found.files.sort(key=lambda ref: ref.path)
    found.diagnostics.sort(key=lambda d: d.sort_key())
    return found


def _listing_digest(listed: list[tuple[str, bool]], under: str, excludes: list[str]) -> str:
    """What :func:`_entries` depends on: the listed paths, whether git tracks each, the
    folder listed and the configured excludes."""
    digest = hashlib.blake2b(repr((under, excludes)).encode(), digest_size=16)
    digest.update("\0".join(f"{int(tracked)}{name}" for name, tracked in listed).encode(
        "utf-8", "surrogateescape"
    ))  # fmt: skip
    return digest.hexdigest()


def _entries(
    root: Path, base: str, under: str, listed: list[tuple[str, bool]], excludes: list[str]
) -> list[tuple[str, Kind | None]]:
    """The listed names discovery looks at, with their kind: those outside excluded and
    skipped folders that classify as a kind, and folders (a submodule) whatever their name.
    The same listing gives the same entries (a folder's ``pyvenv.cfg``, which marks an
    untracked virtualenv, is itself listed unless ignored)."""
    entries: list[tuple[str, Kind | None]] = []
    skipped: dict[object, bool] = {}
    for name, tracked in listed:
        rel = under + name
        if (excludes and _excluded(rel, excludes)) or _in_skipped_dir(root, rel, tracked, skipped):
            continue
        kind = classify(rel)
        if kind is not None:
            entries.append((name, kind))
            continue
        try:
            if stat.S_ISDIR(os.lstat(base + name).st_mode):
                entries.append((name, None))
        except OSError:
            continue
    return entries


def _in_skipped_dir(root: Path, rel: str, tracked: bool, cache: dict[object, bool]) -> bool:
    """Whether a listed file lies in a folder discovery passes over (see the folder lists).
    Answered once per folder: a listing names thousands of files in hundreds of folders."""
    folder = rel.rpartition("/")[0]
    key = (tracked, folder)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _skipped_folder(root, folder, tracked, cache)
    return found


def _skipped_folder(root: Path, folder: str, tracked: bool, cache: dict[object, bool]) -> bool:
    parts = folder.split("/") if folder else []
    for depth in range(1, len(parts) + 1):
        folder = "/".join(parts[:depth])
        name = parts[depth - 1]
        if name in THIRD_PARTY_DIRS or name.endswith(".egg-info"):
            return True
        if tracked:
            continue
        key = folder
        if key not in cache:
            cache[key] = name in GENERATED_DIRS or (root / folder / "pyvenv.cfg").exists()
        if cache[key]:
            return True
    return False


def _symlink(
    entry: os.DirEntry[str],
    rel: str,
    real_root: Path,
    ignore: _Ignore,
    excludes: list[str],
    max_size: int,
    found: Discovery,
) -> None:
    if ignore.is_ignored(rel, False) or _excluded(rel, excludes):
        return
    _link(Path(entry.path), rel, real_root, found)


def _link(path: Path, rel: str, real_root: Path, found: Discovery) -> None:
    """A symlink is never followed; one that leads nowhere, in a loop or out of the tree is
    reported (a link inside the tree: its target is scanned under its own path)."""
    if classify(rel) is None:
        return
    try:
        target = path.resolve(strict=True)
    except RuntimeError:
        found.diagnostics.append(Diagnostic(rel, "symlink loop, not followed"))
        return
    except OSError:
        found.diagnostics.append(Diagnostic(rel, "broken symlink, not followed"))
        return
    if real_root != target and real_root not in target.parents:
        found.diagnostics.append(
            Diagnostic(rel, "symlink points outside the scanned tree, not followed")
        )


def _add_file(
    abspath: str,
    rel: str,
    max_size: int,
    found: Discovery,
    status: os.stat_result | None = None,
    kind: Kind | None = None,
) -> None:
    """``status``: the file's ``lstat`` when the caller has it (a regular file's is its
    ``stat``); ``kind``: its classification when the caller has it."""
    kind = kind or classify(rel)
    if kind is None:
        return
    try:
        stat = status or os.stat(abspath)
    except OSError as exc:
        found.diagnostics.append(Diagnostic(rel, f"not readable: {exc.strerror}"))
        return
    size = stat.st_size
    if size > max_size:
        found.diagnostics.append(
            Diagnostic(
                rel, f"file is {size:,} bytes, over the {max_size:,}-byte limit (max-file-size)"
            )
        )
        return
    found.files.append(
        SourceRef(abspath=abspath, path=rel, kind=kind, size=size, mtime_ns=stat.st_mtime_ns)
    )


def explicit(paths: list[Path], root: Path, excludes: list[str], max_size: int) -> Discovery:
    """The files named on the command line (pre-commit), with configured excludes applied."""
    found = Discovery(files=[], diagnostics=[])
    real_root = root.resolve()
    seen: set[str] = set()
    for path in paths:
        absolute = path if path.is_absolute() else Path.cwd() / path
        rel = relpath(absolute, root)
        if rel in seen or _excluded(rel, excludes):
            continue
        seen.add(rel)
        if rel.startswith("../"):
            found.diagnostics.append(Diagnostic(rel, "outside the project root, not scanned"))
            continue
        if absolute.is_symlink():
            try:
                resolved = absolute.resolve(strict=True)
            except (OSError, RuntimeError):
                found.diagnostics.append(Diagnostic(rel, "broken symlink or symlink loop"))
                continue
            if real_root not in resolved.parents:
                found.diagnostics.append(
                    Diagnostic(rel, "symlink points outside the scanned tree, not followed")
                )
                continue
        if not absolute.is_file():
            found.diagnostics.append(Diagnostic(rel, "not a regular file"))
            continue
        if classify(rel) is None:  # named explicitly, so say it was not read
            found.diagnostics.append(Diagnostic(rel, UNREAD_REASON, kind="unread"))
            continue
        _add_file(str(absolute), rel, max_size, found)
    found.files.sort(key=lambda ref: ref.path)
    return found
