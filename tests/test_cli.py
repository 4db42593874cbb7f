"""The command line as a user meets it: exit codes, formats, messages, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import jsonschema
import pytest

from conftest import REPO

EXAMPLE = REPO / "examples" / "shop"
FINDING_FIELDS = {
    "rule_id", "rule_name", "checklist_key", "area", "severity", "path", "line", "column",
    "end_line", "end_column", "message", "remediation", "fingerprint",
}  # fmt: skip


def shipcheck(*args: str, cwd=None, input=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shipcheck", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=input,
    )


def report_schema():
    text = resources.files("shipcheck").joinpath("data/schemas/report.schema.json").read_text()
    return json.loads(text)


def test_version_and_help():
    from shipcheck import __version__

    assert shipcheck("--version").stdout.startswith(f"shipcheck {__version__}")
    help_text = shipcheck("--help").stdout
    for command in ("scan", "rules", "explain"):
        assert command in help_text


def test_scan_example_prints_scored_report_and_fails_gate():
    result = shipcheck("scan", str(EXAMPLE), "--no-color")
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "Overall score:" in out and "grade" in out
    assert "Checklist" in out and "Failing items" in out
    assert "Dockerfile:" in out and "fix:" in out
    assert "Gate failed" in out


def test_scan_example_json_has_every_documented_field(tmp_path):
    output = tmp_path / "report.json"
    result = shipcheck("scan", str(EXAMPLE), "--format", "json", "--output", str(output))
    assert result.returncode == 1
    data = json.loads(output.read_text())
    jsonschema.validate(data, report_schema())
    assert data["findings"], "the example project has findings"
    assert all(set(f) >= FINDING_FIELDS for f in data["findings"])
    assert all("\\" not in f["path"] and not f["path"].startswith("/") for f in data["findings"])
    assert set(data["checklist"].values()) <= {"pass", "fail", "not-applicable"}
    assert data["scores"]["overall"]["grade"] in "ABCDF"
    assert isinstance(data["suppressed"], int)
    assert "wrote json report" in result.stderr


def test_fail_on_never_and_min_score_gate():
    assert shipcheck("scan", str(EXAMPLE), "--fail-on", "never", "-f", "json").returncode == 0
    strict = shipcheck(
        "scan", str(EXAMPLE), "--fail-on", "never", "--min-score", "100", "-f", "json"
    )
    assert strict.returncode == 1
    assert "below the minimum 100" in json.loads(strict.stdout)["gate"]["reasons"][0]


def test_clean_project_passes(tmp_path):
    (tmp_path / "Dockerfile").write_text(
        'FROM python:3.12-slim\nRUN useradd app\nUSER app\nCMD ["python", "-m", "app"]\n'
    )
    result = shipcheck("scan", str(tmp_path), "--select", "DKR001")
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "does/not/exist"], "no such file or directory"),
        (["scan", ".", "--format", "yaml"], "unknown format 'yaml'"),
        (["scan", ".", "--fail-on", "sometimes"], "--fail-on: 'sometimes' is not one of"),
        (["scan", ".", "--select", "NOPE999"], "selector 'NOPE999' matches no rule"),
        (["explain", "XYZ123"], "no rule 'XYZ123'"),
        (["rules", "--format", "csv"], "unknown format 'csv'"),
    ],
)
def test_usage_errors_exit_2_with_a_message(args, message, tmp_path):
    result = shipcheck(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_config_key_and_value_exit_2_naming_key_and_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.shipcheck]\nfail-on = 'high'\nselct = ['ALL']\n"
    )
    result = shipcheck("scan", str(tmp_path))
    assert result.returncode == 2
    assert "pyproject.toml [tool.shipcheck]: unknown key `selct`" in result.stderr
    (tmp_path / "pyproject.toml").write_text("[tool.shipcheck]\nseverity = {DKR001 = 'loud'}\n")
    result = shipcheck("scan", str(tmp_path))
    assert result.returncode == 2
    assert "severity.DKR001" in result.stderr and "unknown severity 'loud'" in result.stderr
    (tmp_path / "pyproject.toml").write_text("[tool.shipcheck.params.DKR001]\ncolour = 1\n")
    result = shipcheck("scan", str(tmp_path))
    assert result.returncode == 2 and "unknown param 'colour'" in result.stderr
    assert "pyproject.toml [tool.shipcheck]: `params.DKR001`" in result.stderr


def test_unparseable_project_config_scans_with_defaults(tmp_path):
    """A project's broken config file is an audited artifact, not a reason to audit nothing;
    a config file the user names on the command line must be read (exit 2)."""
    (tmp_path / ".shipcheck.toml").write_text("fail-on = \n")
    (tmp_path / "app.py").write_text(
        "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"
    )
    result = shipcheck("scan", str(tmp_path), "--format", "json", "--offline")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    config = [d for d in report["diagnostics"] if d["kind"] == "config"]
    assert len(config) == 1 and "invalid TOML" in config[0]["reason"]
    assert "scanned with the defaults" in config[0]["reason"]
    assert any(f["rule_id"] == "CFG001" for f in report["findings"])
    result = shipcheck("scan", str(tmp_path), "--config", str(tmp_path / ".shipcheck.toml"))
    assert result.returncode == 2
    assert ".shipcheck.toml" in result.stderr and "invalid TOML" in result.stderr


def test_rules_and_explain():
    listing = json.loads(shipcheck("rules", "--format", "json").stdout)
    ids = {r["id"] for r in listing}
    assert {"DKR001", "PY001", "DEP001"} <= ids
    explained = shipcheck("explain", "DKR001").stdout
    assert "root-user" in explained and "Why:" in explained and "Fix:" in explained
    assert "USER app" in explained  # the good example
    by_name = shipcheck("explain", "root-user")
    assert by_name.returncode == 0 and "DKR001" in by_name.stdout


def test_explicit_files_scan_only_those_files_with_config_from_root(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.shipcheck]\nignore = ['PRJ001']\n")
    (tmp_path / "Dockerfile").write_text('FROM python:3.12\nCMD ["python"]\n')
    (tmp_path / "requirements.txt").write_text("flask\n")
    sub = tmp_path / "svc"
    sub.mkdir()
    (sub / "requirements.txt").write_text("requests\n")
    result = shipcheck(
        "scan", "svc/requirements.txt", "-f", "json", "--fail-on", "never", cwd=tmp_path
    )
    data = json.loads(result.stdout)
    assert {f["path"] for f in data["findings"]} == {"svc/requirements.txt"}
    assert "PRJ001" not in data["rules"]


def test_stdin_manifests():
    manifest = (EXAMPLE / "k8s" / "worker.yaml").read_text()
    result = shipcheck(
        "scan", "-", "-f", "json", "--fail-on", "never", "--isolated", input=manifest
    )
    data = json.loads(result.stdout)
    assert any(f["rule_id"] == "KUB001" and f["path"] == "<stdin>" for f in data["findings"])


def test_module_and_console_script_agree():
    from pathlib import Path

    script = Path(sys.executable).with_name("shipcheck")
    assert script.exists(), "the console script is installed next to the interpreter"
    out = subprocess.run([str(script), "--version"], capture_output=True, text=True).stdout
    assert out.split("\n")[0] == shipcheck("--version").stdout.split("\n")[0]
