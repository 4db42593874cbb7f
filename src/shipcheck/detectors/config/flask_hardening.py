"""Flask production hardening across the project: is the session cookie marked Secure, and
does anything set security headers (Flask-Talisman, an ``after_request`` hook, the
``secure`` package)? Each file reports what it creates and what it configures; the project
pass decides."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck import lazyre
from shipcheck.detectors.config.pycode import truthy_literal
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import detector, fact_extractor
from shipcheck.detectors.secrets.context import ContextParams, path_context
from shipcheck.detectors.secrets.pyast import char_column, literal_string, module_imports
from shipcheck.models.artifacts import Artifact, Kind, PythonFile
from shipcheck.models.facts import Fact
from shipcheck.models.findings import Hit, Severity
from shipcheck.project import ProjectModel

APP_CLASSES = frozenset({"flask.Flask", "quart.Quart", "apiflask.APIFlask"})
SECURITY_HEADERS = frozenset(
    {"strict-transport-security", "content-security-policy", "x-content-type-options",
     "x-frame-options"}
)  # fmt: skip
HEADER_PACKAGES = frozenset({"flask_talisman", "talisman", "secure", "flask_seasurf"})
SESSION_PACKAGES = frozenset({"flask_login", "flask_wtf", "flask_session", "flask_security"})
# A module that names none of these creates no app and configures nothing relevant.
_MENTIONS = ("flask", "quart", "session_cookie_secure", "talisman", "secure")
_COOKIE_SETTING = lazyre.compile(
    r"SESSION_COOKIE_SECURE[\"']?\s*[:=]\s*[\"']?(?:true|1|yes|on)\b", re.IGNORECASE
)


@dataclass(frozen=True, kw_only=True)
class FlaskApp(Fact):
    """A Flask (Quart, APIFlask) application object is created: the call's column, the
    line's text and the name it is bound to."""

    column: int
    text: str
    app: str


@dataclass(frozen=True, kw_only=True)
class FlaskSecureCookie(Fact):
    """Something marks the session cookie Secure (``SESSION_COOKIE_SECURE``, Talisman)."""


@dataclass(frozen=True, kw_only=True)
class FlaskSecurityHeaders(Fact):
    """Something sets security headers (Talisman, ``secure``, code naming a header)."""


@dataclass(frozen=True, kw_only=True)
class FlaskSessions(Fact):
    """A module uses sessions (a secret key, ``flask.session``, Flask-Login/-WTF)."""


def _falsy_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and not truthy_literal(node)


def _cookie_values(tree: ast.AST) -> Iterator[ast.AST]:
    """Values given to SESSION_COOKIE_SECURE / session_cookie_secure anywhere."""
    names = {"SESSION_COOKIE_SECURE", "session_cookie_secure"}
    for node in index_of(tree).of(ast.Assign, ast.keyword, ast.Dict):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                key = (
                    literal_string(target.slice)
                    if isinstance(target, ast.Subscript)
                    else (
                        target.attr
                        if isinstance(target, ast.Attribute)
                        else getattr(target, "id", "")
                    )
                )
                if key in names:
                    yield node.value
        elif isinstance(node, ast.keyword) and node.arg in names:
            yield node.value
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=False):
                if literal_string(key) in names:
                    yield value


def _sets_headers(tree: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.strip().lower() in SECURITY_HEADERS
        for node in index_of(tree).of(ast.Constant)
    )


