"""What the code around an application answers or catches itself: ASGI/WSGI middleware
(functions and classes) that answer a request path before the application sees it
(``if scope["path"] == "/healthz"``, ``environ["PATH_INFO"] == "/health"``, a Flask
``before_request`` that compares ``request.path``), werkzeug ``DispatcherMiddleware``
mounts, middleware that catches the application's exceptions and answers itself, Starlette
``ServerErrorMiddleware(handler=…)``, Django ``MIDDLEWARE`` entries of health-check
packages and metrics set-ups that are not a plain import (Sentry performance tracing).

These are the forms the project rules that claim an absence (no health route, no metrics,
no error handler) must see before they speak.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck.detectors.ops.facts import ErrorHandler
from shipcheck.detectors.project.routing import is_health_path
from shipcheck.detectors.python.astutil import imports_of, non_production
from shipcheck.detectors.python.index import PyIndex, index_of
from shipcheck.detectors.registry import fact_extractor
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.facts import Fact

_SCOPE_NAMES = frozenset({"scope", "environ", "env", "environment", "request", "req"})
_PATH_KEYS = frozenset({"path", "PATH_INFO", "raw_path", "REQUEST_URI"})
_PATH_ATTRS = frozenset({"path", "path_info", "full_path"})
_DISPATCHERS = frozenset(
    {"werkzeug.middleware.dispatcher.DispatcherMiddleware",
     "werkzeug.wsgi.DispatcherMiddleware"}
)  # fmt: skip
_ERROR_MIDDLEWARE = frozenset(
    {"starlette.middleware.errors.ServerErrorMiddleware",
     "starlette.middleware.exceptions.ExceptionMiddleware"}
)  # fmt: skip
_NEXT_NAMES = frozenset({"call_next", "get_response", "app", "application", "wsgi_app", "asgi_app"})
_TRACING_KEYWORDS = frozenset({"traces_sample_rate", "traces_sampler", "enable_tracing"})
_HEALTH_HINTS = ("health", "watchman", "django_alive")
_METRICS_HINTS = ("django_prometheus", "prometheus", "statsd")


@dataclass(frozen=True, kw_only=True)
class PathAnswer(Fact):
    """A function or class that compares the request path with ``paths`` (literals) or
    with its own parameters ``params`` (the path is then given by its callers), before or
    instead of handing the request on: ``function`` is its name."""

    function: str
    paths: tuple[str, ...]
    params: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class PathArgument(Fact):
    """A call hands literal health paths (``"/health/"``) to a callable named ``callee``
    (``health_check(application, "/health/")``): what a :class:`PathAnswer` with
    parameters compares with."""

    callee: str
    paths: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ServedExtra(Fact):
    """Something that answers or observes requests outside the route table: ``kind`` is
    ``health`` (a health-check package in Django settings), ``metrics`` (a metrics package in
    Django settings, Sentry performance tracing) or ``mount`` (a path a
    ``DispatcherMiddleware`` mounts, in ``how``)."""

    kind: str
    how: str


def _is_request_path(node: ast.AST) -> bool:
    """``scope["path"]``, ``scope.get("path")``, ``environ["PATH_INFO"]``,
    ``request.path``, ``request.url.path``, ``self.scope["path"]``."""
    if isinstance(node, ast.Subscript):
        key = node.slice
        return isinstance(key, ast.Constant) and key.value in _PATH_KEYS and _is_holder(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "get" and node.args and isinstance(node.args[0], ast.Constant):
            return node.args[0].value in _PATH_KEYS and _is_holder(node.func.value)
        return False
    if isinstance(node, ast.Attribute) and node.attr in _PATH_ATTRS:
        base = node.value
        if isinstance(base, ast.Attribute) and base.attr == "url":
            base = base.value
        return _is_holder(base)
    return False


def _is_holder(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr in _SCOPE_NAMES
    return isinstance(node, ast.Name) and node.id in _SCOPE_NAMES


def _literals(node: ast.AST) -> list[str] | None:
    """The string literals of ``"/x"`` or ``("/x", "/y")``; None when not all literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        found = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        if len(found) == len(node.elts) and all(isinstance(v, str) for v in found):
            return found  # type: ignore[return-value]
    return None


def _compared(compare: ast.Compare) -> tuple[list[str], list[str]]:
    """(literal paths, names) the request path is compared with in ``compare``."""
    sides = [compare.left, *compare.comparators]
    if not any(_is_request_path(s) for s in sides):
        return [], []
    literals: list[str] = []
    names: list[str] = []
    for side in sides:
        if _is_request_path(side):
            continue
        values = _literals(side)
        if values is not None:
            literals += [v for v in values if v.startswith("/")]
        elif isinstance(side, ast.Name):
            names.append(side.id)
        elif isinstance(side, ast.Attribute) and isinstance(side.value, ast.Name):
            names.append(side.attr)  # self.health_url
    return literals, names


def _startswith(call: ast.Call) -> list[str]:
    """``scope["path"].startswith("/health")``."""
    func = call.func
    is_prefix_test = isinstance(func, ast.Attribute) and func.attr == "startswith"
    if is_prefix_test and call.args and _is_request_path(func.value):  # type: ignore[union-attr]
        return [v for v in (_literals(call.args[0]) or []) if v.startswith("/")]
    return []


