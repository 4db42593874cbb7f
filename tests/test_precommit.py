"""The pre-commit hooks: their definition covers every kind of file shipcheck reads, and, end to
end with `pre-commit try-repo`, a staged file with a high finding blocks the commit while a
clean one passes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from reporting_support import DOCKERFILE_ROOT, DOCKERFILE_USER, GIT_ENV, git, init_repo, write
from shipcheck.classify import classify

from conftest import REPO

HOOKS = REPO / ".pre-commit-hooks.yaml"
# One file name per kind shipcheck reads (see README, "What shipcheck reads").
READ_BY_SHIPCHECK = [
    "app.py", "requirements.txt", "requirements-dev.txt", "requirements/base.in",
    "pyproject.toml", "Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock", "pdm.lock",
    "Dockerfile", "Dockerfile.prod", "api.dockerfile", "Containerfile", ".dockerignore",
    "compose.yaml", "k8s/deploy.yml", ".github/workflows/ci.yml", ".gitlab-ci.yml",
    ".env", ".env.production", "Procfile", "settings.ini", "deploy/key.pem", ".npmrc",
    "scripts/run.sh", "config.json",
]  # fmt: skip


def hooks() -> dict[str, dict]:
    return {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}


def test_hook_definitions():
    defined = hooks()
    assert set(defined) == {"shipcheck", "shipcheck-project", "shipcheck-fix"}
    files = defined["shipcheck"]
    assert files["language"] == "python" and files["entry"] == "shipcheck scan --format concise"
    assert files["pass_filenames"] is True and files["require_serial"] is True
    fixer = defined["shipcheck-fix"]
    assert fixer["entry"] == "shipcheck fix --exit-non-zero-on-fix"
    assert fixer["pass_filenames"] is True and fixer["types"] == files["types"]
    assert "stages" not in fixer, "runs at commit time, where its user listed it"
    project = defined["shipcheck-project"]
    assert project["pass_filenames"] is False and project["always_run"] is True
    assert set(project["stages"]) == {"pre-push", "manual"}
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for hook_id in defined:
        assert f"id: {hook_id}" in readme


def test_file_hook_receives_every_kind_shipcheck_reads(tmp_path):
    from identify import identify  # installed with pre-commit (a test dependency)

    hook = hooks()["shipcheck"]
    include = re.compile(hook.get("files", ""))
    exclude = re.compile(hook["exclude"]) if hook.get("exclude") else None
    for name in READ_BY_SHIPCHECK:
        assert classify(name) is not None, f"shipcheck does not read {name}"
        path = write(tmp_path, {name: "KEY=value\n"}) / name
        tags = identify.tags_from_path(str(path))
        assert set(hook.get("types", [])) <= tags, (name, tags)
        if hook.get("types_or"):
            assert set(hook["types_or"]) & tags, (name, tags)
        assert include.search(name) and not (exclude and exclude.search(name)), name


def _source_repository(destination: Path) -> Path:
    """shipcheck's sources committed in a fresh repository: try-repo installs from git, and
    this checkout may hold uncommitted (or untracked) work."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".pytest_cache")
    for name in ("src", "rules"):
        shutil.copytree(REPO / name, destination / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "LICENSE"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, destination / name)
    return init_repo(destination)


def _hook_env(home: Path) -> dict[str, str]:
    """A private HOME and pre-commit store; pip's download cache is shared to save time."""
    cache = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")
    env = {
        **os.environ,
        **GIT_ENV,
        "HOME": str(home),
        "PRE_COMMIT_HOME": str(home / "pre-commit"),
        "PIP_CACHE_DIR": cache,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_COMPILE": "1",  # bytecode for ~40 packages is much of the install's CPU time
        "PRE_COMMIT_COLOR": "never",
        "NO_COLOR": "1",
    }
    env.pop("PYTHONPATH", None)  # the hook must run the shipcheck it installed
    return env


