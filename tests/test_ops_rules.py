"""Observability and project-hygiene detectors (OPS001-OPS005, PRJ004)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from shipcheck.detectors.ops import facts, logs, prints
from shipcheck.models.artifacts import Kind
from shipcheck.models.facts import WebApp
from shipcheck.parsers import parse

from conftest import run_scan


def _doc(source: str, path: str = "app/views.py"):
    return parse(path, Kind.PYTHON, textwrap.dedent(source).encode())


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True),
        ("db_password", True),
        ("apiKey", True),
        ("SECRET_KEY", True),
        ("access_token", True),
        ("client_secret", True),
        ("password_reset_token", True),
        ("tokens", False),
        ("tokenizer", False),
        ("password_hash", False),
        ("token_type", False),
        ("token_count", False),
        ("pwd", False),
        ("passenger", False),
    ],
)
def test_secret_name(name, secret):
    assert logs.secret_name(name) is secret


def test_secret_logged_through_structlog_and_getlogger():
    source = """
    import logging

    import structlog

    log = structlog.get_logger()

    def f(password, token):
        logging.getLogger(__name__).info("pw=%s", password)
        log.info("refreshed", token=token)
        log.msg(f"token {token}")
    """
    hits = list(logs.secret_logged(_doc(source), None))
    assert [h.fields["name"] for h in hits] == ["password", "token", "token"]


def test_print_reported_in_any_shipped_module_not_only_web_modules():
    source = """
    from flask import Flask

    def describe(app: Flask) -> None:
        print(app.name)
    """
    hits = list(prints.print_in_app_module(_doc(source, "app/services/describe.py"), None))
    assert [(h.line, h.fields["where"]) for h in hits] == [(5, "application code (`describe()`)")]


@pytest.mark.parametrize(
    "path",
    ["app/tests/test_views.py", "scripts/seed.py", "app/management/commands/load.py",
     "app/migrations/0003_data.py", "docs/conf.py", "app/__main__.py", ".devcontainer/x.py"],
)  # fmt: skip
def test_print_not_reported_outside_the_shipped_application(path):
    assert list(prints.print_in_app_module(_doc('print("x")\n', path), None)) == []


def test_print_in_console_script_module_is_info(tmp_path):
    (tmp_path / "tool").mkdir()
    (tmp_path / "tool" / "__init__.py").write_text("")
    (tmp_path / "tool" / "run.py").write_text('def main():\n    print("hi")\n')
    (tmp_path / "tool" / "other.py").write_text('def main():\n    print("hi")\n')
    (tmp_path / "pyproject.toml").write_text(
        '[tool.poetry]\nname = "tool"\n\n[tool.poetry.scripts]\ntool = "tool.run:main"\n'
    )
    report = run_scan(tmp_path, select=["OPS001"])
    graded = {(f.path, f.severity.value) for f in report.findings}
    assert graded == {("tool/run.py", "info"), ("tool/other.py", "low")}
    note = next(f.message for f in report.findings if f.path == "tool/run.py")
    assert "`tool` console script" in note


def test_print_in_a_function_a_cli_command_calls_is_info(tmp_path):
    (tmp_path / "shop" / "cli").mkdir(parents=True)
    (tmp_path / "shop" / "search.py").write_text(
        'def check():\n    print("3 missing")\n\n\ndef reindex():\n    print("reindexing")\n'
    )
    (tmp_path / "shop" / "cli" / "index.py").write_text(
        "import click\n\nimport shop.search as search\n\n\n@click.command()\n"
        "def index_check():\n    search.check()\n"
    )
    report = run_scan(tmp_path, select=["OPS001"])
    graded = sorted((f.line, f.severity.value) for f in report.findings)
    assert graded == [(2, "info"), (6, "low")]
    assert "called by the command-line module `shop/cli/index.py`" in report.findings[0].message


def test_web_app_fact_only_for_module_level_or_factories():
    internal = """
    from django.core.wsgi import get_wsgi_application

    def get_internal_wsgi_application():
        return get_wsgi_application()
    """
    factory = """
    from flask import Flask

    def create_app():
        app = Flask(__name__)
        return app
    """
    assert list(facts.observability_facts(_doc(internal, "srv/basehttp.py"))) == []
    found = list(facts.observability_facts(_doc(factory, "shop/__init__.py")))
    assert [(type(f), f.framework) for f in found] == [(WebApp, "flask")]


def _gitignore_findings(root: Path) -> list[str]:
    report = run_scan(root, select=["PRJ004"], fail_on="never")
    return [f.message for f in report.findings]


def test_gitignore_missing_in_git_repo(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text("x = 1\n")
    assert _gitignore_findings(tmp_path) == ["The repository has no `.gitignore`"]


def test_gitignore_not_judged_outside_git(tmp_path):
    (tmp_path / "app.py").write_text("x = 1\n")
    assert _gitignore_findings(tmp_path) == []


def test_gitignore_entries(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text("x = 1\n")
    (tmp_path / ".gitignore").write_text("*.log\n__pycache__/\n")
    (messages,) = _gitignore_findings(tmp_path)
    assert "`.env`" in messages and "virtualenvs" in messages and "__pycache__" not in messages
    (tmp_path / ".gitignore").write_text("*.py[cod]\n.env\nvenv\n")
    assert _gitignore_findings(tmp_path) == []


def test_gitignore_of_the_repository_top_covers_a_subproject(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text(".env\n.venv/\n**/__pycache__\n")
    service = tmp_path / "services" / "api"
    service.mkdir(parents=True)
    (service / "main.py").write_text("x = 1\n")
    (service / ".gitignore").write_text("*.sqlite3\n")
    assert _gitignore_findings(service) == []
    (service / ".gitignore").write_text("!.env\n")
    assert "`.env`" in _gitignore_findings(service)[0]


_UNCONFIGURED_APP = """\
import logging

from flask import Flask

app = Flask(__name__)
logger = logging.getLogger(__name__)


@app.get("/")
def index():
    logger.info("index")
    return "ok"
"""


def test_no_logging_config_needs_every_tracked_module_read(tmp_path):
    from reporting_support import init_repo

    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "app.py").write_text(_UNCONFIGURED_APP)
    init_repo(tmp_path)
    report = run_scan(tmp_path, select=["OPS006"], fail_on="never")
    assert [(f.where, "`web/app.py:11`" in f.message) for f in report.findings] == [(".", True)]

    # A committed module that does not parse could hold the configuration: no claim.
    (tmp_path / "web" / "logsetup.py").write_text("def setup(:\n    logging.basicConfig()\n")
    init_repo(tmp_path)
    report = run_scan(tmp_path, select=["OPS006"], fail_on="never")
    assert not report.findings


def test_no_logging_config_not_claimed_for_explicit_files(tmp_path):
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "app.py").write_text(_UNCONFIGURED_APP)
    report = run_scan([tmp_path / "web" / "app.py"], select=["OPS006"], fail_on="never")
    assert not report.findings
