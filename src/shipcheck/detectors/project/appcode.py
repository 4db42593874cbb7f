"""The code a deployment target runs: its entry module (the module a server serves, the
Celery app, the script Python runs), the Django settings module it loads, and every module
those import unconditionally at import time — the code that must start before the process
serves anything.

Modules are found by dotted name as a suffix of the path-derived names of the
:class:`~shipcheck.detectors.python.env_reads.ModuleEnv` facts (``shop.wsgi`` is
``src/shop/wsgi.py`` when that is the only match, preferring the target's build context);
the part of the path before the match is the import root the other imports resolve in.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field

from shipcheck.detectors.project.entrypoints import AppEntry, uwsgi_ini
from shipcheck.detectors.project.targets import Target, entry, repo_path
from shipcheck.detectors.python.env_reads import EnvVarRead, ModuleEnv
from shipcheck.project import ProjectModel


@dataclass
class AppCode:
    """What one target runs of the project's code."""

    entry: AppEntry
    entry_module: ModuleEnv
    settings: ModuleEnv | None
    modules: list[ModuleEnv] = field(default_factory=list)

    def required(self) -> list[tuple[ModuleEnv, EnvVarRead]]:
        """Reads that fail at start-up without their variable, minus the variables the code
        sets itself (``os.environ.setdefault``)."""
        own = {name for m in self.modules for name in m.sets}
        return [
            (m, r)
            for m in self.modules
            for r in m.reads
            if r.required and r.startup and r.var not in own
        ]

    @property
    def loads_dotenv(self) -> list[tuple[ModuleEnv, str]]:
        """Env files the code loads at import time (module, file as written)."""
        return [(m, f) for m in self.modules if m.dotenv is not None for f in m.dotenv]

    def describe(self) -> str:
        """``gunicorn shop.wsgi`` / ``python manage.py`` / with the settings module."""
        what = f"`{self.entry_module.path}`"
        if self.settings is not None and self.settings is not self.entry_module:
            what += f" with settings `{self.settings.path}`"
        return what


class CodeIndex:
    """The project's modules by dotted name and by path."""

    def __init__(self, facts: Iterable[ModuleEnv]) -> None:
        self.by_module: dict[str, ModuleEnv] = {}
        self.by_path: dict[str, ModuleEnv] = {}
        for fact in facts:
            self.by_module.setdefault(fact.module, fact)
            self.by_path[fact.path] = fact

    def find(self, dotted: str, scope: str | None) -> tuple[ModuleEnv, str] | None:
        """The module ``dotted`` names and its import root prefix (``src.``), when one
        module matches (within ``scope`` when several do)."""
        matches = [m for m in self.by_module if m == dotted or m.endswith("." + dotted)]
        if len(matches) > 1 and scope not in (None, "."):
            inside = [m for m in matches if self.by_module[m].path.startswith(scope + "/")]
            matches = inside or matches
        if len(matches) != 1:
            return None
        module = matches[0]
        return self.by_module[module], module[: len(module) - len(dotted)]

    def closure(self, starts: list[ModuleEnv], prefix: str) -> list[ModuleEnv]:
        """``starts`` and every project module they import at import time, transitively."""
        seen: dict[str, ModuleEnv] = {}
        queue = list(starts)
        while queue:
            fact = queue.pop(0)
            if fact.path in seen:
                continue
            seen[fact.path] = fact
            for name in fact.imports:
                parts = name.split(".")
                for end in range(1, len(parts) + 1):
                    piece = ".".join(parts[:end])
                    for candidate in (piece, prefix + piece) if prefix else (piece,):
                        found = self.by_module.get(candidate)
                        if found is not None and found.path not in seen:
                            queue.append(found)
        return list(seen.values())


def code_index(project: ProjectModel) -> CodeIndex:
    """The project's :class:`CodeIndex` (built once per scan)."""
    memo = project.memo.get("code_index")
    if memo is None:
        memo = project.memo["code_index"] = CodeIndex(project.facts_of(ModuleEnv))
    return memo  # type: ignore[no-any-return]


def _script_module(
    project: ProjectModel, index: CodeIndex, target: Target, script: str
) -> tuple[ModuleEnv, str] | None:
    path = repo_path(project, target, script)
    fact = index.by_path.get(path) if path else None
    if fact is None:
        scope = target.scope or "."
        joined = posixpath.normpath(posixpath.join(scope, script.lstrip("./")))
        fact = index.by_path.get(joined)
    if fact is None:
        return None
    root = fact.module.rpartition(".")[0]
    return fact, f"{root}." if root else ""


def _entry_module(
    project: ProjectModel, index: CodeIndex, target: Target, app: AppEntry
) -> tuple[ModuleEnv, str] | None:
    if app.module:
        return index.find(app.module, target.scope)
    if app.script:
        return _script_module(project, index, target, app.script)
    if app.ini:
        path = repo_path(project, target, app.ini)
        text = project.read_text(path) if path else None
        settings = uwsgi_ini(text) if text else {}
        if "module" in settings:
            return index.find(settings["module"], target.scope)
        if "wsgi-file" in settings:
            return _script_module(project, index, target, settings["wsgi-file"])
    return None


def app_code(project: ProjectModel, target: Target) -> AppCode | None:
    """The code ``target`` runs, or None when its command or entry module is not known."""
    if "app_code" in target.extras:
        return target.extras["app_code"]  # type: ignore[no-any-return]
    target.extras["app_code"] = None
    app = entry(project, target)
    if app is None:
        return None
    index = code_index(project)
    found = _entry_module(project, index, target, app)
    if found is None:
        return None
    module, prefix = found
    starts = [module]
    if app.program == "celery":
        celery = index.by_module.get(f"{module.module}.celery")
        if celery is not None:
            starts.append(celery)
    modules = index.closure(starts, prefix)
    name = (
        app.settings
        or app.env.get("DJANGO_SETTINGS_MODULE")
        or target.env.get("DJANGO_SETTINGS_MODULE")
        or next((m.settings_module for m in modules if m.settings_module), None)
    )
    settings = None
    if name:
        located = index.find(name, target.scope)
        if located is not None:
            settings = located[0]
            modules = index.closure([*starts, settings], prefix)
    code = AppCode(entry=app, entry_module=module, settings=settings, modules=modules)
    target.extras["app_code"] = code
    return code
