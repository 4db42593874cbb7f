"""The port a server command listens on (Dockerfile CMD, Compose command, Kubernetes args)."""

from __future__ import annotations

import pytest

from shipcheck.detectors.project.binds import argv_bind, expand


@pytest.mark.parametrize(
    ("argv", "server", "port"),
    [
        (["gunicorn", "--bind", "0.0.0.0:8000", "wsgi:app"], "gunicorn", 8000),
        (["gunicorn", "-b", ":5000", "wsgi:app"], "gunicorn", 5000),
        (["gunicorn", "--bind=[::]:8080", "wsgi:app"], "gunicorn", 8080),
        (["gunicorn", "-b0.0.0.0:7000", "wsgi:app"], "gunicorn", 7000),
        (
            ["python", "-m", "gunicorn", "-w", "4", "-b", "0.0.0.0:8001", "app:app"],
            "gunicorn",
            8001,
        ),
        (["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "9000"], "uvicorn", 9000),
        (["uvicorn", "app.main:app", "--port=9001"], "uvicorn", 9001),
        (["uvicorn", "app.main:app"], "uvicorn", 8000),  # uvicorn's fixed default
        (["hypercorn", "-b", "0.0.0.0:8443", "app:app"], "hypercorn", 8443),
        (["daphne", "-b", "0.0.0.0", "-p", "8002", "proj.asgi:application"], "daphne", 8002),
        (
            ["daphne", "-e", "tcp:port=8003:interface=0.0.0.0", "proj.asgi:application"],
            "daphne",
            8003,
        ),
        (["waitress-serve", "--listen=*:8004", "app:app"], "waitress-serve", 8004),
        (["uwsgi", "--http", ":8005", "--module", "app:app"], "uwsgi", 8005),
        (["python", "manage.py", "runserver", "0.0.0.0:8006"], "runserver", 8006),
        (["python", "manage.py", "runserver"], "runserver", 8000),
        (["flask", "--app", "app", "run", "--port", "5001"], "flask", 5001),
        (
            ["sh", "-c", "python manage.py migrate && exec gunicorn -b 0.0.0.0:8007 site.wsgi"],
            "gunicorn",
            8007,
        ),
        (["/bin/sh", "-c", "exec gunicorn --bind 0.0.0.0:${PORT:-8008} app:app"], "gunicorn", 8008),
        (
            ["tini", "--", "granian", "--interface", "asgi", "--port", "8009", "app:app"],
            "granian",
            8009,
        ),
    ],
)
def test_ports(argv, server, port):
    bind = argv_bind(argv)
    assert bind is not None
    assert (bind.server, bind.port) == (server, port)


@pytest.mark.parametrize(
    "argv",
    [
        ["gunicorn", "wsgi:app"],  # gunicorn reads gunicorn.conf.py and $PORT: unknown
        ["gunicorn", "--bind", "unix:/run/app.sock", "wsgi:app"],
        ["uvicorn", "app:app", "--uds", "/run/app.sock"],
        ["gunicorn", "-b", "0.0.0.0:$PORT", "wsgi:app"],  # $PORT unset
    ],
)
def test_unknown_ports(argv):
    bind = argv_bind(argv)
    assert bind is not None and bind.port is None


@pytest.mark.parametrize(
    "argv",
    [["celery", "-A", "tasks", "worker"], ["python", "-m", "app.jobs.nightly"], []],
)
def test_not_a_server(argv):
    assert argv_bind(argv) is None


def test_environment_resolves_variables():
    bind = argv_bind(["gunicorn", "-b", "0.0.0.0:$PORT", "wsgi:app"], {"PORT": "8100"})
    assert bind is not None and bind.port == 8100
    assert expand("${HOST:-0.0.0.0}:${PORT}", {"PORT": "1"}) == "0.0.0.0:1"
    assert expand("$UNKNOWN", {}) is None


def test_gunicorn_config_file_is_remembered():
    bind = argv_bind(["gunicorn", "-c", "/etc/app/gunicorn.conf.py", "wsgi:app"])
    assert bind is not None and bind.config == "/etc/app/gunicorn.conf.py"
