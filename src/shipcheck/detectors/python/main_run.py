"""Modules that start a development server when run as a script (``app.run()`` under
``if __name__ == "__main__":``, ``uvicorn.run(..., reload=True)``): :class:`PythonMainRun`
facts for the project rule that follows a container's or Procfile's command to the module it
runs (:mod:`shipcheck.detectors.dockerfile.app_run`). A module of its own: the extractor
runs for every Python file, and the rule reads Dockerfiles, Compose and Procfiles.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import fact_extractor
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.facts import Fact

# Constructors whose objects' ``.run()`` is a development server.
_DEV_APPS = {
    "Flask": "the Flask development server",
    "Quart": "the Quart development server",
    "Dash": "the Dash (Flask) development server",
    "App": "the Connexion development server",
    "FlaskApp": "the Connexion development server",
}
_FACTORY_WORDS = ("create_app", "make_app")


@dataclass(frozen=True, kw_only=True)
class PythonMainRun(Fact):
    """A module starts a development server when run as a script: the ``call`` that does
    (``app.run()``) and which ``server`` that is."""

    call: str
    server: str


def _callee(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _apps(tree: ast.Module) -> dict[str, str]:
    """Module-level names bound to a development-server app (name → server label)."""
    imports = index_of(tree).of(ast.Import, ast.ImportFrom)
    imported = {alias.name.split(".")[0] for node in imports for alias in node.names} | {
        node.module.split(".")[0]
        for node in imports
        if isinstance(node, ast.ImportFrom) and node.module
    }
    apps: dict[str, str] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign | ast.AnnAssign) or not isinstance(node.value, ast.Call):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        callee = _callee(node.value.func)
        label = None
        if callee in _DEV_APPS and (callee not in ("App", "FlaskApp") or "connexion" in imported):
            label = _DEV_APPS[callee]
        elif any(word in callee.lower() for word in _FACTORY_WORDS):
            label = "the Flask development server"
        if label:
            for target in targets:
                if isinstance(target, ast.Name):
                    apps[target.id] = label
    return apps


def _is_main_guard(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    parts = [node.test.left, *node.test.comparators]
    names = {p.id for p in parts if isinstance(p, ast.Name)}
    values = {p.value for p in parts if isinstance(p, ast.Constant)}
    return "__name__" in names and "__main__" in values


def _script_body(tree: ast.Module) -> list[ast.stmt]:
    """Statements that run when the module is executed as a script: the module body, the
    ``if __name__ == "__main__":`` block, and functions called from either (one level)."""
    body: list[ast.stmt] = []
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if _is_main_guard(node):
            assert isinstance(node, ast.If)
            body.extend(node.body)
        elif not isinstance(node, ast.If):
            body.append(node)
    index = index_of(tree)
    called = {
        sub.func.id
        for stmt in body
        for sub in index.within(stmt, ast.Call)
        if isinstance(sub.func, ast.Name)
    }
    body.extend(
        stmt for name in sorted(called) if name in functions for stmt in functions[name].body
    )
    return body


def _keyword_true(call: ast.Call, name: str) -> bool:
    return any(
        k.arg == name and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in call.keywords
    )


@fact_extractor(Kind.PYTHON)
def main_run_facts(doc: PythonFile) -> Iterator[Fact]:
    """:class:`PythonMainRun`: the module starts a development server when run as a script."""
    if doc.in_test_dir:
        return
    apps = _apps(doc.tree)
    index = index_of(doc)
    for stmt in _script_body(doc.tree):
        for node in index.within(stmt, ast.Call):
            if not isinstance(node.func, ast.Attribute):
                continue
            owner = node.func.value
            method = node.func.attr
            if isinstance(owner, ast.Name) and owner.id in apps and method in ("run", "run_server"):
                yield PythonMainRun(
                    path=doc.path,
                    line=node.lineno,
                    call=f"{owner.id}.{method}()",
                    server=apps[owner.id],
                )
                return
            if method == "run" and _keyword_true(node, "allow_unsafe_werkzeug"):
                # Flask-SocketIO runs Werkzeug's development server only when told to: without
                # eventlet or gevent it refuses to, unless this flag overrides the refusal.
                yield PythonMainRun(
                    path=doc.path,
                    line=node.lineno,
                    call=f"{_callee(owner) or 'socketio'}.run(..., allow_unsafe_werkzeug=True)",
                    server="the Werkzeug development server (Flask-SocketIO)",
                )
                return
            if (
                isinstance(owner, ast.Name)
                and owner.id == "uvicorn"
                and method == "run"
                and _keyword_true(node, "reload")
            ):
                yield PythonMainRun(
                    path=doc.path,
                    line=node.lineno,
                    call="uvicorn.run(..., reload=True)",
                    server="uvicorn with auto-reload",
                )
                return
