"""Logging in application code: secrets in log calls, DEBUG root logging (print() is in
``prints.py``)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from shipcheck import lazyre
from shipcheck.detectors.common import is_secret_name
from shipcheck.detectors.python.astutil import (
    Imports,
    calls_of,
    imports_of,
    is_const,
    keyword,
    main_guard_lines,
    node_hit,
    non_production,
)
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.findings import Hit

_SCRIPT_NAMES = frozenset({"manage.py", "setup.py", "noxfile.py", "fabfile.py", "conftest.py"})


def _is_script_path(path: str) -> bool:
    posix = PurePosixPath(path)
    parts = {p.lower() for p in posix.parts[:-1]}
    return (
        posix.name in _SCRIPT_NAMES
        or "management" in parts
        or bool(parts & {"scripts", "bin", "tools"})
    )


# --- secrets in log calls -----------------------------------------------------------------

_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical",
                          "fatal", "log", "msg"})  # fmt: skip
_SECRET_WORDS = frozenset({"password", "passwd", "passphrase", "secret", "token", "apikey",
                           "credential", "credentials", "dsn", "secrets"})  # fmt: skip
_SECRET_PAIRS = ("api_key", "private_key", "access_key", "client_secret", "signing_key",
                 "auth_key", "secret_key", "access_token", "refresh_token",
                 "auth_token")  # fmt: skip
_HARMLESS_WORDS = frozenset({"hash", "hashed", "digest", "length", "len", "count", "expiry",
                             "expires", "expired", "valid", "invalid", "missing", "required",
                             "type", "id", "name", "url", "policy", "hint"})  # fmt: skip


def _words(name: str) -> list[str]:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    return [w for w in re.split(r"[^a-z0-9]+", snake) if w]


def secret_name(name: str) -> bool:
    """A variable or attribute name that holds a secret value: ``password``, ``api_key``,
    ``SECRET_KEY``, ``access_token`` — not ``tokens``, ``password_hash``, ``token_type``."""
    words = _words(name)
    if not words or not is_secret_name(name) or set(words) & _HARMLESS_WORDS:
        return False
    joined = "_".join(words)
    return bool(set(words) & _SECRET_WORDS) or any(pair in joined for pair in _SECRET_PAIRS)


def is_logger(receiver: ast.AST, imports: Imports) -> bool:
    """Whether ``receiver`` is a logger: ``logging``, ``logger``, ``log``, ``self.logger``,
    ``app.logger``, ``logging.getLogger(...)``, structlog loggers ..."""
    if imports.resolve(receiver) in ("logging", "structlog", "loguru.logger"):
        return True
    if isinstance(receiver, ast.Call):
        qual = imports.resolve(receiver.func) or ""
        return qual.endswith(("getLogger", "get_logger"))
    name = (
        receiver.attr
        if isinstance(receiver, ast.Attribute)
        else (receiver.id if isinstance(receiver, ast.Name) else "")
    )
    words = _words(name)
    if words and words[-1] in ("log", "logger", "logging", "audit", "syslog"):
        return True
    return name.lower() in ("_log", "_logger", "log", "logger", "lgr")


def _secret_value(node: ast.AST) -> str | None:
    """The secret name a logged value shows, or None (``len(token)`` and other calls hide
    it; ``str()``/``repr()``/``.decode()`` do not)."""
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("str", "repr", "format") and node.args:
            return _secret_value(node.args[0])
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("decode", "strip", "encode"):
            return _secret_value(node.func.value)
        return None
    if isinstance(node, ast.Name):
        return node.id if secret_name(node.id) else None
    if isinstance(node, ast.Attribute):
        return ast.unparse(node) if secret_name(node.attr) else None
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        key = node.slice.value
        if isinstance(key, str) and secret_name(key):
            return ast.unparse(node)
    if isinstance(node, ast.FormattedValue):
        return _secret_value(node.value)
    return None


def _logged_values(call: ast.Call, method: str) -> Iterator[ast.AST]:
    args = list(call.args[1:] if method == "log" else call.args)
    if not args:
        return
    message, rest = args[0], args[1:]
    if isinstance(message, ast.JoinedStr):
        yield from (v for v in message.values if isinstance(v, ast.FormattedValue))
    elif isinstance(message, ast.BinOp) and isinstance(message.op, ast.Mod):
        right = message.right
        yield from (right.elts if isinstance(right, ast.Tuple) else [right])
    elif isinstance(message, ast.BinOp) and isinstance(message.op, ast.Add):
        stack: list[ast.AST] = [message]
        while stack:
            part = stack.pop()
            if isinstance(part, ast.BinOp) and isinstance(part.op, ast.Add):
                stack.extend([part.left, part.right])
            else:
                yield part
    elif (
        isinstance(message, ast.Call)
        and isinstance(message.func, ast.Attribute)
        and message.func.attr == "format"
    ):
        yield from message.args
        yield from (k.value for k in message.keywords)
    else:
        yield message
    yield from rest
    for kw in call.keywords:
        if kw.arg in (None, "exc_info", "stack_info", "stacklevel"):
            continue
        if kw.arg == "extra" and isinstance(kw.value, ast.Dict):
            yield from kw.value.values
        else:
            yield kw.value  # structlog and loguru log keyword arguments


@detector("ops.secret-logged", kind=Kind.PYTHON)
def secret_logged(doc: PythonFile, params: None) -> Iterator[Hit]:
    """Log calls (``logger.info``, ``logging.warning``, ``app.logger.error`` ...) that
    format a value whose name says it is a secret (``password``, ``api_key``,
    ``settings.SECRET_KEY``, ``config["DB_PASSWORD"]``) into the message, through ``%s``
    arguments, f-strings, ``%``, ``+`` or ``.format()``. Test modules are skipped."""
    if doc.in_test_dir:
        return
    imports = imports_of(doc)
    for node in calls_of(doc):
        if not isinstance(node.func, ast.Attribute):
            continue
        method = node.func.attr
        if method not in _LOG_METHODS or not is_logger(node.func.value, imports):
            continue
        for value in _logged_values(node, method):
            name = _secret_value(value)
            if name:
                yield node_hit(value, name=name, call=f"{ast.unparse(node.func)[:40]}()")
                break


# --- DEBUG logging ------------------------------------------------------------------------

_DEV_NAMES = lazyre.compile(
    r"(^|[_\-/.])(dev|develop|development|local|debug|test|testing)([_\-/.]|$)"
)
_DEBUG_CONDITION = lazyre.compile(r"debug|verbose|develop|dev\b|local|testing", re.IGNORECASE)


def _is_debug_level(node: ast.AST, imports: Imports) -> bool:
    return (
        imports.resolve(node) in ("logging.DEBUG", "logging.NOTSET")
        or is_const(node, "DEBUG")
        or is_const(node, 10)
    )


def _guarded_lines(tree: ast.Module) -> set[int]:
    """Lines under an ``if`` that tests a debug/verbose/development switch."""
    lines: set[int] = set()
    for node in index_of(tree).of(ast.If, ast.IfExp):
        if isinstance(node, ast.If) and _DEBUG_CONDITION.search(ast.unparse(node.test)):
            for child in [*node.body, *node.orelse]:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
        if isinstance(node, ast.IfExp) and _DEBUG_CONDITION.search(ast.unparse(node.test)):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


@detector("ops.debug-logging-configured", kind=Kind.PYTHON)
def debug_logging_configured(doc: PythonFile, params: None) -> Iterator[Hit]:
    """The root logger configured at DEBUG in application code:
    ``logging.basicConfig(level=logging.DEBUG)``, ``logging.getLogger().setLevel(DEBUG)``
    or a Django ``LOGGING`` dict whose root or ``django`` logger is at DEBUG. Tests,
    examples, scripts, development settings files (``settings/dev.py``, ``local.py``),
    ``__main__`` blocks and code under ``if DEBUG:``-style switches are left alone."""
    if doc.in_test_dir or non_production(doc.path) or _is_script_path(doc.path):
        return
    stem = PurePosixPath(doc.path).stem.lower()
    if _DEV_NAMES.search(stem):
        return
    imports = imports_of(doc)
    if not imports.imports_any("logging") and "LOGGING" not in doc.text:
        return
    skip = main_guard_lines(doc.tree) | _guarded_lines(doc.tree)
    for node in calls_of(doc):
        if node.lineno not in skip:
            qual = imports.resolve(node.func)
            if qual == "logging.basicConfig":
                level = keyword(node, "level")
                if level is not None and _is_debug_level(level.value, imports):
                    yield node_hit(level.value, how="`logging.basicConfig(level=DEBUG)`")
            elif (
                isinstance(node.func, ast.Attribute)
                and node.func.attr == "setLevel"
                and node.args
                and _is_debug_level(node.args[0], imports)
                and _is_root_logger(node.func.value, imports)
            ):
                yield node_hit(node, how="the root logger's `setLevel(DEBUG)`")
    for stmt in doc.tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "LOGGING" for t in stmt.targets)
            and isinstance(stmt.value, ast.Dict)
            and stmt.lineno not in skip
        ):
            found = _django_debug_logger(stmt.value, imports)
            if found is not None:
                where, node = found
                yield node_hit(node, how=f"`LOGGING` with the {where} logger at DEBUG")


def _is_root_logger(node: ast.AST, imports: Imports) -> bool:
    if imports.resolve(node) == "logging.root":
        return True
    return (
        isinstance(node, ast.Call)
        and imports.resolve(node.func) == "logging.getLogger"
        and (not node.args or is_const(node.args[0], "") or is_const(node.args[0], None))
    )


def _dict_get(node: ast.Dict, key: str) -> ast.AST | None:
    for k, v in zip(node.keys, node.values, strict=False):
        if is_const(k, key):
            return v
    return None


def _django_debug_logger(config: ast.Dict, imports: Imports) -> tuple[str, ast.AST] | None:
    candidates: list[tuple[str, ast.AST | None]] = [("root", _dict_get(config, "root"))]
    loggers = _dict_get(config, "loggers")
    if isinstance(loggers, ast.Dict):
        candidates += [("root", _dict_get(loggers, "")), ("`django`", _dict_get(loggers, "django"))]
    for where, logger in candidates:
        if isinstance(logger, ast.Dict):
            level = _dict_get(logger, "level")
            if level is not None and _is_debug_level(level, imports):
                return where, level
    return None
