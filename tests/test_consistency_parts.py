"""The parts the cross-artifact consistency rules (PRJ012-PRJ016) are built from: which
environment reads a module needs at start-up, which application a command starts, which
Python versions a specifier admits and CI tests, and the quantities of limits."""

from __future__ import annotations

import textwrap

import pytest

from shipcheck.detectors.common import minor
from shipcheck.detectors.compose.runtime_settings import compose_bytes, compose_seconds
from shipcheck.detectors.kubernetes.container_settings import cpu_cores, memory_bytes
from shipcheck.detectors.project.deploy_migrations import MIGRATES
from shipcheck.detectors.project.entrypoints import entry_in_text, entry_of
from shipcheck.detectors.project.python_version import _allows
from shipcheck.detectors.python.env_reads import module_env_facts
from shipcheck.models.artifacts import Kind
from shipcheck.parsers import parse


def _reads(source: str, path: str = "shop/settings.py") -> dict[str, tuple[bool, bool]]:
    """var -> (required, startup) for each read of ``source``."""
    doc = parse(path, Kind.PYTHON, textwrap.dedent(source).encode())
    facts = list(module_env_facts(doc))
    return {r.var: (r.required, r.startup) for f in facts for r in f.reads}


def test_os_environ_reads_required_only_without_default_and_at_import():
    reads = _reads(
        """
        import os

        TOKEN = os.environ["TOKEN"]
        DEBUG = os.environ.get("DEBUG", "0")
        HOST = os.getenv("HOST")
        if os.environ.get("CDN"):
            CDN = os.environ["CDN_HOST"]

        def refund():
            return os.environ["REFUND_ACCOUNT"]
        """
    )
    assert reads["TOKEN"] == (True, True)
    assert reads["DEBUG"][0] is False
    assert reads["HOST"][0] is False
    assert reads["CDN_HOST"] == (True, False)  # under a condition: not a start-up need
    assert reads["REFUND_ACCOUNT"] == (True, False)  # in a function


def test_decouple_and_django_environ_defaults():
    reads = _reads(
        """
        import environ
        from decouple import config

        env = environ.Env()
        SECRET_KEY = config("SECRET_KEY")
        DEBUG = config("DEBUG", default=False, cast=bool)
        DATABASE_URL = env.db("DATABASE_URL")
        CACHE_URL = env("CACHE_URL", default="locmem://")
        """
    )
    assert reads["SECRET_KEY"] == (True, True)
    assert reads["DEBUG"][0] is False
    assert reads["DATABASE_URL"] == (True, True)
    assert reads["CACHE_URL"][0] is False


def test_pydantic_settings_fields_required_without_default():
    reads = _reads(
        """
        from pydantic import Field
        from pydantic_settings import BaseSettings

        class Settings(BaseSettings):
            database_url: str
            api_key: str = Field(..., alias="SERVICE_API_KEY")
            debug: bool = False
            sentry_dsn: str | None
            timeout: int = Field(default=10)

        settings = Settings()
        """,
        path="app/config.py",
    )
    assert reads["database_url"][0] is True
    assert reads["SERVICE_API_KEY"][0] is True
    assert "debug" not in reads or reads["debug"][0] is False
    assert "sentry_dsn" not in reads or reads["sentry_dsn"][0] is False  # Optional
    assert "timeout" not in reads or reads["timeout"][0] is False


@pytest.mark.parametrize(
    ("argv", "program", "module"),
    [
        (["gunicorn", "-b", "0.0.0.0:8000", "-w", "4", "shop.wsgi:application"], "gunicorn", "shop.wsgi"),
        (["uvicorn", "app.main:app", "--host", "0.0.0.0"], "uvicorn", "app.main"),
        (["ddtrace-run", "gunicorn", "shop.wsgi"], "gunicorn", "shop.wsgi"),
        (["uv", "run", "--frozen", "gunicorn", "shop.wsgi:application"], "gunicorn", "shop.wsgi"),
        (["python", "-m", "gunicorn.app.wsgiapp", "-c", "conf.py", "shop.wsgi:app"], "gunicorn", "shop.wsgi"),
        (["celery", "-A", "shop", "worker"], "celery", "shop"),
        (["/bin/sh", "-c", "exec gunicorn shop.wsgi"], "gunicorn", "shop.wsgi"),
    ],
)  # fmt: skip
def test_entry_of_commands(argv, program, module):
    found = entry_of(argv)
    assert found is not None
    assert (found.program, found.module) == (program, module)


def test_unknown_commands_have_no_entry():
    assert entry_of(["/app/bin/run-tools", "--forever"]) is None
    assert entry_of(None) is None
    assert entry_in_text("nginx -g 'daemon off;'") is None


def test_manage_py_entry_keeps_the_settings_module():
    found = entry_in_text("DJANGO_SETTINGS_MODULE=shop.prod python manage.py runserver")
    assert found is not None and found.program == "manage.py"
    assert found.settings == "shop.prod"


