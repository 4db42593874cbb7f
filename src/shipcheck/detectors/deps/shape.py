"""What the project is, as far as its dependencies go: which folders declare dependencies,
which are published libraries and which are deployed applications, what locks them.

The application heuristic (documented in docs/rules.md through the rules' rationale):

- A folder's pyproject.toml that has a ``[build-system]`` and names a distribution
  (``[project].name`` or ``[tool.poetry].name``) publishes a *library*, unless it opts out of
  packaging (``[tool.poetry] package-mode = false``, ``[tool.uv] package = false``,
  ``[tool.pdm] distribution = false``); so does a folder with a ``setup.py`` or ``setup.cfg``
  and no pyproject.toml. Libraries are legitimately unlocked: their users resolve versions.
- A library folder is still an *application* when a deployment artefact lives in it or
  below it: a Dockerfile (not under ``.devcontainer``, tests or docs), a Procfile, Kubernetes
  manifests, ``manage.py`` / ``wsgi.py`` / ``asgi.py`` at its top, or a platform file (``app.yaml``,
  ``fly.toml``, ``render.yaml``, ``vercel.json``, ``serverless.yml``, ``zappa_settings.json``…).
- Any other folder declaring dependencies is an application when it has one of those
  artefacts or a Compose file in or below it, creates a web application object or declares
  a web framework, or — for the project root — when such an artefact exists anywhere.
- Manifests in test, fixture, example and documentation folders are not judged.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from shipcheck import roles
from shipcheck.detectors.deps.common import (
    LOCK_NAMES,
    NEEDS_SERVER,
    directory,
    is_requirements_lock_name,
    requirements_fully_pinned,
    within,
)
from shipcheck.detectors.deps.facts import DependencyManifest, LockedPackage, Lockfile
from shipcheck.models.artifacts import Kind
from shipcheck.models.facts import Dependency, Framework, WebApp
from shipcheck.project import ProjectModel
from shipcheck.roles import Role

ENTRY_POINTS = frozenset({"manage.py", "wsgi.py", "asgi.py"})
PLATFORM_FILES = frozenset(
    {"fly.toml", "render.yaml", "vercel.json", "heroku.yml", "zappa_settings.json",
     "serverless.yml", "serverless.yaml", "app.yaml", "app.yml", "apprunner.yaml",
     "railway.json", "railway.toml", "nixpacks.toml", "dockerrun.aws.json", ".platform.app.yaml"}
)  # fmt: skip
_MANIFEST_ORDER = {"pyproject": 0, "pipfile": 1, "requirements": 2}


def ignored(path: str) -> bool:
    """A test, fixture, example or documentation file, or a devcontainer's: never what the
    project deploys (the file's role)."""
    decided = roles.of(path)
    return decided.role in (Role.TEST, Role.EXAMPLE) or ".devcontainer" in path.split("/")


@dataclass
class Manifest:
    """A file that declares dependencies, with its :class:`DependencyManifest` summary."""

    path: str
    kind: str
    dir: str
    line: int
    fact: DependencyManifest

    @property
    def sort_key(self) -> tuple[int, bool, str]:
        """pyproject.toml before Pipfile before requirements (inputs before compiled)."""
        return (_MANIFEST_ORDER.get(self.kind, 3), not self.fact.input, self.path)


@dataclass
class Shape:
    """Dependency manifests, lock files and deployment signals of one project."""

    project: ProjectModel
    manifests: dict[str, Manifest] = field(default_factory=dict)
    dependencies: list[Dependency] = field(default_factory=list)
    lockfiles: dict[str, Lockfile] = field(default_factory=dict)
    locked: dict[str, list[LockedPackage]] = field(default_factory=dict)

    @classmethod
    def of(cls, project: ProjectModel) -> Shape:
        """The project's dependency shape, read from its facts once per scan."""
        cached = project.memo.get("deps-shape")
        if isinstance(cached, cls):
            return cached
        shape = project.memo["deps-shape"] = cls(project)
        for fact in project.facts_of(DependencyManifest):
            if ignored(fact.path):
                continue
            shape.manifests[fact.path] = Manifest(
                fact.path, fact.kind, directory(fact.path), fact.line, fact
            )
        shape.dependencies = [f for f in project.facts_of(Dependency) if not ignored(f.path)]
        for lockfile in project.facts_of(Lockfile):
            shape.lockfiles[lockfile.path] = lockfile
        for package in project.facts_of(LockedPackage):
            shape.locked.setdefault(package.path, []).append(package)
        return shape

    # --- manifests ---------------------------------------------------------------------------

    def runtime_manifests(self) -> list[Manifest]:
        """Manifests that describe what runs in production (not dev/test requirement files,
        not constraints files, which install nothing themselves)."""
        return sorted(
            (m for m in self.manifests.values() if not m.fact.dev and not m.fact.constraints_file),
            key=lambda m: m.sort_key,
        )

    def by_dir(self) -> dict[str, list[Manifest]]:
        """Runtime manifests per folder."""
        groups: dict[str, list[Manifest]] = {}
        for manifest in self.runtime_manifests():
            groups.setdefault(manifest.dir, []).append(manifest)
        return groups

    def pyproject(self, folder: str) -> Manifest | None:
        """The folder's pyproject.toml."""
        return next(
            (m for m in self.manifests.values() if m.kind == "pyproject" and m.dir == folder), None
        )

    def nearest_dir(self, path: str) -> str | None:
        """The deepest folder with runtime manifests that contains ``path``."""
        folder = posixpath.dirname(path)
        candidates = [d for d in self.by_dir() if within(folder, d)]
        return max(candidates, key=len) if candidates else None

    # --- libraries and applications ----------------------------------------------------------

    def is_library(self, folder: str) -> bool:
        """A pyproject with ``[build-system]`` that publishes a distribution, or a
        ``setup.py`` / ``setup.cfg`` next to the manifests (setuptools' classic layout)."""
        manifest = self.pyproject(folder)
        if manifest is not None and manifest.fact.non_package:
            return False
        if manifest is not None and manifest.fact.build_system and manifest.fact.distribution:
            return True
        # A pyproject.toml that only configures tools leaves packaging to setup.py/setup.cfg.
        return any(
            posixpath.join(folder, name) in self.project.files
            or self.project.exists(posixpath.join(folder, name))
            for name in ("setup.py", "setup.cfg")
        )

    def _files_below(self, folder: str) -> list[tuple[str, Kind]]:
        """Shipping files in or below ``folder`` (indexed by folder once per scan)."""
        index = self.project.memo.get("deps-files-below")
        if index is None:
            index = self.project.memo["deps-files-below"] = {}
            for path, kind in sorted(self.project.files.items()):
                if ignored(path) or not roles.of(path).role.ships:
                    continue
                parts = path.split("/")[:-1]
                for depth in range(len(parts) + 1):
                    index.setdefault("/".join(parts[:depth]), []).append((path, kind))
        return index.get(folder, [])  # type: ignore[no-any-return]

    def deploy_signals(self, folder: str, compose: bool = False) -> list[str]:
        """Deployment artefacts in or below ``folder`` (Compose files only if asked).

        Inside a library, ``wsgi.py``/``asgi.py`` modules below the folder are the library's
        own code (``django/core/wsgi.py``), so there only entry points at its top count."""
        memo = self.project.memo.setdefault("deps-deploy-signals", {})
        if (folder, compose) not in memo:
            memo[folder, compose] = self._deploy_signals(folder, compose)
        return list(memo[folder, compose])

    def _deploy_signals(self, folder: str, compose: bool) -> list[str]:
        found = []
        library = self.is_library(folder)
        for path, kind in self._files_below(folder):
            name = posixpath.basename(path).lower()
            entry_point = name in ENTRY_POINTS and (
                not library or posixpath.dirname(path) == folder
            )
            if (
                kind in (Kind.DOCKERFILE, Kind.PROCFILE, Kind.KUBERNETES)
                or (compose and kind == Kind.COMPOSE)
                or entry_point
                or name in PLATFORM_FILES
            ):
                found.append(path)
        return sorted(found)

    def framework_code(self, folder: str) -> list[WebApp | Framework]:
        """Web application objects (:class:`WebApp`) or framework imports
        (:class:`Framework`) in production code in or below ``folder``."""
        facts: list[WebApp | Framework] = [
            *self.project.facts_of(WebApp),
            *self.project.facts_of(Framework),
        ]
        return [
            f for f in facts if within(posixpath.dirname(f.path), folder) and not ignored(f.path)
        ]

    def framework_dependencies(self, folder: str) -> list[Dependency]:
        """Runtime dependencies on a web framework declared in ``folder``."""
        return [
            f
            for f in self.dependencies
            if not f.dev
            and f.name in NEEDS_SERVER
            and directory(f.path) == folder
            and f.path in self.manifests
        ]

    def is_application(self, folder: str) -> bool:
        """See the module docstring."""
        manifest = self.pyproject(folder)
        if manifest is not None and manifest.fact.non_package:
            return True
        if self.deploy_signals(folder):
            return True
        if self.is_library(folder):
            return False
        if self.deploy_signals(folder, compose=True):
            return True
        if self.framework_code(folder) or self.framework_dependencies(folder):
            return True
        return folder == "" and bool(self.deploy_signals("", compose=True))

    # --- locks -------------------------------------------------------------------------------

    def lock_files(self, folder: str) -> list[str]:
        """Lock files in ``folder`` or above it: scanned ones, and committed ones that did not
        parse (their diagnostic says why). A git-ignored lock does not count: builds from the
        repository never see it."""
        found = []
        candidates = {folder}
        parent = folder
        while parent:
            parent = posixpath.dirname(parent)
            candidates.add(parent)
        for path, kind in self.project.files.items():
            if kind == Kind.LOCKFILE and posixpath.dirname(path) in candidates:
                found.append(path)
        for base in sorted(candidates):
            for name in LOCK_NAMES:
                rel = posixpath.join(base, name) if base else name
                if rel in found or rel in self.project.files:
                    continue
                if self.project.exists(rel) and self.project.git_tracked(rel) is not False:
                    found.append(rel)
        return sorted(found)

    def pinned_lock_files(self, folder: str) -> list[str]:
        """Requirement-style lock files in ``folder`` or above it that pin everything they
        list: rye's ``requirements.lock``, ``requirements-lock.txt``, ``*.lock`` output of
        ``pip-compile``/``uv pip compile -o``, a fully pinned ``constraints.txt``. Committed
        ones only when git can tell."""
        candidates = {folder}
        parent = folder
        while parent:
            parent = posixpath.dirname(parent)
            candidates.add(parent)
        found = []
        for base in sorted(candidates):
            for name in self._listing(base):
                rel = posixpath.join(base, name) if base else name
                if not is_requirements_lock_name(name) or self.project.git_tracked(rel) is False:
                    continue
                if requirements_fully_pinned(self.project.read_text(rel) or ""):
                    found.append(rel)
        return found

    def _listing(self, base: str) -> list[str]:
        """File names directly in ``base`` (from git when it knows, else the file system)."""
        tracked = self.project.tracked_paths()
        if tracked is not None:
            prefix = f"{base}/" if base else ""
            return sorted(
                p[len(prefix) :]
                for p in tracked
                if p.startswith(prefix) and "/" not in p[len(prefix) :]
            )
        try:
            return sorted(p.name for p in (self.project.root / base).iterdir() if p.is_file())
        except OSError:
            return []

    def untracked_locks(self, folder: str) -> list[str]:
        """Lock files that exist in ``folder`` but are not committed (git-ignored)."""
        result = []
        for name in LOCK_NAMES:
            rel = posixpath.join(folder, name) if folder else name
            if (
                rel not in self.project.files
                and self.project.exists(rel)
                and self.project.git_tracked(rel) is False
            ):
                result.append(rel)
        return result

    def pinned_names(self, path: str, seen: frozenset[str] = frozenset()) -> set[str]:
        """Names a requirements file pins, its ``-r`` includes too."""
        manifest = self.manifests.get(path)
        if manifest is None or path in seen or manifest.kind != "requirements":
            return set()
        names = set(manifest.fact.pinned)
        for include in manifest.fact.includes:
            names |= self.pinned_names(include, seen | {path})
        return names

    def fully_pinned(self, path: str, seen: frozenset[str] = frozenset()) -> bool:
        """A requirements file whose every requirement (and every ``-r`` include's) is pinned
        with ``==`` or installed from a fixed reference, or constrained by a ``-c`` file that
        pins it: a lock file in all but name."""
        manifest = self.manifests.get(path)
        if manifest is None or manifest.kind != "requirements" or manifest.fact.input:
            return False
        if path in seen:
            return True
        summary = manifest.fact
        includes = [i for i in summary.includes if i in self.manifests]
        if not summary.requirements and not includes:
            return False
        constrained: set[str] = set()
        for constraint in summary.constraints:
            constrained |= self.pinned_names(constraint)
        ranged = list(summary.ranged)
        if summary.ranged_count > len(ranged):
            return False  # a VCS requirement without a name follows a branch
        if any(name not in constrained for name in ranged):
            return False
        return all(self.fully_pinned(i, seen | {path}) for i in includes)

    def pinned_requirements(self, folder: str) -> list[str]:
        """Fully pinned runtime requirements files in ``folder`` or above it."""
        return [
            m.path
            for m in self.runtime_manifests()
            if m.kind == "requirements" and within(folder, m.dir) and self.fully_pinned(m.path)
        ]
