"""The application a process command starts: the module a server serves (``gunicorn
shop.wsgi:application``, ``uvicorn app.main:app``), a Celery app (``celery -A shop``), a
script or module run by Python (``python -m shop``, ``python manage.py …``), a Flask or
FastAPI CLI target, and the Django settings the command names.

Wrappers are looked through: ``sh -c``, ``exec``, ``env``, ``tini``, ``gosu`` (the shell
reader's), tracing launchers (``ddtrace-run``, ``opentelemetry-instrument``,
``newrelic-admin run-program``), and a launcher whose first operand is itself a known
program (``bin/start-nginx gunicorn …``). What the command hands to a script of its own is
followed by :func:`entry_of` callers through the script's text when they can read it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from shipcheck import lazyre
from shipcheck.detectors.dockerfile.servers import program
from shipcheck.detectors.dockerfile.shell import SimpleCommand, split_commands, unwrap

# module:attr (``shop.wsgi:application``, ``app.main:create_app()``)
APP_SPEC = lazyre.compile(
    r"^(?P<module>[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*):(?P<attr>[A-Za-z_][\w.]*(?:\(.*\))?)$"
)
_MODULE = lazyre.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")
ASGI_WSGI_SERVERS = frozenset(
    {"gunicorn", "uvicorn", "hypercorn", "daphne", "granian", "waitress-serve", "waitress"}
)
_TRACERS = frozenset({"ddtrace-run", "opentelemetry-instrument", "scout-apm"})
# Project tools that run a command in the project's environment: ``uv run gunicorn …``.
_RUNNERS = frozenset({"uv", "poetry", "pipenv", "pdm", "hatch", "rye", "pixi"})
_RUNNER_VALUE_OPTIONS = frozenset(
    {"--with", "--python", "-p", "--project", "--directory", "--env-file", "--group", "--extra",
     "--package", "-e"}
)  # fmt: skip
# Options of the servers that take a value (so that the value is not taken for the app).
_VALUE_OPTIONS = frozenset(
    {"-b", "--bind", "-c", "--config", "-w", "--workers", "-k", "--worker-class", "-t",
     "--timeout", "--graceful-timeout", "--threads", "--max-requests", "--chdir",
     "--pythonpath", "--log-level", "--log-config", "--access-logfile", "--error-logfile",
     "--host", "--port", "--uds", "--fd", "--app-dir", "--env-file", "--root-path",
     "--timeout-keep-alive", "--timeout-graceful-shutdown", "--limit-concurrency",
     "--limit-max-requests", "--lifespan", "--loop", "--http", "--ws", "--interface",
     "-p", "-e", "--endpoint", "-u", "--unix-socket", "--listen", "--call", "--user",
     "--group", "-g", "--forwarded-allow-ips", "--keep-alive", "--backlog",
     "--worker-connections", "--max-requests-jitter", "--name", "-n", "--paste",
     "--certfile", "--keyfile", "--ssl-keyfile", "--ssl-certfile", "--log-file",
     "--statsd-host", "--statsd-prefix", "--capture-output", "--limit-request-line",
     "--proxy-headers", "--worker-tmp-dir", "--umask", "--pid", "-D", "--blocking-threads",
     "--runtime-threads", "--workers-lifetime"}
) - {"--capture-output", "--proxy-headers", "-D"}  # fmt: skip


@dataclass(frozen=True)
class AppEntry:
    """What a command runs of the project's code.

    ``program`` is the server or tool (``gunicorn``, ``celery``, ``python``, ``manage.py``);
    ``module`` the dotted module it imports first, ``script`` a file it runs (``manage.py``,
    ``app.py``, a uWSGI ``--wsgi-file``), ``ini`` a uWSGI ini file that names the module;
    ``settings`` the Django settings module the command names (``--settings``,
    ``DJANGO_SETTINGS_MODULE=…``); ``command`` the words of the command, ``env`` the
    variables it sets itself."""

    program: str
    module: str | None = None
    script: str | None = None
    ini: str | None = None
    settings: str | None = None
    config: str | None = None
    command: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)

    @property
    def server(self) -> bool:
        """Whether the program is a Python web server."""
        return self.program in ASGI_WSGI_SERVERS or self.program == "uwsgi"

    @property
    def development_server(self) -> bool:
        """Whether the command runs a development server (see :func:`reloads`)."""
        return reloads(self.command, self.program)


def reloads(words: Sequence[str], program: str | None = None) -> bool:
    """Whether a command runs a development server: Django's ``runserver``, ``flask run`` or
    any server with ``--reload`` (a stack developers run, where nobody deploys)."""
    if "runserver" in words or any(
        word == "--reload" or word.startswith(("--reload=", "--reload-")) for word in words
    ):
        return True
    return program == "flask" and "run" in words


def _positionals(args: list[str]) -> list[str]:
    """Arguments that are neither options nor option values."""
    found = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg.startswith("-"):
            index += 2 if arg in _VALUE_OPTIONS else 1
            continue
        found.append(arg)
        index += 1
    return found


def _option(args: list[str], *names: str) -> str | None:
    """The last value of an option (``-A x``, ``--app=x``, ``-Ax``)."""
    value = None
    for index, arg in enumerate(args):
        for name in names:
            if arg == name and index + 1 < len(args):
                value = args[index + 1]
            elif name.startswith("--") and arg.startswith(name + "="):
                value = arg[len(name) + 1 :]
            elif len(name) == 2 and arg.startswith(name) and len(arg) > 2 and arg[2] != "-":
                value = arg[2:].lstrip("=")
    return value


def _settings(args: list[str], env: dict[str, str]) -> str | None:
    return _option(args, "--settings") or env.get("DJANGO_SETTINGS_MODULE")


def _server_entry(name: str, args: list[str], env: dict[str, str]) -> AppEntry:
    config = _option(args, "-c", "--config")
    specs = [a for a in args if APP_SPEC.match(a)]
    if specs:
        module = APP_SPEC.match(specs[-1]).group("module")  # type: ignore[union-attr]
        return AppEntry(name, module=module, config=config, command=tuple(args), env=env)
    positionals = [p for p in _positionals(args) if _MODULE.match(p)]
    module = positionals[-1] if positionals and name in {"gunicorn", "hypercorn"} else None
    return AppEntry(name, module=module, config=config, command=tuple(args), env=env)


def _uwsgi_entry(args: list[str], env: dict[str, str]) -> AppEntry:
    module = _option(args, "--module", "-w", "--wsgi")
    script = _option(args, "--wsgi-file", "--file")
    ini = _option(args, "--ini")
    if ini is None:
        ini = next((a for a in _positionals(args) if a.endswith(".ini")), None)
    if module is not None:
        module = module.split(":", 1)[0]
    return AppEntry("uwsgi", module=module, script=script, ini=ini, command=tuple(args), env=env)


def _command_entry(command: SimpleCommand, depth: int = 0) -> AppEntry | None:
    prog = program(command)
    if prog is None:
        return None
    env = dict(command.env)
    name, args = prog.name, list(prog.args)
    if name.startswith("gunicorn.") or name.startswith("uvicorn."):
        name = name.split(".", 1)[0]  # python -m gunicorn.app.wsgiapp
    if name in _TRACERS or (
        name == "newrelic-admin" and args[:1] in (["run-program"], ["run-python"])
    ):
        rest = args[1:] if name == "newrelic-admin" else args
        return _command_entry(SimpleCommand(rest, env), depth + 1) if rest and depth < 3 else None
    if name in _RUNNERS and args[:1] == ["run"] and depth < 3:
        rest = args[1:]
        while rest and rest[0].startswith("-"):
            rest = rest[2:] if rest[0] in _RUNNER_VALUE_OPTIONS else rest[1:]
        return _command_entry(SimpleCommand(rest, env), depth + 1) if rest else None
    if name in ASGI_WSGI_SERVERS:
        return _server_entry(name, args, env)
    if name == "uwsgi":
        return _uwsgi_entry(args, env)
    if name == "celery":
        app = _option(args, "-A", "--app")
        module = app.split(":", 1)[0] if app else None
        return AppEntry("celery", module=module, command=tuple(args), env=env)
    if name == "flask":
        app = _option(args, "--app", "-A") or env.get("FLASK_APP")
        module = app.split(":", 1)[0] if app and _MODULE.match(app.split(":", 1)[0]) else None
        return AppEntry("flask", module=module, command=tuple(args), env=env)
    if name in {"manage.py", "django-admin", "django-admin.py"}:
        script = prog.script or (command.argv[0] if name == "manage.py" else None)
        return AppEntry(
            name, script=script, settings=_settings(args, env), command=tuple(args), env=env
        )
    if prog.module is not None:
        return AppEntry("python", module=prog.module, command=tuple(args), env=env)
    if prog.script is not None and prog.script.endswith(".py"):
        return AppEntry("python", script=prog.script, command=tuple(args), env=env)
    if name == "fastapi" and args[:1] == ["run"]:
        target = next(iter(_positionals(args[1:])), None)
        return AppEntry("fastapi", script=target, command=tuple(args), env=env)
    # A launcher of its own whose first operand is a known program: ``bin/start-nginx
    # gunicorn …``, ``with-secrets uvicorn …``.
    if depth < 2 and args and not args[0].startswith("-"):
        inner = _command_entry(SimpleCommand(args, env), depth + 1)
        if inner is not None and inner.program != "python":
            return inner
    return None


def entry_of(argv: list[str] | None) -> AppEntry | None:
    """The application the first command of ``argv`` that runs project code starts."""
    if not argv:
        return None
    for command in unwrap(list(argv)):
        found = _command_entry(command)
        if found is not None:
            return found
    return None


def entry_in_text(text: str) -> AppEntry | None:
    """The same for a shell command line (a Procfile entry, a CI step)."""
    for command in split_commands(text):
        found = _command_entry(command)
        if found is not None:
            return found
    return None


_PASS_ARGUMENTS = lazyre.compile(
    r'(?m)^\s*exec\s+(?:(?:gosu|su-exec|setpriv)\s+\S+\s+|tini\s+--\s+)?"\$(?:@|\{@\})"'
)
_CASE = lazyre.compile(r'(?ms)^\s*case\s+"?\$(?:1|\{1\})"?\s+in\s*$(?P<body>.*?)^\s*esac\b')
_BRANCH = lazyre.compile(r"(?ms)^\s*(?P<labels>[^\n()#]+)\)(?P<body>.*?);;")


def script_passes_arguments(text: str) -> bool:
    """Whether an entrypoint script runs its arguments (``exec "$@"``)."""
    return bool(_PASS_ARGUMENTS.search(text))


def _function(text: str, name: str) -> str | None:
    match = re.search(rf"(?ms)^\s*(?:function\s+)?{re.escape(name)}\s*\(\)\s*\{{(.*?)^\}}", text)
    return match.group(1) if match else None


def _branch(text: str, word: str) -> str | None:
    """The commands a ``case "$1" in`` dispatcher runs for ``word`` (functions it calls
    expanded), or the default branch's."""
    case = _CASE.search(text)
    if case is None:
        return None
    default = None
    for branch in _BRANCH.finditer(case.group("body")):
        labels = [label.strip().strip("\"'") for label in branch.group("labels").split("|")]
        body = branch.group("body")
        if word in labels or (default is None and "*" in labels):
            lines = []
            for line in body.splitlines():
                called = line.strip().split(" ", 1)[0]
                inner = _function(text, called) if called and called.isidentifier() else None
                lines += (inner or line).splitlines()
            joined = "\n".join(lines)
            if word in labels:
                return joined
            default = joined
    return default


