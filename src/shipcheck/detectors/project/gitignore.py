"""Whether .gitignore keeps secrets, virtualenvs and bytecode out of the repository."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from shipcheck.detectors.project.repo import git_top
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind
from shipcheck.models.findings import Hit
from shipcheck.patterns import GitIgnore
from shipcheck.project import ProjectModel

_READ_LIMIT = 256 * 1024
# What must be ignored: a label and alternatives (path, is_dir); any alternative will do.
_REQUIRED: tuple[tuple[str, tuple[tuple[str, bool], ...]], ...] = (
    ("`.env`", ((".env", False),)),
    ("virtualenvs (`.venv/`, `venv/`)", ((".venv", True), ("venv", True))),
    ("`__pycache__/` (or `*.pyc`)", (("app/__pycache__/module.cpython-312.pyc", False),)),
)


def _read(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(_READ_LIMIT)
    except OSError:
        return None


def _stack(project: ProjectModel) -> tuple[GitIgnore, str, bool]:
    """Ignore rules from the git top (or the root) down to the project root, the root's
    path relative to that top, and whether any .gitignore file was found."""
    root = project.root.resolve()
    top = git_top(project) or root
    if top == root:
        directories, prefix = [root], ""
    else:
        rel = root.relative_to(top)
        directories, prefix = [top / p for p in reversed(rel.parents)] + [root], rel.as_posix()
    ignore = GitIgnore()
    found = False
    for directory in directories:
        base = directory.relative_to(top).as_posix()
        content = _read(directory / ".gitignore")
        if content is not None:
            found = True
            ignore.add_file("" if base == "." else base, content)
    return ignore, prefix, found


def _ignored(ignore: GitIgnore, prefix: str, path: str, is_dir: bool) -> bool:
    """Git semantics: a path is ignored when it or one of its parent folders is."""
    return ignore.is_ignored(f"{prefix}/{path}" if prefix else path, is_dir)


def _virtualenv_dirs(root: Path) -> list[str]:
    """Top-level folders that are virtualenvs (they hold a ``pyvenv.cfg``)."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return []
    return [
        e.name
        for e in entries
        if e.is_dir(follow_symlinks=False) and os.path.isfile(os.path.join(e.path, "pyvenv.cfg"))
    ]


def _applies(project: ProjectModel) -> bool:
    return project.complete and (git_top(project) is not None or project.exists(".gitignore"))


@detector("project.gitignore-incomplete", kind=Kind.PROJECT, applies=_applies)
def gitignore_incomplete(project: ProjectModel, params: None) -> Iterator[Hit]:
    """A git repository without a ``.gitignore``, or whose ``.gitignore`` files (the
    project root's and those above it up to the repository top) do not ignore ``.env``,
    a virtualenv folder (``.venv/`` or ``venv/``; and any virtualenv actually present at
    the root) and ``__pycache__/`` bytecode. Coverage is tested with git's own matching
    rules, so ``*.pyc``, ``__pycache__/`` and ``**/__pycache__`` all count."""
    if not _applies(project):
        return
    stack, prefix, found = _stack(project)
    if not found:
        # About a file that does not exist: no line, the missing file as its home.
        yield Hit(line=0, path=".gitignore", context="no-gitignore",
                  fields={"problem": "The repository has no `.gitignore`"})  # fmt: skip
        return
    missing = [
        label
        for label, options in _REQUIRED
        if not any(_ignored(stack, prefix, path, is_dir) for path, is_dir in options)
    ]
    for venv in _virtualenv_dirs(project.root):
        if not _ignored(stack, prefix, venv, True) and not any("virtualenvs" in m for m in missing):
            missing.append(f"the virtualenv `{venv}/`")
    if not missing:
        return
    anchor = ".gitignore" if project.exists(".gitignore") else None
    yield Hit(
        path=anchor,
        line=1,
        fields={"problem": "`.gitignore` does not ignore " + ", ".join(missing)},
        context="gitignore:" + ",".join(missing),
    )
