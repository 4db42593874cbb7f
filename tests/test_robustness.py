"""No single file can stop or stall the scan: YAML budgets, the per-file time budget in both
modes, dying workers, and git on repositories that would run programs or that git refuses."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from shipcheck import git as git_mod
from shipcheck import workers
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind
from shipcheck.models.findings import Hit
from shipcheck.parsers import yaml_nodes, yaml_values
from shipcheck.parsers.limits import YamlLimits

from conftest import run_scan

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["a: &a [" + ",".join(['"lol"'] * width) + "]"]
    previous = "a"
    for name in "bcdefghijklmnop"[: levels - 1]:
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * width) + "]")
        previous = name
    return "\n".join(lines) + "\n"


# --- YAML budgets ----------------------------------------------------------------------


def test_alias_bomb_document_is_skipped_and_the_next_document_read():
    text = _bomb() + "---\nservices:\n  web:\n    image: shop:1.0\n"
    documents, problems = yaml_nodes.load_documents(text)
    assert len(documents) == 1 and "services" in documents[0]
    assert len(problems) == 1
    assert problems[0].startswith("YAML document 1 skipped: aliases expand it by")
    assert "100,000 (max-yaml-nodes)" in problems[0]


def test_alias_budget_counts_only_nodes_reached_through_aliases():
    # 300,000 plain nodes are no bomb; 3 levels of 9 aliases (about 800 nodes) fit.
    big = "items:\n" + "".join(f"  - {i}\n" for i in range(300_000))
    assert yaml_nodes.load_documents(big)[1] == []
    assert yaml_nodes.load_documents(_bomb(levels=3))[1] == []
    tight = YamlLimits(max_alias_nodes=50)
    assert "over the limit of 50" in yaml_nodes.load_documents(_bomb(levels=3), tight)[1][0]


def test_depth_budget_and_recursive_aliases():
    deep = "x: " + "[" * 250 + "]" * 250 + "\n"
    problems = yaml_nodes.load_documents(deep)[1]
    assert problems and "levels deep, over the limit of 200 (max-yaml-depth)" in problems[0]
    assert yaml_nodes.load_documents(deep, YamlLimits(max_depth=300))[1] == []
    recursive = "a: &a [1, *a]\n"
    try:
        problems = yaml_nodes.load_documents(recursive)[1]
    except yaml.YAMLError:
        return  # the parser refuses it itself: also fine
    assert problems and "recursive" in problems[0]


def test_walk_visits_each_shared_node_once():
    documents, _ = yaml_nodes.load_documents(_bomb(levels=6), YamlLimits(max_alias_nodes=10**9))
    visited = list(yaml_values.walk(documents[0]))
    assert len(visited) == 1 + 6  # the top mapping and one list per anchor
    assert len({id(node) for node in visited}) == len(visited)


def test_max_yaml_nodes_is_configurable(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.shipcheck]\nmax-yaml-nodes = 10\n")
    (tmp_path / "ci.yml").write_text(_bomb(levels=2, width=6))
    report = run_scan(tmp_path, isolated=False, fail_on="never")
    [limit] = [d for d in report.diagnostics if d.kind == "limit"]
    assert limit.path == "ci.yml" and "limit of 10 (max-yaml-nodes)" in limit.reason


# --- the per-file time budget ----------------------------------------------------------


@detector("test.sleepy", kind=Kind.PYTHON)
def _sleepy(doc, params):
    """Takes forever on files named slow*.py: stands in for a pathological rule or input."""
    if Path(doc.path).name.startswith("slow"):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # busy, as a runaway loop would be
            pass
    yield Hit(line=1, fields={"name": doc.path})


@detector("test.crashy", kind=Kind.PYTHON)
def _crashy(doc, params):
    """Kills its own process on files named boom*.py, as a segfault in a C extension would."""
    if Path(doc.path).name.startswith("boom"):
        os.kill(os.getpid(), signal.SIGKILL)
    yield Hit(line=1, fields={"name": doc.path})


def _project_with_rule(tmp_path: Path, detector_name: str, names: list[str]) -> Path:
    rules = tmp_path / ".shipcheck" / "rules"
    rules.mkdir(parents=True)
    (rules / "TST001.yaml").write_text(
        textwrap.dedent(
            f"""\
            id: TST001
            name: test-rule
            checklist: code.error-handling
            severity: low
            detector: {detector_name}
            message: "seen {{name}}"
            summary: A test rule.
            rationale: For tests.
            remediation: None needed.
            example: {{bad: x, good: y}}
            references: [https://example.com]
            """
        )
    )
    for name in names:
        (tmp_path / name).write_text("import os\n")
    return tmp_path


@pytest.mark.parametrize("jobs", [None, 2], ids=["in-process", "workers"])
def test_file_timeout_abandons_the_slow_file_only(tmp_path, jobs):
    root = _project_with_rule(tmp_path, "test.sleepy", ["a.py", "slow_one.py", "z.py"])
    started = time.monotonic()
    report = run_scan(root, select=["TST001"], fail_on="never", jobs=jobs, file_timeout=1)
    assert time.monotonic() - started < 30
    assert sorted(f.path for f in report.findings) == ["a.py", "z.py"]
    [timeout] = [d for d in report.diagnostics if d.kind == "timeout"]
    assert timeout.path == "slow_one.py"
    assert "abandoned after 1 s (file-timeout)" in timeout.reason


def test_worker_that_dies_costs_only_its_file(tmp_path):
    names = ["a.py", "boom.py", "c.py", "d.py", "e.py"]
    root = _project_with_rule(tmp_path, "test.crashy", names)
    report = run_scan(root, select=["TST001"], fail_on="never", jobs=2)
    assert sorted(f.path for f in report.findings) == ["a.py", "c.py", "d.py", "e.py"]
    [crash] = [d for d in report.diagnostics if d.kind == "crash"]
    assert crash.path == "boom.py" and "killed by SIGKILL" in crash.reason


def test_pool_results_keep_file_order(tmp_path):
    root = _project_with_rule(tmp_path, "test.sleepy", [f"m{i:02}.py" for i in range(20)])
    serial = run_scan(root, select=["TST001"], fail_on="never")
    pooled = run_scan(root, select=["TST001"], fail_on="never", jobs=2)
    assert [f.path for f in serial.findings] == [f.path for f in pooled.findings]


def test_in_process_alarm_is_restored():
    before = signal.getsignal(signal.SIGALRM)
    with workers._alarm(5):
        pass
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# --- git on repositories that are not ours ---------------------------------------------


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _repo_with_env(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", ".")
    (repo / ".env").write_text("DATABASE_PASSWORD=k8Qz2vXr9LmT4wPa7nYc\n")
    (repo / "app.py").write_text("import os\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "init")
    return repo


@needs_git
def test_git_never_runs_programs_the_repository_configures(tmp_path):
    repo = _repo_with_env(tmp_path)
    marker = tmp_path / "markers"
    marker.mkdir()
    (repo / ".gitattributes").write_text("* filter=evil diff=evil\n")
    for key, value in {
        "filter.evil.clean": f"touch {marker}/clean; cat",
        "filter.evil.smudge": f"touch {marker}/smudge; cat",
        "filter.evil.process": f"touch {marker}/process",
        "diff.evil.textconv": f"touch {marker}/textconv; cat",
        "diff.evil.command": f"touch {marker}/extdiff",
        "diff.external": f"touch {marker}/external",
        "core.fsmonitor": f"touch {marker}/fsmonitor; echo",
        "core.pager": f"touch {marker}/pager; cat",
    }.items():
        _git(repo, "config", key, value)
    hooks = repo / ".git" / "hooks"
    (hooks / "post-checkout").write_text(f"#!/bin/sh\ntouch {marker}/hook\n")
    (hooks / "post-checkout").chmod(0o755)
    (repo / "app.py").write_text("import os\nprint(os.getcwd())\n")
    os.utime(repo / "app.py", (1, 1))  # stat differs from the index: git must re-read it
    result = subprocess.run(
        [sys.executable, "-m", "shipcheck", "scan", str(repo), "--offline", "--diff", "HEAD"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "shipcheck", "scan", str(repo), "--offline", "-f", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert '"SEC020"' in result.stdout  # git was asked, and answered
    assert sorted(p.name for p in marker.iterdir()) == []


@needs_git
def test_index_reader_agrees_with_git_ls_files(tmp_path):
    repo = _repo_with_env(tmp_path)
    (repo / "sub" / "deeper").mkdir(parents=True)
    for name in ("sub/a.py", "sub/deeper/b file.txt", "sub/ü.py", "long" * 30 + ".py"):
        (repo / name).write_text("x\n")
    _git(repo, "add", ".")
    expected = sorted(
        subprocess.run(["git", "ls-files", "-z"], cwd=repo, capture_output=True)
        .stdout.decode()
        .strip("\0")
        .split("\0")
    )
    for version in ("2", "3", "4"):
        _git(repo, "update-index", "--index-version", version)
        assert git_mod.read_index(repo / ".git") == expected, f"index v{version}"


@needs_git
def test_committed_env_found_when_git_is_missing(tmp_path, monkeypatch):
    repo = _repo_with_env(tmp_path)
    monkeypatch.setattr(git_mod.shutil, "which", lambda name: None)
    report = run_scan(repo, select=["SEC020"], fail_on="never")
    [finding] = report.findings
    assert "is committed to git" in finding.message
    [note] = [d for d in report.diagnostics if d.kind == "git"]
    assert "git is not installed" in note.reason and "read from the git index" in note.reason


@needs_git
def test_listing_asked_in_the_background_is_the_listing(tmp_path):
    repo = _repo_with_env(tmp_path)
    (repo / "new.py").write_text("x = 1\n")  # untracked
    ahead = git_mod.GitRepo(repo)
    ahead.prefetch_listing(repo)
    expected = git_mod.GitRepo(repo).listing(repo)
    assert ahead.listing(repo) == expected
    assert ("new.py", False) in expected and (".env", True) in expected
    assert ahead.listing(repo) == expected  # asked again: git answers again
    assert ahead.problem is None


@needs_git
def test_listing_asked_in_the_background_reports_why_git_failed(tmp_path, monkeypatch):
    repo = _repo_with_env(tmp_path)
    monkeypatch.setattr(git_mod.shutil, "which", lambda name: None)
    ahead = git_mod.GitRepo(repo)
    ahead.prefetch_listing(repo)
    assert ahead.listing(repo) is None
    assert ahead.problem is not None and "git is not installed" in ahead.problem


@needs_git
@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give the repo away"
)
def test_repository_git_refuses(tmp_path):
    repo = _repo_with_env(tmp_path)
    for path in [repo, *repo.rglob("*")]:
        os.lchown(path, 65534, 65534)  # nobody: git now sees "dubious ownership"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["HOME"] = str(tmp_path)  # no global safe.directory that would trust it
    result = subprocess.run(
        [sys.executable, "-m", "shipcheck", "scan", str(repo), "--offline", "-f", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert "dubious ownership" in result.stdout
    assert "is committed to git" in result.stdout  # read from the index instead
    diff = subprocess.run(
        [sys.executable, "-m", "shipcheck", "scan", str(repo), "--offline", "--diff", "HEAD"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert diff.returncode == 2 and "dubious ownership" in diff.stderr
