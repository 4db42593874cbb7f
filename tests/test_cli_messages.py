"""Errors as the README promises them (exit 2, naming the option or the key and its file, with a
suggestion for near misses) and reports that say what was not checked or not found."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reporting_support import DOCKERFILE_ROOT, EXAMPLE, write
from shipcheck import engine
from shipcheck.cli import app
from shipcheck.detectors.deps import vulnerable
from shipcheck.reporters.concise import ConciseReporter
from shipcheck.reporters.github import GithubReporter
from shipcheck.reporters.html import HtmlReporter
from shipcheck.reporters.json import JsonReporter
from shipcheck.reporters.markdown import MarkdownReporter
from shipcheck.reporters.sarif import SarifReporter
from shipcheck.reporters.terminal import TerminalReporter

from conftest import run_scan


def cli(*args: str, cwd: Path | None = None):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def project(tmp_path) -> Path:
    return write(tmp_path / "app", {"Dockerfile": DOCKERFILE_ROOT})


def configured(project: Path, table: str) -> Path:
    write(project, {"pyproject.toml": f"[tool.shipcheck]\n{table}\n"})
    return project


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('per-file-ignores = { "scripts/**" = ["PY003", "NOPE123"] }',
         "pyproject.toml [tool.shipcheck]: `per-file-ignores.\"scripts/**\"`: selector 'NOPE123' "
         "matches no rule"),
        ('severity = { DKR999 = "low" }',
         "pyproject.toml [tool.shipcheck]: `severity.DKR999`: selector 'DKR999' matches no rule"),
        ("ignore = ['root-usr']",
         "`ignore`: selector 'root-usr' matches no rule (did you mean 'root-user'?)"),
        ("extend-select = ['DKR0003']", "`extend-select`: selector 'DKR0003' matches no rule"),
        ("[tool.shipcheck.params.DKR01]\nnonroot_images = []",
         "`params.DKR01` names no rule (did you mean 'DKR001'?)"),
        ("selct = ['ALL']", "unknown key `selct` in shipcheck configuration (did you mean "
         "`select`?)"),
        ("fail_on = 'high'", "unknown key `fail_on` in shipcheck configuration (did you mean "
         "`fail-on`?)"),
        ("fail-on = 'hihg'", "`fail-on` must be one of critical, high, medium, low, info, never "
         "(did you mean 'high'?)"),
    ],
)  # fmt: skip
def test_configuration_errors_name_the_key_and_the_file(project, table, message):
    result = cli("scan", str(configured(project, table)))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "pyproject.toml" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--select", "NOPE"], "shipcheck: error: --select: selector 'NOPE' matches no rule"),
        (["--ignore", "DKR0011"], "--ignore: selector 'DKR0011' matches no rule (did you mean"),
        (["--fail-on", "hgh"], "--fail-on: 'hgh' is not one of critical, high, medium, low, "
         "info, never (did you mean 'high'?)"),
        (["--min-score", "120"], "--min-score: must be from 0 to 100, not 120"),
        (["--jobs", "0"], "--jobs: must be at least 1, not 0"),
        (["--format", "jsn"], "--format: unknown format 'jsn' (choose from terminal, concise, "),
        (["--selct", "DKR001"], "No such option: --selct"),
        (["-", "Dockerfile"], "PATH: `-` (standard input) cannot be combined with other paths"),
    ],
)  # fmt: skip
def test_command_line_errors_name_the_option_not_a_file(project, args, message):
    # A valid configuration file is there: the error must not be blamed on it.
    configured(project, "select = ['ALL']")
    result = cli("scan", str(project), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "pyproject.toml" not in result.stderr


def test_rule_suggestions_for_explain(project):
    result = cli("explain", "DKR01")
    assert result.exit_code == 2 and "(did you mean 'DKR001'?)" in result.stderr
    named = cli("explain", "root-usr")
    assert "(did you mean 'root-user'?)" in named.stderr


def test_baseline_offline_and_shared_options(project, monkeypatch):
    seen = []
    real = engine.scan

    def spy(options):
        seen.append(options)
        return real(options)

    monkeypatch.setattr(engine, "scan", spy)
    out = project / "base.json"
    result = cli("baseline", str(project), "--offline", "--jobs", "1", "--isolated", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert seen[0].overrides["offline"] is True and seen[0].jobs == 1
    assert json.loads(out.read_text(encoding="utf-8"))["findings"]


def test_an_explicit_file_of_a_kind_not_read_gets_a_diagnostic(project):
    write(project, {"logo.png": "\x89PNG"})
    result = cli("scan", str(project / "Dockerfile"), str(project / "logo.png"), "-f", "json")
    data = json.loads(result.stdout)
    assert {"path": "logo.png", "kind": "unread",
            "reason": "not a kind of file shipcheck reads"} in data["diagnostics"]  # fmt: skip
    alone = cli("scan", str(project / "logo.png"))
    assert alone.exit_code == 0
    assert alone.stdout.startswith("Nothing shipcheck reads was found in the files given.")
    assert "logo.png" in alone.stdout


def test_an_empty_directory_is_one_sentence_in_every_human_format(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "r.json"
    result = cli("scan", str(empty), "--isolated", "-o", str(out))
    assert result.exit_code == 0
    assert f"nothing shipcheck reads was found in {empty}; gate passed" in result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["scores"]["overall"] == {"score": None, "grade": None}
    concise = cli("scan", str(empty), "--isolated", "-f", "concise")
    assert concise.stdout == f"Nothing shipcheck reads was found in {empty}.\n"
    markdown = cli("scan", str(empty), "--isolated", "-f", "markdown").stdout
    assert markdown.startswith("## ✅ shipcheck: nothing to check") and "None" not in markdown


# --- a check that could not run is "not checked" -------------------------------------------


@pytest.fixture
def unchecked(tmp_path, monkeypatch):
    """The vulnerability check offline with no local advisory data: it cannot run."""
    monkeypatch.delenv(vulnerable.ENV_DB)
    root = write(tmp_path / "svc", {"requirements.txt": "flask==3.0.3\nrequests>=2\n"})
    return run_scan(root, select=["DEP001", "DEP005"], offline=True)


def test_a_skipped_check_is_not_checked_not_a_pass(unchecked):
    item = unchecked.scores.items["deps.vulnerable"]
    assert item.status == "not-checked" and "--offline" in item.reason
    deps = unchecked.scores.areas["deps"]
    assert deps.not_checked == 1 and deps.passed == 0
    # The area is scored on what was checked: one failing pinning item, not a silent 100.
    assert deps.score is not None and deps.score < 100


def test_every_format_says_not_checked(unchecked):
    terminal = TerminalReporter(width=100).render(unchecked)
    assert "Dependencies (1 not checked)" in terminal
    assert "Not checked (not a pass, not scored)" in terminal and "deps.vulnerable" in terminal
    assert "(1 checklist item(s) not checked)" in terminal
    markdown = MarkdownReporter(link_base="").render(unchecked)
    assert "| Not checked |" in markdown and "### Not checked" in markdown
    assert "- ⚠️ `deps.vulnerable`" in markdown
    html = HtmlReporter().render(unchecked)
    assert "<strong>not checked</strong>" in html
    data = json.loads(JsonReporter().render(unchecked))
    assert data["checklist"]["deps.vulnerable"] == "not-checked"
    assert data["not_checked"][0]["checklist_key"] == "deps.vulnerable"
    assert data["scores"]["areas"]["deps"]["not_checked"] == 1
    concise = ConciseReporter().render(unchecked)
    assert "deps.vulnerable: not checked (DEP005: --offline" in concise


# --- one column convention -------------------------------------------------------------------


def test_json_and_sarif_agree_on_every_column():
    report = run_scan(EXAMPLE, fail_on="never")
    findings = json.loads(JsonReporter().render(report))["findings"]
    results = json.loads(SarifReporter().render(report))["runs"][0]["results"]
    assert len(findings) == len(results) > 20
    widened = 0
    for finding, result in zip(findings, results, strict=True):
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (
            region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]
        )  # fmt: skip
        widened += finding["end_line"] == finding["line"] and finding["end_column"] > 1 + 1
    assert widened, "project-level findings cover their line in both"


# --- GitHub's annotation limits --------------------------------------------------------------


def test_github_format_says_when_annotations_exceed_what_github_shows(project):
    report = run_scan(project, select=["DKR001"])
    many = dataclasses.replace(
        report, findings=tuple(dataclasses.replace(report.findings[0], line=n) for n in range(12))
    )
    lines = GithubReporter().render(many).splitlines()
    assert lines[0].startswith("::notice title=shipcheck::12 findings, but GitHub shows only 10")
    assert "2 error annotation(s) will not appear" in lines[0]
    assert "SARIF upload" in lines[0] and "job summary" in lines[0]
    assert not lines[-1].startswith("::") and "will not appear" in lines[-1]
    few = GithubReporter().render(report).splitlines()
    assert not any(line.startswith("::notice") for line in few)
