"""Static equivalents of ``manage.py check --deploy`` on the settings production loads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from shipcheck.detectors.common import is_placeholder, mask
from shipcheck.detectors.config.django_settings import (
    Assignment,
    DjangoSettings,
    SettingsGraph,
    SettingsModule,
)
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.context import ContextParams
from shipcheck.detectors.secrets.values import looks_like_secret
from shipcheck.models.artifacts import Kind
from shipcheck.models.findings import Hit, Severity
from shipcheck.project import ProjectModel

# A verdict on one value: None when fine, else how it is bad ("set to True").
Judge = Callable[[dict[str, Any]], str | None]


def _uses_django(project: ProjectModel) -> bool:
    return bool(project.facts_of(DjangoSettings))


def _judge_all(possible: list[Assignment], judge: Judge) -> str | None:
    verdicts = [judge(a.value) for a in possible]
    if not verdicts or any(v is None for v in verdicts):
        return None
    return verdicts[-1]


def _modules(
    project: ProjectModel, params: ContextParams
) -> Iterator[tuple[SettingsGraph, SettingsModule]]:
    graph = SettingsGraph(project)
    for module in graph.production_modules():
        if params.verdict(module.path)[0]:
            yield graph, module


def _check(
    project: ProjectModel,
    params: ContextParams,
    name: str,
    judge: Judge,
    missing: str | None,
    fields: Callable[[str, SettingsModule], dict[str, Any]],
) -> Iterator[Hit]:
    """Hits for setting ``name``: at the winning assignment when every possible value is
    bad, at the top of the production module when the setting is missing and ``missing``
    says how that is bad."""
    seen: set[tuple[str, int]] = set()
    modules = list(_modules(project, params))
    candidates = {module.path for _graph, module in modules}
    for graph, module in modules:
        _report, floor = params.verdict(module.path)
        effective = graph.effective(module, name)
        if effective.missing and missing is not None:
            if graph.extends_production(module, candidates):
                continue
            yield Hit(
                line=1,
                path=module.path,
                fields=fields(missing, module),
                severity=floor,
                context=f"{name} missing in {module.path}",
            )
            continue
        if effective.unknown:
            continue
        how = _judge_all(effective.possible, judge)
        if how is None:
            continue
        last = effective.possible[-1]
        if (last.path, last.line) in seen:
            continue
        seen.add((last.path, last.line))
        yield Hit(
            line=last.line,
            column=last.column,
            end_line=last.end_line,
            end_column=last.end_column,
            path=last.path,
            fields=fields(how, module),
            severity=floor,
            context=f"{name} in {last.path} for {module.path}",
        )


def _literal(value: dict[str, Any]) -> Any:
    return value.get("literal", _NOT_LITERAL)


_NOT_LITERAL = object()


def _unset(value: dict[str, Any]) -> tuple[bool, Any]:
    """(whether the value is an environment read with a known unset value, that value)."""
    return "env" in value and bool(value.get("known")), value.get("unset")


def _env_how(value: dict[str, Any], what: str) -> str:
    return f"{what} when `{value['env']}` is not set (its default is {value['unset']!r})"


def judge_debug(value: dict[str, Any]) -> str | None:
    """DEBUG is bad when it is true, or true whenever the variable is unset."""
    literal = _literal(value)
    if literal is not _NOT_LITERAL:
        return f"set to {literal!r}" if literal else None
    known, unset = _unset(value)
    if known and unset:
        return _env_how(value, "true")
    return None


def _fields(setting: str) -> Callable[[str, SettingsModule], dict[str, Any]]:
    return lambda how, module: {"setting": setting, "how": how, "module": module.path}


@detector("django.debug-enabled", kind=Kind.PROJECT, params=ContextParams, applies=_uses_django)
def django_debug(project: ProjectModel, params: ContextParams) -> Iterator[Hit]:
    """``DEBUG`` is true, or true unless an environment variable says otherwise, in a settings
    module production loads (development and test settings, and base modules a production
    module overrides, are left out)."""
    yield from _check(project, params, "DEBUG", judge_debug, None, _fields("DEBUG"))


def _judge_hosts(value: dict[str, Any]) -> str | None:
    literal = _literal(value)
    if literal is not _NOT_LITERAL:
        hosts = literal if isinstance(literal, list) else [literal]
        return "contains '*', so any Host header is accepted" if "*" in hosts else None
    known, unset = _unset(value)
    if known and (unset == "*" or (isinstance(unset, list) and "*" in unset)):
        return f"accepts any host ('*') when `{value['env']}` is not set"
    return None


@detector("django.allowed-hosts-wildcard", kind=Kind.PROJECT, params=ContextParams,
          applies=_uses_django)  # fmt: skip
def django_allowed_hosts(project: ProjectModel, params: ContextParams) -> Iterator[Hit]:
    """``ALLOWED_HOSTS`` holds ``*`` (or defaults to it) in the production settings."""
    fields = _fields("ALLOWED_HOSTS")
    yield from _check(project, params, "ALLOWED_HOSTS", _judge_hosts, None, fields)


def _judge_off(value: dict[str, Any]) -> str | None:
    literal = _literal(value)
    if literal is not _NOT_LITERAL and not literal:
        return f"set to {literal!r}"
    return None


@detector("django.insecure-cookies", kind=Kind.PROJECT, params=ContextParams, applies=_uses_django)
def django_insecure_cookies(project: ProjectModel, params: ContextParams) -> Iterator[Hit]:
    """``SESSION_COOKIE_SECURE`` / ``CSRF_COOKIE_SECURE`` missing (Django's default is False)
    or False in the production settings; read from the environment counts as set."""
    for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        missing = "not set (Django's default is False)"
        yield from _check(project, params, name, _judge_off, missing, _fields(name))


@detector("django.no-hsts", kind=Kind.PROJECT, params=ContextParams, applies=_uses_django)
def django_no_hsts(project: ProjectModel, params: ContextParams) -> Iterator[Hit]:
    """``SECURE_HSTS_SECONDS`` missing or 0 in the production settings."""
    missing = "not set (Django's default is 0)"
    yield from _check(
        project, params, "SECURE_HSTS_SECONDS", _judge_off, missing, _fields("SECURE_HSTS_SECONDS")
    )


@detector("django.no-ssl-redirect", kind=Kind.PROJECT, params=ContextParams, applies=_uses_django)
def django_no_ssl_redirect(project: ProjectModel, params: ContextParams) -> Iterator[Hit]:
    """``SECURE_SSL_REDIRECT`` missing or False in the production settings."""
    missing = "not set (Django's default is False)"
    yield from _check(
        project, params, "SECURE_SSL_REDIRECT", _judge_off, missing, _fields("SECURE_SSL_REDIRECT")
    )


SECURITY_MIDDLEWARE = {
    "django.middleware.security.SecurityMiddleware": Severity.MEDIUM,
    "django.middleware.csrf.CsrfViewMiddleware": Severity.HIGH,
}


@detector("django.security-middleware-missing", kind=Kind.PROJECT, params=ContextParams,
          applies=_uses_django)  # fmt: skip
def django_middleware(project: ProjectModel, params: ContextParams) -> Iterator[Hit]:
    """``SecurityMiddleware`` or ``CsrfViewMiddleware`` absent from a literal ``MIDDLEWARE``
    list that no settings module changes afterwards (``+=``, ``insert``)."""
    seen: set[tuple[str, int, str]] = set()
    for graph, module in _modules(project, params):
        for name in ("MIDDLEWARE", "MIDDLEWARE_CLASSES"):
            effective = graph.effective(module, name)
            if effective.unknown or not effective.possible or graph.mutated(module, name):
                continue
            lists = [_literal(a.value) for a in effective.possible]
            if not all(isinstance(v, list) for v in lists):
                continue
            last = effective.possible[-1]
            for middleware, severity in SECURITY_MIDDLEWARE.items():
                key = (last.path, last.line, middleware)
                if any(middleware in v for v in lists) or key in seen:
                    continue
                seen.add(key)
                yield Hit(
                    line=last.line,
                    column=last.column,
                    path=last.path,
                    fields={
                        "middleware": middleware.rsplit(".", 1)[-1],
                        "setting": name,
                        "module": module.path,
                    },
                    severity=params.verdict(module.path)[1] or severity,
                    context=f"{name} {middleware} {last.path}",
                )


def _judge_secret_key(value: dict[str, Any]) -> str | None:
    literal = _literal(value)
    if not isinstance(literal, str) or not literal:
        return None  # computed, from the environment, or empty (Django refuses to start)
    if literal.startswith("django-insecure-"):
        return f"the development key `startproject` generated ({mask(literal)})"
    if is_placeholder(literal):
        return f"a placeholder ({mask(literal)})"
    if looks_like_secret(literal):
        return None  # a real key: secrets.hardcoded (SEC003) reports it as leaked
    return f"too weak to sign sessions ({len(literal)} characters, {mask(literal)})"


@detector("django.weak-secret-key", kind=Kind.PROJECT, params=ContextParams, applies=_uses_django)
def django_weak_secret_key(project: ProjectModel, params: ContextParams) -> Iterator[Hit]:
    """A literal ``SECRET_KEY`` in the production settings that is a placeholder, the
    ``django-insecure-`` key of ``startproject``, or too short and simple to be secret. (A
    strong-looking literal is a hardcoded secret: SEC003 reports it, not this rule.)"""
    yield from _check(project, params, "SECRET_KEY", _judge_secret_key, None, _fields("SECRET_KEY"))
