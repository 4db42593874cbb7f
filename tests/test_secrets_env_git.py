"""secrets.env-file against real git repositories and real ignore-file semantics."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from shipcheck.patterns import DockerIgnore, GitIgnore

from conftest import run_scan

GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
}
ENV_TEXT = "SECRET_KEY=k3J9x!vP2qLm8Zr4Tt6Yw0Bn5Hc7Df1G\nDEBUG=false\n"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env=GIT_ENV, check=True, capture_output=True)


def repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def findings(root: Path, rule: str = "SEC020"):
    report = run_scan(root, select=[rule], fail_on="never")
    return [(f.path, f.severity.value, f.message) for f in report.findings]


def test_tracked_env_file_with_secrets_is_high(tmp_path):
    root = repo(tmp_path / "r", {".env": ENV_TEXT, "app.py": "print('hi')\n"})
    git(root, "add", ".env", "app.py")
    [(path, severity, message)] = findings(root)
    assert (path, severity) == (".env", "high")
    assert "committed to git with 1 secret value" in message


def test_tracked_env_file_with_guessable_defaults_is_medium(tmp_path):
    text = "SECRET_KEY=changethis\nPOSTGRES_PASSWORD=changethis\nSMTP_PASSWORD=\nDEBUG=false\n"
    root = repo(tmp_path / "r", {".env": text})
    git(root, "add", ".env")
    [(path, severity, message)] = findings(root)
    assert (path, severity) == (".env", "medium")
    assert "2 guessable default credential(s)" in message


def test_tracked_env_file_is_found_even_when_gitignore_lists_it_now(tmp_path):
    root = repo(tmp_path / "r", {".env": ENV_TEXT})
    git(root, "add", ".env")
    (root / ".gitignore").write_text(".env\n", encoding="utf-8")
    # Discovery skips the ignored file; git still tracks it.
    [(path, severity, message)] = findings(root)
    assert (path, severity) == (".env", "high")
    assert "committed" in message


def test_untracked_unignored_env_file_is_medium(tmp_path):
    root = repo(tmp_path / "r", {"config/prod.env": ENV_TEXT, ".gitignore": "*.pyc\n"})
    [(path, severity, message)] = findings(root)
    assert (path, severity) == ("config/prod.env", "medium")
    assert "not covered by .gitignore" in message


def test_ignored_untracked_env_file_and_templates_pass(tmp_path):
    root = repo(
        tmp_path / "r",
        {".env": ENV_TEXT, ".gitignore": ".env\n", ".env.example": "SECRET_KEY=changeme\n"},
    )
    git(root, "add", ".env.example", ".gitignore")
    assert findings(root) == []


def test_tracked_development_defaults_without_secrets_pass(tmp_path):
    root = repo(tmp_path / "r", {".env.development": "DEBUG=true\nAPI_URL=http://localhost\n"})
    git(root, "add", ".env.development")
    assert findings(root) == []


def test_not_a_git_repository_falls_back_to_gitignore(tmp_path):
    root = tmp_path / "plain"
    root.mkdir()
    (root / ".env").write_text(ENV_TEXT, encoding="utf-8")
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    [(path, severity, _message)] = findings(root)
    assert (path, severity) == (".env", "medium")


@pytest.mark.parametrize(
    ("lines", "path", "excluded"),
    [
        ([".env"], ".env", True),
        ([".env*", "!.env.example"], ".env.local", True),
        ([".env*", "!.env.example"], ".env.example", False),
        (["**/.env"], ".env", True),
        (["*.env"], ".env", True),
        ([".git", "__pycache__"], ".env", False),
        (["/.env"], ".env", True),
        (["config/.env"], ".env", False),
    ],
)
def test_dockerignore_semantics(lines, path, excluded):
    assert DockerIgnore(lines).excludes(path) is excluded


def test_gitignore_semantics_for_env_files():
    ignore = GitIgnore()
    ignore.add_file("", ".env\n.env.*\n!.env.example\n")
    assert ignore.is_ignored("services/api/.env")
    assert ignore.is_ignored(".env.production")
    assert not ignore.is_ignored(".env.example")


def test_env_file_in_image_follows_dockerignore(tmp_path):
    root = tmp_path / "svc"
    root.mkdir()
    (root / "Dockerfile").write_text(
        'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nUSER 10001\nCMD ["app"]\n',
        encoding="utf-8",
    )
    (root / ".env").write_text(ENV_TEXT, encoding="utf-8")
    (root / ".dockerignore").write_text(".git\n", encoding="utf-8")
    report = run_scan(root, select=["SEC021"], fail_on="never")
    [finding] = report.findings
    assert (finding.path, finding.line, finding.severity.value) == ("Dockerfile", 3, "high")
    (root / ".dockerignore").write_text(".git\n.env*\n", encoding="utf-8")
    assert not run_scan(root, select=["SEC021"], fail_on="never").findings
