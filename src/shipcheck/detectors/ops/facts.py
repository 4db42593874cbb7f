"""Facts for the observability project rules: web application objects, metrics/APM
libraries and registered error handlers."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck import lazyre
from shipcheck.detectors.python.astutil import calls_of, imports_of, non_production
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import fact_extractor
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.facts import Fact, WebApp

# Calls that create a deployable application object, by resolved name → framework.
APP_FACTORIES = {
    "flask.Flask": "flask",
    "quart.Quart": "quart",
    "fastapi.FastAPI": "fastapi",
    "starlette.applications.Starlette": "starlette",
    "sanic.Sanic": "sanic",
    "falcon.App": "falcon",
    "falcon.API": "falcon",
    "falcon.asgi.App": "falcon",
    "aiohttp.web.Application": "aiohttp",
    "litestar.Litestar": "litestar",
    "bottle.Bottle": "bottle",
    "tornado.web.Application": "tornado",
    "django.core.wsgi.get_wsgi_application": "django",
    "django.core.asgi.get_asgi_application": "django",
}
# Top-level modules of metrics exporters and APM agents (imports and distributions).
METRICS_MODULES = {
    "prometheus_client": "prometheus-client",
    "prometheus_flask_exporter": "prometheus-flask-exporter",
    "django_prometheus": "django-prometheus",
    "starlette_exporter": "starlette-exporter",
    "starlette_prometheus": "starlette-prometheus",
    "prometheus_fastapi_instrumentator": "prometheus-fastapi-instrumentator",
    "aioprometheus": "aioprometheus",
    "opentelemetry": "opentelemetry",
    "ddtrace": "ddtrace",
    "datadog": "datadog",
    "newrelic": "newrelic",
    "elasticapm": "elastic-apm",
    "statsd": "statsd",
    "datadog_api_client": "datadog-api-client",
    "scout_apm": "scout-apm",
    "beeline": "honeycomb-beeline",
    "pyroscope": "pyroscope-io",
    "aws_xray_sdk": "aws-xray-sdk",
    "prometheus_async": "prometheus-async",
}
# Decorators or methods that register an error handler on an app or blueprint.
_HANDLER_METHODS = frozenset({"errorhandler", "app_errorhandler", "register_error_handler",
                              "exception_handler", "add_exception_handler"})  # fmt: skip
# Extensions that install JSON error handling of their own.
_HANDLER_EXTENSIONS = frozenset({"flask_restful", "flask_restx", "flask_smorest", "connexion",
                                 "flask_restplus", "apiflask"})  # fmt: skip


_FACTORY_NAME = lazyre.compile(
    r"^_?(create|make|build|init|setup|get|new)_?(wsgi_|asgi_)?(app|application)$|"
    r"^_?app_?factory$",
    re.IGNORECASE,
)
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


@dataclass(frozen=True, kw_only=True)
class Metrics(Fact):
    """A module imports a metrics exporter or APM agent (``name``: its distribution)."""

    name: str


@dataclass(frozen=True, kw_only=True)
class ErrorHandler(Fact):
    """An error handler is registered, and ``how`` (``errorhandler``,
    ``exception_handlers``, an extension that installs its own...)."""

    how: str


def _app_sites(tree: ast.Module) -> Iterator[ast.AST]:
    """Nodes where an application object is typically created: module-level code and
    application factories (``create_app()``, ``make_app()`` ...). Framework internals that
    build apps deep inside helpers are not applications."""
    index = index_of(tree)
    nodes = index.nodes
    position = 1  # past the module itself
    while position < len(nodes):
        node = nodes[position]
        if isinstance(node, _NESTED):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _FACTORY_NAME.match(
                node.name
            ):
                yield from index.walk(node)
            position = index.skip(node)
            continue
        yield node
        position += 1


@fact_extractor(Kind.PYTHON)
def observability_facts(doc: PythonFile) -> Iterator[Fact]:
    """:class:`WebApp` (an application object is created: ``Flask(__name__)``,
    ``FastAPI()``, ``get_wsgi_application()`` ...), :class:`Metrics` (a metrics exporter or
    APM agent is imported) and :class:`ErrorHandler` (an error handler is registered)
    facts. Tests, examples and documentation are skipped."""
    if doc.in_test_dir or non_production(doc.path):
        return
    imports = imports_of(doc)
    tops = {v.split(".")[0] for v in imports.names.values()}
    for top in sorted(tops & set(METRICS_MODULES)):
        yield Metrics(path=doc.path, line=1, name=METRICS_MODULES[top])
    for top in sorted(tops & _HANDLER_EXTENSIONS):
        yield ErrorHandler(path=doc.path, line=1, how=top)
    apps = sorted(
        (n for n in _app_sites(doc.tree)
         if isinstance(n, ast.Call) and imports.resolve(n.func) in APP_FACTORIES),
        key=lambda n: (n.lineno, n.col_offset),
    )  # fmt: skip
    if apps:
        framework = APP_FACTORIES[imports.resolve(apps[0].func) or ""]
        yield WebApp(path=doc.path, line=apps[0].lineno, framework=framework)
    for node in calls_of(doc):
        if imports.resolve(node.func) in APP_FACTORIES and any(
            k.arg == "exception_handlers" for k in node.keywords
        ):
            yield ErrorHandler(path=doc.path, line=node.lineno, how="exception_handlers")
        if isinstance(node.func, ast.Attribute) and node.func.attr in _HANDLER_METHODS:
            yield ErrorHandler(path=doc.path, line=node.lineno, how=node.func.attr)
