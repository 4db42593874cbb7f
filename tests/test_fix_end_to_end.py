"""`shipcheck fix` end to end on copies of examples/shop and the fixture projects: ``--diff``
writes nothing, a run removes every finding of the required safe fixes and leaves every file
parseable, a second run changes nothing, the score rises; ``--unsafe-fixes`` also removes the
HTTP-timeout, secret-fallback and debug findings."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reporting_support import EXAMPLE, init_repo
from shipcheck.fixes import registry
from shipcheck.fixes.command import FixRequest, fix, main
from shipcheck.fixes.plan import PlanOptions, plan_fixes
from shipcheck.models.artifacts import Kind
from shipcheck.parsers import parse
from shipcheck.parsers.tomltext import load_toml
from shipcheck.parsers.yaml_nodes import load_all

from conftest import FIXTURES

PROJECTS = [EXAMPLE, *sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())]
# The safe fixes the issue requires (CI010 is the persist-credentials fix).
REQUIRED_SAFE = {"DKR010", "DKR021", "DKR020", "DKR040", "DKR041", "PRJ004", "CMP003", "KUB011",
                 "CI006", "CI010", "PY008"}  # fmt: skip
REQUIRED_UNSAFE = {"PY003", "SEC010", "CFG001"}


def _copy(source: Path, tmp_path: Path) -> Path:
    project = tmp_path / source.name
    shutil.copytree(source, project)
    return init_repo(project)  # a git repository, as projects are (PRJ004 applies then)


def _tree(project: Path) -> dict[str, str]:
    return {
        str(p.relative_to(project)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(project.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(project).parts
    }


def _rules(report) -> set[str]:
    return {f.rule_id for f in report.findings}


def _assert_everything_parses(project: Path) -> None:
    for path in project.rglob("*"):
        if not path.is_file() or ".git" in path.relative_to(project).parts:
            continue
        text = path.read_text(encoding="utf-8")
        name = path.name
        if path.suffix == ".py":
            compile(text, str(path), "exec")
        elif path.suffix in (".yaml", ".yml"):
            load_all(text)
        elif path.suffix == ".toml" or name == "poetry.lock":
            load_toml(text, name)
        elif name == "Dockerfile" or name.endswith(".Dockerfile"):
            parse(name, Kind.DOCKERFILE, text.encode("utf-8"))


def _request(project: Path, **options) -> FixRequest:
    return FixRequest(targets=[project], offline=True, jobs=1, **options)


@pytest.mark.parametrize("source", PROJECTS, ids=lambda p: p.name)
def test_diff_writes_nothing_and_fix_resolves_the_safe_findings(source, tmp_path):
    project = _copy(source, tmp_path)
    tree = _tree(project)

    out, err = io.StringIO(), io.StringIO()
    assert main(_request(project, diff=True), out=out, err=err) == 0
    assert _tree(project) == tree, "--diff wrote something"
    diff = out.getvalue()
    assert "--diff: nothing written" in err.getvalue()

    result = fix(_request(project))
    before, after = _rules(result.before), _rules(result.after)
    fixable = before & REQUIRED_SAFE
    assert not after & REQUIRED_SAFE, sorted(after & REQUIRED_SAFE)
    fixed = {f.rule_id for p in result.plans for f in p.fixed}
    assert fixable <= fixed
    assert all(registry.get(rule).safety == registry.SAFE for rule in fixed)
    assert result.problems == []
    for path, change in result.changed.items():
        marker = "/dev/null" if change.created else f"a/{path}"
        assert f"--- {marker}\n+++ b/{path}\n" in diff, f"--diff did not show {path}"
    if fixable:
        assert result.after.scores.overall > result.before.scores.overall
    _assert_everything_parses(project)

    # A second run plans nothing (this is the scan it would start from).
    final = result.final
    again = plan_fixes(final.report, final.project, PlanOptions(), final.digests)
    assert again.changes == {}, "a second run would change files"


@pytest.mark.parametrize(
    "source", [EXAMPLE, FIXTURES / "projects" / "ledger"], ids=lambda p: p.name
)
def test_unsafe_fixes_remove_timeout_secret_fallback_and_debug_findings(source, tmp_path):
    project = _copy(source, tmp_path)
    result = fix(_request(project, unsafe=True))
    before, after = _rules(result.before), _rules(result.after)
    assert before & REQUIRED_UNSAFE, "the project has findings the unsafe fixes address"
    assert not after & (REQUIRED_SAFE | REQUIRED_UNSAFE)
    _assert_everything_parses(project)
    tree = _tree(project)
    assert fix(_request(project, unsafe=True)).changed == {} and _tree(project) == tree


def test_ledger_covers_every_required_fix():
    """The fixture project exists to exercise every required fix: keep it that way."""
    result = fix(_request(FIXTURES / "projects" / "ledger", diff=True, unsafe=True))
    assert REQUIRED_SAFE - {"DKR041"} | REQUIRED_UNSAFE <= set(result.fixed)


def test_command_line(tmp_path):
    from typer.testing import CliRunner

    from shipcheck.cli import app

    project = _copy(FIXTURES / "projects" / "ledger", tmp_path)
    tree = _tree(project)
    # The console script itself, once.
    shown = subprocess.run(
        [sys.executable, "-m", "shipcheck", "fix", str(project), "--diff", "--offline",
         "--exit-non-zero-on-fix"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert shown.returncode == 1, shown.stderr
    assert "+RUN pip install --no-cache-dir -r requirements.txt" in shown.stdout
    assert "would fix" in shown.stderr and _tree(project) == tree
    runner = CliRunner()
    applied = runner.invoke(app, ["fix", str(project), "--offline", "--select", "DKR", "-j", "1"])
    assert applied.exit_code == 0, applied.output
    assert "DKR010" in applied.output and "score:" in applied.output
    assert "CI006" not in applied.output
    for args in (["-"], [str(project), "--no-such-option"], [str(tmp_path / "missing")]):
        bad = runner.invoke(app, ["fix", *args])
        assert bad.exit_code == 2, (args, bad.output)
