"""Every output format through the command line, and the GitHub Action's scan step run as the
runner would run it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from reporting_support import DOCKERFILE_ROOT, assert_valid_sarif, copy_example, write
from shipcheck import reporters
from shipcheck.cli import app

from conftest import REPO

FORMATS = ["sarif", "markdown", "html", "gitlab", "github"]


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Path:
    return copy_example(tmp_path_factory.mktemp("formats") / "shop")


def test_formats_are_registered():
    assert set(FORMATS) <= set(reporters.available())
    for name in FORMATS:
        assert reporters.get_reporter(name).name == name


@pytest.mark.parametrize("name", FORMATS)
def test_format_through_the_cli_is_deterministic(shop, tmp_path, name):
    first = cli("scan", str(shop), "--isolated", "--format", name)
    assert first.exit_code == 1, first.output  # the example fails the default gate
    out = tmp_path / f"report.{name}"
    second = cli("scan", str(shop), "--isolated", "--format", name, "--jobs", "2", "-o", str(out))
    assert second.exit_code == 1
    assert out.read_text(encoding="utf-8") == first.stdout
    assert f"wrote {name} report to" in second.output
    if name in ("sarif", "gitlab"):
        document = json.loads(first.stdout)
        if name == "sarif":
            assert_valid_sarif(document)


def test_sarif_options_are_checked(shop):
    misuse = cli("scan", str(shop), "--isolated", "--format", "json", "--sarif-category", "x")
    assert misuse.exit_code == 2 and "apply only to a SARIF report" in misuse.output
    misuse = cli("scan", str(shop), "--isolated", "--format", "html", "--include-suppressed")
    assert misuse.exit_code == 2
    empty = cli("scan", str(shop), "--isolated", "--format", "sarif", "--sarif-category", " / ")
    assert empty.exit_code == 2 and "must not be empty" in empty.output
    ok = cli("scan", str(shop), "--isolated", "--format", "sarif", "--sarif-category", "web")
    assert json.loads(ok.stdout)["runs"][0]["automationDetails"]["id"] == "web/"


def test_help_lists_the_formats_and_gates():
    text = cli("scan", "--help").output
    for word in ("sarif", "markdown", "gitlab", "--baseline", "--diff", "--sarif-category"):
        assert word in text


# --- the composite action ------------------------------------------------------------------


def action() -> dict:
    return yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))


def test_action_is_composite_and_never_expands_inputs_inside_scripts():
    definition = action()
    assert definition["runs"]["using"] == "composite"
    steps = definition["runs"]["steps"]
    assert "${{ github.action_path }}" in steps[0]["env"].values()
    for step in steps:
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], f"expression inside the script of {step['name']}"
    assert {"path", "args", "sarif-file", "category", "summary"} <= set(definition["inputs"])
    assert {"exit-code", "sarif-file"} <= set(definition["outputs"])


def _fake_bin(directory: Path) -> Path:
    """What the install step leaves behind: a bin directory with `python` and `shipcheck`."""
    if directory.exists():
        return directory
    directory.mkdir()
    (directory / "python").symlink_to(sys.executable)
    script = directory / "shipcheck"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m shipcheck "$@"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return directory


def run_scan_step(tmp_path: Path, workspace: Path, **inputs: str) -> tuple[int, dict, str]:
    step = next(s for s in action()["runs"]["steps"] if s.get("id") == "scan")
    outputs, summary = tmp_path / "github_output", tmp_path / "step_summary"
    outputs.write_text("")
    summary.write_text("")
    values = {"path": ".", "args": "", "sarif-file": "shipcheck.sarif", "category": "",
              "summary": "true", **inputs}  # fmt: skip
    env = dict(os.environ)
    for name, expression in step["env"].items():
        key = expression.removeprefix("${{ ").removesuffix(" }}")
        if key == "steps.install.outputs.bin":
            env[name] = str(_fake_bin(tmp_path / "bin"))
        else:
            env[name] = values[key.removeprefix("inputs.")]
    env.update(GITHUB_OUTPUT=str(outputs), GITHUB_STEP_SUMMARY=str(summary))
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)
    return result.returncode, written, summary.read_text(encoding="utf-8") + result.stdout


def test_action_writes_sarif_and_summary_then_exits_with_the_scan_code(tmp_path):
    workspace = copy_example(tmp_path / "workspace")
    code, outputs, summary = run_scan_step(
        tmp_path, workspace, args="--isolated --fail-on 'high'", category="shipcheck"
    )
    assert code == 1 and outputs["exit-code"] == "1"
    sarif = json.loads((workspace / outputs["sarif-file"]).read_text(encoding="utf-8"))
    assert_valid_sarif(sarif)
    assert sarif["runs"][0]["automationDetails"]["id"] == "shipcheck/"
    assert summary.startswith("## ") and "Gate failed" in summary


def test_action_passes_a_clean_project_and_reports_bad_arguments(tmp_path):
    workspace = write(tmp_path / "workspace", {"Dockerfile": DOCKERFILE_ROOT})
    code, outputs, _ = run_scan_step(tmp_path, workspace, args="--isolated --fail-on never")
    assert code == 0 and outputs["exit-code"] == "0"
    code, _, text = run_scan_step(tmp_path, workspace, args="--fail-on 'high")
    assert code == 2 and "cannot parse the 'args' input" in text
    code, outputs, _ = run_scan_step(tmp_path, workspace, args="--fail-on sometimes")
    assert code == 2 and outputs["exit-code"] == "2"
