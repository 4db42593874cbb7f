"""Which TCP port a Python web server command listens on.

Understands gunicorn (``-b/--bind``), uvicorn (``--port``, ``--uds``), hypercorn (``-b``),
daphne (``-p``, ``-e tcp:port=``), waitress-serve (``--port``, ``--listen``), granian
(``--port``), uwsgi (``--http``), ``manage.py runserver [addr:]port``, ``flask run
--port`` and ``fastapi run --port``, behind ``sh -c``, ``exec``, ``python -m`` and other
wrappers. ``$PORT`` and ``${PORT:-8000}`` are resolved from the environment given, else
from their default. A server that only uses its built-in default port reports it only
where the default is fixed (uvicorn 8000, runserver 8000, flask 5000...); gunicorn and
hypercorn also read config files and ``$PORT``, so their silence says nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shipcheck import lazyre
from shipcheck.detectors.dockerfile.servers import program
from shipcheck.detectors.dockerfile.shell import SimpleCommand, unwrap

_VAR = lazyre.compile(r"\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)")
# Servers whose port is fixed when no option sets it (and the env variable they read).
_DEFAULTS: dict[str, tuple[int, str | None]] = {
    "uvicorn": (8000, "UVICORN_PORT"),
    "granian": (8000, "GRANIAN_PORT"),
    "daphne": (8000, None),
    "waitress-serve": (8080, None),
    "runserver": (8000, None),
    "flask": (5000, "FLASK_RUN_PORT"),
    "fastapi": (8000, None),
}


@dataclass(frozen=True)
class Bind:
    """A server's listening address. ``port`` is None for a Unix socket or an unresolved
    variable; ``config`` names a gunicorn config file given with ``-c``."""

    server: str
    port: int | None
    host: str | None = None
    token: str = ""  # the text that sets the port, for locating it
    unix: bool = False
    default: bool = False
    config: str | None = None


def expand(text: str, env: dict[str, str]) -> str | None:
    """``text`` with ``$VAR``/``${VAR:-default}`` replaced; None when a variable is unknown."""
    unknown = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match.group(1) or match.group(3)
        if name in env:
            return env[name]
        if match.group(2) is not None:
            return match.group(2)
        unknown = True
        return match.group(0)

    result = _VAR.sub(replace, text)
    return None if unknown else result


def _port(text: str | None) -> int | None:
    if text is None or not text.strip().isdigit():
        return None
    number = int(text.strip())
    return number if 0 < number < 65536 else None


def parse_address(address: str, server: str, env: dict[str, str]) -> Bind:
    """``0.0.0.0:8000``, ``:8000``, ``[::]:8000``, ``unix:/run/app.sock``, ``$HOST:$PORT``."""
    if address.startswith(("unix:", "fd://")) or address.startswith("/"):
        return Bind(server, None, token=address, unix=True)
    resolved = expand(address, env)
    if resolved is None:
        return Bind(server, None, token=address)
    host, sep, port = resolved.rpartition(":")
    if not sep:
        # gunicorn/hypercorn: a bare host listens on the default port 8000.
        return Bind(
            server,
            _port(resolved) or 8000,
            resolved if not _port(resolved) else None,
            token=address,
        )
    return Bind(server, _port(port), host.strip("[]") or None, token=address)


def _options(args: list[str]) -> list[tuple[str, str | None]]:
    """``--opt value`` / ``--opt=value`` / ``-o value`` pairs, plus positionals as (``""``, arg)."""
    found: list[tuple[str, str | None]] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg.startswith("--") and "=" in arg:
            name, _, value = arg.partition("=")
            found.append((name, value))
        elif arg.startswith("-") and len(arg) > 1:
            value = args[index + 1] if index + 1 < len(args) else None
            if value is not None and not value.startswith("-"):
                found.append((arg, value))
                index += 1
            else:
                found.append((arg, None))
        else:
            found.append(("", arg))
        index += 1
    return found


def _value_option(
    args: list[str], names: tuple[str, ...], env: dict[str, str]
) -> tuple[str, str | None] | None:
    """The last value of an option: (as written, expanded)."""
    found = None
    for name, value in _options(args):
        if name in names and value is not None:
            found = (value, expand(value, env))
        elif name.startswith("-") and len(name) > 2 and not name.startswith("--"):
            # ``-b0.0.0.0:8000`` / ``-p8000``: a short option glued to its value.
            for short in names:
                if len(short) == 2 and name.startswith(short):
                    found = (name[2:], expand(name[2:], env))
    return found


def command_bind(command: SimpleCommand, env: dict[str, str]) -> Bind | None:
    """The bind of one simple command, when it starts a known web server."""
    prog = program(command)
    if prog is None:
        return None
    env = {**env, **command.env}
    name, args = prog.name, prog.args
    if name in {"gunicorn", "hypercorn"}:
        binds = [v for n, v in _options(args) if n in {"-b", "--bind"} and v is not None]
        binds += [n[2:] for n, _ in _options(args) if n.startswith("-b") and len(n) > 2]
        config = _value_option(args, ("-c", "--config"), env)
        if binds:
            tcp = [parse_address(b, name, env) for b in binds]
            return next((b for b in tcp if b.port is not None), tcp[0])
        return Bind(name, None, config=config[1] if config else None, default=True)
    if name == "uwsgi":
        value = _value_option(args, ("--http", "--http-socket"), env)
        return parse_address(value[0], name, env) if value else None
    if name in {"uvicorn", "granian", "fastapi"}:
        if _value_option(args, ("--uds", "--fd"), env):
            return Bind(name, None, unix=True)
        return _port_option(name, args, ("--port",), ("--host",), env)
    if name == "daphne":
        endpoint = _value_option(args, ("-e", "--endpoint"), env)
        if endpoint and endpoint[1]:
            match = re.search(r"(?:^|:)port=(\d+)", endpoint[1])
            return Bind(name, _port(match.group(1)) if match else None, token=endpoint[0])
        if _value_option(args, ("-u", "--unix-socket"), env):
            return Bind(name, None, unix=True)
        return _port_option(name, args, ("-p", "--port"), ("-b", "--bind"), env)
    if name in {"waitress-serve", "waitress"}:
        listen = _value_option(args, ("--listen",), env)
        if listen:
            return parse_address(listen[0], "waitress-serve", env)
        return _port_option("waitress-serve", args, ("--port",), ("--host",), env)
    if name == "flask" and "run" in args:
        return _port_option(name, args, ("-p", "--port"), ("-h", "--host"), env)
    if name in {"manage.py", "django-admin"} and "runserver" in args:
        rest = args[args.index("runserver") + 1 :]
        positional = [v for n, v in _options(rest) if n == "" and v]
        if positional:
            return parse_address(positional[0], "runserver", env)
        return Bind("runserver", 8000, default=True)
    return None


def _port_option(
    name: str,
    args: list[str],
    port_names: tuple[str, ...],
    host_names: tuple[str, ...],
    env: dict[str, str],
) -> Bind:
    host = _value_option(args, host_names, env)
    port = _value_option(args, port_names, env)
    if port is not None:
        return Bind(name, _port(port[1]), host[1] if host else None, token=port[0])
    default, variable = _DEFAULTS.get(name, (None, None))
    if variable and variable in env:
        return Bind(name, _port(env[variable]), host[1] if host else None, token=variable)
    return Bind(name, default, host[1] if host else None, default=True)


def argv_bind(argv: list[str], env: dict[str, str] | None = None) -> Bind | None:
    """The web server bind of an argument list (exec form, or ``sh -c "..."``)."""
    for command in unwrap(list(argv)):
        found = command_bind(command, env or {})
        if found is not None:
            return found
    return None
