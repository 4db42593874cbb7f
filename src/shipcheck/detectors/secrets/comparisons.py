"""Credentials checked against literals: ``if password == "root":``, ``token in ("…",)``,
``hmac.compare_digest(api_key, "…")``. Whoever reads the code can pass the check.

What is left alone: configuration checked against its placeholder (``if SECRET_KEY ==
"changeme": raise ImproperlyConfigured``) — a guard that refuses a weak value, not a
credential; settings and environment values compared with anything; sentinels (``""``,
``"null"``); and bare ``token`` names, which in parsers and template engines are lexer tokens
(``if token == "is"``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from shipcheck import lazyre
from shipcheck.detectors.common import is_secret_name, mask
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.context import ValueParams, is_dev_module
from shipcheck.detectors.secrets.pyast import dotted, literal_hit, literal_string
from shipcheck.detectors.secrets.values import REAL, credential_strength, kind_of_secret
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.findings import Hit

# Names that are a credential only in some modules: a lexer token, a dict key.
_AMBIGUOUS = frozenset({"token", "tok", "tokens", "key", "pass", "pw", "secret_word"})
# Receivers whose attributes are configuration, not input (``settings.SECRET_KEY``).
_CONFIG_ROOTS = frozenset(
    {"settings", "config", "conf", "cfg", "app", "current_app", "os", "environ", "options",
     "opts", "args", "env", "django_settings"}
)  # fmt: skip
# Calls that reject: a guard's body raises or calls one of these.
_REJECTING = frozenset({"exit", "abort", "warn", "warning", "error", "critical", "exception",
                        "fatal", "ImproperlyConfigured", "RuntimeError", "ValueError"})  # fmt: skip


# Upper-case words are marker values (``token == "NOTPROVIDED"``), not credentials.
_SENTINEL = lazyre.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")

_OPERATORS = (ast.Eq, ast.NotEq, ast.In, ast.NotIn)


def _subject_name(node: ast.AST) -> str | None:
    """The credential name an operand reads: ``password``, ``self.api_key``,
    ``request.form["password"]``, ``data.get("token")``; None for configuration."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "get" and node.args:
            key = literal_string(node.args[0])
            return key if key and not _is_config(node.func.value) else None
        return None
    if isinstance(node, ast.Subscript):
        key = literal_string(node.slice)
        return key if key and not _is_config(node.value) else None
    if isinstance(node, ast.Attribute):
        return None if _is_config(node.value) else node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _is_config(node: ast.AST) -> bool:
    name = dotted(node)
    if not name:
        return False
    parts = name.split(".")
    return parts[0] in _CONFIG_ROOTS or any(p in {"config", "settings", "environ"} for p in parts)


def _credential(name: str | None) -> bool:
    if not name or name.lower() in _AMBIGUOUS or not is_secret_name(name):
        return False
    if "csrf" in name.lower():
        return False  # a CSRF token is per-session, never a shared credential
    return not name.isupper()  # SECRET_KEY, API_TOKEN: module constants are configuration


def _literals(node: ast.AST) -> list[ast.AST]:
    if literal_string(node) is not None:
        return [node]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [e for e in node.elts if literal_string(e) is not None]
    return []


def _rejects(statement: ast.If) -> bool:
    """The ``if`` body refuses (raises, exits, aborts, warns) rather than grants."""
    for node in statement.body:
        if isinstance(node, ast.Raise):
            return True
        call = node.value if isinstance(node, ast.Expr) else None
        if isinstance(call, ast.Call) and dotted(call.func).rsplit(".", 1)[-1] in _REJECTING:
            return True
    return False


def _checks(doc: PythonFile) -> Iterator[tuple[str, ast.AST, ast.AST]]:
    """(credential name, literal, the comparison) for each check against a literal."""
    index = index_of(doc)
    for node in index.of(ast.Compare, ast.Call):
        if isinstance(node, ast.Call):
            if dotted(node.func).rsplit(".", 1)[-1] == "compare_digest" and len(node.args) == 2:
                for this, other in (node.args, reversed(node.args)):
                    name = _subject_name(this)
                    if _credential(name):
                        for literal in _literals(other):
                            yield str(name), literal, node
            continue
        if len(node.ops) != 1 or not isinstance(node.ops[0], _OPERATORS):
            continue
        equal = isinstance(node.ops[0], ast.Eq | ast.In)
        parent = index.parent(node)
        while isinstance(parent, ast.BoolOp | ast.UnaryOp):
            parent = index.parent(parent)
        if isinstance(parent, ast.Assert) or (
            equal and isinstance(parent, ast.If) and _rejects(parent)
        ):
            continue
        left, right = node.left, node.comparators[0]
        for this, other in ((left, right), (right, left)):
            name = _subject_name(this)
            if _credential(name):
                for literal in _literals(other):
                    yield str(name), literal, node


@detector("secrets.python-comparison", kind=Kind.PYTHON, params=ValueParams)
def credential_comparison(doc: PythonFile, params: ValueParams) -> Iterator[Hit]:
    """A credential (a parameter, variable, attribute or request field named like one)
    compared with a string literal: ``==``/``!=``, ``in``/``not in`` a tuple, list or set of
    literals, ``hmac.compare_digest``/``secrets.compare_digest``. Guards that reject a
    placeholder, settings and environment values, assertions, sentinels, template stand-ins
    and bare ``token``/``key`` names are left alone, as are development modules."""
    report, floor = params.verdict(doc.path)
    if not report or is_dev_module(doc.path):
        return
    seen: set[int] = set()
    for name, literal, compare in _checks(doc):
        value = literal_string(literal) or ""
        strength = credential_strength(value, params.min_length, params.min_entropy)
        if strength is None or id(compare) in seen or _SENTINEL.match(value):
            continue
        seen.add(id(compare))
        yield literal_hit(
            doc,
            literal,
            fields={
                "name": name,
                "kind": kind_of_secret(name).split(" ", 1)[-1],
                "masked": mask(value),
                "weak": "" if strength == REAL else ", and a guessable one",
            },
            severity=floor,
        )
