"""A web application needs a production WSGI/ASGI server among what it installs."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from shipcheck import lazyre
from shipcheck.detectors.deps.common import (
    BRINGS_SERVER,
    NEEDS_SERVER,
    SERVER_EXTRAS,
    SERVERLESS,
    SERVERS,
    command_servers,
    directory,
    within,
)
from shipcheck.detectors.deps.facts import InstalledServer
from shipcheck.detectors.deps.shape import Shape, ignored
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind
from shipcheck.models.facts import ComposeBuild, Dependency, WebApp
from shipcheck.models.findings import Hit
from shipcheck.project import ProjectModel

_TITLES = {
    "flask": "Flask",
    "django": "Django",
    "fastapi": "FastAPI",
    "starlette": "Starlette",
    "falcon": "Falcon",
    "pyramid": "Pyramid",
    "bottle": "Bottle",
    "litestar": "Litestar",
}
_GAE_RUNTIME = lazyre.compile(r"^\s*runtime\s*:\s*python", re.MULTILINE)


def _web_apps(shape: Shape) -> dict[str, dict[str, Dependency | None]]:
    """Folder with runtime manifests → framework → its declaration (None: only in code)."""
    apps: dict[str, dict[str, Dependency | None]] = {}
    folders = shape.by_dir()
    for fact in shape.dependencies:
        name = fact.name
        manifest = shape.manifests.get(fact.path)
        if name not in NEEDS_SERVER or fact.dev or manifest is None:
            continue
        if manifest.fact.dev or manifest.fact.constraints_file:
            continue
        if manifest.dir not in folders:
            continue
        apps.setdefault(manifest.dir, {}).setdefault(name, fact)
    for app in shape.project.facts_of(WebApp):
        framework = app.framework
        if framework not in NEEDS_SERVER or ignored(app.path):
            continue
        folder = shape.nearest_dir(app.path)
        if folder is not None:
            apps.setdefault(folder, {}).setdefault(framework, None)
    result = {}
    for folder, frameworks in apps.items():
        declared_only = all(v is not None for v in frameworks.values())
        if shape.is_library(folder) and not shape.deploy_signals(folder):
            continue
        if declared_only and not shape.is_application(folder):
            continue
        result[folder] = frameworks
    return result


def _related(folder: str, other: str) -> bool:
    return within(folder, other) or within(other, folder)


def _server_in_dependency(fact: Dependency) -> str | None:
    name = fact.name
    if name in SERVERS or name in SERVERLESS:
        return name
    if name in BRINGS_SERVER:
        return BRINGS_SERVER[name]
    for extra in fact.extras:
        server = SERVER_EXTRAS.get((name, str(extra)))
        if server:
            return server
    return None


def _platform(project: ProjectModel) -> str | None:
    """A hosting platform that brings its own server (App Engine, Elastic Beanstalk, Lambda,
    Vercel, Azure Functions)."""
    for path in sorted(project.files):
        name = posixpath.basename(path).lower()
        if name in {"zappa_settings.json", "serverless.yml", "serverless.yaml", "vercel.json"}:
            return path
        if name in {"app.yaml", "app.yml"} and _GAE_RUNTIME.search(project.read_text(path) or ""):
            return path
        if name == "host.json" and project.exists(
            posixpath.join(posixpath.dirname(path), "function_app.py")
        ):
            return path
    if project.exists(".ebextensions") or project.exists(".elasticbeanstalk"):
        return ".ebextensions"
    return None


def servers_for(shape: Shape, folder: str) -> tuple[list[str], list[str]]:
    """(production servers available to ``folder``, servers only in development groups)."""
    found: list[str] = []
    dev_only: list[str] = []
    for fact in shape.dependencies:
        server = _server_in_dependency(fact)
        manifest = shape.manifests.get(fact.path)
        if server is None or manifest is None or not _related(folder, manifest.dir):
            continue
        if manifest.fact.constraints_file:
            continue
        target = dev_only if (fact.dev or manifest.fact.dev) else found
        target.append(server)
    for path, packages in shape.locked.items():
        if not _related(folder, posixpath.dirname(path)):
            continue
        for package in packages:
            name = package.name
            if (name in SERVERS or name in SERVERLESS) and not package.dev:
                found.append(name)
    project = shape.project
    found += [f.name for f in project.facts_of(InstalledServer) if not ignored(f.path)]
    for build in project.facts_of(ComposeBuild):
        if ignored(build.path):
            continue
        command = build.command
        text = " ".join(command) if isinstance(command, tuple) else str(command or "")
        found += command_servers(text)
    platform = _platform(project)
    if platform:
        found.append(f"platform:{platform}")
    return sorted(set(found)), sorted(set(dev_only) - set(found))


def _applies(project: ProjectModel) -> bool:
    return project.complete and bool(_web_apps(Shape.of(project)))


@detector("deps.no-production-server", kind=Kind.PROJECT, applies=_applies)
def no_production_server(project: ProjectModel, params: None) -> Iterator[Hit]:
    """A web application (Flask, Django, FastAPI, Starlette, Falcon, Pyramid, Bottle,
    Litestar: a declared runtime dependency of an application, or an application object
    created in code) whose dependencies, lock files and Dockerfiles install no production
    server — gunicorn, uvicorn (also through ``fastapi[standard]``), uWSGI, Hypercorn,
    Waitress, Daphne, Granian, mod_wsgi, bjoern, meinheld, gevent, eventlet, CherryPy — and
    that is not deployed to a platform that brings one (App Engine, Elastic Beanstalk,
    Lambda adapters such as Mangum or Zappa, Vercel, Azure Functions)."""
    shape = Shape.of(project)
    for folder, frameworks in sorted(_web_apps(shape).items()):
        servers, dev_only = servers_for(shape, folder)
        if servers:
            continue
        manifests = shape.by_dir().get(folder, [])
        if not manifests:
            continue
        declared = [f for f in frameworks.values() if f is not None]
        anchor_fact = min(
            declared,
            key=lambda f: (shape.manifests[f.path].sort_key, f.line),
            default=None,
        )
        framework = anchor_fact.name if anchor_fact else sorted(frameworks)[0]
        path = anchor_fact.path if anchor_fact else manifests[0].path
        line = anchor_fact.line if anchor_fact else manifests[0].line
        detail = ""
        if dev_only:
            detail = f"; {', '.join(f'`{s}`' for s in dev_only)} is only a development dependency"
        yield Hit(
            path=path,
            line=line,
            fields={
                "framework": _TITLES.get(framework, framework),
                "files": ", ".join(m.path for m in manifests[:3]),
                "server": NEEDS_SERVER.get(framework, "gunicorn"),
                "detail": detail,
            },
            context=f"no-production-server:{directory(path)}:{framework}",
        )
