"""Project-level observability: metrics and error handlers of web applications."""

from __future__ import annotations

from collections.abc import Iterator

from shipcheck.detectors.ops.facts import METRICS_MODULES, ErrorHandler, Metrics
from shipcheck.detectors.project.served import extra_metrics, served
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind
from shipcheck.models.facts import Dependency, WebApp
from shipcheck.models.findings import Hit
from shipcheck.project import ProjectModel

_METRICS_DISTRIBUTIONS = frozenset(METRICS_MODULES.values()) | {
    "opentelemetry-api", "opentelemetry-sdk", "opentelemetry-distro",
    "opentelemetry-instrumentation", "opentelemetry-exporter-prometheus",
    "opentelemetry-exporter-otlp", "django-prometheus", "gunicorn-prometheus",
    "py-grpc-prometheus", "sentry-sdk-metrics",
}  # fmt: skip
# Scrape configuration in manifests means something exports metrics.
_SCRAPE_HINTS = ("prometheus.io/scrape", "kind: ServiceMonitor", "kind: PodMonitor")
_HANDLER_FRAMEWORKS = frozenset({"flask", "quart", "fastapi", "starlette"})


def _apps(project: ProjectModel) -> list[WebApp]:
    return sorted(project.facts_of(WebApp), key=lambda f: (f.path, f.line))


def _has_app(project: ProjectModel) -> bool:
    return project.complete and bool(_apps(project))


def _uses_metrics(project: ProjectModel) -> bool:
    if project.facts_of(Metrics):
        return True
    names = {f.name for f in project.facts_of(Dependency)}
    if any(n in _METRICS_DISTRIBUTIONS or n.startswith("opentelemetry-") for n in names):
        return True
    for path in project.paths_of(Kind.KUBERNETES, Kind.COMPOSE):
        text = project.read_text(path) or ""
        if any(hint in text for hint in _SCRAPE_HINTS):
            return True
    for path in project.paths_of(Kind.DOCKERFILE, Kind.PROCFILE):
        text = project.read_text(path) or ""
        if "ddtrace-run" in text or "newrelic-admin" in text or "opentelemetry-instrument" in text:
            return True
    if extra_metrics(project):
        return True
    # gunicorn's own StatsD metrics (``--statsd-host``, ``statsd_host`` in its config).
    for code in served(project).apps:
        if any(word.startswith("--statsd-host") for word in code.entry.command):
            return True
    return any(
        "statsd_host" in (project.read_text(path) or "")
        for path in project.paths_of(Kind.PYTHON)
        if "gunicorn" in path.rsplit("/", 1)[-1]
    )


@detector("ops.no-metrics", kind=Kind.PROJECT, applies=_has_app)
def no_metrics(project: ProjectModel, params: None) -> Iterator[Hit]:
    """A web application (an app object is created in non-test code) with no metrics
    exporter or APM agent: nothing imports or depends on prometheus_client, a framework
    Prometheus exporter, OpenTelemetry, Datadog/ddtrace, New Relic, Elastic APM or statsd,
    no manifest asks Prometheus to scrape it, and no process is wrapped by an agent
    launcher (``ddtrace-run``, ``newrelic-admin``, ``opentelemetry-instrument``); no
    ``/metrics`` app is mounted, no metrics package is in Django settings, Sentry
    performance tracing is off and gunicorn sends no StatsD metrics. Only when a server
    command names the application that runs."""
    if not _has_app(project) or _uses_metrics(project):
        return
    if not served(project).known:
        return
    app = _apps(project)[0]
    yield Hit(
        path=app.path,
        line=app.line,
        fields={"framework": app.framework},
        context="no-metrics",
    )


def _has_handler_app(project: ProjectModel) -> bool:
    return project.complete and any(
        f.framework in _HANDLER_FRAMEWORKS for f in project.facts_of(WebApp)
    )


@detector("ops.no-error-handler", kind=Kind.PROJECT, applies=_has_handler_app)
def no_error_handler(project: ProjectModel, params: None) -> Iterator[Hit]:
    """A Flask, Quart, FastAPI or Starlette application with no error handler anywhere in
    non-test code: no ``errorhandler``/``app_errorhandler``/``register_error_handler``,
    ``exception_handler``/``add_exception_handler`` or ``exception_handlers=`` and no
    REST extension that installs its own (Flask-RESTful, Flask-RESTX, flask-smorest,
    APIFlask, Connexion), no middleware that catches the application's errors and answers
    itself, no Starlette ``ServerErrorMiddleware(handler=…)``. Django apps are not judged:
    their 500 page is generic when DEBUG is off. Only when a server command names the
    application that runs. Error reporters (Sentry, Rollbar, Bugsnag) are not handlers:
    they report the error but leave the framework's default response."""
    if not _has_handler_app(project) or project.facts_of(ErrorHandler):
        return
    if not served(project).known:
        return
    app = next(f for f in _apps(project) if f.framework in _HANDLER_FRAMEWORKS)
    yield Hit(
        path=app.path,
        line=app.line,
        fields={"framework": app.framework},
        context="no-error-handler",
    )
