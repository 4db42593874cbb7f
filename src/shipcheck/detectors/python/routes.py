"""Route facts: what URL paths a module declares, for the project pass to join into the
application's route table.

One :class:`~shipcheck.models.facts.PyRoutes` fact per module that declares routing, holding
only what this module can know on its own: route owners (``Flask()``,
``Blueprint(url_prefix=)``, ``FastAPI()``, ``APIRouter(prefix=)``, ``Starlette(routes=)``),
routes attached to an owner (decorators, ``add_url_rule``, ``add_api_route``, Starlette
``Route``/``Mount``), includes of one owner in another (``register_blueprint``,
``include_router``, ``mount``), Django ``urlpatterns``, and the names the module imports (to
follow ``from .routes import api`` across modules). Anything this module cannot pin down (a
path computed at run time, an owner passed in as an argument) is recorded as such, so the
project pass knows when its table is incomplete.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from shipcheck.detectors.python.astutil import Imports, non_production
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import fact_extractor
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.facts import PyRoutes
from shipcheck.text import char_column

# Constructor (resolved import) → (framework, owner kind, prefix keyword).
OWNER_FACTORIES: dict[str, tuple[str, str, str | None]] = {
    "flask.Flask": ("flask", "app", None),
    "quart.Quart": ("flask", "app", None),
    "apiflask.APIFlask": ("flask", "app", None),
    "flask.Blueprint": ("flask", "blueprint", "url_prefix"),
    "flask.blueprints.Blueprint": ("flask", "blueprint", "url_prefix"),
    "quart.Blueprint": ("flask", "blueprint", "url_prefix"),
    "apiflask.APIBlueprint": ("flask", "blueprint", "url_prefix"),
    "flask_smorest.Blueprint": ("flask", "blueprint", "url_prefix"),
    "fastapi.FastAPI": ("fastapi", "app", None),
    "fastapi.APIRouter": ("fastapi", "router", "prefix"),
    "fastapi.routing.APIRouter": ("fastapi", "router", "prefix"),
    "starlette.applications.Starlette": ("starlette", "app", None),
    "starlette.routing.Router": ("starlette", "router", None),
}
ROUTE_DECORATORS = frozenset(
    {"route", "get", "post", "put", "patch", "delete", "head", "options", "api_route"}
)
ROUTE_METHODS = frozenset({"add_url_rule", "add_api_route", "add_route"})
INCLUDE_METHODS = {"register_blueprint": "url_prefix", "include_router": "prefix"}
STARLETTE_ROUTES = {
    "starlette.routing.Route": "route",
    "starlette.routing.Mount": "mount",
    "starlette.routing.Host": "host",
    "fastapi.routing.APIRoute": "route",
}
DJANGO_PATHS = {
    "django.urls.path": "path",
    "django.urls.re_path": "regex",
    "django.conf.urls.url": "regex",
}
DJANGO_INCLUDE = "django.urls.include"
# Extensions that add routes of their own or through objects we do not model (flask-restx
# namespaces, connexion's OpenAPI operations, admin sites, metrics endpoints, Dash apps).
ROUTE_EXTENSIONS = frozenset(
    {"flask_restx", "flask_restful", "flask_restplus", "flask_smorest", "connexion", "flasgger",
     "flask_admin", "flask_appbuilder", "prometheus_flask_exporter", "flask_socketio",
     "flask_openapi3", "flask_graphql", "dash", "spectree", "sqladmin", "starlette_admin",
     "fastapi_admin", "prometheus_fastapi_instrumentator", "fastapi_versioning"}
)  # fmt: skip
# Third-party packages that add health routes we cannot see (flask-healthz, django-health-check,
# fastapi-health, py-healthcheck, django-watchman, django-alive...).
HEALTH_PACKAGE_HINTS = ("health", "watchman", "django_alive")
UNKNOWN = "?"


def module_name(path: str) -> str:
    """Dotted module name from a repo path (``src/shop/__init__.py`` → ``src.shop``)."""
    posix = PurePosixPath(path)
    parts = list(posix.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


class _Names:
    """Local names → dotted references, for imports relative and absolute."""

    def __init__(self, tree: ast.Module, module: str, is_package: bool) -> None:
        self.table: dict[str, str] = {}
        package = module if is_package else module.rpartition(".")[0]
        for node in index_of(tree).of(ast.Import, ast.ImportFrom):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.table[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.table.setdefault(top, top)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".") if package else []
                    keep = len(parts) - (node.level - 1)
                    if keep < 0:
                        continue
                    prefix = ".".join(parts[:keep])
                    base = ".".join(p for p in (prefix, node.module or "") if p)
                for alias in node.names:
                    if alias.name != "*" and base:
                        self.table[alias.asname or alias.name] = f"{base}.{alias.name}"


class _ModuleScan:
    """Collects the routing declarations of one module."""

    def __init__(self, doc: PythonFile) -> None:
        self.doc = doc
        self.module = module_name(doc.path)
        self.is_package = PurePosixPath(doc.path).name == "__init__.py"
        self.imports = Imports(doc.tree)
        self.names = _Names(doc.tree, self.module, self.is_package)
        self.constants = _module_constants(doc.tree)
        self.lists = _module_lists(doc.tree)
        self.owners: dict[str, dict[str, Any]] = {}
        self.routes: list[dict[str, Any]] = []
        self.includes: list[dict[str, Any]] = []
        self.django: list[dict[str, Any]] = []
        self.settings: dict[str, Any] = {}
        self.unresolved: list[dict[str, Any]] = []
        self.web = self.imports.imports_any(
            "flask", "quart", "apiflask", "fastapi", "starlette", "django", "flask_smorest"
        )

    # --- references ------------------------------------------------------------------

    def ref(self, node: ast.AST) -> str | None:
        """A dotted reference for a name or attribute chain, or None."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        if node.id in self.owners or node.id in self.lists:
            base = f"{self.module}.{node.id}"
        elif node.id in self.names.table:
            base = self.names.table[node.id]
        else:
            return None
        return ".".join([base, *reversed(parts)])

    def string(self, node: ast.AST | None) -> str | None:
        """A string literal, or a module constant bound once to one."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.constants[node.id]
        return None

    def prefix(self, call: ast.Call, keyword: str | None) -> str | None:
        """The prefix keyword: its string, None when absent, ``?`` when not a literal."""
        if keyword is None:
            return None
        for kw in call.keywords:
            if kw.arg == keyword:
                if isinstance(kw.value, ast.Constant) and kw.value.value is None:
                    return None
                value = self.string(kw.value)
                return value if value is not None else UNKNOWN
        if any(kw.arg is None for kw in call.keywords):
            return UNKNOWN
        return None

    # --- the scan --------------------------------------------------------------------

    def run(self) -> None:
        self._owners()
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Call, ast.Assign,
                 ast.AugAssign, ast.AnnAssign)  # fmt: skip
        for node in index_of(self.doc).of(*kinds):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                for decorator in node.decorator_list:
                    if isinstance(decorator, ast.Call):
                        self._decorator(decorator)
            elif isinstance(node, ast.Call):
                if isinstance(node.func, ast.Call):
                    self._decorator(node.func)  # app.route("/x")(view): a decorator applied by hand
                self._call(node)
            elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                self._assignment(node)
        for name in sorted({v.split(".")[0] for v in self.names.table.values()}):
            if name in ROUTE_EXTENSIONS:
                self.unresolved.append({"what": f"routes added by `{name}`", "line": 1})
        self._django_settings()

    def _owners(self) -> None:
        for node in index_of(self.doc).of(ast.Assign, ast.AnnAssign):
            if not isinstance(node.value, ast.Call):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            factory = OWNER_FACTORIES.get(self.imports.resolve(node.value.func) or "")
            if not names or factory is None:
                continue
            framework, kind, prefix_kw = factory
            call = node.value
            for name in names:
                self.owners[name] = {
                    "name": name,
                    "framework": framework,
                    "kind": kind,
                    "prefix": self.prefix(call, prefix_kw),
                    "line": call.lineno,
                    "column": char_column(self.doc.line_text(call.lineno), call.col_offset),
                    "end_column": char_column(
                        self.doc.line_text(call.lineno), call.end_col_offset or call.col_offset
                    )
                    if call.end_lineno == call.lineno
                    else None,
                    "defaults": self._defaults(call, framework, kind),
                }
        for name, owner in list(self.owners.items()):
            call = self._owner_call(name)
            if call is not None and owner["framework"] == "starlette":
                self._starlette_routes(call, f"{self.module}.{name}")

    def _owner_call(self, name: str) -> ast.Call | None:
        for node in index_of(self.doc).of(ast.Assign):
            if isinstance(node.value, ast.Call) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                return node.value
        return None

    def _defaults(self, call: ast.Call, framework: str, kind: str) -> list[str]:
        """Routes the framework adds on its own (FastAPI docs, Flask static files)."""
        if kind != "app":
            return []
        found: list[str] = []
        given = {kw.arg: kw.value for kw in call.keywords if kw.arg}
        if framework == "fastapi":
            for key, default in (
                ("docs_url", "/docs"),
                ("redoc_url", "/redoc"),
                ("openapi_url", "/openapi.json"),
            ):
                value = given.get(key)
                if value is None:
                    found.append(default)
                elif self.string(value) is not None:
                    found.append(str(self.string(value)))
            if "/docs" in found:
                found.append("/docs/oauth2-redirect")
        elif framework == "flask":
            folder = given.get("static_folder")
            if not (isinstance(folder, ast.Constant) and folder.value is None):
                url = self.string(given.get("static_url_path")) or "/static"
                found.append(url.rstrip("/") + "/<path:filename>")
        return found

    def _decorator(self, call: ast.Call) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in ROUTE_DECORATORS:
            return
        path_node = call.args[0] if call.args else _kw(call, "path", "rule")
        if path_node is None:
            return
        self._route(func.value, path_node, call.lineno)

    def _call(self, call: ast.Call) -> None:
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "urlpatterns"
            and func.attr in {"append", "extend", "insert"}
        ):
            values = call.args[-1:] if func.attr != "extend" else []
            value = call.args[0] if func.attr == "extend" and call.args else ast.List(values)
            self.django.extend(self._patterns(value, call.lineno))
        elif isinstance(func, ast.Attribute) and func.attr in ROUTE_METHODS:
            path_node = call.args[0] if call.args else _kw(call, "path", "rule")
            if path_node is not None:
                self._route(func.value, path_node, call.lineno)
        elif isinstance(func, ast.Attribute) and func.attr in INCLUDE_METHODS:
            child = call.args[0] if call.args else _kw(call, "blueprint", "router")
            self._include(func.value, child, self.prefix(call, INCLUDE_METHODS[func.attr]), call)
        elif isinstance(func, ast.Attribute) and func.attr == "mount":
            path = self.string(call.args[0]) if call.args else self.string(_kw(call, "path"))
            child = call.args[1] if len(call.args) > 1 else _kw(call, "app")
            self._include(func.value, child, path if path is not None else UNKNOWN, call)

    def _route(self, owner_node: ast.AST, path_node: ast.AST, line: int) -> None:
        owner = self.ref(owner_node)
        path = self.string(path_node)
        if path is not None and path and not path.startswith("/"):
            return  # not a URL rule (aiohttp's add_route("GET", ...), a dict's get("key"))
        if owner is None:
            # A route on an object we cannot name (a function argument, a flask-restx
            # namespace): a path-like rule says it is a route wherever it is declared.
            if (path is not None and path.startswith("/")) or (path is None and self.web):
                self.unresolved.append({"what": "a route on an unresolved object", "line": line})
            return
        self.routes.append({"owner": owner, "path": path, "line": line})

    def _include(
        self, parent_node: ast.AST, child: ast.AST | None, prefix: str | None, call: ast.Call
    ) -> None:
        parent = self.ref(parent_node)
        if parent is None:
            if self.web:
                what = "an include into an unresolved object"
                self.unresolved.append({"what": what, "line": call.lineno})
            return
        child_ref = self.ref(child) if child is not None else None
        if child_ref is None and isinstance(child, ast.Call):
            inner = child.args[0] if child.args else None
            wrapped = self.ref(inner) if inner is not None else None
            called = self.imports.resolve(child.func) or ""
            if wrapped is not None and "Middleware" in called:
                child_ref = wrapped  # WSGIMiddleware(flask_app) serves flask_app's routes
            else:
                # StaticFiles(...), a third-party ASGI app: serves paths we cannot list.
                self.includes.append(
                    {
                        "parent": parent,
                        "child": None,
                        "prefix": prefix,
                        "line": call.lineno,
                        "opaque": called or "an application object",
                    }
                )
                return
        self.includes.append(
            {"parent": parent, "child": child_ref, "prefix": prefix, "line": call.lineno}
        )

    def _starlette_routes(self, call: ast.Call, owner: str) -> None:
        routes = _kw(call, "routes")
        if routes is None and call.args and isinstance(call.args[0], ast.List):
            routes = call.args[0]
        if isinstance(routes, ast.Name) and routes.id in self.lists:
            routes = self.lists[routes.id]
        if routes is None:
            return
        if not isinstance(routes, ast.List):
            self.unresolved.append({"what": "a route list built at run time", "line": call.lineno})
            return
        for index, element in enumerate(routes.elts):
            kind = (
                STARLETTE_ROUTES.get(self.imports.resolve(element.func) or "")
                if isinstance(element, ast.Call)
                else None
            )
            if not isinstance(element, ast.Call) or kind is None or kind == "host":
                line = getattr(element, "lineno", call.lineno)
                self.unresolved.append({"what": "a route entry we cannot read", "line": line})
                continue
            path = (
                self.string(element.args[0]) if element.args else self.string(_kw(element, "path"))
            )
            if kind == "route":
                self.routes.append({"owner": owner, "path": path, "line": element.lineno})
                continue
            # A Mount with inline routes becomes a router of its own, named after its parent.
            child_id = f"{owner}#mount{index}"
            include: dict[str, Any] = {
                "parent": owner,
                "child": child_id,
                "prefix": path if path is not None else UNKNOWN,
                "line": element.lineno,
            }
            if _kw(element, "routes") is not None:
                name = child_id.rsplit(".", 1)[-1]
                self.owners[name] = {
                    "name": name,
                    "framework": "starlette",
                    "kind": "router",
                    "prefix": None,
                    "line": element.lineno,
                    "defaults": [],
                }
                self._starlette_routes(element, child_id)
            else:
                sub_app = _kw(element, "app") or (
                    element.args[1] if len(element.args) > 1 else None
                )
                include["child"] = self.ref(sub_app) if sub_app is not None else None
                if include["child"] is None:
                    include["opaque"] = "a mounted application"
            self.includes.append(include)

    # --- Django ----------------------------------------------------------------------

    def _assignment(self, node: ast.Assign | ast.AugAssign | ast.AnnAssign) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if not any(isinstance(t, ast.Name) and t.id == "urlpatterns" for t in targets):
            return
        if node.value is None:
            return
        self.settings.setdefault("urlpatterns_line", node.lineno)
        self.django.extend(self._patterns(node.value, node.lineno))

    def _patterns(self, value: ast.AST, line: int) -> list[dict[str, Any]]:
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            return self._patterns(value.left, line) + self._patterns(value.right, line)
        if isinstance(value, ast.List | ast.Tuple):
            found = []
            for element in value.elts:
                found.extend(self._pattern(element))
            return found
        if isinstance(value, ast.Call):
            called = self.imports.resolve(value.func) or ""
            if called.endswith("i18n_patterns"):
                entries = []
                for arg in value.args:
                    for entry in self._pattern(arg):
                        entries.append({**entry, "i18n": True})
                return entries
            if called.endswith(("static", "staticfiles_urlpatterns")):
                return []  # development-only static serving
        return [{"unknown": "urlpatterns built at run time", "line": line}]

    def _pattern(self, element: ast.AST) -> list[dict[str, Any]]:
        line = getattr(element, "lineno", 1)
        if isinstance(element, ast.Starred):
            return [{"unknown": "urlpatterns spliced in at run time", "line": line}]
        if not isinstance(element, ast.Call):
            return [{"unknown": "an urlpatterns entry we cannot read", "line": line}]
        called = self.imports.resolve(element.func) or ""
        kind = DJANGO_PATHS.get(called)
        if kind is None:
            if called.endswith(("static", "staticfiles_urlpatterns")):
                return []
            return [{"unknown": "an urlpatterns entry we cannot read", "line": line}]
        pattern = (
            self.string(element.args[0]) if element.args else self.string(_kw(element, "route"))
        )
        if pattern is None:
            return [{"unknown": "a URL pattern built at run time", "line": line}]
        target = element.args[1] if len(element.args) > 1 else _kw(element, "view")
        entry: dict[str, Any] = {"kind": kind, "pattern": pattern, "line": line}
        if isinstance(target, ast.Call) and (self.imports.resolve(target.func) or "") == (
            DJANGO_INCLUDE
        ):
            entry["include"] = self._include_target(target)
        elif isinstance(target, ast.Attribute) and target.attr == "urls":
            # admin.site.urls, a DRF router's urls: a subtree we cannot list.
            entry["include"] = {"opaque": _dotted(target)}
        return [entry]

    def _include_target(self, call: ast.Call) -> dict[str, Any]:
        arg: ast.AST | None = call.args[0] if call.args else None
        if isinstance(arg, ast.Tuple) and arg.elts:
            arg = arg.elts[0]
        text = self.string(arg)
        if text is not None:
            return {"module": text}
        if isinstance(arg, ast.List | ast.Tuple):
            inline: list[dict[str, Any]] = []
            for element in arg.elts:
                inline.extend(self._pattern(element))
            return {"inline": inline}
        ref = self.ref(arg) if arg is not None else None
        if ref is not None and not ref.endswith(".urls"):
            return {"module": ref}  # include(api.urls) where api is an imported module
        return {"opaque": _dotted(arg) if arg is not None else "include()"}

    def _django_settings(self) -> None:
        for node in self.doc.tree.body:
            if not isinstance(node, ast.Assign):
                continue
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if "ROOT_URLCONF" in names and self.string(node.value):
                self.settings["root_urlconf"] = self.string(node.value)
            if "INSTALLED_APPS" in names and isinstance(node.value, ast.List | ast.Tuple):
                apps = [self.string(e) for e in node.value.elts]
                self.settings["installed_apps"] = [a for a in apps if a]

    # --- the fact --------------------------------------------------------------------

    def health_imports(self) -> list[str]:
        local_roots = {self.module.split(".")[0]}
        found = set()
        for target in self.names.table.values():
            top = target.split(".")[0]
            if top not in local_roots and any(h in top.lower() for h in HEALTH_PACKAGE_HINTS):
                found.add(top)
        return sorted(found)

    def fact(self) -> PyRoutes | None:
        declares = (
            self.owners
            or self.routes
            or self.includes
            or self.django
            or self.settings
            or self.unresolved
        )
        # A package's __init__ may only re-export an app or blueprint: keep its imports.
        if not declares and not (self.is_package and self.names.table):
            return None
        return PyRoutes(
            path=self.doc.path,
            line=1,
            module=self.module,
            package=self.is_package,
            imports=dict(self.names.table),
            owners=tuple(self.owners.values()),
            routes=tuple(self.routes),
            includes=tuple(self.includes),
            django=tuple(self.django),
            settings=dict(self.settings),
            unresolved=tuple(self.unresolved),
            health_imports=tuple(self.health_imports()),
        )


def _kw(call: ast.Call, *names: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg in names), None)


def _dotted(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover - unparse handles every parsed node
        return "an expression"


def _module_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level names bound exactly once, to a string literal."""
    seen: dict[str, list[ast.AST]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    seen.setdefault(target.id, []).append(node.value)
    return {
        name: values[0].value
        for name, values in seen.items()
        if len(values) == 1
        and isinstance(values[0], ast.Constant)
        and isinstance(values[0].value, str)
    }


def _module_lists(tree: ast.Module) -> dict[str, ast.List]:
    """Module-level names bound to a list literal (Starlette route lists)."""
    return {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


@fact_extractor(Kind.PYTHON)
def route_facts(doc: PythonFile) -> Iterator[PyRoutes]:
    """A :class:`PyRoutes` fact for modules that declare routing (tests, examples and docs
    are skipped: their apps are not deployed)."""
    if doc.in_test_dir or non_production(doc.path):
        return
    scan = _ModuleScan(doc)
    scan.run()
    fact = scan.fact()
    if fact is not None:
        yield fact
