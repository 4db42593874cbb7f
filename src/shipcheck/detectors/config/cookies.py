"""Session and credential cookies set in code without ``Secure``: ``response.set_cookie(
"session", sid)`` in Flask, Django, Starlette/FastAPI, werkzeug, Pyramid or aiohttp handlers,
and Django's ``set_signed_cookie``.

Settings-level cookie flags (``SESSION_COOKIE_SECURE``) have their own rules; a cookie the
code sets itself bypasses them. Only cookies whose name or value says they carry a session,
a token or a login are judged (a locale or a UI preference cookie is not worth a finding), and
calls that clear a cookie (``max_age=0``, an empty value) or pass the flags through ``**kwargs``
are left alone.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import replace

from shipcheck.detectors.python.astutil import imports_of, node_hit
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.context import ContextParams
from shipcheck.detectors.secrets.pyast import dotted, literal_string
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.findings import Hit

_SETTERS = frozenset({"set_cookie", "set_signed_cookie"})
_FRAMEWORKS = frozenset(
    {"flask", "django", "starlette", "fastapi", "werkzeug", "pyramid", "aiohttp", "quart",
     "sanic", "litestar", "falcon", "bottle", "tornado"}
)  # fmt: skip
# Words that make a cookie a credential: whoever reads it over plain HTTP is logged in.
_SENSITIVE_WORDS = frozenset(
    {"session", "sessionid", "sessid", "sid", "token", "auth", "jwt", "remember", "login",
     "csrf", "xsrf", "secret", "refresh", "bearer"}
)  # fmt: skip


def _sensitive(label: str) -> bool:
    """``session``, ``refresh_token``, ``csrftoken``, ``REMEMBER_ME_COOKIE``; not
    ``example_iauthenticator`` or ``locale``."""
    words = [
        w for w in re.split(r"[^a-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", label).lower()) if w
    ]
    return any(
        w in _SENSITIVE_WORDS or w.endswith(("token", "sessionid")) or w.startswith("session")
        for w in words
    )


def _words(node: ast.AST | None) -> str:
    """What an expression is called: a literal's text, a name or attribute path."""
    if node is None:
        return ""
    text = literal_string(node)
    return text if text is not None else dotted(node)


def _argument(call: ast.Call, position: int, name: str) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def _false(node: ast.AST | None) -> bool:
    """Missing, or a literal false value."""
    return node is None or (isinstance(node, ast.Constant) and not node.value)


def _clears(call: ast.Call) -> bool:
    value = _argument(call, 1, "value")
    age = _argument(call, 2, "max_age")
    return (isinstance(value, ast.Constant) and value.value in ("", None)) or (
        isinstance(age, ast.Constant) and age.value == 0
    )


@detector("config.cookie-insecure", kind=Kind.PYTHON, params=ContextParams)
def insecure_cookie(doc: PythonFile, params: ContextParams) -> Iterator[Hit]:
    """``set_cookie``/``set_signed_cookie`` of a session, token or login cookie without
    ``secure=True`` (missing or a literal false), in a module that uses a web framework."""
    report, floor = params.verdict(doc.path)
    if not report or "set_" not in doc.text or "cookie" not in doc.text:
        return
    if not {v.split(".")[0] for v in imports_of(doc).names.values()} & _FRAMEWORKS:
        return
    for call in index_of(doc).of(ast.Call):
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in _SETTERS:
            continue
        if any(k.arg is None for k in call.keywords) or _clears(call):
            continue
        name = _argument(call, 0, "key")
        label = _words(name)
        if not _sensitive(label) and not _sensitive(_words(_argument(call, 1, "value"))):
            continue
        secure = next((k.value for k in call.keywords if k.arg == "secure"), None)
        if not _false(secure):
            continue
        httponly = next((k.value for k in call.keywords if k.arg == "httponly"), None)
        missing = ["`secure=True`"]
        if _false(httponly) and not re.search("csrf|xsrf", label, re.I):
            missing.append("`httponly=True`")  # CSRF cookies are read by scripts on purpose
        hit = node_hit(
            call,
            call=f"{dotted(func) or func.attr}()",
            cookie=label or "?",
            missing=" and ".join(missing),
        )
        yield replace(hit, severity=floor) if floor is not None else hit