@pytest.mark.parametrize(
    ("spec", "version", "patch", "expected"),
    [
        (">=3.11", "3.10", None, False),
        (">=3.11", "3.12", None, True),
        (">=3.10,<3.13", "3.13", None, False),
        ("==3.12.*", "3.12", "3.12.4", True),
        ("~=3.11.2", "3.11", None, True),  # some 3.11 patch release is admitted
        ("~=3.11.2", "3.11", "3.11.1", False),
        ("not a specifier", "3.12", None, None),
    ],
)
def test_requires_python_admits(spec, version, patch, expected):
    assert _allows(spec, version, patch) is expected


def test_minor_versions_from_ci_spellings():
    assert minor("3.12") == "3.12"
    assert minor("3.11.4") == "3.11"
    assert minor("pypy3.10") is None
    assert minor("3.13-dev") == "3.13"
    assert minor("${{ matrix.python }}") is None


def test_quantities():
    assert cpu_cores("500m") == 0.5
    assert cpu_cores("2") == 2
    assert memory_bytes("512Mi") == 512 * 2**20
    assert memory_bytes("1G") == 10**9
    assert compose_bytes("256M") == 256 * 2**20  # Compose's units are binary
    assert compose_seconds("1m30s") == 90
    assert cpu_cores("lots") is None


@pytest.mark.parametrize(
    ("step", "migrates"),
    [
        ("python manage.py migrate --noinput", True),
        ("alembic upgrade head", True),
        ("flask db upgrade", True),
        ("./bin/run-migrations.sh", True),
        ("gunicorn shop.wsgi", False),
        ("python manage.py showmigrations", False),
        ("alembic history", False),
    ],
)
def test_steps_that_migrate(step, migrates):
    assert bool(MIGRATES.search(step)) is migrates


def test_json_report_lists_the_environment_the_shipped_code_reads():
    import json

    from shipcheck.reporters.json import JsonReporter

    from conftest import FIXTURES, run_scan

    project = FIXTURES / "rules" / "PRJ012" / "project-kubernetes"
    report = run_scan(project, fail_on="never")
    data = json.loads(JsonReporter().render(report))
    by_name = {v["name"]: v for v in data["environment"]}
    assert by_name["DJANGO_SECRET_KEY"]["required"] is True
    assert by_name["DJANGO_SECRET_KEY"]["reads"][0]["path"] == "shop/settings.py"
    assert by_name["DJANGO_SECRET_KEY"]["reads"][0]["line"] == 9
    assert by_name["DJANGO_DEBUG"]["required"] is False  # it has a default
    # Read inside a function, not at start-up: listed, not required.
    assert by_name["PAYMENTS_REFUND_ACCOUNT"]["required"] is False
    assert by_name["PAYMENTS_REFUND_ACCOUNT"]["reads"][0]["startup"] is False
    given = run_scan([project / "shop" / "settings.py"], fail_on="never")
    assert given.environment == ()  # a part of the project would list a part of it


def test_pydantic_settings_fields_are_listed_in_their_conventional_case():
    from shipcheck.detectors.python.env_reads import EnvVarRead, ModuleEnv, environment_list

    def module(path, *reads):
        return ModuleEnv(path=path, line=1, module="m", package=False, imports=(), reads=reads,
                         sets=(), settings_module=None, dotenv=None)  # fmt: skip

    field = EnvVarRead(var="database_url", line=3, column=5, required=True, startup=True,
                       how="pydantic-settings field", exact=False)  # fmt: skip
    plain = EnvVarRead(var="DATABASE_URL", line=8, column=1, required=False, startup=False,
                       how="os.environ.get")  # fmt: skip
    listed = environment_list(
        [module("app/config.py", field), module("app/db.py", plain), module("tests/x.py", plain)],
        ships=lambda path: not path.startswith("tests/"),
    )
    assert [v["name"] for v in listed] == ["DATABASE_URL"]
    assert listed[0]["required"] is True
    assert [r["path"] for r in listed[0]["reads"]] == ["app/config.py", "app/db.py"]


@pytest.mark.parametrize(
    ("words", "program", "expected"),
    [
        (("python", "manage.py", "runserver", "0.0.0.0:8000"), "manage.py", True),
        (("gunicorn", "--reload", "app:app"), "gunicorn", True),
        (("uvicorn", "app:app", "--reload-dir", "src"), "uvicorn", True),
        (("flask", "run", "--host", "0.0.0.0"), "flask", True),
        (("gunicorn", "-w", "4", "app:app"), "gunicorn", False),
        (("celery", "-A", "shop", "worker"), "celery", False),
        (("python", "run.py"), "python", False),  # `run` is flask's word only
    ],
)
def test_one_answer_for_what_a_development_server_is(words, program, expected):
    from shipcheck.detectors.project.entrypoints import reloads

    assert reloads(words, program) is expected
