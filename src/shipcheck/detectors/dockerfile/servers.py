"""What a process command starts: a development server, a production server, a Python
script or module. Shared by the Dockerfile, Compose and Procfile rules (server.production).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shipcheck import lazyre
from shipcheck.detectors.dockerfile.shell import SimpleCommand, split_commands

_PYTHON = lazyre.compile(r"^(python|pypy)(\d+(\.\d+)?)?$")
# Interpreter options that take a value (``python -W ignore app.py``).
_PYTHON_VALUE_OPTIONS = frozenset({"-W", "-X", "-Q", "--check-hash-based-pycs"})
# ``flask`` options before its subcommand that take a value.
_FLASK_VALUE_OPTIONS = frozenset({"--app", "-A", "--env-file", "-e"})
_RELOADERS = ("gunicorn", "uvicorn", "hypercorn", "pserve", "granian")
WEB_SERVERS = frozenset(
    {"gunicorn", "uvicorn", "hypercorn", "daphne", "waitress-serve", "waitress", "granian",
     "uwsgi", "bjoern", "pserve", "streamlit", "fastapi", "flask", "django-admin", "gradio",
     "panel", "voila", "datasette", "mlflow", "chainlit", "litestar", "sanic"}
)  # fmt: skip


@dataclass(frozen=True)
class Program:
    """A command as the program it runs: ``python -m uvicorn app:app`` → ``uvicorn``."""

    name: str
    args: list[str]
    script: str | None = None  # ``python app.py`` → ``app.py``
    module: str | None = None  # ``python -m pkg.main`` → ``pkg.main``


def program(command: SimpleCommand) -> Program | None:
    """The program a simple command runs, looking through the Python interpreter."""
    if not command.argv:
        return None
    name = command.name
    if not _PYTHON.match(name):
        return Program(name, command.argv[1:])
    args = command.argv[1:]
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "-m" and index + 1 < len(args):
            module = args[index + 1]
            return Program(module, args[index + 2 :], module=module)
        if arg.startswith("-m") and len(arg) > 2:
            return Program(arg[2:], args[index + 1 :], module=arg[2:])
        if arg == "-c":
            return None
        if arg.startswith("-"):
            index += 2 if arg in _PYTHON_VALUE_OPTIONS else 1
            continue
        return Program(arg.rsplit("/", 1)[-1], args[index + 1 :], script=arg)
    return None


@dataclass(frozen=True)
class DevServer:
    """A development server in a command: what it is, and the word that gives it away."""

    label: str
    token: str


def dev_server(command: SimpleCommand) -> DevServer | None:
    """The development server ``command`` starts, if any."""
    prog = program(command)
    if prog is None:
        return None
    if prog.name == "flask":
        sub = _subcommand(prog.args, _FLASK_VALUE_OPTIONS)
        if sub == "run":
            return DevServer("`flask run` (the Flask development server)", "run")
    if prog.name in ("manage.py", "django-admin", "django-admin.py"):
        sub = _subcommand(prog.args, frozenset({"--settings", "--pythonpath"}))
        if sub in ("runserver", "runserver_plus"):
            return DevServer(f"`{prog.name} {sub}` (the Django development server)", sub)
    if prog.name == "fastapi" and _subcommand(prog.args, frozenset()) == "dev":
        return DevServer("`fastapi dev` (the FastAPI development server)", "dev")
    if prog.name in _RELOADERS:
        for arg in prog.args:
            if arg == "--reload" or arg.startswith("--reload="):
                if arg.lower() in ("--reload=false", "--reload=0"):
                    continue
                return DevServer(f"`{prog.name} --reload` (auto-reload is for development)", arg)
    if prog.name == "http.server":
        return DevServer("`python -m http.server` (a development file server)", "http.server")
    return None


def _subcommand(args: list[str], with_value: frozenset[str]) -> str | None:
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in with_value:
            index += 2
        elif arg.startswith("-"):
            index += 1
        else:
            return arg
    return None


def dev_servers(commands: Iterable[SimpleCommand]) -> list[DevServer]:
    """Development servers in a list of commands."""
    return [found for command in commands if (found := dev_server(command))]


def dev_server_in_text(text: str) -> DevServer | None:
    """The first development server a shell command line starts."""
    found = dev_servers(split_commands(text))
    return found[0] if found else None


def runs_web_server(commands: Iterable[SimpleCommand]) -> bool:
    """Whether the commands start a (development or production) web server."""
    for command in commands:
        prog = program(command)
        if prog is not None and prog.name in WEB_SERVERS:
            return True
        if prog is not None and prog.script is not None and prog.args[:1] == ["runserver"]:
            return True
    return False


def python_targets(commands: Iterable[SimpleCommand]) -> list[Program]:
    """``python script.py`` / ``python -m module`` invocations (not ``-m <known tool>``)."""
    found = []
    for command in commands:
        prog = program(command)
        if prog is None or not _PYTHON.match(command.name):
            continue
        script = prog.script is not None and prog.script.endswith(".py")
        if script or (prog.module is not None and prog.module not in WEB_SERVERS):
            found.append(prog)
    return found
