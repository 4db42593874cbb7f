"""Regression tests for the project model (issue 10): each case was a wrong answer on the
repositories it describes before the model was shared by every rule."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from shipcheck import git as git_mod
from shipcheck.models.artifacts import Artifact, Kind
from shipcheck.parsers.requirements import parse as parse_requirements
from shipcheck.parsers.yamlfiles import parse as parse_yaml
from shipcheck.text import char_column, split_lines

from conftest import run_scan

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
SECRET = "DATABASE_PASSWORD=k8Qz2vXr9LmT4wPa7nYc\n"


def _git(cwd, *args):
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd, check=True, capture_output=True,
    )  # fmt: skip


def test_a_comment_ending_in_a_backslash_continues_nothing():
    """pip never continues a comment: `# deps \\` must not swallow `flask`."""
    doc = parse_requirements("requirements.txt", b"# runtime deps \\\nflask>=3\nrequests\n")
    assert [(r.name, r.line) for r in doc.requirements] == [("flask", 2), ("requests", 3)]


def test_a_continued_requirement_ends_at_a_comment_line():
    doc = parse_requirements("requirements.txt", b"gunicorn \\\n# a comment\nflask\n")
    assert [r.name for r in doc.requirements] == ["gunicorn", "flask"]


@needs_git
@pytest.mark.parametrize("git_available", [True, False], ids=["git", "no-git"])
def test_the_repository_top_gitignore_applies_to_a_subfolder_project(
    tmp_path, monkeypatch, git_available
):
    (tmp_path / ".gitignore").write_text(".env\n")
    service = tmp_path / "services" / "api"
    service.mkdir(parents=True)
    (service / "pyproject.toml").write_text('[project]\nname = "api"\nversion = "1"\n')
    (service / ".env").write_text(SECRET)
    (service / "app.py").write_text("import os\n")
    _git(tmp_path, "init", "-q", ".")
    if not git_available:
        monkeypatch.setattr(git_mod.shutil, "which", lambda name: None)
    report = run_scan(service, select=["SEC001", "SEC020"], fail_on="never")
    assert report.findings == ()


def test_a_compose_build_context_brings_the_env_file_into_the_image(tmp_path):
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text(
        'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nUSER 1000\nCMD ["python", "app.py"]\n'
    )
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile\n"
    )
    (tmp_path / ".env").write_text(SECRET)
    (tmp_path / "app.py").write_text("print('ok')\n")
    report = run_scan(tmp_path, select=["SEC021", "DKR040"], fail_on="never")
    found = {(f.rule_id, f.path, f.line) for f in report.findings}
    assert ("SEC021", "docker/Dockerfile", 3) in found
    [leak] = [f for f in report.findings if f.rule_id == "SEC021"]
    assert "`.env`" in leak.message and "Compose service `web`" in leak.message
    # Excluded by the context's .dockerignore, it no longer leaks.
    (tmp_path / ".dockerignore").write_text(".env\n.git\n")
    report = run_scan(tmp_path, select=["SEC021"], fail_on="never")
    assert report.findings == ()


def test_a_ci_docker_build_context_counts_too(tmp_path):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "release.yml").write_text(
        "on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: |\n          docker build \\\n            -f deploy/Dockerfile \\\n"
        "            --target runtime .\n"
    )
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "Dockerfile").write_text(
        "FROM python:3.12-slim AS runtime\nCOPY . /app\nUSER 1000\n"
    )
    (tmp_path / ".env").write_text(SECRET)
    report = run_scan(tmp_path, select=["SEC021"], fail_on="never")
    [leak] = report.findings
    assert "CI job `image`" in leak.message


def test_columns_count_code_points(tmp_path):
    (tmp_path / "client.py").write_text(
        'import requests\n\nGREETING = "ééééé"; r = requests.get("https://example.com")\n',
        encoding="utf-8",
    )
    report = run_scan(tmp_path, select=["PY003"], fail_on="never")
    [finding] = report.findings
    line = (tmp_path / "client.py").read_text(encoding="utf-8").splitlines()[2]
    assert finding.column == line.index("requests.get") + 1 == 25  # not 30: UTF-8 bytes
    assert finding.end_column <= len(line) + 1
    assert char_column("ééééé x", 11) == 7


def test_lines_split_where_editors_split_them():
    text = "a = 1  # form\x0cfeed\nb = 2\u2028still b\r\nc = 3\rd = 4\n"
    assert split_lines(text) == ["a = 1  # form\x0cfeed", "b = 2\u2028still b", "c = 3", "d = 4"]
    artifact = Artifact(path="x.py", kind=Kind.TEXT, text=text)
    assert artifact.line_text(3) == "c = 3"


def test_findings_after_a_form_feed_keep_their_line(tmp_path):
    (tmp_path / "client.py").write_text(
        '"""Page one.\x0cPage two."""\nimport requests\n\nrequests.get("https://example.com")\n'
    )
    report = run_scan(tmp_path, select=["PY003"], fail_on="never")
    [finding] = report.findings
    assert (
        finding.line == 4 and finding.end_column == len('requests.get("https://example.com")') + 1
    )


def test_compose_and_actions_read_yaml_12_scalars():
    compose = parse_yaml(
        "docker-compose.yml",
        b"services:\n  ssh:\n    image: sshd:1\n    ports:\n      - 22:22\n    environment:\n"
        b"      DEBUG: off\n",
    )
    assert compose.kind is Kind.COMPOSE
    assert compose.services["ssh"]["ports"] == ["22:22"]  # YAML 1.1: the integer 1342
    assert compose.services["ssh"]["environment"]["DEBUG"] == "off"  # YAML 1.1: False
    workflow = parse_yaml(".github/workflows/ci.yml", b"on: push\njobs: {}\n")
    assert "on" in workflow.documents[0]
    manifest = parse_yaml("k8s/pod.yaml", b"apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n")
    assert manifest.kind is Kind.KUBERNETES


def test_a_published_port_22_22_is_a_port_mapping(tmp_path):
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  db:\n    image: postgres:16\n    ports:\n      - 5432:5432\n"
    )
    report = run_scan(tmp_path, select=["CMP005"], fail_on="never")
    [finding] = report.findings
    assert "5432" in finding.message


def test_the_stage_compose_and_ci_build_to_is_known_before_the_file_pass(tmp_path):
    from shipcheck import buildcontexts, discover
    from shipcheck.detectors.dockerfile.stages import shipped, targets
    from shipcheck.parsers import parse

    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12-slim AS base\nRUN useradd app\n"
        'FROM base AS runtime\nUSER app\nCMD ["gunicorn", "app:app"]\n'
        'FROM runtime AS dev\nUSER root\nCMD ["flask", "run"]\n'
    )
    (tmp_path / "worker.Dockerfile").write_text('FROM python:3.12-slim\nCMD ["celery"]\n')
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    build: {context: ., target: runtime}\n"
    )
    found = discover.walk(tmp_path, tmp_path, [], 2**21)
    mapping = buildcontexts.prepass_targets(found.files)
    assert mapping == {"Dockerfile": ("runtime",)}
    buildcontexts.use_targets(mapping)
    try:
        doc = parse("Dockerfile", Kind.DOCKERFILE, (tmp_path / "Dockerfile").read_bytes())
        assert [s.name for s in targets(doc)] == ["runtime"]
        assert [s.name for s in shipped(doc)] == ["base", "runtime"]
        worker = parse("worker.Dockerfile", Kind.DOCKERFILE, b"FROM python:3.12-slim\n")
        assert [s.index for s in targets(worker)] == [0]  # nothing names one: the last
    finally:
        buildcontexts.use_targets({})