@fact_extractor(Kind.PYTHON)
def flask_facts(doc: PythonFile) -> Iterator[Fact]:
    """Flask apps created, and whether this module secures the session cookie, sets
    security headers or uses sessions. Tests and examples are left out."""
    if path_context(doc.path) is not None:
        return
    text = doc.text
    lower = text.lower()
    if not any(w in lower for w in _MENTIONS) and not any(h in lower for h in SECURITY_HEADERS):
        return
    imports = module_imports(doc.tree)
    packages = {v.split(".")[0] for v in imports.values()}
    for node in index_of(doc).calls:
        if isinstance(node.func, ast.Name | ast.Attribute):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            base = imports.get(name) if isinstance(node.func, ast.Name) else None
            if base in APP_CLASSES or (
                isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and f"{imports.get(node.func.value.id, '')}.{name}" in APP_CLASSES
            ):
                column = char_column(doc, node.lineno, node.col_offset)
                text = doc.line_text(node.lineno).strip()
                name = text.split("=", 1)[0].strip() if "=" in text else "app"
                yield FlaskApp(path=doc.path, line=node.lineno, column=column, text=text, app=name)
    if any(not _falsy_literal(v) for v in _cookie_values(doc.tree)):
        yield FlaskSecureCookie(path=doc.path, line=1)
    if packages & HEADER_PACKAGES or _sets_headers(doc.tree):
        yield FlaskSecurityHeaders(path=doc.path, line=1)
    if "flask_talisman" in packages:
        # Talisman marks the session cookie Secure.
        yield FlaskSecureCookie(path=doc.path, line=1)
    uses_session = any(v in {"flask.session", "quart.session"} for v in imports.values())
    if uses_session or packages & SESSION_PACKAGES or "SECRET_KEY" in text or "secret_key" in text:
        yield FlaskSessions(path=doc.path, line=1)


@fact_extractor((Kind.ENV, Kind.COMPOSE, Kind.KUBERNETES, Kind.DOCKERFILE, Kind.YAML, Kind.TEXT))
def cookie_setting_facts(doc: Artifact) -> Iterator[Fact]:
    """``SESSION_COOKIE_SECURE=true`` (or ``FLASK_SESSION_COOKIE_SECURE``) in deployment
    configuration."""
    if path_context(doc.path) is not None or "SESSION_COOKIE_SECURE" not in doc.text:
        return
    if _COOKIE_SETTING.search(doc.text):
        yield FlaskSecureCookie(path=doc.path, line=1)


def _app_hit(fact: FlaskApp, floor: Severity | None, what: str) -> Hit:
    return Hit(
        line=fact.line,
        column=fact.column,
        path=fact.path,
        fields={"app": fact.app, "module": fact.path},
        severity=floor,
        context=f"flask app {fact.path} {fact.text} {what}",
    )


def _uses_flask(project: ProjectModel) -> bool:
    return bool(project.facts_of(FlaskApp))


def _apps(
    project: ProjectModel, params: ContextParams
) -> Iterator[tuple[FlaskApp, Severity | None]]:
    for fact in project.facts_of(FlaskApp):
        report, floor = params.verdict(fact.path)
        if report:
            yield fact, floor


@detector("flask.session-cookie-insecure", kind=Kind.PROJECT, params=ContextParams,
          applies=_uses_flask)  # fmt: skip
def flask_session_cookie(project: ProjectModel, params: ContextParams) -> Iterator[Hit]:
    """A Flask app that uses sessions (a secret key, ``flask.session``, Flask-Login/-WTF)
    while nothing in the project sets ``SESSION_COOKIE_SECURE`` (code, config, deployment
    environment) and Flask-Talisman is not used."""
    if project.facts_of(FlaskSecureCookie) or not project.facts_of(FlaskSessions):
        return
    for fact, floor in _apps(project, params):
        yield _app_hit(fact, floor, "cookie")


@detector("flask.no-security-headers", kind=Kind.PROJECT, params=ContextParams,
          applies=_uses_flask)  # fmt: skip
def flask_security_headers(project: ProjectModel, params: ContextParams) -> Iterator[Hit]:
    """A Flask app while nothing in the project sets security headers (HSTS, CSP,
    X-Content-Type-Options, X-Frame-Options): no Flask-Talisman or ``secure``, no code that
    names one of those headers."""
    if project.facts_of(FlaskSecurityHeaders):
        return
    for fact, floor in _apps(project, params):
        yield _app_hit(fact, floor, "headers")
