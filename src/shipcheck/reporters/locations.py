"""Repository-relative paths for CI formats.

Findings carry paths relative to the *project* root (the directory holding
``pyproject.toml``), but GitHub code scanning, GitLab Code Quality and workflow annotations
resolve paths against the *repository* checkout. When a project lives in a subdirectory
(``shipcheck scan services/api``) the two differ, so these formats prefix the project's
position inside the enclosing git work tree.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from shipcheck.models.findings import Finding
from shipcheck.reporters.source import SourceReader


def repository_root(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` holding ``.git`` (a directory, or a file
    for worktrees and submodules), or None."""
    try:
        current = start.resolve()
    except (OSError, RuntimeError):
        return None
    for candidate in (current, *current.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


class RepoPaths:
    """Maps project-relative finding paths to repository-relative ones."""

    def __init__(self, project_root: Path) -> None:
        repo = repository_root(project_root)
        prefix = ""
        if repo is not None:
            rel = os.path.relpath(project_root.resolve(), repo).replace(os.sep, "/")
            prefix = "" if rel == "." else rel.rstrip("/") + "/"
        self.prefix = prefix

    def path(self, path: str) -> str:
        """``path`` relative to the repository root, with forward slashes."""
        if path.startswith("<"):  # <stdin> is not a file in the repository
            return path
        if path in ("", "."):
            return self.prefix.rstrip("/") or "."
        return self.prefix + path

    def uri(self, path: str) -> str:
        """A relative URI reference for ``path`` (spaces and the like percent-encoded)."""
        return quote(self.path(path), safe="/")


def span(finding: Finding, source: SourceReader) -> tuple[int, int, int, int]:
    """``(line, column, end_line, end_column)`` as every format reports it: 1-based, the end
    column exclusive (SARIF's convention). A finding with no extent (a project-level finding
    anchored to a file) covers its whole line, measured on the file's own text."""
    if finding.line < 1:  # about the project as a whole: no line to measure
        return finding.line, finding.column, finding.end_line, finding.end_column
    line, column = finding.line, max(finding.column, 1)
    end_line = max(finding.end_line, line)
    end_column = max(finding.end_column, 1)
    if end_line == line and end_column <= column:
        lines = source.lines(finding.path)
        if lines is not None and line <= len(lines):
            end_column = max(column + 1, len(lines[line - 1].rstrip("\r\n")) + 1)
        end_column = max(end_column, column)
    return line, column, end_line, end_column
