"""Debug mode switched on in Python code: Flask/Quart/FastAPI/Starlette debug flags, Flask
configuration classes, settings read from the environment with a true default, and the
Werkzeug debugger.

Django settings modules are judged as a whole (the production module and what it imports)
by :mod:`.django_checks`; this module leaves them alone.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

from shipcheck.detectors.common import name_words
from shipcheck.detectors.config.django_settings import is_settings_module
from shipcheck.detectors.config.pycode import (
    class_of,
    frameworks,
    is_dev_class,
    is_production_class,
    main_guard_lines,
    overridden_in_production,
    truthy_literal,
)
from shipcheck.detectors.config.pyeval import UNKNOWN, evaluate_unset
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.context import ContextParams, is_dev_module
from shipcheck.detectors.secrets.pyast import EnvReads, char_column, dotted, literal_string
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.findings import Hit, Severity

# Apps whose constructor takes debug=True and then serves tracebacks.
DEBUG_CONSTRUCTORS = frozenset({"FastAPI", "Starlette", "Quart", "Sanic", "Litestar", "APIFlask"})
_RUN_FRAMEWORKS = frozenset({"flask", "quart", "sanic", "bottle", "flask_socketio", "apiflask"})


def _hit(doc: PythonFile, node: ast.AST, fields: dict[str, str], severity: Severity | None) -> Hit:
    line = getattr(node, "lineno", 1)
    end_line = getattr(node, "end_lineno", line) or line
    return Hit(
        line=line,
        column=char_column(doc, line, getattr(node, "col_offset", 0)),
        end_line=end_line,
        end_column=char_column(doc, end_line, getattr(node, "end_col_offset", 0) or 0),
        fields=fields,
        severity=severity,
    )


def _script_only(node: ast.AST, lines: set[int]) -> bool:
    return getattr(node, "lineno", 0) in lines


APP_NAMES = frozenset({"app", "application", "server", "api", "webapp", "flask_app", "socketio"})
# Runners whose debug flag is not a web debugger (asyncio's debug mode logs slow callbacks).
NOT_WEB_RUNNERS = frozenset({"asyncio", "trio", "anyio", "uvloop"})


def _app_names(tree: ast.Module) -> set[str]:
    """Names bound to the result of an app factory (``app = create_app()``) or of the
    ``Flask``/``Quart`` constructor."""
    names = set(APP_NAMES)
    for node in index_of(tree).of(ast.Assign):
        if isinstance(node.value, ast.Call):
            factory = dotted(node.value.func).rsplit(".", 1)[-1].lower()
            if "app" in factory or factory in {"flask", "quart"}:
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _runs_web_app(func: ast.AST, used: set[str], app_names: set[str]) -> bool:
    """Whether ``<receiver>.run(debug=...)`` runs a web app's development server."""
    if not isinstance(func, ast.Attribute):
        return False
    receiver = dotted(func.value).split(".")[0]
    if receiver in NOT_WEB_RUNNERS:
        return False
    return bool(used & _RUN_FRAMEWORKS) or receiver in app_names


def _is_config_class(owner: ast.ClassDef) -> bool:
    return owner.name.endswith(("Config", "Configuration", "Settings"))


_DEBUG_OWNERS = frozenset({"flask", "app", "django", "fastapi", "starlette", "quart", "web", "api"})


def _is_debug_name(name: str | None) -> bool:
    """``DEBUG``, ``FLASK_DEBUG``, ``APP_DEBUG``; not ``SQL_DEBUG`` (query logging)."""
    words = name_words(name or "")
    if words == ["debug"]:
        return True
    return len(words) == 2 and words[1] == "debug" and words[0] in _DEBUG_OWNERS


def _debug_keyword(call: ast.Call) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == "debug"), None)


def _debug_value(call: ast.Call, app_names: set[str]) -> ast.AST | None:
    """The ``debug`` argument of a call: the keyword, or the third positional argument of
    ``app.run(host, port, debug)`` on a Flask/Quart application object (only there: other
    runners, ``socketio.run(app, host, port)``, take other things third)."""
    keyword = _debug_keyword(call)
    if keyword is not None:
        return keyword.value
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "run"
        and dotted(func.value) in app_names
        and dotted(func.value) != "socketio"  # SocketIO.run(app, host, port)
        and len(call.args) >= 3
        and not any(isinstance(a, ast.Starred) for a in call.args[:3])
    ):
        return call.args[2]
    return None


