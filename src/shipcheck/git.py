"""Asking git about a repository that may be hostile.

A repository's own configuration and attributes can make git run programs: ``core.fsmonitor``,
clean/smudge/process filters chosen by ``.gitattributes``, ``diff.*.textconv``, external diff
drivers, hooks. shipcheck scans strangers' pull requests, so every git call goes through
:func:`run_git`, which switches all of those off. When git is missing or refuses the
repository (another user's checkout: "dubious ownership"), :func:`read_index` still reads the
tracked paths from ``.git/index`` itself, which runs nothing at all.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import threading
from pathlib import Path

from shipcheck import lazyre

GIT_TIMEOUT = 60
_HARDENING = (
    "--no-pager",
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.quotepath=false",
    "-c", "diff.external=",
    "-c", "core.pager=cat",
)  # fmt: skip
# Commands that accept them: no external diff drivers, no textconv programs.
DIFF_HARDENING = ("--no-ext-diff", "--no-textconv")
_FILTER_KEY = lazyre.compile(r"^filter\.(.+)\.(clean|smudge|process|required)$")


class GitError(Exception):
    """git could not answer; the message says why in words a user can act on.
    ``returncode`` is git's exit code when git ran."""

    def __init__(self, message: str, returncode: int | None = None) -> None:
        super().__init__(message)
        self.returncode = returncode


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # Never prompt, never page, never let a system-wide config add programs.
    env.update(GIT_TERMINAL_PROMPT="0", GIT_PAGER="cat", PAGER="cat", GIT_CONFIG_NOSYSTEM="1")
    return env


def _invoke(cwd: Path, args: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    if shutil.which("git") is None:
        raise GitError("git is not installed")
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            timeout=timeout,
            check=False,
            env=_environment(),
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[-1] if args else ''} took longer than {timeout:g} s") from None
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None


def _filter_overrides(cwd: Path) -> list[str]:
    """``-c filter.NAME.clean=`` … for every filter driver the repository configures: an empty
    command disables the driver (reading configuration runs nothing)."""
    listed = _invoke(cwd, [*_HARDENING, "config", "--get-regexp", r"^filter\."], GIT_TIMEOUT)
    names = set()
    for line in listed.stdout.decode("utf-8", "replace").splitlines():
        match = _FILTER_KEY.match(line.split(" ", 1)[0])
        if match:
            names.add(match.group(1))
    overrides: list[str] = []
    for name in sorted(names):
        for var, value in (("clean", ""), ("smudge", ""), ("process", ""), ("required", "false")):
            overrides += ["-c", f"filter.{name}.{var}={value}"]
    return overrides


def refusal(stderr: bytes, returncode: int) -> str:
    """A user-facing reason from git's complaint."""
    text = stderr.decode("utf-8", "replace").strip()
    if "dubious ownership" in text:
        return (
            'git refuses this repository: it belongs to another user ("dubious ownership"); '
            "`git config --global --add safe.directory <path>` trusts it"
        )
    if "not a git repository" in text.lower():
        return "git does not recognise this directory as a repository"
    last = text.splitlines()[-1] if text else f"exit code {returncode}"
    return f"git failed: {last}"


def run_git(cwd: Path, *args: str, timeout: float = GIT_TIMEOUT) -> bytes:
    """Run ``git ARGS`` in ``cwd`` with every repository-configured program switched off; the
    standard output. Raises :class:`GitError` when git is missing, refuses or fails."""
    result = _invoke(cwd, [*_HARDENING, *_filter_overrides(cwd), *args], timeout)
    if result.returncode != 0:
        raise GitError(refusal(result.stderr, result.returncode), result.returncode)
    return result.stdout


def find_git_dir(start: Path) -> tuple[Path, Path] | None:
    """(work tree top, git directory) for the repository holding ``start``, by looking for
    ``.git`` upwards (a directory, or a ``gitdir:`` file in worktrees and submodules)."""
    start = start.resolve()
    for directory in [start, *start.parents]:
        dotgit = directory / ".git"
        if dotgit.is_dir():
            return directory, dotgit
        if dotgit.is_file():
            try:
                text = dotgit.read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                return None
            if text.startswith("gitdir:"):
                target = Path(text[len("gitdir:") :].strip())
                return directory, (directory / target).resolve()
            return None
    return None


