"""The pieces of `shipcheck fix`: edits and positions, the catalogue ⇔ registry contract,
what it refuses to write, what it discards, configuration, and the fixes shown in reports
and SARIF."""

from __future__ import annotations

import io
import json
import os

import pytest

from reporting_support import assert_valid_sarif, copy_example, write
from shipcheck.config import Config, ConfigError, _apply
from shipcheck.fixes import availability, registry
from shipcheck.fixes.command import FixRequest, fix, main
from shipcheck.fixes.edits import Edit, LineIndex, apply_edits, unified_diff
from shipcheck.fixes.plan import PlanOptions, _refusal, plan_fixes, verify
from shipcheck.fixes.write import write_plan
from shipcheck.models.artifacts import Kind
from shipcheck.packs import load_builtin
from shipcheck.reporters.markdown import MarkdownReporter
from shipcheck.reporters.sarif import SarifReporter
from shipcheck.reporters.terminal import TerminalReporter

from conftest import FIXTURES, REPO, run_scan

RULES = {r.id: r for r in load_builtin().rules}
DOCKERFILE = (
    "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
    "RUN pip install -r requirements.txt\nCOPY . .\nUSER 10001\n"
    'CMD ["gunicorn", "app:app"]\n'
)


def _edit(start: int, end: int, text: str, rule: str = "DKR010") -> Edit:
    return Edit("f", start, end, text, rule)


# --- catalogue ⇔ registry --------------------------------------------------------------


def test_every_rule_that_declares_a_fix_has_a_fixer_of_that_safety_and_vice_versa():
    fixers = registry.all_fixers()
    declared = {rule_id: rule.fix for rule_id, rule in RULES.items() if rule.fix != "none"}
    assert declared == {rule_id: f.safety for rule_id, f in fixers.items()}
    for fixer in fixers.values():
        assert fixer.description and not fixer.description.endswith(".")


def test_a_rule_outside_the_builtin_catalogue_cannot_declare_a_fix(tmp_path):
    from shipcheck.catalogue import CatalogueError, load_rules

    source = REPO / RULES["DKR010"].source
    text = source.read_text(encoding="utf-8").replace("id: DKR010", "id: ACME010")
    text = text.replace("name: pip-cache-in-layer", "name: acme-pip-cache")
    write(tmp_path, {"ACME010-acme-pip-cache.yaml": text})
    with pytest.raises(CatalogueError, match="only built-in rules have automatic fixes"):
        load_rules(tmp_path, origin="user")
    with pytest.raises(CatalogueError, match="`fix` must be one of"):
        write(tmp_path, {"ACME010-acme-pip-cache.yaml": text.replace("fix: safe", "fix: maybe")})
        load_rules(tmp_path, origin="builtin")