def script_entry(text: str, args: list[str]) -> AppEntry | None:
    """The application an entrypoint script starts when run with ``args``: the branch of a
    ``case "$1"`` dispatcher for the first argument, the arguments themselves when the
    script ends with ``exec "$@"``, else the one web server the script starts."""
    body = _branch(text, args[0]) if args else None
    if body is not None:
        if script_passes_arguments(body):
            return entry_of(args)
        entries = [e for line in body.splitlines() if (e := entry_in_text(line)) is not None]
        servers = [e for e in entries if e.server]
        return (servers or entries or [None])[0]
    if script_passes_arguments(text):
        return entry_of(args)
    servers = [
        e for line in text.splitlines() if (e := entry_in_text(line)) is not None and e.server
    ]
    if len({(e.program, e.module) for e in servers}) == 1:
        return servers[0]
    return None


_INI_MODULE = lazyre.compile(r"(?m)^\s*(module|wsgi-file|wsgi|file|chdir)\s*=\s*(\S+)")


def uwsgi_ini(text: str) -> dict[str, str]:
    """``module``, ``wsgi-file`` and ``chdir`` of a uWSGI ini file's ``[uwsgi]`` section."""
    found: dict[str, str] = {}
    section = text.split("[uwsgi]", 1)[-1] if "[uwsgi]" in text else text
    section = re.split(r"(?m)^\[", section, maxsplit=1)[0]
    for match in _INI_MODULE.finditer(section):
        key = "module" if match.group(1) in {"module", "wsgi"} else match.group(1)
        found.setdefault(key, match.group(2).split(":", 1)[0])
    return found
