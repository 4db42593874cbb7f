"""The application's route table, joined from the :class:`PyRoutes` facts of every module.

Flask blueprints and FastAPI routers are followed from the application object through
``register_blueprint``/``include_router``/``mount`` (prefixes applied as each framework
does), Django ``urlpatterns`` from ``ROOT_URLCONF`` through ``include()``. The table says
whether it is *complete*: any route, prefix or include it could not resolve statically is a
gap, and a table with gaps never claims that a path is not served.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from shipcheck import lazyre
from shipcheck.models.facts import PyRoutes

UNKNOWN = "?"
_FLASK_VAR = lazyre.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_STARLETTE_VAR = lazyre.compile(r"\{(\w+)(?::(\w+))?\}")
_DJANGO_VAR = lazyre.compile(r"<(?:(\w+):)?(\w+)>")
_NAMED_GROUP = lazyre.compile(r"\(\?P<\w+>")
# Optional language prefix of Django's i18n_patterns.
_I18N = r"(?:[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?/)?"
_HEALTH = lazyre.compile(
    r"(?:^|[/_.\-])(?:_?health|healthz|healthcheck|health[-_]check|hc|ready|readyz|readiness|"
    r"live|livez|liveness|alive|ping|heartbeat|status|up|lbheartbeat)(?:[/_.\-]|$)"
)


def is_health_path(url_path: str) -> bool:
    """Whether a URL path names a health, readiness or liveness check (``/healthz``)."""
    return bool(_HEALTH.search("/" + url_path.lower().lstrip("/")))


@dataclass(frozen=True)
class Route:
    """A served path: its template as the app declares it, and a regex over the path
    without its leading slash."""

    template: str
    regex: str
    path: str  # the file that declares it
    line: int

    def matches(self, target: str) -> bool:
        """Whether the route serves ``target`` (slashless, trailing slash either way)."""
        try:
            return any(re.fullmatch(self.regex, c) for c in _variants(target))
        except re.error:
            return False


@dataclass(frozen=True)
class Opaque:
    """A subtree served by something we cannot list (a third-party blueprint, StaticFiles,
    ``admin.site.urls``)."""

    regex: str  # slashless prefix
    what: str

    def covers(self, target: str) -> bool:
        """Whether ``target`` falls under this subtree."""
        if not self.regex:
            return True
        try:
            return bool(re.fullmatch(self.regex + r"(?:/.*)?", target.rstrip("/")))
        except re.error:
            return True


@dataclass(frozen=True)
class App:
    """An application object (or a Django URLconf root) and where it is created."""

    framework: str
    path: str
    line: int
    column: int = 1
    end_column: int | None = None


@dataclass
class RouteTable:
    """Routes served by the project's applications, and what keeps the table incomplete."""

    routes: list[Route] = field(default_factory=list)
    opaque: list[Opaque] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    apps: list[App] = field(default_factory=list)
    health_packages: list[str] = field(default_factory=list)
    modules: int = 0

    @property
    def complete(self) -> bool:
        """An app was found and every route of it was resolved statically."""
        return bool(self.apps) and not self.gaps

    @property
    def frameworks(self) -> list[str]:
        """Frameworks of the apps, in order of appearance."""
        return list(dict.fromkeys(a.framework for a in self.apps))

    def lookup(self, url_path: str) -> str:
        """``served``, ``unknown`` (an opaque subtree, or an incomplete table) or ``missing``."""
        target = url_path.split("?", 1)[0].split("#", 1)[0].lstrip("/")
        if any(r.matches(target) for r in self.routes):
            return "served"
        if not self.complete or any(o.covers(target) for o in self.opaque):
            return "unknown"
        return "missing"

    def health_routes(self) -> list[Route]:
        """Routes whose path names a health, readiness or liveness check."""
        return [r for r in self.routes if _HEALTH.search("/" + r.template.lower())]

    def describe(self) -> str:
        """How the table was built, for messages."""
        routes = len(self.routes)
        files = len({r.path for r in self.routes})
        return (
            f"{routes} route{'s' if routes != 1 else ''} in {files} "
            f"module{'s' if files != 1 else ''}, every registration resolved statically"
        )


def _variants(target: str) -> set[str]:
    bare = target.rstrip("/")
    return {target, bare, bare + "/"} if bare else {"", "/"}


def _join(prefix: str, path: str) -> str:
    """Join URL templates the way Flask and FastAPI do."""
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix.rstrip("/") + "/" + path.lstrip("/")


