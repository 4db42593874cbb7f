"""One scan, many reports: `--output [FMT:]FILE` repeated, the format from the extension, paths
checked before the scan, SARIF-only options kept to the SARIF report, the gate logged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reporting_support import DOCKERFILE_ROOT, REQUIREMENTS, assert_valid_sarif, write
from shipcheck import engine
from shipcheck.cli import app


@pytest.fixture
def project(tmp_path) -> Path:
    return write(
        tmp_path / "app", {"Dockerfile": DOCKERFILE_ROOT, "requirements.txt": REQUIREMENTS}
    )


@pytest.fixture
def scans(monkeypatch) -> list[engine.ScanOptions]:
    """Every engine.scan call the command line makes."""
    calls: list[engine.ScanOptions] = []
    real = engine.scan

    def counting(options):
        calls.append(options)
        return real(options)

    monkeypatch.setattr(engine, "scan", counting)
    return calls


def cli(*args: str):
    return CliRunner().invoke(app, ["scan", *args, "--isolated", "--offline"])


def test_one_scan_writes_sarif_and_markdown_and_logs_the_gate(project, tmp_path, scans):
    sarif, summary = tmp_path / "out" / "a.sarif", tmp_path / "out" / "summary.md"
    result = cli(str(project), "-o", f"sarif:{sarif}", "--output", f"markdown:{summary}")
    assert len(scans) == 1, "the scan ran once for both reports"
    assert result.exit_code == 1
    assert_valid_sarif(json.loads(sarif.read_text(encoding="utf-8")))
    markdown = summary.read_text(encoding="utf-8")
    assert markdown.startswith("## ❌ shipcheck:") and "Gate failed" in markdown
    assert result.stdout == "", "no --format: standard output stays empty"
    log = result.stderr.splitlines()
    assert log[0] == f"shipcheck: wrote sarif report to {sarif}"
    assert log[1] == f"shipcheck: wrote markdown report to {summary}"
    assert (
        log[2].startswith("shipcheck: ") and "gate failed: 1 finding(s) at or above high" in log[2]
    )


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("report.json", lambda text: json.loads(text)["version"]),
        ("report.sarif", lambda text: json.loads(text)["runs"]),
        ("report.md", lambda text: text.startswith("## ")),
        ("report.html", lambda text: text.startswith("<!DOCTYPE html>")),
        ("report.txt", lambda text: "Gate failed" in text and "\x1b[" not in text),
    ],
)
def test_format_from_the_extension(project, tmp_path, name, check):
    out = tmp_path / name
    result = cli(str(project), "--output", str(out))
    assert result.exit_code == 1, result.output
    assert check(out.read_text(encoding="utf-8"))


def test_the_long_standing_format_and_output_pair_still_works(project, tmp_path):
    out = tmp_path / "gl.json"
    result = cli(str(project), "--format", "gitlab", "--output", str(out))
    assert isinstance(json.loads(out.read_text(encoding="utf-8")), list)  # Code Climate array
    assert result.stdout == ""


def test_format_names_standard_output_next_to_file_outputs(project, tmp_path):
    out = tmp_path / "r.sarif"
    result = cli(str(project), "-f", "concise", "-o", str(out))
    assert "DKR001 [high]" in result.stdout and out.exists()
    assert "gate failed" not in result.stderr, "the concise report states the gate already"


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("notes.xyz", "--output notes.xyz: cannot tell the format from the file name"),
        ("yaml:r.yaml", "--output yaml:r.yaml: unknown format 'yaml'"),
        ("sarf:r.sarif", "(did you mean 'sarif'?)"),
        ("json:", "--output json:: no file after `json:`"),
        ("{blocker}/sub/r.json", "cannot create folder"),
        ("json:{folder}", "is a directory"),
    ],
)
def test_bad_output_paths_fail_before_the_scan(project, tmp_path, scans, output, message):
    blocker = write(tmp_path, {"blocker": "a file, not a folder"}) / "blocker"
    spec = output.format(blocker=blocker, folder=tmp_path)
    result = cli(str(project), "--output", spec)
    assert result.exit_code == 2
    assert message.format(blocker=blocker) in result.stderr
    assert not scans, "the scan ran although an output could not be written"


def test_same_file_twice_and_missing_folders(project, tmp_path, scans):
    twice = cli(str(project), "-o", f"json:{tmp_path}/r", "-o", f"sarif:{tmp_path}/r")
    assert twice.exit_code == 2 and "named twice" in twice.stderr and not scans
    deep = tmp_path / "a" / "b" / "c" / "r.sarif"
    assert cli(str(project), "-o", str(deep)).exit_code == 1 and deep.is_file()


def test_sarif_options_reach_the_sarif_report_only(project, tmp_path):
    write(
        project, {"app.py": "import requests\nrequests.get('x')  # shipcheck: ignore[PY003] ok\n"}
    )
    args = (str(project), "--select", "PY003,DKR001")
    plain = tmp_path / "plain.md"
    cli(*args, "-o", str(plain))
    sarif, markdown = tmp_path / "s.sarif", tmp_path / "s.md"
    result = cli(*args, "-o", str(sarif), "-o", str(markdown), "--include-suppressed",
                 "--sarif-category", "web")  # fmt: skip
    assert result.exit_code == 1, result.output
    run = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]
    assert run["automationDetails"]["id"] == "web/"
    assert any(r.get("suppressions") for r in run["results"])
    assert markdown.read_text(encoding="utf-8") == plain.read_text(encoding="utf-8")
    alone = cli(*args, "-o", str(markdown), "--include-suppressed")
    assert alone.exit_code == 2 and "apply only to a SARIF report" in alone.stderr


def test_statistics_replace_the_findings_on_standard_output(project, tmp_path):
    out = tmp_path / "r.json"
    result = cli(str(project), "--statistics", "-o", str(out))
    assert result.stdout.splitlines()[0].split() == ["count", "id", "name", "severity", "fixable"]
    assert json.loads(out.read_text(encoding="utf-8"))["findings"]
    clash = cli(str(project), "--statistics", "--format", "json")
    assert clash.exit_code == 2 and "--statistics prints a table" in clash.stderr
