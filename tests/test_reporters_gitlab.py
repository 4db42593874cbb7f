"""GitLab Code Quality: the fields GitLab reads, valid severities, stable unique fingerprints,
repository-relative paths, no byte-order mark."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from reporting_support import DOCKERFILE_ROOT, copy_example, write
from shipcheck.cli import app
from shipcheck.reporters.gitlab import GitlabReporter

from conftest import run_scan

SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def test_issues_have_what_gitlab_reads(tmp_path):
    project = copy_example(tmp_path / "shop")
    report = run_scan(project)
    issues = json.loads(GitlabReporter().render(report))
    assert isinstance(issues, list) and len(issues) == len(report.findings)
    for issue, finding in zip(issues, report.findings, strict=True):
        assert issue["check_name"] == finding.rule_id
        assert finding.message in issue["description"]
        assert issue["severity"] in SEVERITIES
        assert issue["fingerprint"] == finding.fingerprint
        assert issue["location"]["path"] == finding.path
        assert (project / issue["location"]["path"]).is_file()
        assert issue["location"]["lines"]["begin"] == finding.line >= 1
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    by_rule = {i["check_name"]: i["severity"] for i in issues}
    assert by_rule["DKR001"] == "critical" and by_rule["DEP001"] == "major"


def test_paths_are_relative_to_the_repository(tmp_path):
    (tmp_path / ".git").mkdir()
    project = write(tmp_path / "svc", {"Dockerfile": DOCKERFILE_ROOT, "pyproject.toml": ""})
    (issue,) = json.loads(GitlabReporter().render(run_scan(project, select=["DKR001"])))
    assert issue["location"]["path"] == "svc/Dockerfile"


def test_written_file_has_no_byte_order_mark(tmp_path, monkeypatch):
    write(tmp_path, {"Dockerfile": DOCKERFILE_ROOT})
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "gl-code-quality-report.json"
    result = CliRunner().invoke(
        app, ["scan", ".", "--isolated", "--select", "DKR001", "--format", "gitlab", "-o", str(out)]
    )
    assert result.exit_code == 1, result.output
    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert json.loads(data.decode("utf-8"))[0]["check_name"] == "DKR001"


def test_clean_project_is_an_empty_array(tmp_path):
    write(tmp_path, {"requirements.txt": "flask==3.0.3\n"})
    assert GitlabReporter().render(run_scan(tmp_path, select=["DEP001"])) == "[]\n"
