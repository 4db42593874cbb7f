"""Django settings modules as the hardening rules see them.

The file pass records, for every settings module, its module-level assignments (with a
JSON-safe view of each value) and its star imports, as a :class:`DjangoSettings` fact. The
project pass resolves ``from .base import *`` chains and asks, for each settings module production
would load (one that no other production module builds on), what a setting ends up as.

Precision rules: a value the code computes is unknown; a setting assigned under ``if``/``try``
has several possible values; an import that cannot be resolved (``local_settings`` kept
out of git) may set anything. A finding needs every possible value to be bad.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from shipcheck import lazyre
from shipcheck.detectors.config.pyeval import UNKNOWN, evaluate_unset
from shipcheck.detectors.registry import fact_extractor
from shipcheck.detectors.secrets.context import is_dev_module, path_context
from shipcheck.detectors.secrets.pyast import EnvReads, char_column
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.facts import Fact
from shipcheck.project import ProjectModel

# Settings only a Django settings module defines.
MARKERS = frozenset(
    {"INSTALLED_APPS", "MIDDLEWARE", "MIDDLEWARE_CLASSES", "ROOT_URLCONF", "WSGI_APPLICATION",
     "ASGI_APPLICATION", "DATABASES", "TEMPLATES", "AUTH_PASSWORD_VALIDATORS", "STATIC_URL",
     "DEFAULT_AUTO_FIELD", "ALLOWED_HOSTS", "SECRET_KEY"}
)  # fmt: skip
CHECKED = frozenset(
    {"DEBUG", "ALLOWED_HOSTS", "SECRET_KEY", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
     "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "MIDDLEWARE", "MIDDLEWARE_CLASSES",
     "CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL", "CORS_ALLOW_CREDENTIALS"}
)  # fmt: skip
_PROD_WORDS = lazyre.compile(r"prod|production|live|deploy|release", re.IGNORECASE)
# Django's own defaults module and startproject template are not a project's settings.
FRAMEWORK_PATHS = (
    "django/conf/global_settings.py",
    "/conf/project_template/",
    "/conf/app_template/",
)
BASE_NAMES = frozenset(
    {"base", "common", "defaults", "default", "shared", "core", "global", "globals", "_base",
     "base_settings", "common_settings", "components"}
)  # fmt: skip
_MUTATORS = frozenset({"append", "insert", "extend", "remove", "pop", "clear"})


def _jsonable(value: Any) -> Any:
    if isinstance(value, set | frozenset):  # in a stable order: facts must not follow hashes
        return sorted((_jsonable(v) for v in value), key=repr)
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return "<expr>"


def _describe(node: ast.AST, reads: EnvReads) -> dict[str, Any]:
    """A JSON-safe view of a setting's value: a literal, an environment read (with what it
    is when the variable is unset), or an expression."""
    try:
        return {"literal": _jsonable(ast.literal_eval(node))}
    except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
        pass
    value, read = evaluate_unset(node, reads)
    if read is not None:
        unset = None if value is UNKNOWN else _jsonable(value)
        return {"env": read.var or "?", "unset": unset, "known": value is not UNKNOWN}
    return {"expr": True}


@dataclass
class _Collector:
    doc: PythonFile
    reads: EnvReads
    assigns: list[dict[str, Any]] = field(default_factory=list)
    imports: list[dict[str, Any]] = field(default_factory=list)
    mutated: set[str] = field(default_factory=set)

    def run(self, body: list[ast.stmt], conditional: bool) -> None:
        for node in body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.isupper():
                        self._assign(target.id, node.value, node, conditional)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                if node.value is not None and node.target.id.isupper():
                    self._assign(node.target.id, node.value, node, conditional)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                self.mutated.add(node.target.id)
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                self._call(node.value, conditional)
            elif isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
                self.imports.append(
                    {"level": node.level, "module": node.module or "", "line": node.lineno,
                     "conditional": conditional}
                )  # fmt: skip
            elif isinstance(node, ast.If | ast.For | ast.While | ast.With | ast.AsyncWith):
                self.run(node.body, True)
                self.run(getattr(node, "orelse", []), True)
            elif isinstance(node, ast.Try):
                self.run(node.body, True)
                for handler in node.handlers:
                    self.run(handler.body, True)
                self.run(node.orelse, True)
                self.run(node.finalbody, conditional)

    def _call(self, call: ast.Call, conditional: bool) -> None:
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.attr in _MUTATORS:
                self.mutated.add(func.value.id)
            elif func.attr == "update" and isinstance(func.value, ast.Call):
                self._unknown(call, conditional)  # globals().update(...)
        elif isinstance(func, ast.Name) and func.id in {"include", "exec", "optional"}:
            self._unknown(call, conditional)  # django-split-settings and friends

    def _unknown(self, node: ast.AST, conditional: bool) -> None:
        self.imports.append(
            {"level": 0, "module": "?", "line": getattr(node, "lineno", 1),
             "conditional": conditional}
        )  # fmt: skip

    def _assign(self, name: str, value: ast.AST, node: ast.stmt, conditional: bool) -> None:
        line = getattr(value, "lineno", node.lineno)
        end_line = getattr(value, "end_lineno", line) or line
        self.assigns.append(
            {
                "name": name,
                "line": line,
                "column": char_column(self.doc, line, getattr(value, "col_offset", 0)),
                "end_line": end_line,
                "end_column": char_column(self.doc, end_line, getattr(value, "end_col_offset", 0)),
                "conditional": conditional,
                "value": _describe(value, self.reads),
            }
        )


def _is_base_name(path: str) -> bool:
    posix = PurePosixPath(path)
    stem = posix.parent.name if posix.stem == "__init__" else posix.stem
    return stem.lower() in BASE_NAMES


def is_framework_module(path: str) -> bool:
    """Django's own ``global_settings.py`` and project/app templates."""
    return path.endswith(FRAMEWORK_PATHS[0]) or any(p in path for p in FRAMEWORK_PATHS[1:])


