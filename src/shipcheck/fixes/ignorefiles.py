"""Ignore-file fixes: create or complete the build context's ``.dockerignore`` (DKR040,
DKR041) and the project's ``.gitignore`` (PRJ004). New lines go at the end, so they win
over earlier ``!`` exceptions; what the Dockerfile copies by name, or a build that needs
``.git`` (version from git tags), is left in."""

from __future__ import annotations

import fnmatch
import os
import posixpath
from collections.abc import Iterable, Iterator

from shipcheck.fixes.context import FixContext
from shipcheck.fixes.edits import Edit
from shipcheck.fixes.registry import SAFE, fixer
from shipcheck.models.artifacts import Dockerfile, Kind
from shipcheck.models.findings import Finding
from shipcheck.patterns import DockerIgnore
from shipcheck.project import ProjectModel

# .dockerignore entries (patterns are relative to the context root) and a path each must
# exclude to count as present; the Python ones only for contexts that hold Python code.
DOCKERIGNORE_ENTRIES: tuple[tuple[str, str], ...] = (
    (".git", ".git/HEAD"),
    (".env", ".env"),
    (".env.*", ".env.local"),
)
PYTHON_DOCKERIGNORE_ENTRIES: tuple[tuple[str, str], ...] = (
    (".venv", ".venv/pyvenv.cfg"),
    ("venv", "venv/pyvenv.cfg"),
    ("**/__pycache__", "app/__pycache__/m.cpython-312.pyc"),
    ("**/*.pyc", "app/m.pyc"),
    (".pytest_cache", ".pytest_cache/README.md"),
    (".mypy_cache", ".mypy_cache/.gitignore"),
    (".ruff_cache", ".ruff_cache/.gitignore"),
)
# `.env.<suffix>` files that are templates, not secrets: kept in with a `!` exception.
ENV_TEMPLATES = (".example", ".sample", ".template", ".dist", ".defaults", ".tmpl")
_PYTHON_KINDS = (Kind.PYTHON, Kind.REQUIREMENTS, Kind.PYPROJECT, Kind.PIPFILE, Kind.LOCKFILE)
DOCKERIGNORE_HEADER = "# Kept out of the Docker build context (added by `shipcheck fix`)"
# Builds that take the package version from git tags need .git in the context.
_SCM_VERSIONING = ("setuptools_scm", "setuptools-scm", "hatch-vcs", "hatch_vcs", "versioningit",
                   "dunamai", "poetry-dynamic-versioning", "versioneer", "pbr")  # fmt: skip


def _append(ctx: FixContext, finding: Finding, lines: list[str], note: str) -> Edit:
    text = ctx.text
    prefix = ctx.newline if text and not text.endswith(("\n", "\r")) else ""
    body = prefix + "".join(line + ctx.newline for line in lines)
    return ctx.insert(finding, len(text), body, note)


def _join(context: str, name: str) -> str:
    return posixpath.normpath(posixpath.join(context, name)) if context != "." else name


def _dockerfiles_of(project: ProjectModel, context: str) -> list[Dockerfile]:
    """Parsed Dockerfiles built from ``context``."""
    from shipcheck.detectors.dockerfile.linking import contexts
    from shipcheck.parsers import ParseError
    from shipcheck.parsers.dockerfile import parse

    found = []
    for path in project.paths_of(Kind.DOCKERFILE):
        if context not in contexts(project, path):
            continue
        text = project.read_text(path)
        if text is None:
            continue
        try:
            found.append(parse(path, text.encode("utf-8")))
        except ParseError:
            continue
    return found


def _copied_names(dockerfiles: Iterable[Dockerfile]) -> list[str]:
    """Paths (relative to the context) that COPY/ADD or a bind mount name explicitly."""
    from shipcheck.detectors.dockerfile.syntax import split_flags, transfer

    names: list[str] = []
    for doc in dockerfiles:
        for instruction in doc.instructions:
            if instruction.keyword in ("COPY", "ADD"):
                moved = transfer(instruction, doc.escape)
                if moved is not None and moved.from_stage is None:
                    names += [posixpath.normpath(s.lstrip("/")) for s in moved.sources]
            flags, _ = split_flags(instruction.value)
            for spec in flags.get("mount", []):
                for part in spec.split(","):
                    key, _, value = part.partition("=")
                    if key in ("source", "src") and value:
                        names.append(posixpath.normpath(value.lstrip("/")))
    return names


def _needs_git(project: ProjectModel, context: str) -> bool:
    for name in ("pyproject.toml", "setup.cfg", "setup.py"):
        text = project.read_text(_join(context, name)) or ""
        if any(tool in text for tool in _SCM_VERSIONING):
            return True
    return False


def _python_context(project: ProjectModel, context: str) -> bool:
    prefix = "" if context == "." else context.rstrip("/") + "/"
    return any(p.startswith(prefix) for p in project.paths_of(*_PYTHON_KINDS))


def _env_templates(project: ProjectModel, context: str) -> list[str]:
    """``.env.example`` and friends at the root of the context."""
    try:
        names = sorted(os.listdir(project.root / context))
    except OSError:
        return []
    return [n for n in names if n.startswith(".env.") and n.endswith(ENV_TEMPLATES)]


