"""The dependency rules end to end: the vulnerability check's offline, online and unreachable
paths (proving which of them open connections), and the lock/server rules on odd projects."""

from __future__ import annotations

import shutil
import socket
import textwrap
from pathlib import Path
from typing import Any, ClassVar

import pytest

from shipcheck.detectors.deps import vulnerable

from conftest import FIXTURES, run_scan

DB = FIXTURES / "advisories"


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


APP = {
    "requirements.txt": """\
        flask==2.2.2
        gunicorn==22.0.0
        jinja2==3.1.4  # shipcheck: ignore[DEP005] sandbox not used until=2099-01-01
        requests>=2.31
        """,
    "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
}


@pytest.fixture
def no_network(monkeypatch):
    """Every attempt to resolve or connect is recorded and refused."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def _dep005(report) -> list[Any]:
    return [f for f in report.findings if f.rule_id == "DEP005"]


def test_local_database_needs_no_network(tmp_path, no_network):
    root = _project(tmp_path, APP)
    report = run_scan(root, select=["DEP005"], fail_on="never", offline=True)
    (finding,) = _dep005(report)
    assert (finding.path, finding.line, finding.severity.value) == ("requirements.txt", 1, "high")
    assert finding.message == (
        "`flask` 2.2.2 has a known vulnerability, GHSA-m2qf-hxjv-5gpq (CVE-2023-30861): Flask "
        "vulnerable to possible disclosure of permanent session cookie due to missing Vary: "
        "Cookie header; upgrade to 2.2.5 or later"
    )
    assert [f.line for f in report.suppressed] == [3]
    assert report.scores.items["deps.vulnerable"].status == "fail"
    assert not no_network


def test_offline_without_database_is_skipped_not_passed(tmp_path, monkeypatch, no_network):
    monkeypatch.delenv(vulnerable.ENV_DB)
    root = _project(tmp_path, APP)
    report = run_scan(root, select=["DEP005"], fail_on="never", offline=True)
    assert not _dep005(report)
    item = report.scores.items["deps.vulnerable"]
    assert item.status == "not-checked" and item.reason.startswith("DEP005: --offline")
    assert report.scores.areas["deps"].not_checked == 1
    (diagnostic,) = [d for d in report.diagnostics if "deps.vulnerable" in d.reason]
    assert diagnostic.kind == "network"
    assert diagnostic.reason.startswith(
        "deps.vulnerable skipped (DEP005): --offline and no advisory_db"
    )
    assert not no_network


def test_unreachable_service_is_a_diagnostic_not_a_pass(tmp_path, monkeypatch, no_network):
    monkeypatch.delenv(vulnerable.ENV_DB)
    root = _project(tmp_path, APP)
    report = run_scan(root, select=["DEP005"], fail_on="never")
    assert no_network, "the online path tried to connect"
    assert not _dep005(report)
    assert report.scores.items["deps.vulnerable"].status == "not-checked"
    (diagnostic,) = [d for d in report.diagnostics if "deps.vulnerable" in d.reason]
    assert diagnostic.kind == "network"
    assert "could not reach the advisory service (api.osv.dev)" in diagnostic.reason


class _FakeOsv:
    """Stands in for urllib: answers querybatch and vulns requests from fixture records."""

    calls: ClassVar[list[tuple[str, str]]] = []

    def __init__(self, user_agent: str = "") -> None:
        from test_deps_advisories import FakeTransport

        self.inner = FakeTransport()
        self.user_agent = user_agent

    def post_json(self, url: str, payload: Any, timeout: float) -> Any:
        self.calls.append(("POST", url))
        return self.inner.post_json(
            url.replace("https://api.osv.dev", "https://osv.example"), payload, timeout
        )

    def get_json(self, url: str, timeout: float) -> Any:
        self.calls.append(("GET", url))
        return self.inner.get_json(url, timeout)


def test_online_path_uses_the_osv_api(tmp_path, monkeypatch, no_network):
    monkeypatch.delenv(vulnerable.ENV_DB)
    monkeypatch.setattr(vulnerable, "UrllibTransport", _FakeOsv)
    _FakeOsv.calls = []
    root = _project(tmp_path, APP)
    report = run_scan(root, select=["DEP005"], fail_on="never")
    assert [(f.path, f.line) for f in _dep005(report)] == [("requirements.txt", 1)]
    assert ("POST", "https://api.osv.dev/v1/querybatch") in _FakeOsv.calls
    assert ("GET", "https://api.osv.dev/v1/vulns/GHSA-m2qf-hxjv-5gpq") in _FakeOsv.calls
    assert not no_network


def test_advisory_db_param_relative_to_the_project_root(tmp_path, monkeypatch, no_network):
    monkeypatch.delenv(vulnerable.ENV_DB)
    shutil.copytree(DB, tmp_path / "osv")
    root = _project(
        tmp_path,
        {
            **APP,
            ".shipcheck.toml": """\
                select = ["DEP005"]
                fail-on = "never"
                [params.DEP005]
                advisory_db = "osv"
                ignore_vulns = ["CVE-2023-30861"]
                """,
        },
    )
    report = run_scan(root, isolated=False, offline=True)
    assert not _dep005(report)  # the only open advisory is accepted by alias
    assert report.scores.items["deps.vulnerable"].status == "pass"
    assert not [d for d in report.diagnostics if "deps.vulnerable" in d.reason]


def test_broken_database_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv(vulnerable.ENV_DB, str(tmp_path / "nowhere"))
    root = _project(tmp_path / "app", APP)
    report = run_scan(root, select=["DEP005"], fail_on="never")
    assert report.scores.items["deps.vulnerable"].status == "not-checked"
    assert any("does not exist" in d.reason for d in report.diagnostics)


def test_nothing_pinned_means_not_applicable_without_a_lookup(tmp_path, monkeypatch, no_network):
    monkeypatch.delenv(vulnerable.ENV_DB)
    root = _project(tmp_path, {"requirements.txt": "flask>=3\n"})
    report = run_scan(root, select=["DEP005"], fail_on="never")
    assert report.scores.items["deps.vulnerable"].status == "not-applicable"
    assert not report.diagnostics and not no_network


def test_rule_severity_when_advisory_ratings_are_off(tmp_path):
    root = _project(
        tmp_path,
        {
            "requirements.txt": "jinja2==3.1.4\n",
            ".shipcheck.toml": "[params.DEP005]\nadvisory_severity = false\n",
        },
    )
    report = run_scan(root, isolated=False, select=["DEP005"], fail_on="never")
    assert [f.severity.value for f in _dep005(report)] == ["high"]


# --- lock and server rules on odd input ------------------------------------------------------------


ODD = {
    "pyproject.toml": """\
        [project]
        name = "odd"
        dependencies = "flask"
        optional-dependencies = [1, 2]
        [tool.poetry]
        dependencies = ["not", "a", "table"]
        [tool.uv]
        workspace = "yes"
        """,
    "Pipfile": "packages = 3\n[dev-packages]\nx = [1]\n",
    "uv.lock": "version = 1\npackage = 'x'\n",
    "poetry.lock": "[[package]]\nname = 1\nversion = []\n",
    "Pipfile.lock": "[]",
    "pdm.lock": "garbage = \n",
    "requirements.txt": "-r requirements.txt\n-c requirements.txt\n-r ../outside.txt\nflask\n",
    "requirements/base.txt": "-r ../requirements.txt\n",
    "Dockerfile": "FROM tiangolo/uvicorn-gunicorn:python3.11\nRUN pip install 'unclosed\n",
    "app.py": "from flask import Flask\napp = Flask(__name__)\n",
}


def test_odd_manifests_and_locks_never_crash_the_dependency_rules(tmp_path):
    root = _project(tmp_path, ODD)
    report = run_scan(root, select=["DEP"], fail_on="never")
    crashes = [d for d in report.diagnostics if "failed" in d.reason or "internal" in d.reason]
    assert not crashes
    assert [d.path for d in report.diagnostics if d.kind == "parse-error"] == ["pdm.lock"]


def test_git_ignored_lock_does_not_count(tmp_path):
    import subprocess

    root = _project(
        tmp_path,
        {
            ".gitignore": "poetry.lock\n",
            "pyproject.toml": """\
                [tool.poetry]
                name = "svc"
                version = "1.0"
                package-mode = false

                [tool.poetry.dependencies]
                python = "^3.11"
                flask = "^3.0"
                """,
            "poetry.lock": '[[package]]\nname = "flask"\nversion = "3.0.3"\n',
            "Procfile": "web: gunicorn svc:app\n",
        },
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "pyproject.toml", "Procfile"], check=True)
    report = run_scan(root, select=["DEP003"], fail_on="never")
    (finding,) = report.findings
    assert finding.path == "pyproject.toml" and finding.line == 6
    assert "poetry.lock exists but is not committed" in finding.message
    assert "commit a poetry.lock (`poetry lock`)" in finding.message


def test_compose_command_counts_as_a_server(tmp_path):
    root = _project(
        tmp_path,
        {
            "requirements.txt": "django==5.0.7\n",
            "site/wsgi.py": "from django.core.wsgi import get_wsgi_application\n"
            "application = get_wsgi_application()\n",
            "Dockerfile": "FROM python:3.12-slim\nRUN pip install -r requirements.txt\n",
            "compose.yaml": """\
                services:
                  web:
                    build: .
                    command: ["gunicorn", "site.wsgi", "-b", "0.0.0.0:8000"]
                """,
        },
    )
    report = run_scan(root, select=["DEP006"], fail_on="never")
    assert not report.findings
    assert report.scores.items["deps.production-server"].status == "pass"


def test_requirements_in_support_folders_are_dev_files(tmp_path):
    from shipcheck.models.findings import Severity

    from conftest import run_scan

    for name in ("requirements.txt", "tests/requirements/py3.txt", "docs/requirements.txt"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("requests>=2\n")
    report = run_scan(tmp_path, select=["DEP001"], fail_on="never")
    severities = {f.path: f.severity for f in report.findings}
    # Requirement files of tests and docs do not ship: at most info, saying why.
    assert severities == {
        "requirements.txt": Severity.MEDIUM,
        "tests/requirements/py3.txt": Severity.INFO,
        "docs/requirements.txt": Severity.INFO,
    }
    notes = {f.path: f.message for f in report.findings}
    assert notes["docs/requirements.txt"].endswith(
        "(example material, not shipped: in an examples or documentation folder (`docs/`))"
    )


def test_ranges_in_a_published_library_are_info(tmp_path):
    from shipcheck.models.findings import Severity

    from conftest import run_scan

    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "taskqueue"\nversion = "5.4.0"\ndynamic = ["dependencies"]\n'
    )
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "default.txt").write_text("kombu>=5.3.4,<6.0\n")
    library = run_scan(tmp_path, select=["DEP001"], fail_on="never")
    assert [(f.severity, "published library" in f.message) for f in library.findings] == [
        (Severity.INFO, True)
    ]
    # The same library with a Dockerfile is deployed: ranges matter again.
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n")
    deployed = run_scan(tmp_path, select=["DEP001"], fail_on="never")
    assert [f.severity for f in deployed.findings] == [Severity.MEDIUM]


def test_a_library_with_urls_has_no_health_endpoint_finding(tmp_path):
    from conftest import run_scan

    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "django-widgets"\nversion = "1.0"\ndependencies = ["django>=4.2"]\n'
    )
    pkg = tmp_path / "widgets"
    pkg.mkdir()
    (pkg / "urls.py").write_text(
        "from django.urls import path\nfrom . import views\n\n"
        "urlpatterns = [path('widgets/', views.index)]\n"
    )
    (pkg / "views.py").write_text("def index(request):\n    return None\n")
    report = run_scan(tmp_path, select=["PRJ020"], fail_on="never")
    assert report.findings == ()
    assert report.scores.items["ops.health-endpoint"].status == "not-applicable"