def collect(doc: PythonFile) -> _Collector | None:
    """The settings of a module if it is a Django settings module, else None."""
    text = doc.text
    if not any(word in text for word in ("INSTALLED_APPS", "MIDDLEWARE", "import *", "DEBUG")):
        return None
    if is_framework_module(doc.path) or not isinstance(doc.tree, ast.Module):
        return None
    collector = _Collector(doc, EnvReads(doc.tree))
    collector.run(doc.tree.body, False)
    names = {a["name"] for a in collector.assigns}
    posix = PurePosixPath(doc.path)
    in_settings_package = "settings" in posix.parts[:-1] or posix.stem.startswith("settings")
    if len(names & MARKERS) >= 2:
        return collector
    touches = names & (CHECKED | MARKERS) or collector.mutated & CHECKED
    if touches and (collector.imports or in_settings_package):
        return collector
    return None


def is_settings_module(doc: PythonFile) -> bool:
    """Whether ``doc`` is a Django settings module (as the hardening rules read them)."""
    return collect(doc) is not None


@dataclass(frozen=True, kw_only=True)
class DjangoSettings(Fact):
    """A Django settings module: its ``role`` (``prod``, ``base`` or ``dev``, from its
    path), the names it mutates in place, and two plain-data payloads of the collector
    above: ``assigns``, one dict per module-level assignment (``name``, ``line``,
    ``column``, ``end_line``, ``end_column``, ``conditional``, and ``value``, a JSON-safe
    view of the value), and ``imports``, one dict per star import or unknown source of
    settings (``level``, ``module``, ``line``, ``conditional``)."""

    role: str
    assigns: tuple[dict[str, Any], ...]
    imports: tuple[dict[str, Any], ...]
    mutated: tuple[str, ...]


@fact_extractor(Kind.PYTHON)
def django_settings_facts(doc: PythonFile) -> Iterator[DjangoSettings]:
    """One :class:`DjangoSettings` fact per Django settings module, test suites excepted."""
    if path_context(doc.path) == "test":
        return
    collector = collect(doc)
    if collector is None:
        return
    role = "prod" if _PROD_WORDS.search(doc.path) else "base"
    if is_dev_module(doc.path):
        role = "dev"
    yield DjangoSettings(
        path=doc.path,
        line=1,
        role=role,
        assigns=tuple(collector.assigns),
        imports=tuple(collector.imports),
        mutated=tuple(sorted(collector.mutated)),
    )


# --- the project pass ----------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """One assignment of a setting somewhere in a settings chain."""

    path: str
    name: str
    line: int
    column: int
    end_line: int
    end_column: int
    value: dict[str, Any]
    conditional: bool


@dataclass
class Effective:
    """What a setting can be in one production settings module: the assignments that may
    win (empty: never assigned), and whether something unknown may override them."""

    possible: list[Assignment]
    unknown: bool

    @property
    def missing(self) -> bool:
        """Never assigned, and nothing unknown could assign it."""
        return not self.possible and not self.unknown


@dataclass
class SettingsModule:
    """A settings module from its fact."""

    path: str
    role: str
    assigns: list[dict[str, Any]]
    imports: list[dict[str, Any]]
    mutated: list[str]


