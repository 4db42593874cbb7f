"""Diff mode: which lines changed since a git ref, so a pull request is judged on its own lines.

``git diff --unified=0 REF`` (working tree against REF, so staged and unstaged edits count)
run in the project root with ``--relative``, which makes paths relative to the project root
like finding paths and leaves out changes elsewhere in the repository. Untracked files are
wholly new. Only the added side of each hunk matters: a finding is kept when one of its
lines was added or rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from shipcheck import lazyre
from shipcheck.git import DIFF_HARDENING, GitError, find_git_dir, run_git
from shipcheck.models.findings import Finding

GIT_TIMEOUT = 120
# Options that make the output independent of the user's git configuration.
_DIFF_OPTIONS = (
    "--unified=0",
    "--no-color",
    "--find-renames",
    "--relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)
_HUNK = lazyre.compile(r"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


class GitDiffError(Exception):
    """``--diff`` cannot be answered (no git, not a repository, unknown ref)."""


@dataclass(frozen=True)
class ChangedLines:
    """Lines added or changed since ``ref``, per project-relative path."""

    ref: str
    lines: dict[str, frozenset[int]]
    new_files: frozenset[str]  # untracked: every line counts as changed

    def touches(self, finding: Finding) -> bool:
        """Whether any line of ``finding`` is new (never for a project-level finding: it is
        about the whole project, not about lines someone changed)."""
        if finding.project_level:
            return False
        if finding.path in self.new_files:
            return True
        changed = self.lines.get(finding.path)
        if not changed:
            return False
        last = max(finding.end_line, finding.line)
        return any(number in changed for number in range(finding.line, last + 1))

    def partition(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
        """(findings on changed lines, findings elsewhere)."""
        inside: list[Finding] = []
        outside: list[Finding] = []
        for finding in findings:
            (inside if self.touches(finding) else outside).append(finding)
        return inside, outside


def _git(root: Path, *args: str) -> bytes:
    try:
        return run_git(root, *args, timeout=GIT_TIMEOUT)
    except GitError as exc:
        raise GitDiffError(f"--diff: {exc}") from None


def changed_lines(root: Path, ref: str) -> ChangedLines:
    """What changed in the working tree under ``root`` since ``ref``."""
    if not ref or ref.startswith("-") or any(c.isspace() or c == "\0" for c in ref):
        raise GitDiffError(f"--diff: {ref!r} is not a git ref")
    if find_git_dir(root) is None:
        raise GitDiffError(f"--diff needs a git repository, and {root} is not inside one")
    try:
        commit = run_git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitError as exc:
        if exc.returncode != 1:  # 1 with --quiet: the ref does not exist
            raise GitDiffError(f"--diff: {exc}") from None
        raise GitDiffError(
            f"--diff: unknown git ref {ref!r} (in CI, fetch it first: a shallow checkout "
            "needs `fetch-depth: 0` or `git fetch origin <branch>`)"
        ) from None
    diff = _git(root, "diff", *DIFF_HARDENING, *_DIFF_OPTIONS, commit.decode().strip(), "--")
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z")
    new_files = frozenset(
        name.decode("utf-8", errors="surrogateescape") for name in untracked.split(b"\0") if name
    )
    text = diff.decode("utf-8", errors="surrogateescape")
    return ChangedLines(ref=ref, lines=parse_diff(text), new_files=new_files)


def parse_diff(text: str) -> dict[str, frozenset[int]]:
    """Added line numbers per file from ``git diff --unified=0`` output.

    A small state machine: file headers are only read between hunks, and each hunk is
    consumed by its line counts, so a content line such as ``+++ x`` is never taken for a
    header.
    """
    found: dict[str, set[int]] = {}
    current: str | None = None
    old_left = new_left = 0
    for line in text.split("\n"):
        if old_left > 0 or new_left > 0:
            if line.startswith("-"):
                old_left -= 1
            elif line.startswith("+"):
                new_left -= 1
            elif line.startswith(" "):
                old_left -= 1
                new_left -= 1
            continue
        if line.startswith("diff --git "):
            current = None
        elif line.startswith("+++ "):
            current = _header_path(line[4:])
        elif line.startswith("@@ "):
            match = _HUNK.match(line)
            if not match:
                continue
            old_left = int(match.group(1)) if match.group(1) is not None else 1
            start = int(match.group(2))
            new_left = int(match.group(3)) if match.group(3) is not None else 1
            if current is not None and new_left:
                found.setdefault(current, set()).update(range(start, start + new_left))
    return {path: frozenset(lines) for path, lines in sorted(found.items())}


def _header_path(raw: str) -> str | None:
    raw = raw.rstrip("\t")  # git appends a tab after names that contain spaces
    if raw == "/dev/null":
        return None
    if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
        raw = _unquote(raw[1:-1])
    return raw[2:] if raw.startswith("b/") else raw


def _unquote(quoted: str) -> str:
    """Undo git's C-style quoting (``\\t``, ``\\"``, octal bytes ``\\303\\251``)."""
    out = bytearray()
    index = 0
    while index < len(quoted):
        char = quoted[index]
        if char != "\\" or index + 1 == len(quoted):
            out += char.encode("utf-8", errors="surrogateescape")
            index += 1
            continue
        following = quoted[index + 1]
        if following in _ESCAPES:
            out.append(_ESCAPES[following])
            index += 2
        elif quoted[index + 1 : index + 4].isdigit():
            out.append(int(quoted[index + 1 : index + 4], 8) & 0xFF)
            index += 4
        else:
            out += following.encode("utf-8", errors="surrogateescape")
            index += 2
    return out.decode("utf-8", errors="surrogateescape")