def _owner(index: PyIndex, node: ast.AST) -> ast.AST | None:
    """The outermost function or class around ``node``."""
    found = None
    for ancestor in index.ancestors(node):
        if isinstance(ancestor, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found = ancestor
    return found


def _params(owner: ast.AST, index: PyIndex) -> set[str]:
    """Parameter names of ``owner`` and of every function inside it (``__init__`` of a
    class), and the attributes ``self.x = x`` keeps of them."""
    names: set[str] = set()
    for node in [owner, *index.walk(owner)]:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            names |= {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    names.discard("self")
    return names


def _path_answers(path: str, index: PyIndex) -> Iterator[PathAnswer]:
    by_owner: dict[int, tuple[ast.AST, list[str], list[str], int]] = {}
    for node in index.of(ast.Compare, ast.Call):
        if isinstance(node, ast.Compare):
            literals, names = _compared(node)
        else:
            literals, names = _startswith(node), []
        if not literals and not names:
            continue
        owner = _owner(index, node)
        if owner is None:
            continue
        params = _params(owner, index)
        entry = by_owner.setdefault(id(owner), (owner, [], [], node.lineno))
        entry[1].extend(literals)
        entry[2].extend(n for n in names if n in params)
    for owner, literals, names, line in by_owner.values():
        if literals or names:
            yield PathAnswer(
                path=path,
                line=line,
                function=getattr(owner, "name", "?"),
                paths=tuple(dict.fromkeys(literals)),
                params=tuple(dict.fromkeys(names)),
            )


def _is_health_literal(value: str) -> bool:
    return value.startswith("/") and is_health_path(value)


def _path_arguments(path: str, index: PyIndex) -> Iterator[PathArgument]:
    for call in index.calls:
        func = call.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name is None:
            continue
        values = [*call.args, *(k.value for k in call.keywords)]
        paths = [
            v.value
            for v in values
            if isinstance(v, ast.Constant)
            and isinstance(v.value, str)
            and _is_health_literal(v.value)
        ]
        if paths:
            yield PathArgument(path=path, line=call.lineno, callee=name, paths=tuple(paths))


def _catches_and_answers(try_node: ast.Try, index: PyIndex) -> bool:
    """A ``try:`` that calls the wrapped application and whose broad ``except`` answers
    (returns a response, or ``send``/``start_response``)."""
    calls_next = False
    for stmt in try_node.body:
        for node in [stmt, *index.walk(stmt)]:
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name in _NEXT_NAMES:
                    calls_next = True
    if not calls_next:
        return False
    for handler in try_node.handlers:
        caught = handler.type
        broad = caught is None or (
            isinstance(caught, ast.Name) and caught.id in {"Exception", "BaseException"}
        )
        if not broad:
            continue
        for node in [h for stmt in handler.body for h in (stmt, *index.walk(stmt))]:
            if isinstance(node, ast.Raise):
                break
            if isinstance(node, ast.Return) and node.value is not None:
                return True
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name in {"send", "start_response"}:
                    return True
    return False


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.List | ast.Tuple):
        return [
            e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
    return []


def _settings_lists(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Django ``MIDDLEWARE``/``INSTALLED_APPS`` entries (``+=`` too) of a settings module."""
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            value = node.value
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            names, value = [node.target.id], node.value
        else:
            continue
        if {"MIDDLEWARE", "INSTALLED_APPS"} & set(names):
            for entry in _strings(value):
                yield node.lineno, entry


@fact_extractor(Kind.PYTHON)
def path_answer_facts(doc: PythonFile) -> Iterator[Fact]:
    """:class:`PathAnswer`, :class:`PathArgument`, :class:`ServedExtra` and the
    :class:`ErrorHandler` of middleware that catches the application's errors. Tests,
    examples and documentation are skipped."""
    if doc.in_test_dir or non_production(doc.path):
        return
    index = index_of(doc)
    imports = imports_of(doc)
    yield from _path_answers(doc.path, index)
    yield from _path_arguments(doc.path, index)
    for call in index.calls:
        resolved = imports.resolve(call.func) or ""
        if resolved in _DISPATCHERS:
            mounts = [a for a in call.args if isinstance(a, ast.Dict)]
            for mount in mounts:
                for key in mount.keys:
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        yield ServedExtra(
                            path=doc.path,
                            line=call.lineno,
                            kind="mount",
                            how=key.value,
                        )
        wraps = (imports.resolve(call.args[0]) or "") if call.args else ""
        configures = any(k.arg in {"handler", "handlers"} for k in call.keywords)
        if configures and (resolved in _ERROR_MIDDLEWARE or wraps in _ERROR_MIDDLEWARE):
            yield ErrorHandler(path=doc.path, line=call.lineno, how=resolved.rsplit(".", 1)[-1])
        if resolved == "sentry_sdk.init":
            for keyword in call.keywords:
                value = keyword.value
                off = isinstance(value, ast.Constant) and value.value in (0, 0.0, False, None)
                if keyword.arg in _TRACING_KEYWORDS and not off:
                    yield ServedExtra(
                        path=doc.path, line=call.lineno, kind="metrics", how="Sentry tracing"
                    )
                    break
    for node in index.of(ast.Try):
        if _catches_and_answers(node, index):
            yield ErrorHandler(path=doc.path, line=node.lineno, how="middleware")
    for line, entry in _settings_lists(doc.tree):
        top = entry.split(".")[0].lower()
        if any(h in top for h in _HEALTH_HINTS):
            yield ServedExtra(path=doc.path, line=line, kind="health", how=entry)
        elif any(h in top for h in _METRICS_HINTS):
            yield ServedExtra(path=doc.path, line=line, kind="metrics", how=entry)