def _skipped(doc: PythonFile, params: ContextParams) -> tuple[bool, Severity | None]:
    report, floor = params.verdict(doc.path)
    return (not report or is_dev_module(doc.path)), floor


@detector("python.debug-enabled", kind=Kind.PYTHON, params=ContextParams)
def debug_enabled(doc: PythonFile, params: ContextParams) -> Iterator[Hit]:
    """``app.run(debug=True)``, ``app.debug = True``, ``app.config["DEBUG"] = True``,
    ``app.config.update(DEBUG=True)``, ``FastAPI(debug=True)``/``Starlette(debug=True)``, and
    ``DEBUG = True`` in a Flask configuration class production uses (not a development or
    test class, and not a base class every production subclass overrides). Under
    ``if __name__ == "__main__":`` the severity drops to medium: only a direct run is hit."""
    skip, floor = _skipped(doc, params)
    if skip or "debug" not in doc.text.lower():
        return
    if is_settings_module(doc):
        return
    used = frameworks(doc.tree)
    script = main_guard_lines(doc.tree)
    owners = class_of(doc.tree)
    app_names = _app_names(doc.tree)

    def severity(node: ast.AST) -> Severity | None:
        return floor or (Severity.MEDIUM if _script_only(node, script) else None)

    def where(node: ast.AST) -> str:
        return " when the module runs as a script" if _script_only(node, script) else ""

    for node in index_of(doc).of(ast.Assign, ast.Call):
        if isinstance(node, ast.Call):
            func = node.func
            value = _debug_value(node, app_names)
            name = dotted(func).rsplit(".", 1)[-1]
            if value is not None and truthy_literal(value):
                if name in {"run", "run_server"} and _runs_web_app(func, used, app_names):
                    what = f"`{dotted(func) or 'run'}(debug=True)` starts the debugger{where(node)}"
                    yield _hit(doc, value, {"what": what}, severity(node))
                elif name in DEBUG_CONSTRUCTORS and used:
                    what = f"`{name}(debug=True)` serves tracebacks to clients"
                    yield _hit(doc, value, {"what": what}, severity(node))
            if used and isinstance(func, ast.Attribute) and func.attr in {"update", "from_mapping"}:
                yield from _config_update(doc, node, severity, where)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if not truthy_literal(node.value):
                    continue
                if used and isinstance(target, ast.Attribute) and target.attr == "debug":
                    what = f"`{dotted(target)} = True` turns on debug mode{where(node)}"
                    yield _hit(doc, node.value, {"what": what}, severity(node))
                elif (
                    used
                    and isinstance(target, ast.Subscript)
                    and literal_string(target.slice) == "DEBUG"
                    and dotted(target.value).endswith("config")
                ):
                    what = f'`{dotted(target.value)}["DEBUG"] = True` turns on debug mode'
                    yield _hit(doc, node.value, {"what": what + where(node)}, severity(node))
                elif isinstance(target, ast.Name) and target.id == "DEBUG":
                    owner = owners.get(id(node))
                    if owner is None or is_dev_class(owner) or not _is_config_class(owner):
                        continue
                    if not is_production_class(owner) and overridden_in_production(
                        doc.tree, owner, "DEBUG"
                    ):
                        continue
                    what = f"`DEBUG = True` in configuration class `{owner.name}`"
                    yield _hit(doc, node.value, {"what": what}, floor)


