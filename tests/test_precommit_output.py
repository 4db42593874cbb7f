"""What the `shipcheck` pre-commit hook prints for staged files, run as pre-commit runs it (the
hook's entry plus the file names) without installing pre-commit's environment (that slow
end-to-end path is tests/test_precommit.py): findings and the gate, no scores from a part of
the project, a partial report per batch, and one line when nothing staged is read."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import yaml
from typer.testing import CliRunner

from reporting_support import DOCKERFILE_ROOT, DOCKERFILE_USER, git, init_repo, write
from shipcheck.cli import app

from conftest import REPO

CONFIG = "[tool.shipcheck]\nmin-score = 100\n"


def hook(hook_id: str = "shipcheck") -> dict:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return next(h for h in hooks if h["id"] == hook_id)


def run_hook(repo: Path, *files: str, args: tuple[str, ...] = ()):
    """The hook's entry with the staged files appended, run in the repository as pre-commit
    calls it (in-process: the console script is `shipcheck.cli:main` around this app)."""
    entry = shlex.split(hook()["entry"])
    assert entry[0] == "shipcheck"
    previous = Path.cwd()
    os.chdir(repo)
    try:
        return CliRunner().invoke(app, [*entry[1:], *args, *files], prog_name="shipcheck")
    finally:
        os.chdir(previous)


def staged(tmp_path: Path, files: dict[str, str]) -> Path:
    repo = init_repo(write(tmp_path / "repo", {"pyproject.toml": CONFIG}))
    write(repo, files)
    git(repo, "add", *files)
    return repo


def test_staged_files_give_findings_and_the_gate_only(tmp_path):
    repo = staged(
        tmp_path,
        {"Dockerfile": DOCKERFILE_ROOT, "README.md": "# demo\n", "requirements.txt": "flask\n"},
    )
    result = run_hook(repo, "Dockerfile", "README.md", "requirements.txt")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Dockerfile:1:1: DKR001 [high] ")
    assert "requirements.txt:1:1: DEP001 [medium] `flask` is not pinned" in result.stdout
    assert "Partial scan of the files given: findings and the gate only (no scores)." in lines
    assert lines[-2].endswith("in 3 file(s) given.")
    assert lines[-1] == "Gate failed: 1 finding(s) at or above high."
    for scored in ("Overall score", "Checklist", "Dependencies", "grade", "below the minimum"):
        assert scored not in result.stdout, f"{scored!r}: a score of a few files"
    # The same findings as CI gives for these files (project rules anchored in them included).
    assert len(lines) <= 10 and not result.stderr


def test_a_clean_staged_file_passes_although_a_minimum_score_is_configured(tmp_path):
    repo = staged(tmp_path, {"Dockerfile": DOCKERFILE_USER})
    result = run_hook(repo, "Dockerfile")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "Gate passed (fail-on high)."


def test_each_batch_says_it_is_partial_and_gives_its_own_verdict(tmp_path):
    """pre-commit splits a long file list into batches and runs the hook once per batch."""
    repo = staged(tmp_path, {"Dockerfile": DOCKERFILE_ROOT, "api/Dockerfile": DOCKERFILE_USER})
    first, second = run_hook(repo, "Dockerfile"), run_hook(repo, "api/Dockerfile")
    assert (first.exit_code, second.exit_code) == (1, 0)  # pre-commit fails the hook
    for batch in (first, second):
        assert "Partial scan of the files given" in batch.stdout


def test_nothing_read_among_the_staged_files_is_one_sentence(tmp_path):
    repo = staged(tmp_path, {"style.css": "body {}\n", "LICENSE": "MIT\n"})
    result = run_hook(repo, "style.css", "LICENSE")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "Nothing shipcheck reads was found in the files given."


def test_terminal_format_for_staged_files_has_no_score_tables(tmp_path):
    repo = staged(tmp_path, {"Dockerfile": DOCKERFILE_ROOT, "style.css": "body {}\n"})
    result = run_hook(repo, "Dockerfile", "style.css", args=("--format", "terminal"))
    assert result.exit_code == 1
    assert "DKR001" in result.stdout and "Checklist" not in result.stdout
    assert "Overall score" not in result.stdout
    assert "Not read, not a kind of file shipcheck reads (1):\n  style.css" in result.stdout