def _run(command: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env=_hook_env(home),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "pre_commit", *args], cwd, home)


def _git_commit(project: Path, home: Path, message: str) -> subprocess.CompletedProcess[str]:
    """``git commit`` through the installed hook."""
    return _run(["git", "commit", "-m", message], project, home)


@pytest.mark.slow
def test_hooks_block_a_high_finding_and_pass_a_clean_file(tmp_path):
    source = _source_repository(tmp_path / "shipcheck-src")
    home = tmp_path / "home"
    home.mkdir()
    project = tmp_path / "project"
    write(project, {"README.md": "# demo\n"})
    init_repo(project)

    # try-repo runs the hook on the staged files, as a commit would. It builds its
    # environment in a throwaway store, so it runs once; the rest installs the hook for real.
    write(project, {"Dockerfile": DOCKERFILE_ROOT})
    git(project, "add", "Dockerfile")
    tried = _pre_commit(project, home, "try-repo", str(source), "shipcheck")
    output = tried.stdout + tried.stderr
    assert tried.returncode == 1, output
    assert "DKR001" in output and "Gate failed" in output

    git(project, "reset", "-q", "Dockerfile")
    sha = git(source, "rev-parse", "HEAD").strip()
    config = (
        f"repos:\n  - repo: {source}\n    rev: {sha}\n    hooks:\n"
        "      - id: shipcheck\n      - id: shipcheck-project\n"
        "      - id: shipcheck-fix\n        stages: [manual]\n"
    )
    write(project, {".pre-commit-config.yaml": config})
    git(project, "add", ".pre-commit-config.yaml")
    git(project, "commit", "-qm", "add the hooks")
    installed = _pre_commit(project, home, "install", "--hook-type", "pre-commit")
    assert installed.returncode == 0, installed.stdout + installed.stderr

    head = git(project, "rev-parse", "HEAD")
    git(project, "add", "Dockerfile")
    blocked = _git_commit(project, home, "root image")
    assert blocked.returncode != 0 and "DKR001" in blocked.stdout + blocked.stderr
    assert git(project, "rev-parse", "HEAD") == head, "the commit went through"

    write(project, {"Dockerfile": DOCKERFILE_USER})
    git(project, "add", "Dockerfile")
    passed = _git_commit(project, home, "unprivileged image")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert (
        "shipcheck" in passed.stdout + passed.stderr and "Passed" in passed.stdout + passed.stderr
    )
    assert git(project, "rev-parse", "HEAD") != head

    # The fixing hook (same environment, so no new install): it rewrites the staged file
    # and fails, as fixers do; a second run finds nothing left to change and passes.
    write(
        project,
        {
            "Dockerfile": DOCKERFILE_USER.replace(
                'CMD ["gunicorn", "app:app"]', "CMD gunicorn app:app"
            )
        },
    )
    git(project, "add", "Dockerfile")
    fixing = _pre_commit(
        project, home, "run", "shipcheck-fix", "--hook-stage", "manual", "--files", "Dockerfile"
    )
    assert fixing.returncode == 1, fixing.stdout + fixing.stderr
    assert "files were modified by this hook" in fixing.stdout
    fixed = (project / "Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["gunicorn", "app:app"]' in fixed and "ENV PYTHONUNBUFFERED=1" in fixed
    again = _pre_commit(
        project, home, "run", "shipcheck-fix", "--hook-stage", "manual", "--files", "Dockerfile"
    )
    assert again.returncode == 0, again.stdout + again.stderr

    whole = _pre_commit(
        project, home, "run", "shipcheck-project", "--hook-stage", "manual", "--all-files",
        "--verbose",
    )  # fmt: skip
    # The whole-project hook runs the project rules too; this demo may well fail them.
    assert whole.returncode in (0, 1), whole.stdout + whole.stderr
    assert "shipcheck (whole project)" in whole.stdout and "files scanned" in whole.stdout
