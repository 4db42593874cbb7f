"""The web application a deployment actually serves, and what answers around it.

A project-level rule that says something is *absent* from the application (no health
route, no metrics, no error handler) first needs to know which application runs. It is the
module the server command names — a Kubernetes container, Compose service or Procfile
process of :mod:`.targets`, or a Dockerfile's own ENTRYPOINT/CMD — resolved by
:mod:`.appcode` with the modules it imports at start-up. When a server command cannot be
resolved to a module of the project, or no server command exists at all, the served
application is *undetermined* and those rules stay silent.

What answers outside the route table is collected here too, from every shipping module (a
Django ``MIDDLEWARE`` entry is a string, not an import the start-up closure would follow):
middleware that answers a health path itself
(:class:`~shipcheck.detectors.python.path_answers.PathAnswer`, with the literal a caller
hands it), ``DispatcherMiddleware`` mounts and the health and metrics packages of Django
settings.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field, replace

from shipcheck import lazyre, roles
from shipcheck.detectors.dockerfile.shell import unwrap
from shipcheck.detectors.project.appcode import AppCode, app_code
from shipcheck.detectors.project.entrypoints import APP_SPEC, AppEntry, script_entry
from shipcheck.detectors.project.routing import is_health_path
from shipcheck.detectors.project.runners import dockerfile_runners
from shipcheck.detectors.project.targets import Target, entry, repo_path, targets
from shipcheck.detectors.python.path_answers import PathAnswer, PathArgument, ServedExtra
from shipcheck.models.facts import WebApp
from shipcheck.project import ProjectModel

_DEV_SERVER_COMMANDS = frozenset({"runserver", "runserver_plus", "run"})
_FROM = lazyre.compile(
    r"(?im)^\s*FROM\s+(?:--platform=\S+\s+)?(?P<image>\S+)(?:\s+AS\s+(?P<alias>\S+))?"
)
# Base images whose own command serves the project's module by a documented convention:
# ``APP_MODULE`` (or ``MODULE_NAME``), else ``app.main:app`` when the
# image has ``/app/app/main.py``, else ``main:app``.
_CONVENTION_IMAGES = (
    "tiangolo/uvicorn-gunicorn-fastapi", "tiangolo/uvicorn-gunicorn-starlette",
    "tiangolo/uvicorn-gunicorn", "tiangolo/meinheld-gunicorn-flask",
    "tiangolo/meinheld-gunicorn", "tiangolo/gunicorn-uvicorn",
)  # fmt: skip


@dataclass
class Served:
    """The applications the project's server commands serve (one per entry module), or why
    they cannot be told (``undetermined``)."""

    apps: list[AppCode] = field(default_factory=list)
    undetermined: str | None = None

    @property
    def known(self) -> bool:
        """At least one served application was resolved, and none was left unresolved."""
        return self.undetermined is None and bool(self.apps)


def _image_targets(project: ProjectModel) -> list[Target]:
    """Each Dockerfile's image run as built, as a deployment target."""
    found = []
    for runner in dockerfile_runners(project):
        found.append(
            Target(
                kind="docker",
                label=runner.label,
                path=runner.path,
                line=runner.line,
                column=1,
                argv=runner.argv,
                text=None,
                env=dict(runner.env),
                scope=runner.scope,
                runner=runner,
                key=("docker", runner.path),
            )
        )
    return found


def _serves_web(project: ProjectModel, app: AppEntry) -> bool:
    """Whether the command starts a web server (not a worker, a migration, a shell)."""
    if app.server or app.program == "fastapi":
        return True
    if app.program in {"flask", "manage.py", "django-admin", "django-admin.py"}:
        return bool(_DEV_SERVER_COMMANDS & set(app.command))
    if app.program == "python":
        # ``python app.py`` whose module creates the app (and calls ``app.run``).
        apps = {f.path for f in project.facts_of(WebApp)}
        script = (app.script or "").lstrip("./")
        return bool(script) and any(p == script or p.endswith("/" + script) for p in apps)
    return False


def _shell_script_entry(project: ProjectModel, target: Target) -> AppEntry | None:
    """A shell-form command that runs one script of the repository (``CMD /start-web``,
    ``sh -c ./bin/serve``): what the script starts (``entrypoints.script_entry``)."""
    if not target.argv or target.argv[:2] not in (["/bin/sh", "-c"], ["sh", "-c"]):
        return None
    commands = unwrap(list(target.argv))
    if len(commands) != 1 or not commands[0].argv:
        return None
    argv = commands[0].argv
    path = repo_path(project, target, argv[0])
    text = project.read_text(path) if path else None
    return script_entry(text, argv[1:]) if text is not None else None


