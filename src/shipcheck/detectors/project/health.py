"""Whether a web application exposes a health or readiness route."""

from __future__ import annotations

from collections.abc import Iterator

from shipcheck.detectors.deps.shape import Shape
from shipcheck.detectors.project.routing import is_health_path, route_table
from shipcheck.detectors.project.runners import framework_label
from shipcheck.detectors.project.served import served, wrapper_health
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind
from shipcheck.models.facts import PyRoutes
from shipcheck.models.findings import Hit
from shipcheck.project import ProjectModel


def _has_web_app(project: ProjectModel) -> bool:
    if not project.complete:
        return False
    # A published framework or library (Django's own contrib apps) deploys no web app.
    shape = Shape.of(project)
    if shape.is_library("") and not shape.is_application(""):
        return False
    return any(
        any(o["kind"] == "app" for o in f.owners) or f.django for f in project.facts_of(PyRoutes)
    )


@detector("project.no-health-endpoint", kind=Kind.PROJECT, applies=_has_web_app)
def no_health_endpoint(project: ProjectModel, params: None) -> Iterator[Hit]:
    """A Flask, FastAPI, Starlette or Django app none of whose routes is a health, readiness
    or liveness check (``/health``, ``/healthz``, ``/readyz``, ``/ping``, ``/status``...).
    Only when a server command names the application that runs (a Dockerfile, Compose,
    Kubernetes or Procfile command resolved to a module of the project), every route
    registration was resolved statically, no health-check package (django-health-check,
    flask-healthz...) is in use or included, and no middleware around the application
    answers a health path itself (``if scope["path"] == "/healthz"``,
    ``DispatcherMiddleware``)."""
    table = route_table(project.facts_of(PyRoutes))
    if not table.complete or table.health_packages or table.health_routes():
        return
    # ``include("health_check.urls")``, ``Mount("/healthz", app=probe_app)``
    if any(is_health_path(o.regex) or "health" in o.what.lower() for o in table.opaque):
        return
    if not served(project).known or wrapper_health(project):
        return
    app = table.apps[0]
    yield Hit(
        path=app.path,
        line=app.line,
        column=app.column,
        end_column=app.end_column,
        fields={
            "framework": framework_label(table.frameworks),
            "routes": len(table.routes),
            "table": table.describe(),
        },
        context=f"no-health {app.path}",
    )
