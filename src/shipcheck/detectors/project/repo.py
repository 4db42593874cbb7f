"""Where the scanned project sits in its git repository."""

from __future__ import annotations

from pathlib import Path

from shipcheck.project import ProjectModel


def git_top(project: ProjectModel) -> Path | None:
    """The nearest directory at or above the project root holding ``.git``, or None when
    the project is not inside a git work tree (an unpacked archive, an sdist)."""
    try:
        root = project.root.resolve()
    except OSError:
        return None
    for directory in [root, *root.parents]:
        if (directory / ".git").exists():
            return directory
    return None


def in_git_repo(project: ProjectModel) -> bool:
    """Whether the project root is inside a git work tree."""
    return git_top(project) is not None
