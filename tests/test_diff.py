"""Diff mode: the hunk parser, and `--diff REF` on real git repositories."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from reporting_support import DOCKERFILE_ROOT, DOCKERFILE_USER, REQUIREMENTS, git, init_repo, write
from shipcheck.cli import app
from shipcheck.gitdiff import ChangedLines, parse_diff
from shipcheck.models.findings import Finding, Severity

SELECT = ["--isolated", "--select", "DKR001,DEP001", "--format", "json", "--fail-on", "medium"]


def scan(*args: str):
    return CliRunner().invoke(app, ["scan", *args])


def test_parse_added_lines_per_file():
    text = (
        "diff --git a/req.txt b/req.txt\n"
        "index 1..2 100644\n"
        "--- a/req.txt\n"
        "+++ b/req.txt\n"
        "@@ -3 +3,2 @@\n"
        "-old\n"
        "+new\n"
        "+newer\n"
        "@@ -10,2 +11,0 @@\n"  # a deletion adds nothing
        "-gone\n"
        "-gone too\n"
        "diff --git a/new.py b/new.py\n"
        "new file mode 100644\n"
        "--- /dev/null\n"
        "+++ b/new.py\n"
        "@@ -0,0 +1,3 @@\n"
        "+++ this content line looks like a header\n"
        "+--- and so does this one\n"
        "+x = 1\n"
        "diff --git a/removed.py b/removed.py\n"
        "deleted file mode 100644\n"
        "--- a/removed.py\n"
        "+++ /dev/null\n"
        "@@ -1 +0,0 @@\n"
        "-print()\n"
    )
    assert parse_diff(text) == {"new.py": frozenset({1, 2, 3}), "req.txt": frozenset({3, 4})}


def test_parse_quoted_paths():
    text = (
        'diff --git "a/with\\ttab.yaml" "b/with\\ttab.yaml"\n'
        '--- "a/with\\ttab.yaml"\n'
        '+++ "b/with\\ttab.yaml"\n'
        "@@ -1 +1 @@\n-a\n+b\n"
        'diff --git "a/caf\\303\\251.py" "b/caf\\303\\251.py"\n'
        '+++ "b/caf\\303\\251.py"\n'
        "@@ -2 +2 @@\n-a\n+b\n"
        "diff --git a/has space.txt b/has space.txt\n"
        "+++ b/has space.txt\t\n"
        "@@ -5 +5 @@\n-a\n+b\n"
    )
    assert parse_diff(text) == {
        "café.py": frozenset({2}),
        "has space.txt": frozenset({5}),
        "with\ttab.yaml": frozenset({1}),
    }


def test_findings_spanning_lines_are_kept_when_any_line_changed():
    def finding(line, end_line, path="k8s/app.yaml"):
        return Finding("KUB001", "missing-probes", "k8s.probes", "runtime", Severity.MEDIUM,
                       path, line, 1, end_line, 1, "m", "r", "f")  # fmt: skip

    changes = ChangedLines("HEAD", {"k8s/app.yaml": frozenset({7})}, frozenset({"new.yaml"}))
    kept, dropped = changes.partition(
        [finding(5, 9), finding(8, 8), finding(1, 1, "new.yaml"), finding(7, 7, "other.yaml")]
    )
    assert [(f.path, f.line) for f in kept] == [("k8s/app.yaml", 5), ("new.yaml", 1)]
    assert len(dropped) == 2


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = tmp_path / "app"
    write(root, {"Dockerfile": DOCKERFILE_USER, "requirements.txt": REQUIREMENTS})
    init_repo(root)
    monkeypatch.chdir(root)
    return root


def test_only_changed_lines_and_untracked_files_are_judged(repo):
    full = scan(".", *SELECT)
    assert full.exit_code == 1  # requests>=2.0 was there before the change
    clean = scan(".", *SELECT, "--diff", "HEAD")
    assert clean.exit_code == 0, clean.output
    report = json.loads(clean.stdout)
    assert report["findings"] == [] and report["summary"]["outside_diff"] == 1

    with (repo / "requirements.txt").open("a", encoding="utf-8") as handle:
        handle.write("celery>=5\n")  # unstaged edit
    write(repo, {"worker/Dockerfile": DOCKERFILE_ROOT})  # untracked file
    git(repo, "add", "requirements.txt")  # staged edits count as well
    changed = scan(".", *SELECT, "--diff", "HEAD")
    assert changed.exit_code == 1
    report = json.loads(changed.stdout)
    found = sorted((f["rule_id"], f["path"], f["line"]) for f in report["findings"])
    assert found == [("DEP001", "requirements.txt", 4), ("DKR001", "worker/Dockerfile", 1)]
    assert report["summary"]["outside_diff"] == 1
    terminal = scan(".", "--isolated", "--select", "DKR001,DEP001", "--diff", "HEAD")
    assert "Only lines changed since HEAD are judged" in terminal.stdout


def test_diff_against_an_older_commit(repo):
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "Dockerfile").write_text(DOCKERFILE_ROOT, encoding="utf-8")
    git(repo, "commit", "-qam", "drop the USER")
    report = json.loads(scan(".", *SELECT, "--diff", base).stdout)
    # The root finding sits on the FROM line, which this change did not touch.
    assert report["findings"] == []
    (repo / "Dockerfile").write_text("FROM python:3.13-slim\n" + DOCKERFILE_ROOT.split("\n", 1)[1])
    report = json.loads(scan(".", *SELECT, "--diff", base).stdout)
    assert [f["rule_id"] for f in report["findings"]] == ["DKR001"]


def test_project_in_a_subdirectory_sees_only_its_own_changes(tmp_path, monkeypatch):
    root = tmp_path / "mono"
    write(root, {"services/api/pyproject.toml": "", "services/api/requirements.txt": REQUIREMENTS})
    write(root, {"services/web/requirements.txt": REQUIREMENTS})
    init_repo(root)
    for service in ("api", "web"):
        with (root / "services" / service / "requirements.txt").open("a") as handle:
            handle.write("celery>=5\n")
    monkeypatch.chdir(root / "services" / "api")
    report = json.loads(scan(".", *SELECT, "--diff", "HEAD").stdout)
    assert [(f["path"], f["line"]) for f in report["findings"]] == [("requirements.txt", 4)]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("no-such-branch", "unknown git ref 'no-such-branch'"),
        ("--output=/tmp/x", "is not a git ref"),
        ("HEAD main", "is not a git ref"),
    ],
)
def test_bad_refs_are_usage_errors(repo, ref, message):
    result = scan(".", *SELECT, "--diff", ref)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_outside_a_repository_is_a_usage_error(tmp_path, monkeypatch):
    write(tmp_path, {"requirements.txt": REQUIREMENTS})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = scan(".", *SELECT, "--diff", "HEAD")
    assert result.exit_code == 2
    assert "needs a git repository" in result.output