class SettingsGraph:
    """Every settings module of the project and the star imports between them."""

    def __init__(self, project: ProjectModel) -> None:
        self.project = project
        self.modules = {
            f.path: SettingsModule(
                f.path, f.role, list(f.assigns), list(f.imports), list(f.mutated)
            )
            for f in project.facts_of(DjangoSettings)
        }
        self.python_files = set(project.paths_of(Kind.PYTHON))

    def resolve(self, importer: str, spec: dict[str, Any]) -> str | None:
        """The repo path a star import names; '' for Django's own modules (defaults only);
        None when it cannot be found in the project."""
        module, level = spec["module"], spec["level"]
        if module == "?":
            return None
        if level == 0 and module.split(".")[0] == "django":
            return ""
        parts = module.split(".") if module else []
        candidates: list[str] = []
        if level:
            base = list(PurePosixPath(importer).parts[:-1])
            base = base[: len(base) - (level - 1)] if level > 1 else base
            stem = "/".join([*base, *parts])
            candidates = [f"{stem}.py", f"{stem}/__init__.py"]
        else:
            tail = "/".join(parts)
            candidates = [
                p
                for p in self.python_files
                if p == f"{tail}.py"
                or p.endswith((f"/{tail}.py", f"/{tail}/__init__.py"))
                or p == f"{tail}/__init__.py"
            ]
        for candidate in sorted(candidates, key=len):
            if candidate in self.python_files:
                return candidate
        return None

    def production_modules(self) -> list[SettingsModule]:
        """Settings modules production may load: not for development, and not a pure base
        (``base.py``, ``common.py``) of another production module. A ``settings.py`` that
        other settings extend is still loaded by itself."""
        extended: set[str] = set()
        for module in self.modules.values():
            if module.role == "dev":
                continue
            for spec in module.imports:
                target = self.resolve(module.path, spec)
                if target:
                    extended.add(target)
        return [
            m
            for p, m in sorted(self.modules.items())
            if m.role != "dev" and (p not in extended or not _is_base_name(p))
        ]

    def extends_production(self, module: SettingsModule, candidates: set[str]) -> bool:
        """Whether ``module`` builds on another production module (which then carries the
        finding for a setting both lack)."""
        todo = [t for s in module.imports if (t := self.resolve(module.path, s))]
        seen: set[str] = set()
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            if path in candidates:
                return True
            imported = self.modules.get(path)
            if imported is not None:
                todo.extend(t for s in imported.imports if (t := self.resolve(path, s)))
        return False

    def _events(self, path: str, seen: frozenset[str], conditional: bool) -> Iterator[Any]:
        """Assignments and unknowns in the order Python runs them."""
        module = self.modules.get(path)
        if module is None:
            return
        items: list[tuple[int, int, Any]] = []
        for spec in module.imports:
            items.append((spec["line"], 0, spec))
        for assign in module.assigns:
            items.append((assign["line"], 1, assign))
        for _line, kind, item in sorted(items, key=lambda i: (i[0], i[1])):
            if kind == 1:
                yield Assignment(
                    path, item["name"], item["line"], item["column"], item["end_line"],
                    item["end_column"], item["value"], conditional or item["conditional"],
                )  # fmt: skip
                continue
            target = self.resolve(path, item)
            is_conditional = conditional or item["conditional"]
            if target == "":
                continue
            if target is None:
                yield ("unknown", is_conditional)
            elif target not in seen:
                imported = self.modules.get(target)
                if imported is not None and imported.role == "dev" and item["conditional"]:
                    continue  # an optional local/dev override is absent in production
                yield from self._events(target, seen | {target}, is_conditional)

    def effective(self, module: SettingsModule, name: str) -> Effective:
        """What ``name`` ends up as when production loads ``module``."""
        possible: list[Assignment] = []
        unknown = False
        for event in self._events(module.path, frozenset({module.path}), False):
            if isinstance(event, tuple):
                unknown = True
                if not event[1]:
                    possible = []
                continue
            if event.name != name:
                continue
            if event.conditional:
                possible.append(event)
            else:
                possible = [event]
                unknown = False
        return Effective(possible, unknown)

    def mutated(self, module: SettingsModule, name: str) -> bool:
        """Whether any module of the chain changes ``name`` in place (``MIDDLEWARE +=``)."""
        todo, seen = [module.path], set()
        while todo:
            path = todo.pop()
            if path in seen or path not in self.modules:
                continue
            seen.add(path)
            current = self.modules[path]
            if name in current.mutated:
                return True
            todo.extend(t for s in current.imports if (t := self.resolve(path, s)))
        return False
