"""Baselines on a real git repository: write one, gate only on new findings, survive unrelated
edits, and fail clearly on a bad file."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
from typer.testing import CliRunner

from reporting_support import DOCKERFILE_ROOT, REQUIREMENTS, commit_all, init_repo, write
from shipcheck.baseline import BASELINE_FILE, BASELINE_VERSION, BaselineError, load
from shipcheck.cli import app

SELECT = ["--isolated", "--select", "DKR001,DEP001"]


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = tmp_path / "legacy"
    write(root, {"Dockerfile": DOCKERFILE_ROOT, "requirements.txt": REQUIREMENTS + "redis\n"})
    init_repo(root)
    monkeypatch.chdir(root)
    return root


def scan_json(*args: str) -> tuple[int, dict]:
    result = cli("scan", ".", *SELECT, "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def test_round_trip_gates_only_on_new_findings(repo):
    result = cli("baseline", ".", "--isolated")
    assert result.exit_code == 0, result.output
    baseline_file = repo / BASELINE_FILE
    document = json.loads(baseline_file.read_text(encoding="utf-8"))
    assert document["version"] == BASELINE_VERSION and document["tool"] == "shipcheck"
    entries = document["findings"]
    assert {e["rule_id"] for e in entries} >= {"DKR001", "DEP001"}
    assert entries == sorted(entries, key=lambda e: (e["path"], e["rule_id"], e["fingerprint"]))
    commit_all(repo, "accept the current findings")

    code, before = scan_json("--fail-on", "low")
    assert code == 1 and before["summary"]["findings"] >= 3
    code, report = scan_json("--baseline", BASELINE_FILE, "--fail-on", "low")
    assert code == 0, report["gate"]
    assert report["findings"] == []
    assert report["summary"]["baselined"] == before["summary"]["findings"]

    # Unrelated edits above the findings keep them baselined.
    for name in ("Dockerfile", "requirements.txt"):
        path = repo / name
        path.write_text("\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    code, report = scan_json("--baseline", BASELINE_FILE, "--fail-on", "low")
    assert code == 0 and report["findings"] == []

    # A new finding is reported and fails the gate, alone.
    with (repo / "requirements.txt").open("a", encoding="utf-8") as handle:
        handle.write("celery>=5\n")
    code, report = scan_json("--baseline", BASELINE_FILE, "--fail-on", "medium")
    assert code == 1
    assert [(f["rule_id"], f["path"]) for f in report["findings"]] == [
        ("DEP001", "requirements.txt")
    ]
    assert "celery" in report["findings"][0]["message"]
    assert report["summary"]["baselined"] == before["summary"]["findings"]
    jsonschema.validate(report, report_schema())  # `baselined` is part of the JSON schema
    terminal = cli("scan", ".", *SELECT, "--baseline", BASELINE_FILE)
    assert "accepted by the baseline, not shown" in terminal.stdout

    # Combined with diff mode: only the new, changed line is left either way.
    code, report = scan_json("--baseline", BASELINE_FILE, "--diff", "HEAD", "--fail-on", "medium")
    assert code == 1 and len(report["findings"]) == 1
    assert report["summary"]["outside_diff"] == 0


def report_schema() -> dict:
    text = resources.files("shipcheck").joinpath("data/schemas/report.schema.json").read_text()
    return json.loads(text)


def test_baseline_file_is_deterministic_and_has_an_output_option(repo, tmp_path):
    first, second = tmp_path / "one.json", tmp_path / "two.json"
    assert cli("baseline", ".", "--isolated", "-o", str(first)).exit_code == 0
    assert cli("baseline", "--isolated", "--output", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert not (repo / BASELINE_FILE).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found (create it with `shipcheck baseline`)"),
        ("{not json", "is not valid JSON"),
        ('{"tool": "other", "version": 1, "findings": []}', "is not a shipcheck baseline"),
        ('{"tool": "shipcheck", "version": 99, "findings": []}', "has version 99"),
        ('{"tool": "shipcheck", "version": 1, "findings": [{"rule_id": "X"}]}', "no `fingerprint`"),
    ],
)
def test_bad_baseline_is_a_usage_error(repo, content, message):
    path = repo / "bad-baseline.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError, match=r"bad-baseline\.json"):
        load(path)
    result = cli("scan", ".", *SELECT, "--baseline", str(path))
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_baseline_of_a_file_is_refused(repo):
    result = cli("baseline", "Dockerfile")
    assert result.exit_code == 2
    assert "is not a directory" in result.output
