"""Lock files: an application that declares version ranges needs one, and it must match
what the manifests declare."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck.detectors.deps.common import canon, parse_specifier, parse_version
from shipcheck.detectors.deps.shape import Manifest, Shape
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind
from shipcheck.models.facts import Dependency
from shipcheck.models.findings import Hit
from shipcheck.project import ProjectModel

_LOCK_COMMANDS = {
    "uv": "uv lock",
    "poetry": "poetry lock",
    "pdm": "pdm lock",
    "pipenv": "pipenv lock",
}


def _names(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _dependencies(count: int) -> str:
    return "1 dependency" if count == 1 else f"{count} dependencies"


# --- DEP003: no lock file ------------------------------------------------------------------------


def _applications(shape: Shape) -> dict[str, list[Manifest]]:
    return {d: ms for d, ms in shape.by_dir().items() if shape.is_application(d)}


def _lock_applies(project: ProjectModel) -> bool:
    return project.complete and bool(_applications(Shape.of(project)))


def _hint(manifest: Manifest) -> str:
    summary = manifest.fact
    if manifest.kind == "pipfile":
        return "commit a Pipfile.lock (`pipenv lock`)"
    if manifest.kind == "pyproject":
        if summary.poetry:
            return "commit a poetry.lock (`poetry lock`)"
        if summary.pdm:
            return "commit a pdm.lock (`pdm lock`)"
        return "commit a lock file (`uv lock`, or `pip-compile -o requirements.txt pyproject.toml`)"
    if summary.input:
        return (
            f"compile it (`pip-compile {posixpath.basename(manifest.path)}`) and commit the output"
        )
    return "pin every requirement with `==` (`pip-compile` or `uv pip compile` can write them)"


@detector("deps.missing-lockfile", kind=Kind.PROJECT, applies=_lock_applies)
def missing_lockfile(project: ProjectModel, params: None) -> Iterator[Hit]:
    """An application whose runtime dependencies allow version ranges (pyproject.toml,
    Pipfile, requirements files) but that has no lock file: no ``uv.lock``, ``poetry.lock``,
    ``pdm.lock``, ``Pipfile.lock`` or ``pylock.toml`` in its folder or above, no runtime
    requirements file pinning every requirement with ``==``, and no fully pinned pip-style lock
    (``requirements.lock``, ``requirements-lock.txt``, ``*.lock``, ``constraints.txt``).
    Published libraries without deployment artefacts are exempt (see
    :mod:`shipcheck.detectors.deps.shape`)."""
    shape = Shape.of(project)
    for folder, manifests in sorted(_applications(shape).items()):
        ranged = [m for m in manifests if m.fact.ranged_count > 0]
        if not ranged:
            continue
        if shape.lock_files(folder) or shape.pinned_requirements(folder):
            continue
        if shape.pinned_lock_files(folder):
            continue  # requirements.lock, constraints.txt with every version pinned
        anchor = ranged[0]
        names = list(anchor.fact.ranged)
        count = anchor.fact.ranged_count
        details = []
        for other in manifests:
            if other is anchor or other.kind != "requirements" or other.fact.input:
                continue
            loose = list(other.fact.ranged)
            if loose:
                details.append(f"{other.path} leaves {_names(loose)} unpinned")
        untracked = shape.untracked_locks(folder)
        if untracked:
            details.append(f"{', '.join(untracked)} exists but is not committed")
        yield Hit(
            path=anchor.path,
            line=anchor.line,
            fields={
                "manifest": anchor.path,
                "count": _dependencies(count),
                "names": _names(names) if names else "VCS references",
                "detail": ("; " + "; ".join(details)) if details else "",
                "hint": _hint(anchor),
            },
            context=f"missing-lockfile:{anchor.path}",
        )


# --- DEP004: the lock file does not match --------------------------------------------------------


@dataclass(frozen=True)
class _Pair:
    manifest: Manifest
    lock: str  # path
    tool: str  # uv, poetry, pdm, pipenv, pip-tools


def _sections(tool: str, groups: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(exact sections, section prefixes) a lock of ``tool`` covers."""
    if tool == "uv":
        return ("project.dependencies", "tool.uv.dev-dependencies"), (
            "project.optional-dependencies.",
            "dependency-groups.",
        )
    if tool == "poetry":
        return (
            "project.dependencies",
            "tool.poetry.dependencies",
            "tool.poetry.dev-dependencies",
        ), (
            "project.optional-dependencies.",
            "tool.poetry.group.",
        )
    if tool == "pdm":
        exact = ["project.dependencies"]
        for group in groups:
            exact += [
                f"project.optional-dependencies.{group}",
                f"tool.pdm.dev-dependencies.{group}",
                f"dependency-groups.{group}",
            ]
        return tuple(exact), ()
    if tool == "pipenv":
        sections = {"default": "packages", "develop": "dev-packages"}
        return tuple(sections.get(g, g) for g in groups), ()
    return ("requirements",), ()