def dockerignore_lines(
    project: ProjectModel, context: str, existing: list[str], must: Iterable[str] = ()
) -> list[str]:
    """Lines to add to a context's ignore rules (``existing`` lines): the entries not
    excluded yet (``must``, the ones the rule requires, first; virtualenvs and caches only
    for Python code), minus what the context's Dockerfiles copy by name and ``.git`` for
    builds that version from git. ``.env.*`` keeps env templates (and copied env files) in
    with ``!`` exceptions."""
    rules = DockerIgnore(existing)
    copied = _copied_names(_dockerfiles_of(project, context))
    needs_git = _needs_git(project, context)
    entries = list(DOCKERIGNORE_ENTRIES)
    if _python_context(project, context):
        entries += PYTHON_DOCKERIGNORE_ENTRIES
    wanted = [e for e in entries if e[0] in must]
    wanted += [e for e in entries if e not in wanted]
    lines = []
    for pattern, probe in wanted:
        if rules.excludes(probe):
            continue
        if pattern == ".git" and needs_git:
            continue
        if pattern == ".env.*":
            kept = sorted(
                {n for n in copied if _names(pattern, n) and "/" not in n}
                | set(_env_templates(project, context))
            )
            lines += [pattern, *(f"!{name}" for name in kept)]
            continue
        if any(_names(pattern, name) for name in copied):
            continue
        lines.append(pattern)
    return lines


def _names(pattern: str, copied: str) -> bool:
    """Whether an ignore ``pattern`` would keep out ``copied`` (or something inside it)."""
    bare = pattern.removeprefix("**/")
    parts = copied.split("/")
    return any(fnmatch.fnmatchcase(part, bare) for part in parts)


@fixer(
    "DKR040",
    SAFE,
    "create a `.dockerignore` for the build context",
    needs_project=True,
)
def create_dockerignore(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit]:
    """A new ``.dockerignore`` at the root of each build context of the Dockerfile that has
    none (contexts outside the project are left alone)."""
    from shipcheck.detectors.dockerfile.dockerignore import ignore_file
    from shipcheck.detectors.dockerfile.linking import contexts

    project = ctx.project
    if project is None:
        return
    for finding in findings:
        for context in contexts(project, finding.path):
            if context.startswith("..") or posixpath.isabs(context):
                continue
            if ignore_file(project, finding.path, context) is not None:
                continue
            lines = dockerignore_lines(project, context, [])
            if not lines:
                continue
            path = _join(context, ".dockerignore")
            text = "".join(line + "\n" for line in [DOCKERIGNORE_HEADER, *lines])
            yield Edit(path, 0, 0, text, finding.rule_id, (finding,), create=True,
                       note="create .dockerignore")  # fmt: skip


@fixer(
    "DKR041",
    SAFE,
    "add `.git`, `.env`, virtualenvs and caches to `.dockerignore`",
    needs_project=True,  # what the Dockerfiles of the context copy by name stays in
)
def complete_dockerignore(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit]:
    """Append what the ignore file misses; ``.git`` and ``.env`` first."""
    params = ctx.params("DKR041")
    must = [e.rstrip("/") for e in getattr(params, "must_exclude", (".git/", ".env"))]
    context = posixpath.dirname(ctx.path) or "."
    project = ctx.project
    if project is None:
        return
    for finding in findings[:1]:  # one finding per ignore file
        lines = dockerignore_lines(project, context, ctx.text.splitlines(), must)
        if lines:
            yield _append(ctx, finding, lines, "exclude " + ", ".join(lines))


@fixer(
    "PRJ004",
    SAFE,
    "add `.env`, virtualenvs and `__pycache__/` to `.gitignore`",
)
def complete_gitignore(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit]:
    """Append to the project root's ``.gitignore`` (or create it) what git does not ignore
    yet: ``.env``, ``.venv/`` and ``venv/``, ``__pycache__/``, and any virtualenv folder
    present at the root."""
    from shipcheck.detectors.project import gitignore

    project = ctx.project or ProjectModel(root=ctx.root, files={}, complete=False)
    stack, prefix, _ = gitignore._stack(project)

    def ignored(path: str, is_dir: bool) -> bool:
        return gitignore._ignored(stack, prefix, path, is_dir)

    lines: list[str] = []
    if not ignored(".env", False):
        lines.append(".env")
    if not (ignored(".venv", True) or ignored("venv", True)):
        lines += [".venv/", "venv/"]
    if not ignored("app/__pycache__/module.cpython-312.pyc", False):
        lines.append("__pycache__/")
    for venv in gitignore._virtualenv_dirs(project.root):
        if not ignored(venv, True) and f"{venv}/" not in lines:
            lines.append(f"{venv}/")
    if not lines:
        return
    for finding in findings[:1]:
        exists = (ctx.root / ".gitignore").exists()
        if ctx.path == ".gitignore" and exists:
            yield _append(ctx, finding, lines, "ignore " + ", ".join(lines))
        elif not exists:  # "no .gitignore" is about the missing file itself
            text = "".join(line + "\n" for line in lines)
            yield Edit(".gitignore", 0, 0, text, finding.rule_id, (finding,), create=True,
                       note="create .gitignore")  # fmt: skip