def test_importing_the_fixes_does_not_import_libcst():
    import subprocess
    import sys

    code = (
        "import sys, shipcheck.fixes.registry as r, shipcheck.reporters.terminal;"
        "r.all_fixers(); print('libcst' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- edits and positions ---------------------------------------------------------------


def test_edits_apply_without_overlap_and_defer_the_rest():
    text = "0123456789"
    applied = apply_edits(
        text,
        [
            _edit(2, 4, "ab"),
            _edit(3, 5, "XY", "DKR013"),  # overlaps the first: deferred
            _edit(7, 7, "+"),
            _edit(7, 7, "-", "DKR014"),  # another insertion at the same point: deferred
            _edit(7, 7, "+", "DKR021"),  # identical to an applied one: merged
        ],
    )
    assert applied.text == "01ab456+789"
    assert [(e.start, e.replacement) for e in applied.deferred] == [(3, "XY"), (7, "-")]


def test_line_index_counts_characters_and_knows_each_parsers_line_breaks():
    text = "a\r\nbé c\rd\x0ce\n"
    python, generic = LineIndex(text, "cr-lf"), LineIndex(text, "splitlines")
    assert python.count == 3 and generic.count == 4
    assert python.line_text(2) == "bé c" and python.offset(2, 4) == text.index("c")
    assert generic.line_text(3) == "d" and generic.position(text.index("e")) == (4, 1)
    # ast counts columns in UTF-8 bytes: `c` is byte 5 of line 2, character 4.
    assert python.byte_column_to_offset(2, 5) == text.index("c")
    assert python.position(len(text)) == (4, 1)


def test_unified_diff_marks_created_files_and_missing_final_newlines():
    assert unified_diff("x", "", "a\n", created=True).startswith("--- /dev/null\n+++ b/x\n")
    assert "\\ No newline at end of file" in unified_diff("x", "a", "a\nb")


# --- safety: refusals and verification --------------------------------------------------


def test_refuses_files_outside_the_project_unread_files_and_symlinks(tmp_path):
    root = tmp_path / "project"
    write(root, {"Dockerfile": DOCKERFILE, "notes.txt": "x\n"})
    (tmp_path / "outside").write_text("x\n")
    os.symlink(root / "Dockerfile", root / "linked")
    edit = [_edit(0, 0, "x")]
    assert "outside the project" in _refusal(root, "../outside", edit, {"../outside"})
    assert "did not read" in _refusal(root, "notes.txt", edit, {"Dockerfile"})
    assert "symbolic link" in _refusal(root, "linked", edit, {"linked"})
    assert "not created" in _refusal(root, "new.txt", edit, set())
    assert _refusal(root, "Dockerfile", edit, {"Dockerfile"}) is None


@pytest.mark.parametrize(
    ("path", "kind", "before", "after", "problem"),
    [
        ("app.py", Kind.PYTHON, "x = 1\n", "x = (1\n", "does not compile"),
        ("k8s/a.yaml", Kind.KUBERNETES, "apiVersion: v1\nkind: Pod\n",
         "apiVersion: v1\nkind: [Pod\n", "does not parse"),
        ("compose.yaml", Kind.COMPOSE, "services:\n  a:\n    image: x\n",
         "servics:\n  a:\n    image: x\n", "would be read as"),
        ("compose.yaml", Kind.COMPOSE, "services:\n  a:\n    image: x\n",
         "services:\n  a:\n    image: x\n    image: y\n", "repeat a mapping key"),
        ("pyproject.toml", Kind.PYPROJECT, "[project]\n", "[project\n", "does not parse"),
    ],
)  # fmt: skip
def test_a_result_that_does_not_parse_is_discarded(path, kind, before, after, problem):
    assert problem in verify(path, kind, before, after)
    assert verify(path, kind, before, before) is None


def test_a_file_changed_since_it_was_read_is_not_written(tmp_path):
    write(tmp_path, {"Dockerfile": DOCKERFILE, ".shipcheck.toml": ""})
    from shipcheck.engine import ScanOptions, run

    outcome = run(ScanOptions(targets=[tmp_path], jobs=1, overrides={"select": ["DKR010"]}))
    plan = plan_fixes(outcome.report, outcome.project, PlanOptions(), outcome.digests)
    assert list(plan.changes) == ["Dockerfile"]
    edited = DOCKERFILE.replace("WORKDIR /app", "WORKDIR /srv")
    (tmp_path / "Dockerfile").write_text(edited)  # the user saves meanwhile
    written = write_plan(plan)
    assert written.files == [] and "changed on disk" in written.refused[0]
    assert (tmp_path / "Dockerfile").read_text() == edited
    # Planning again from the old scan refuses too: its positions describe the old text.
    stale = plan_fixes(outcome.report, outcome.project, PlanOptions(), outcome.digests)
    assert stale.changes == {} and "since the scan read it" in stale.problems[0]


def test_suppressed_findings_and_unselected_rules_are_not_fixed(tmp_path):
    suppressed = DOCKERFILE.replace(
        "RUN pip", "# shipcheck: ignore[DKR010] the cache is mounted by CI\nRUN pip"
    ).replace('CMD ["gunicorn", "app:app"]', "CMD gunicorn app:app")
    write(tmp_path, {"Dockerfile": suppressed, ".shipcheck.toml": ""})
    result = fix(FixRequest(targets=[tmp_path], jobs=1, ignore=["DKR020", "DKR040"]))
    text = (tmp_path / "Dockerfile").read_text()
    assert "--no-cache-dir" not in text and "CMD gunicorn app:app" in text
    assert "ENV PYTHONUNBUFFERED=1" in text and set(result.fixed) == {"DKR021"}


# --- configuration and command line ----------------------------------------------------


def test_http_timeout_setting():
    config = Config()
    _apply(config, {"fix": {"http-timeout": 2.5}}, "test")
    assert config.fix_http_timeout == 2.5
    for bad in ({"http-timeout": 0}, {"http-timeout": True}, {"http-timeout": "10"},
                {"http-timeout": float("nan")}, {"timeout": 1}):  # fmt: skip
        with pytest.raises(ConfigError, match="fix"):
            _apply(Config(), {"fix": bad}, "test")


def test_usage_error_exits_2_with_a_message(tmp_path):
    write(tmp_path, {".shipcheck.toml": "[fix]\nhttp-timeout = -1\n", "app.py": "x = 1\n"})
    err = io.StringIO()
    assert main(FixRequest(targets=[tmp_path]), out=io.StringIO(), err=err) == 2
    assert "http-timeout" in err.getvalue() and "Traceback" not in err.getvalue()


# --- reports -----------------------------------------------------------------------------


def test_reports_mark_fixable_findings(tmp_path):
    report = run_scan(copy_example(tmp_path / "shop"), fail_on="never", offline=True)
    by_rule = {f.rule_id: f for f in report.findings}
    assert availability(report.rule("DKR010"), by_rule["DKR010"]) == "safe"
    assert availability(report.rule("PY003"), by_rule["PY003"]) == "unsafe"
    assert availability(report.rule("DEP001"), by_rule["DEP001"]) is None  # needs a lock file
    assert availability(report.rule("PY001"), by_rule["PY001"]) is None
    terminal = TerminalReporter(width=200).render(report)
    assert "DKR010 pip-cache-in-layer  [fix]" in terminal
    assert "PY003 http-request-without-timeout  [unsafe fix]" in terminal
    assert "can be fixed with `shipcheck fix`" in terminal
    markdown = MarkdownReporter(link_base="").render(report)
    assert "can be fixed with `shipcheck fix`" in markdown


def test_sarif_fixes_are_valid_and_do_what_shipcheck_fix_does(tmp_path):
    from dataclasses import replace

    from shipcheck.engine import ScanOptions, run

    project = copy_example(tmp_path / "shop")
    outcome = run(ScanOptions(targets=[project], jobs=1, isolated=True,
                              overrides={"offline": True, "fail-on": "never"}))  # fmt: skip
    report = outcome.report
    document = json.loads(SarifReporter().render(report))
    assert_valid_sarif(document)
    results = document["runs"][0]["results"]
    with_fixes = {i: r for i, r in enumerate(results) if "fixes" in r}
    rules = {r["ruleId"] for r in with_fixes.values()}
    assert rules >= {"DKR010", "DKR021", "DKR020", "CMP003", "KUB011", "CI010", "PRJ004"}
    assert not rules & {"PY003", "CFG001", "CMP005"}, "unsafe fixes stay out of SARIF"
    for index, result in with_fixes.items():
        (change,) = result["fixes"][0]["artifactChanges"]
        path = change["artifactLocation"]["uri"]
        before = (project / path).read_text(encoding="utf-8")
        after = _apply_sarif(before, change["replacements"])
        # What `shipcheck fix` makes of the file when this finding is the only one open.
        only = replace(report, findings=(report.findings[index],))
        plan = plan_fixes(only, outcome.project, PlanOptions(), outcome.digests)
        assert after == plan.changes[path].after, result["ruleId"]


def _apply_sarif(text: str, replacements: list[dict]) -> str:
    index = LineIndex(text, "cr-lf")
    pieces = []
    for item in replacements:
        region = item["deletedRegion"]
        start = index.offset(region["startLine"], region["startColumn"])
        end = index.offset(region["endLine"], region["endColumn"])
        pieces.append((start, end, item.get("insertedContent", {}).get("text", "")))
    for start, end, inserted in sorted(pieces, reverse=True):
        text = text[:start] + inserted + text[end:]
    return text


def test_sarif_of_the_fixture_projects_with_fixes_validates():
    report = run_scan(FIXTURES / "projects" / "ledger", fail_on="never", offline=True)
    document = json.loads(SarifReporter().render(report))
    assert_valid_sarif(document)
    fixes = [r["fixes"] for r in document["runs"][0]["results"] if "fixes" in r]
    assert fixes, "the ledger project has safe fixes"
    for fix_list in fixes:
        for replacement in fix_list[0]["artifactChanges"][0]["replacements"]:
            region = replacement["deletedRegion"]
            assert region["startLine"] >= 1 and region["startColumn"] >= 1
            assert (region["endLine"], region["endColumn"]) >= (
                region["startLine"],
                region["startColumn"],
            )


def test_rules_and_explain_show_the_fix():
    from typer.testing import CliRunner

    from shipcheck.cli import app

    runner = CliRunner()
    listing = json.loads(runner.invoke(app, ["rules", "--format", "json"]).output)
    fixes = {r["id"]: r["fix"] for r in listing}
    assert fixes["DKR010"] == "safe" and fixes["PY003"] == "unsafe" and fixes["DKR001"] == "none"
    table = runner.invoke(app, ["rules"], env={"COLUMNS": "200"}).output  # piped: plain rows
    assert table.splitlines()[0].split()[:5] == ["id", "severity", "name", "checklist", "fix"]
    row = next(line for line in table.splitlines() if line.startswith("DKR010 "))
    assert row.split()[4] == "safe"
    explained = runner.invoke(app, ["explain", "CI006"]).output
    assert "Automatic fix: `shipcheck fix`: add `permissions: contents: read`" in explained
    assert "Automatic fix: none" in runner.invoke(app, ["explain", "DKR001"]).output


def test_lock_versions_count_only_packages_locked_once_from_the_index(tmp_path):
    from shipcheck.fixes.requirements import locked_versions
    from shipcheck.project import ProjectModel

    uv_lock = """version = 1
requires-python = ">=3.11"

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "numpy"
version = "2.0.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "Flask"
version = "3.0.3"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "internal-lib"
version = "0.4.0"
source = { git = "https://git.example.com/internal-lib?rev=main" }
"""
    write(tmp_path, {"uv.lock": uv_lock, "svc/requirements.txt": "flask\n"})
    project = ProjectModel(root=tmp_path, files={"uv.lock": Kind.LOCKFILE})
    # The lock at the root serves the service folder below it.
    assert locked_versions(project, "svc/requirements.txt") == {"flask": "3.0.3"}
    assert locked_versions(ProjectModel(root=tmp_path, files={}), "requirements.txt") is None