def _config_update(
    doc: PythonFile,
    call: ast.Call,
    severity: Callable[[ast.AST], Severity | None],
    where: Callable[[ast.AST], str],
) -> Iterator[Hit]:
    """``app.config.update(DEBUG=True)`` / ``from_mapping({"DEBUG": True})``."""
    if not isinstance(call.func, ast.Attribute):
        return
    method = call.func.attr
    target = dotted(call.func.value)
    if not target.endswith("config"):
        return
    values: list[ast.AST] = [k.value for k in call.keywords if k.arg == "DEBUG"]
    for arg in call.args:
        if isinstance(arg, ast.Dict):
            values += [v for k, v in zip(arg.keys, arg.values, strict=False)
                       if literal_string(k) == "DEBUG"]  # fmt: skip
    for value in values:
        if truthy_literal(value):
            what = f"`{target}.{method}(DEBUG=True)` turns on debug mode"
            yield _hit(doc, value, {"what": what + where(call)}, severity(call))


@detector("python.debug-default-true", kind=Kind.PYTHON, params=ContextParams)
def debug_default_true(doc: PythonFile, params: ContextParams) -> Iterator[Hit]:
    """A debug flag read from the environment that is true when the variable is unset:
    ``DEBUG = os.environ.get("DEBUG", "True") == "True"``, ``app.run(debug=os.getenv(...,
    "1") == "1")``, ``env.bool("DEBUG", default=True)``, or the string ``"False"`` as a
    default (non-empty, so true). Django settings modules are left to the Django rule."""
    skip, floor = _skipped(doc, params)
    if skip or "debug" not in doc.text.lower() or is_settings_module(doc):
        return
    reads = EnvReads(doc.tree)
    owners = class_of(doc.tree)
    candidates: list[tuple[str, ast.AST, ast.AST]] = []
    for node in index_of(doc).of(ast.Assign, ast.Call):
        if isinstance(node, ast.Assign):
            owner = owners.get(id(node))
            if is_dev_class(owner):
                continue
            for target in node.targets:
                name = (
                    literal_string(target.slice)
                    if isinstance(target, ast.Subscript)
                    else (
                        target.attr
                        if isinstance(target, ast.Attribute)
                        else getattr(target, "id", "")
                    )
                )
                if not _is_debug_name(name):
                    continue
                if owner is not None and overridden_in_production(doc.tree, owner, str(name)):
                    continue
                candidates.append((str(name), node.value, node))
        elif isinstance(node, ast.Call):
            keyword = _debug_keyword(node)
            if keyword is not None:
                candidates.append(("debug", keyword.value, node))
    for name, value, _node in candidates:
        result, read = evaluate_unset(value, reads)
        if read is None or result is UNKNOWN or not result:
            continue
        how = f"`{read.var}` is not set" if read.var else "the variable is not set"
        yield _hit(
            doc,
            value,
            {"name": name, "how": how, "unset": repr(result) if not isinstance(result, bool)
             else "true"},
            floor,
        )  # fmt: skip


@detector("python.werkzeug-debugger", kind=Kind.PYTHON, params=ContextParams)
def werkzeug_debugger(doc: PythonFile, params: ContextParams) -> Iterator[Hit]:
    """The Werkzeug debugger wired in explicitly: ``DebuggedApplication(app, evalex=True)``
    (an interactive console: remote code execution), ``DebuggedApplication(app)``
    (tracebacks), ``run_simple(..., use_debugger=True)`` and ``app.run(use_debugger=True)``."""
    skip, floor = _skipped(doc, params)
    if skip or ("DebuggedApplication" not in doc.text and "use_debugger" not in doc.text):
        return
    script = main_guard_lines(doc.tree)
    for node in index_of(doc).calls:
        name = dotted(node.func).rsplit(".", 1)[-1]
        evalex = next((k.value for k in node.keywords if k.arg == "evalex"), None)
        use_debugger = next((k.value for k in node.keywords if k.arg == "use_debugger"), None)
        if name == "DebuggedApplication":
            console = truthy_literal(evalex)
            what = (
                "`DebuggedApplication(..., evalex=True)` serves an interactive Python console"
                if console
                else "`DebuggedApplication` serves tracebacks with local variables"
            )
            severity = None if console else Severity.HIGH
        elif truthy_literal(use_debugger):
            what = f"`{name}(use_debugger=True)` serves an interactive Python console"
            severity = None
        else:
            continue
        if node.lineno in script:
            what += " when the module runs as a script"
            severity = Severity.MEDIUM
        yield _hit(doc, node, {"what": what}, floor or severity)