def _pairs(shape: Shape) -> list[_Pair]:
    pairs = []
    for manifest in shape.manifests.values():
        folder = manifest.dir
        if manifest.kind == "requirements":
            if not manifest.fact.input:
                continue
            compiled = manifest.path[: -len(".in")] + ".txt"
            target = shape.manifests.get(compiled)
            if target is not None and (target.fact.compiled or shape.fully_pinned(compiled)):
                pairs.append(_Pair(manifest, compiled, "pip-tools"))
            continue
        names = (
            ("Pipfile.lock",)
            if manifest.kind == "pipfile"
            else ("poetry.lock", "uv.lock", "pdm.lock")
        )
        for name in names:
            path = posixpath.join(folder, name) if folder else name
            if path in shape.lockfiles and shape.lockfiles[path].valid:
                pairs.append(_Pair(manifest, path, str(shape.lockfiles[path].tool)))
        own_uv = any(p.manifest is manifest and p.tool == "uv" for p in pairs)
        if manifest.kind == "pyproject" and not own_uv:
            workspace = _workspace_lock(shape, folder)
            if workspace:
                pairs.append(_Pair(manifest, workspace, "uv"))
    return pairs


def _workspace_lock(shape: Shape, folder: str) -> str | None:
    """The uv.lock of a uv workspace root above ``folder``."""
    parent = folder
    while parent:
        parent = posixpath.dirname(parent)
        root = shape.pyproject(parent)
        lock = posixpath.join(parent, "uv.lock") if parent else "uv.lock"
        if root is not None and root.fact.uv_workspace and lock in shape.lockfiles:
            return lock if shape.lockfiles[lock].valid else None
    return None


def _locked_versions(shape: Shape, pair: _Pair) -> dict[str, list[str | None]]:
    versions: dict[str, list[str | None]] = {}
    if pair.tool == "pip-tools":
        for fact in shape.dependencies:
            if fact.path == pair.lock:
                versions.setdefault(fact.name, []).append(fact.version)
        return versions
    for package in shape.locked.get(pair.lock, []):
        versions.setdefault(package.name, []).append(package.version)
    return versions


def _stale_applies(project: ProjectModel) -> bool:
    return project.complete and bool(_pairs(Shape.of(project)))


@detector("deps.stale-lockfile", kind=Kind.PROJECT, applies=_stale_applies)
def stale_lockfile(project: ProjectModel, params: None) -> Iterator[Hit]:
    """A dependency declared in pyproject.toml, a Pipfile or a pip-tools ``.in`` file that
    its lock file (uv.lock, poetry.lock, pdm.lock, Pipfile.lock, the compiled ``.txt``) does
    not contain, or locks at a version outside the declared range. Dependencies restricted
    by environment markers are not judged (a lock may leave them out legitimately)."""
    shape = Shape.of(project)
    for pair in sorted(_pairs(shape), key=lambda p: (p.manifest.path, p.lock)):
        lock_fact = shape.lockfiles.get(pair.lock)
        groups = list(lock_fact.groups) if lock_fact else []
        exact, prefixes = _sections(pair.tool, groups)
        locked = _locked_versions(shape, pair)
        own_name = pair.manifest.fact.name
        command = _LOCK_COMMANDS.get(pair.tool) or f"pip-compile {pair.manifest.path}"
        for fact in shape.dependencies:
            if fact.path != pair.manifest.path:
                continue
            section = fact.section
            if section not in exact and not section.startswith(prefixes):
                continue
            if fact.marker or fact.name == own_name:
                continue
            problem = _problem(fact, locked, pair)
            if problem is None:
                continue
            yield Hit(
                path=fact.path,
                line=fact.line,
                fields={
                    "declared": _declared(fact),
                    "manifest": pair.manifest.path,
                    "lock": pair.lock,
                    "problem": problem,
                    "command": command,
                },
                context=f"stale-lockfile:{pair.lock}:{fact.name}",
            )


def _declared(fact: Dependency) -> str:
    spec = fact.spec
    name = fact.name
    if spec and spec[0].isdigit():  # Poetry's exact version
        spec = f"=={spec}"
    return f"{name}{spec}" if spec and spec[0] in "<>=!~" else name


def _problem(fact: Dependency, locked: dict[str, list[str | None]], pair: _Pair) -> str | None:
    name = canon(fact.name)
    lock = posixpath.basename(pair.lock)
    if name not in locked:
        return f"{lock} does not contain it"
    if fact.direct:
        return None
    spec_text = fact.spec
    if fact.pinned and fact.version:
        spec_text = f"=={fact.version}"
    specifier = parse_specifier(spec_text) if spec_text else None
    if specifier is None or not str(specifier):
        return None
    versions = [parse_version(str(v)) for v in locked[name] if v]
    versions_ok = [v for v in versions if v is not None]
    if not versions_ok or len(versions_ok) != len(versions):
        return None
    if any(specifier.contains(v, prereleases=True) for v in versions_ok):
        return None
    shown = ", ".join(str(v) for v in versions_ok)
    return f"{lock} locks {shown}"