def _spec_entry(project: ProjectModel, target: Target) -> AppEntry | None:
    """A launcher of the project's own that names the application as ``module:attr``
    (``dispatch server start dispatch.main:app``): the module, when it is the one module of
    the command's specs and creates a web application."""
    words = target.argv or (target.text or "").split()
    specs = {m.group("module") for w in words if (m := APP_SPEC.match(w.strip("\"'")))}
    if len(specs) != 1:
        return None
    module = specs.pop()
    tail = "/" + module.replace(".", "/")
    apps = {f.path for f in project.facts_of(WebApp)}
    if not any(p.removesuffix(".py").endswith(tail) or p == module + ".py" for p in apps):
        return None
    return AppEntry("launcher", module=module, command=tuple(words))


def _final_base(text: str) -> str | None:
    """The image the last stage of a Dockerfile is built from, through stage aliases."""
    stages: dict[str, str] = {}
    last = None
    for match in _FROM.finditer(text):
        image = match.group("image")
        last = stages.get(image.lower(), image)
        if match.group("alias"):
            stages[match.group("alias").lower()] = last
    return last


def _convention_entry(project: ProjectModel, target: Target) -> AppEntry | None:
    """The module a base image's own command serves (``tiangolo/uvicorn-gunicorn-fastapi``)
    when neither the Dockerfile nor the orchestrator gives a command."""
    runner = target.runner
    if runner is None or runner.dockerfile is None or target.argv:
        return None
    base = _final_base(project.read_text(runner.dockerfile) or "") or ""
    if not base.split(":", 1)[0].split("@", 1)[0].lower().endswith(_CONVENTION_IMAGES):
        return None
    env = target.env
    module = env.get("APP_MODULE", "").split(":", 1)[0] or env.get("MODULE_NAME")
    if not module:
        scope = target.scope or "."
        nested = posixpath.normpath(posixpath.join(scope, "app/main.py"))
        module = "app.main" if project.exists(nested) else "main"
    return AppEntry("gunicorn", module=module, env=dict(env))


def served(project: ProjectModel) -> Served:
    """The applications served by the project's deployment targets (computed once)."""
    memo = project.memo.get("served_apps")
    if memo is not None:
        return memo  # type: ignore[no-any-return]
    result = Served()
    candidates = [*targets(project), *_image_targets(project)]
    shipping = [t for t in candidates if roles.of(t.path).role.ships]
    seen: set[str] = set()
    for target in shipping or candidates:
        if target.runner is not None and not target.runner.ours:
            continue  # a database or broker image
        app = entry(project, target)
        if app is None and (
            (app := _shell_script_entry(project, target))
            or (app := _spec_entry(project, target))
            or (app := _convention_entry(project, target))
        ):
            # A copy: other rules keep reading the shared target as they always have.
            target = replace(target, extras={"entry": app})
        elif app is None or not _serves_web(project, app):
            continue
        code = app_code(project, target)
        if code is None:
            result.undetermined = f"the application {target.where} serves was not resolved"
            break
        if code.entry_module.path not in seen:
            seen.add(code.entry_module.path)
            result.apps.append(code)
    if result.undetermined is None and not result.apps:
        result.undetermined = "no server command names the application"
    project.memo["served_apps"] = result
    return result


def wrapper_health(project: ProjectModel) -> list[str]:
    """Health paths answered outside the route table: middleware comparing the request path
    with a literal (or with a parameter its caller fills with one), ``DispatcherMiddleware``
    mounts and health-check packages in Django settings. Each as ``path (file:line)``."""
    found: list[str] = []
    by_name: dict[str, list[PathAnswer]] = {}
    for answer in project.facts_of(PathAnswer):
        for url in answer.paths:
            if is_health_path(url):
                found.append(
                    f"`{url}` answered by `{answer.function}` ({answer.path}:{answer.line})"
                )
        if answer.params:
            by_name.setdefault(answer.function, []).append(answer)
    for argument in project.facts_of(PathArgument):
        for answer in by_name.get(argument.callee, []):
            for url in argument.paths:
                found.append(
                    f"`{url}` answered by `{answer.function}` "
                    f"({answer.path}:{answer.line}, given at {argument.path}:{argument.line})"
                )
    for extra in project.facts_of(ServedExtra):
        if extra.kind == "health" or (extra.kind == "mount" and is_health_path(extra.how)):
            found.append(f"{extra.how} ({extra.path}:{extra.line})")
    return found


def extra_metrics(project: ProjectModel) -> list[str]:
    """Metrics set up outside imports and dependencies: a mounted ``/metrics`` app, a
    metrics package in Django settings, Sentry performance tracing."""
    found = []
    for extra in project.facts_of(ServedExtra):
        mounted = extra.kind == "mount" and "metrics" in extra.how.lower()
        if extra.kind == "metrics" or mounted:
            found.append(f"{extra.how} ({extra.path}:{extra.line})")
    return found
