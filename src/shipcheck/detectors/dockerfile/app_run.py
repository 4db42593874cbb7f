"""``python app.py`` where ``app.py`` starts a development server itself (server.production).

A command line alone cannot tell: ``python app.py`` is fine when ``app.py`` runs gunicorn
or a worker loop. The Python file pass records which modules call ``app.run()`` (or
``uvicorn.run(..., reload=True)``) when run as a script (``python-main-run`` facts); the
project pass follows the image's, Compose service's or Procfile process's command to the
module it runs — through the Dockerfile's ``WORKDIR`` and ``COPY`` instructions — and
reports the command.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterator
from typing import Any

from shipcheck.detectors.dockerfile.linking import contexts
from shipcheck.detectors.dockerfile.servers import python_targets
from shipcheck.detectors.dockerfile.shell import split_commands, unwrap
from shipcheck.detectors.registry import detector, fact_extractor
from shipcheck.models.artifacts import Kind, Procfile, PythonFile
from shipcheck.models.facts import Fact
from shipcheck.models.findings import Hit
from shipcheck.project import ProjectModel

# Constructors whose objects' ``.run()`` is a development server.
_DEV_APPS = {
    "Flask": "the Flask development server",
    "Quart": "the Quart development server",
    "Dash": "the Dash (Flask) development server",
    "App": "the Connexion development server",
    "FlaskApp": "the Connexion development server",
}
_FACTORY_WORDS = ("create_app", "make_app")


def _callee(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _apps(tree: ast.Module) -> dict[str, str]:
    """Module-level names bound to a development-server app (name → server label)."""
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
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
    called = {
        sub.func.id
        for stmt in body
        for sub in ast.walk(stmt)
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name)
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
    """``python-main-run``: the module starts a development server when run as a script."""
    if doc.in_test_dir:
        return
    apps = _apps(doc.tree)
    for stmt in _script_body(doc.tree):
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            owner = node.func.value
            method = node.func.attr
            if isinstance(owner, ast.Name) and owner.id in apps and method in ("run", "run_server"):
                yield Fact(
                    "python-main-run",
                    doc.path,
                    node.lineno,
                    {"call": f"{owner.id}.{method}()", "server": apps[owner.id]},
                )
                return
            if (
                isinstance(owner, ast.Name)
                and owner.id == "uvicorn"
                and method == "run"
                and _keyword_true(node, "reload")
            ):
                yield Fact(
                    "python-main-run",
                    doc.path,
                    node.lineno,
                    {"call": "uvicorn.run(..., reload=True)", "server": "uvicorn with auto-reload"},
                )
                return


@fact_extractor(Kind.PROCFILE)
def procfile_facts(doc: Procfile) -> Iterator[Fact]:
    """``procfile-process``: each process and its command, for the project rules."""
    for entry in doc.entries:
        column = doc.line_text(entry.line).find(entry.command) + 1 or 1
        yield Fact(
            "procfile-process",
            doc.path,
            entry.line,
            {"process": entry.process, "command": entry.command, "column": column},
        )


def _module_paths(base: str, module: str) -> list[str]:
    stem = posixpath.join(base, *module.split("."))
    return [stem + ".py", posixpath.join(stem, "__main__.py")]


def _container_paths(target: dict[str, Any], workdir: str) -> list[str]:
    if target.get("script"):
        return [posixpath.normpath(posixpath.join(workdir, target["script"]))]
    if target.get("module"):
        return [posixpath.normpath(p) for p in _module_paths(workdir, target["module"])]
    return []


def context_paths(container_path: str, copies: list[dict[str, Any]]) -> list[str]:
    """Build-context paths a file at ``container_path`` may have been copied from (latest
    COPY first); the caller keeps the ones that exist."""
    found: list[str] = []
    for copy in reversed(copies):
        dest = copy["dest"]
        for source in copy["sources"]:
            if container_path.startswith(dest.rstrip("/") + "/"):
                rest = container_path[len(dest.rstrip("/")) + 1 :]
                found.append(posixpath.normpath(posixpath.join(source, rest)))
            target = posixpath.join(dest, posixpath.basename(source)) if copy["folder"] else dest
            if posixpath.normpath(target) == container_path:
                found.append(source)
    return found


def _in_repo(context: str, relative: str) -> str:
    return posixpath.normpath(posixpath.join(context, relative)) if context != "." else relative


@detector(
    "project.app-run-entrypoint",
    kind=Kind.PROJECT,
    applies=lambda p: p.has_kind(Kind.DOCKERFILE, Kind.COMPOSE, Kind.PROCFILE),
)
def app_run_entrypoint(project: ProjectModel, params: None) -> Iterator[Hit]:
    """A Dockerfile CMD/ENTRYPOINT, a Compose ``command`` or a Procfile process runs a Python
    module that starts a development server when run as a script (``app.run()``)."""
    runs = {f.path: f for f in project.facts_of("python-main-run")}
    if not runs:
        return
    images = {f.path: f for f in project.facts_of("dockerfile-image")}
    for path, image in sorted(images.items()):
        for target in image.data.get("python_targets", []):
            for context in contexts(project, path):
                module = _resolve(target, image.data, context, runs)
                if module:
                    label = f"`{target['keyword']}` of final stage `{image.data.get('stage')}`"
                    yield _hit(path, target, module, runs[module], label)
                    break
    for build in project.facts_of("compose-build"):
        image = images.get(build.data.get("dockerfile", ""))
        command = build.data.get("command")
        if image is None or command is None:
            continue
        commands = unwrap(list(command)) if isinstance(command, list) else split_commands(command)
        workdir = build.data.get("working_dir") or image.data.get("workdir", "/")
        data = {**image.data, "workdir": workdir}
        for program in python_targets(commands):
            target = {"script": program.script, "module": program.module}
            module = _resolve(target, data, build.data["context"], runs)
            if module:
                where = {
                    "line": build.data.get("command_line") or build.line,
                    "column": build.data.get("command_column") or 1,
                }
                label = f"Compose service `{build.data['service']}`'s `command`"
                yield _hit(build.path, where, module, runs[module], label)
                break
    for process in project.facts_of("procfile-process"):
        base = posixpath.dirname(process.path)
        for program in python_targets(split_commands(process.data["command"])):
            candidates = (
                [_in_repo(base or ".", program.script)]
                if program.script
                else [_in_repo(base or ".", p) for p in _module_paths(".", program.module or "")]
            )
            module = next((c for c in candidates if c in runs), None)
            if module:
                where = {"line": process.line, "column": process.data.get("column", 1)}
                label = f"Procfile process `{process.data['process']}`"
                yield _hit(process.path, where, module, runs[module], label)
                break


def _resolve(
    target: dict[str, Any], image: dict[str, Any], context: str, runs: dict[str, Fact]
) -> str | None:
    for container_path in _container_paths(target, image.get("workdir", "/")):
        for relative in context_paths(container_path, image.get("copies", [])):
            candidate = _in_repo(context, relative)
            if candidate in runs:
                return candidate
    return None


def _hit(path: str, where: dict[str, Any], module: str, run: Fact, label: str) -> Hit:
    return Hit(
        line=where["line"],
        column=where.get("column", 1),
        end_column=where.get("end_column"),
        path=path,
        fields={
            "command": label,
            "module": module,
            "call": run.data.get("call", "app.run()"),
            "call_line": run.line,
            "server": run.data.get("server", "a development server"),
        },
        context=f"app-run {label} {module}",
    )
