"""Project-level findings ("no CI", "no tests", "no .gitignore") have a stable home: no line,
a path that names what they are about, a fingerprint that does not depend on which manifest
happens to exist, and never a place among the lines a diff changed."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from shipcheck.gitdiff import ChangedLines

from conftest import run_scan

RULES = ["CI003", "PRJ001", "PRJ004"]


def _git(cwd, *args):
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd, check=True, capture_output=True,
    )  # fmt: skip


def _service(root):
    (root / "app").mkdir()
    (root / "app" / "main.py").write_text(
        "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get('/')\n"
        "def index():\n    return 'ok'\n"
    )
    (root / "requirements.txt").write_text("flask==3.0.3\ngunicorn==22.0.0\n")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_project_level_findings_are_stable_and_never_in_a_diff(tmp_path):
    _service(tmp_path)
    _git(tmp_path, "init", "-q", ".")
    first = run_scan(tmp_path, select=RULES, fail_on="never")
    homes = {f.rule_id: (f.where, f.line) for f in first.findings}
    assert homes == {"CI003": (".", 0), "PRJ001": (".", 0), "PRJ004": (".gitignore", 0)}
    assert all(f.to_dict()["line"] is None for f in first.findings)

    # A pyproject.toml appears (and requirements.txt changes): same findings, same fingerprints.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "svc"\nversion = "1.0"\n')
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\n")
    second = run_scan(tmp_path, select=RULES, fail_on="never")
    assert {f.fingerprint for f in second.findings} == {f.fingerprint for f in first.findings}

    changed = ChangedLines(
        ref="HEAD",
        lines={"requirements.txt": frozenset({1})},
        new_files=frozenset({"pyproject.toml", ".gitignore"}),
    )
    inside, outside = changed.partition(second.findings)
    assert inside == [] and len(outside) == 3


def test_project_level_findings_in_every_format(tmp_path):
    import json

    from shipcheck.reporters import get_reporter

    _service(tmp_path)
    report = run_scan(tmp_path, select=["PRJ001"], fail_on="never")
    [finding] = report.findings
    assert finding.project_level and finding.where == "."
    data = json.loads(get_reporter("json").render(report))
    assert data["findings"][0]["line"] is None and data["findings"][0]["path"] == "."
    sarif = json.loads(get_reporter("sarif").render(report))
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["region"] == {"startLine": 1}
    [annotation] = [a for a in get_reporter("github").render(report).splitlines() if "PRJ001" in a]
    assert annotation.startswith("::") and "file=" not in annotation
    gitlab = json.loads(get_reporter("gitlab").render(report))
    assert gitlab[0]["location"]["lines"]["begin"] == 1