def template_regex(template: str, framework: str) -> str:
    """A regex over the slashless path for a Flask, FastAPI/Starlette or Django template."""
    text = template.lstrip("/")
    if framework in {"fastapi", "starlette"}:
        pattern, converter_group = _STARLETTE_VAR, 2
    elif framework == "django":
        pattern, converter_group = _DJANGO_VAR, 1
    else:
        pattern, converter_group = _FLASK_VAR, 1
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        pieces.append(re.escape(text[last : match.start()]))
        pieces.append(".+" if match.group(converter_group) == "path" else "[^/]+")
        last = match.end()
    pieces.append(re.escape(text[last:]))
    return "".join(pieces)


def _django_regex(pattern: str, kind: str, leaf: bool) -> str:
    if kind == "path":
        return template_regex(pattern, "django")
    text = pattern.removeprefix("^")
    if text.endswith("$") and not text.endswith("\\$"):
        text = text[:-1]
    elif leaf:
        text += ".*"  # an unanchored re_path matches any continuation
    return _NAMED_GROUP.sub("(?:", text)


class _Builder:
    def __init__(self, facts: Iterable[PyRoutes], scope: str | None) -> None:
        self.table = RouteTable()
        self.modules: dict[str, tuple[str, PyRoutes]] = {}
        for fact in facts:
            if _in_scope(fact.path, scope):
                self.modules[fact.module] = (fact.path, fact)
        self.owners: dict[str, tuple[str, dict[str, Any]]] = {}
        self.routes: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.includes: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for module, (path, fact) in self.modules.items():
            for owner in fact.owners:
                self.owners[f"{module}.{owner['name']}"] = (path, owner)
        self.local_tops = {part for m in self.modules for part in m.split(".")}

    # --- name resolution ---------------------------------------------------------------

    def find_module(self, dotted: str) -> str | None:
        if dotted in self.modules:
            return dotted
        matches = [m for m in self.modules if m.endswith("." + dotted)]
        return matches[0] if len(matches) == 1 else None

    def resolve(self, ref: str, depth: int = 0) -> str | None:
        """The owner a dotted reference names, following re-exports."""
        if ref in self.owners:
            return ref
        if depth > 6:
            return None
        head, _, attr = ref.rpartition(".")
        if not head:
            return None
        module = self.find_module(head)
        if module is None:
            return None
        if f"{module}.{attr}" in self.owners:
            return f"{module}.{attr}"
        imported = self.modules[module][1].imports.get(attr)
        return self.resolve(imported, depth + 1) if imported else None

    def is_local(self, ref: str) -> bool:
        return ref.split(".")[0] in self.local_tops

    # --- building ----------------------------------------------------------------------

    def build(self) -> RouteTable:
        table = self.table
        table.modules = len(self.modules)
        for path, fact in self.modules.values():
            for route in fact.routes:
                owner = self.resolve(route["owner"])
                if owner is None:
                    if self.is_local(route["owner"]):
                        self.gap(path, route["line"], "a route on an object we could not follow")
                    continue
                self.routes.setdefault(owner, []).append((path, route))
            for include in fact.includes:
                parent = self.resolve(include["parent"])
                if parent is not None:
                    self.includes.setdefault(parent, []).append((path, include))
                elif self.is_local(include["parent"]):
                    self.gap(path, include["line"], "an include into an object we could not follow")
            for item in fact.unresolved:
                self.gap(path, item["line"], item["what"])
            for name in fact.health_imports:
                if name not in self.local_tops:
                    table.health_packages.append(name)
            apps = fact.settings.get("installed_apps") or []
            table.health_packages += [a for a in apps if "health" in a or "watchman" in a]
        for owner_id, (path, owner) in self.owners.items():
            if owner["kind"] == "app":
                table.apps.append(
                    App(
                        owner["framework"],
                        path,
                        owner["line"],
                        owner.get("column", 1),
                        owner.get("end_column"),
                    )
                )
                self.visit(owner_id, "", set())
        self.django()
        table.health_packages = sorted(set(table.health_packages))
        return table

    def gap(self, path: str, line: int, what: str) -> None:
        self.table.gaps.append(f"{what} ({path}:{line})")

    def visit(self, owner_id: str, prefix: str, seen: set[str]) -> None:
        if owner_id in seen:
            return
        seen = seen | {owner_id}
        path, owner = self.owners[owner_id]
        framework = owner["framework"]
        for default in owner.get("defaults") or []:
            template = _join(prefix, default)
            self.table.routes.append(
                Route(template, template_regex(template, framework), path, owner["line"])
            )
        for route_path, route in self.routes.get(owner_id, []):
            if route["path"] is None:
                self.gap(route_path, route["line"], "a route path computed at run time")
                continue
            template = _join(prefix, route["path"])
            self.table.routes.append(
                Route(template, template_regex(template, framework), route_path, route["line"])
            )
        for include_path, include in self.includes.get(owner_id, []):
            self.follow(include_path, include, prefix, framework, seen)

    def follow(
        self, path: str, include: dict[str, Any], prefix: str, framework: str, seen: set[str]
    ) -> None:
        given = include["prefix"]
        if given == UNKNOWN:
            self.gap(path, include["line"], "an include prefix computed at run time")
            return
        child_ref = include.get("child")
        child = self.resolve(child_ref) if child_ref else None
        if child is None:
            if child_ref is None and not include.get("opaque"):
                self.gap(path, include["line"], "an include of an object we could not follow")
                return
            what = include.get("opaque") or child_ref or "an application object"
            if child_ref and self.is_local(child_ref):
                self.gap(path, include["line"], f"an include of `{child_ref}` we could not follow")
                return
            base = _join(prefix, given or "")
            self.table.opaque.append(Opaque(template_regex(base, framework), str(what)))
            return
        own = self.owners[child][1].get("prefix")
        if own == UNKNOWN and not (framework == "flask" and given is not None):
            self.gap(path, include["line"], "a blueprint or router prefix computed at run time")
            return
        if framework == "flask":
            # register_blueprint(url_prefix=...) replaces the blueprint's own prefix.
            step = given if given is not None else (own or "")
        else:
            # include_router(prefix=...) comes before the router's own prefix.
            step = _join(given or "", own or "")
        self.visit(child, _join(prefix, step), seen)

    # --- Django ------------------------------------------------------------------------

    def django(self) -> None:
        urlconfs = {m: v for m, v in self.modules.items() if v[1].django}
        if not urlconfs:
            return
        roots: list[str] = []
        for _, fact in self.modules.values():
            root = fact.settings.get("root_urlconf")
            found = self.find_module(root) if isinstance(root, str) else None
            if found is not None and found in urlconfs:
                roots.append(found)
        if not roots:
            included = {
                self.find_module(e["include"]["module"])
                for _, fact in urlconfs.values()
                for e in _walk(fact.django)
                if isinstance(e.get("include"), dict) and "module" in e["include"]
            }
            roots = [m for m in urlconfs if m not in included and m.split(".")[-1] == "urls"]
        for root in sorted(set(roots)):
            path, fact = urlconfs[root]
            line = fact.settings.get("urlpatterns_line") or min(
                (e.get("line", 1) for e in fact.django), default=1
            )
            self.table.apps.append(App("django", path, line))
            self.walk_django(path, fact.django, "", {root})

    def walk_django(
        self, path: str, entries: Iterable[dict[str, Any]], prefix: str, seen: set[str]
    ) -> None:
        for entry in entries:
            if "unknown" in entry:
                self.gap(path, entry["line"], entry["unknown"])
                continue
            include = entry.get("include")
            lead = _I18N if entry.get("i18n") else ""
            piece = _django_regex(entry["pattern"], entry["kind"], leaf=include is None)
            regex = prefix + lead + piece
            if include is None:
                template = entry["pattern"] if entry["kind"] == "path" else regex
                self.table.routes.append(Route(template, regex, path, entry["line"]))
            elif "inline" in include:
                self.walk_django(path, include["inline"], regex, seen)
            elif "module" in include:
                module = self.find_module(include["module"])
                if module is None or module in seen or module not in self.modules:
                    if module is None and self.is_local(include["module"]):
                        self.gap(path, entry["line"], f"include(`{include['module']}`) not found")
                    elif module is None:
                        self.table.opaque.append(Opaque(regex.rstrip("/"), include["module"]))
                    continue
                child_path, child = self.modules[module]
                self.walk_django(child_path, child.django, regex, seen | {module})
            else:
                self.table.opaque.append(Opaque(regex.rstrip("/"), str(include.get("opaque"))))


def _walk(entries: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    for entry in entries:
        yield entry
        include = entry.get("include")
        if isinstance(include, dict) and "inline" in include:
            yield from _walk(include["inline"])


def _in_scope(path: str, scope: str | None) -> bool:
    if not scope or scope == ".":
        return True
    return PurePosixPath(path).is_relative_to(PurePosixPath(scope))


def route_table(facts: Iterable[PyRoutes], scope: str | None = None) -> RouteTable:
    """The route table of the project's apps (of those under ``scope`` when given: the
    build context of the image that serves them)."""
    return _Builder(facts, scope).build()
