"""Helpers for the report, baseline, diff and hook tests: small sample projects, throwaway git
repositories and the SARIF schema (a copy under tests/fixtures/schemas)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from conftest import FIXTURES, REPO, run_scan

EXAMPLE = REPO / "examples" / "shop"
SARIF_SCHEMA = FIXTURES / "schemas" / "sarif-schema-2.1.0.json"

# A project with one finding of several rules, each line known.
DOCKERFILE_ROOT = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "app:app"]\n'
DOCKERFILE_USER = (
    "FROM python:3.12-slim\nRUN useradd --create-home app\nWORKDIR /app\nCOPY . .\n"
    'USER app\nCMD ["gunicorn", "app:app"]\n'
)
REQUIREMENTS = "flask==3.0.3\ngunicorn==22.0.0\nrequests>=2.0\n"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "shipcheck tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "shipcheck tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def write(root: Path, files: dict[str, str]) -> Path:
    """Create ``files`` (path → text) below ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def copy_example(destination: Path) -> Path:
    """A private copy of examples/shop, so tests may edit it."""
    shutil.copytree(EXAMPLE, destination)
    return destination


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` with a neutral configuration; return its output."""
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"git {' '.join(args)} failed: {result.stderr}"
    return result.stdout


def init_repo(root: Path) -> Path:
    """``root`` as a git repository with everything in it committed."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    git(root, "config", "commit.gpgsign", "false")
    commit_all(root, "initial")
    return root


def commit_all(root: Path, message: str) -> None:
    """Stage and commit every change in ``root``."""
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


@lru_cache(maxsize=1)
def sarif_schema() -> dict[str, Any]:
    """The official SARIF 2.1.0 schema (draft-04)."""
    return json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))


def assert_valid_sarif(document: dict[str, Any]) -> None:
    """Fail with every schema violation listed."""
    validator = jsonschema.Draft4Validator(sarif_schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:20]
    )


def render(name: str, target: Path, **overrides: Any) -> str:
    """Scan ``target`` in-process and render it with the reporter called ``name``."""
    from shipcheck.reporters import get_reporter

    return get_reporter(name).render(run_scan(target, **overrides))
