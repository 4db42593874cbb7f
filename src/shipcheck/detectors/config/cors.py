"""CORS that lets every origin make credentialed requests: Flask-CORS, Starlette/FastAPI's
``CORSMiddleware`` and django-cors-headers. With credentials allowed, these libraries answer
with the caller's own origin instead of ``*``, so any website can read responses made with
the user's cookies."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from shipcheck.detectors.config.pycode import truthy_literal
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.context import ContextParams, is_dev_module
from shipcheck.detectors.secrets.pyast import char_column, dotted, literal_string
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.findings import Hit

ANY_ORIGIN_REGEXES = frozenset({".*", ".+", "^.*$", "^.+$", "https?://.*", "^https?://.*$", "*"})


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _any_origin(node: ast.AST | None) -> bool:
    """``"*"``, ``["*"]`` or a match-everything regex."""
    if node is None:
        return False
    text = literal_string(node)
    if text is not None:
        return text.strip() in ANY_ORIGIN_REGEXES
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return any(literal_string(e) == "*" for e in node.elts)
    return False


def _flask_cors(call: ast.Call) -> ast.AST | None:
    """The node to point at when a Flask-CORS call allows any origin with credentials."""
    if not truthy_literal(_keyword(call, "supports_credentials")):
        return None
    origins = _keyword(call, "origins")
    if origins is not None:
        return origins if _any_origin(origins) else None
    resources = _keyword(call, "resources")
    if isinstance(resources, ast.Dict):
        for value in resources.values:
            if isinstance(value, ast.Dict):
                option = next(
                    (v for k, v in zip(value.keys, value.values, strict=False)
                     if literal_string(k) == "origins"), None,
                )  # fmt: skip
                if option is None or _any_origin(option):
                    return option or call
        return None
    return call  # Flask-CORS allows every origin unless told otherwise


def _starlette_cors(call: ast.Call) -> ast.AST | None:
    args = call.args
    if not args or not dotted(args[0]).endswith("CORSMiddleware"):
        return None
    if not truthy_literal(_keyword(call, "allow_credentials")):
        return None
    for name in ("allow_origins", "allow_origin_regex"):
        value = _keyword(call, name)
        if _any_origin(value):
            return value
    return None


def _django_cors(tree: ast.Module) -> Iterator[ast.AST]:
    allow_all: ast.AST | None = None
    credentials = False
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            name = target.id if isinstance(target, ast.Name) else ""
            if name in {"CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL"}:
                allow_all = node.value if truthy_literal(node.value) else None
            elif name == "CORS_ALLOW_CREDENTIALS":
                credentials = truthy_literal(node.value)
    if allow_all is not None and credentials:
        yield allow_all


@detector("python.cors-any-origin-credentials", kind=Kind.PYTHON, params=ContextParams)
def cors_any_origin_with_credentials(doc: PythonFile, params: ContextParams) -> Iterator[Hit]:
    """``CORS(app, supports_credentials=True)`` without a specific ``origins``;
    ``CORSMiddleware`` with ``allow_credentials=True`` and ``allow_origins=["*"]`` (or a
    match-everything ``allow_origin_regex``); django-cors-headers'
    ``CORS_ALLOW_ALL_ORIGINS = True`` with ``CORS_ALLOW_CREDENTIALS = True``."""
    report, floor = params.verdict(doc.path)
    if not report or is_dev_module(doc.path) or "CORS" not in doc.text:
        return
    points: list[tuple[ast.AST, str]] = []
    for node in index_of(doc).calls:
        name = dotted(node.func).rsplit(".", 1)[-1]
        if name in {"CORS", "cross_origin"}:
            point = _flask_cors(node)
            if point is not None:
                points.append((point, f"Flask-CORS `{name}(..., supports_credentials=True)`"))
        elif name in {"add_middleware", "Middleware"}:
            point = _starlette_cors(node)
            if point is not None:
                points.append((point, "`CORSMiddleware` with `allow_credentials=True`"))
    points += [(n, "`CORS_ALLOW_ALL_ORIGINS` with `CORS_ALLOW_CREDENTIALS`")
               for n in _django_cors(doc.tree)]  # fmt: skip
    for node, what in points:
        line = getattr(node, "lineno", 1)
        yield Hit(
            line=line,
            column=char_column(doc, line, getattr(node, "col_offset", 0)),
            fields={"what": what},
            severity=floor,
        )