def read_index(git_dir: Path) -> list[str] | None:
    """Tracked paths from ``git_dir/index`` (format versions 2 to 4), or None when the index
    is missing or uses a layout this reader does not follow (split or sparse index)."""
    try:
        data = (git_dir / "index").read_bytes()
    except OSError:
        return None
    if len(data) < 12 or data[:4] != b"DIRC":
        return None
    version, count = struct.unpack(">II", data[4:12])
    if version not in (2, 3, 4):
        return None
    hash_size = 32 if _sha256_repository(git_dir) else 20
    paths: list[str] = []
    offset = 12
    previous = b""
    try:
        for _ in range(count):
            start = offset
            mode = struct.unpack(">I", data[offset + 24 : offset + 28])[0]
            offset += 40 + hash_size
            (flags,) = struct.unpack(">H", data[offset : offset + 2])
            offset += 2
            if version >= 3 and flags & 0x4000:
                offset += 2
            if version == 4:
                strip, offset = _varint(data, offset)
                end = data.index(b"\0", offset)
                name = previous[: len(previous) - strip] + data[offset:end]
                offset = end + 1
            else:
                end = data.index(b"\0", offset)
                name = data[offset:end]
                offset = start + ((end - start) // 8 + 1) * 8
            previous = name
            if mode & 0o170000 == 0o040000:  # a sparse-index directory entry
                return None
            paths.append(name.decode("utf-8", "surrogateescape"))
    except (struct.error, ValueError, IndexError):
        return None
    if b"link" in _extension_names(data, offset, hash_size):
        return None  # split index: the other entries live in a shared file
    return sorted(set(paths))


def _varint(data: bytes, offset: int) -> tuple[int, int]:
    """git's offset varint (index v4 path prefix lengths)."""
    byte = data[offset]
    offset += 1
    value = byte & 0x7F
    while byte & 0x80:
        byte = data[offset]
        offset += 1
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, offset


def _extension_names(data: bytes, offset: int, hash_size: int) -> set[bytes]:
    names = set()
    while offset + 8 <= len(data) - hash_size:
        name = data[offset : offset + 4]
        (size,) = struct.unpack(">I", data[offset + 4 : offset + 8])
        names.add(name)
        offset += 8 + size
    return names


def _sha256_repository(git_dir: Path) -> bool:
    common = git_dir
    try:
        pointer = (git_dir / "commondir").read_text(encoding="utf-8").strip()
        common = (git_dir / pointer).resolve()
    except OSError:
        pass
    try:
        config = (common / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"objectformat\s*=\s*sha256", config, re.IGNORECASE) is not None


class GitRepo:
    """The git repository holding a project root (which may be a subfolder of it), asked
    lazily: nothing runs until a rule needs an answer.

    ``problem`` says why git could not be asked (missing, refused, broken) when the project
    is inside a work tree; a project outside any repository has no problem, only no answers.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        found = find_git_dir(self.root)
        self.top, self.git_dir = found if found else (None, None)
        self.problem: str | None = None
        self._tracked: frozenset[str] | None = None
        self._asked = False
        self._prefetched: dict[Path, threading.Thread] = {}
        self._answers: dict[Path, tuple[list[tuple[str, bool]] | None, str | None]] = {}
        self._listed_tracked: dict[Path, frozenset[str]] = {}

    @property
    def prefix(self) -> str:
        """The project root relative to the work tree top ('' or ``sub/dir/``)."""
        if self.top is None or self.top == self.root:
            return ""
        return self.root.relative_to(self.top).as_posix() + "/"

    def prefetch_listing(self, directory: Path) -> None:
        """Start asking git for :meth:`listing` of ``directory`` in the background: the two
        git processes take longer than a pre-commit run's own start-up, which goes on
        meanwhile."""
        if self.top is None or directory in self._prefetched:
            return
        worker = threading.Thread(
            target=lambda: self._answers.__setitem__(directory, self._list(directory)),
            name="shipcheck-git-listing",
            daemon=True,  # an early exit (a usage error) does not wait for git
        )
        self._prefetched[directory] = worker
        worker.start()

    def listing(self, directory: Path) -> list[tuple[str, bool]] | None:
        """The files git sees below ``directory`` (relative to it): tracked ones and untracked
        ones that no ``.gitignore`` of the repository ignores, each with whether git tracks
        it. Personal ignore rules (``$GIT_DIR/info/exclude``, ``core.excludesFile``) are left
        out on purpose: the same commit must give the same scan on every machine. None when
        git cannot answer (``problem`` says why)."""
        if self.top is None:
            return None
        worker = self._prefetched.pop(directory, None)
        if worker is not None:
            worker.join()
        found, problem = self._answers.pop(directory, None) or self._list(directory)
        if problem is not None:
            self.problem = problem
        if found is not None:
            tracked = frozenset(p for p, in_index in found if in_index)
            self._listed_tracked[directory.resolve()] = tracked
        return found

    def _list(self, directory: Path) -> tuple[list[tuple[str, bool]] | None, str | None]:
        """:meth:`listing`'s answer and problem (no state changed: it may run in a thread)."""
        try:
            out = run_git(
                directory,
                "ls-files", "-z", "-t", "--cached", "--others",
                "--exclude-per-directory=.gitignore",
            )  # fmt: skip
        except GitError as exc:
            return None, f"{exc}; files were found by walking the folder instead"
        found: dict[str, bool] = {}
        for entry in out.decode("utf-8", "surrogateescape").split("\0"):
            if len(entry) > 2:
                tag, path = entry[0], entry[2:]
                found[path] = found.get(path, False) or tag != "?"
        return sorted(found.items()), None

    def tracked(self) -> frozenset[str] | None:
        """Paths git tracks under the project root, relative to it; None when unknown."""
        if not self._asked:
            self._asked = True
            # The listing of the root named them already (the same index, read once).
            listed = self._listed_tracked.get(self.root)
            self._tracked = listed if listed is not None else self._ask_tracked()
        return self._tracked

    def _ask_tracked(self) -> frozenset[str] | None:
        if self.top is None or self.git_dir is None:
            return None
        try:
            out = run_git(self.top, "ls-files", "-z", "--full-name")
            paths = [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]
        except GitError as exc:
            listed = read_index(self.git_dir)
            if listed is None:
                self.problem = f"{exc}; which files are committed is unknown"
                return None
            self.problem = f"{exc}; tracked files were read from the git index directly"
            paths = listed
        prefix = self.prefix
        return frozenset(p[len(prefix) :] for p in paths if p.startswith(prefix))
