"""The composite action (action.yml): its `run:` scripts extracted and run with bash as the
runner runs them, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY pointing at temporary files. One scan
writes the SARIF and the summary; the gate and its reason are logged; bad `args` are a clear
error with `exit-code` set; a SARIF file in a missing folder works."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from reporting_support import DOCKERFILE_ROOT, DOCKERFILE_USER, assert_valid_sarif, write

from conftest import REPO


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
    """What the install step leaves: `python` and a `shipcheck` that counts its runs."""
    if directory.exists():
        return directory
    directory.mkdir()
    (directory / "python").symlink_to(sys.executable)
    script = directory / "shipcheck"
    script.write_text(
        f'#!/bin/sh\necho run >> "{directory}/runs"\nexec "{sys.executable}" -m shipcheck "$@"\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return directory


class StepRun:
    def __init__(self, code: int, outputs: dict, summary: str, log: str, runs: int) -> None:
        self.code, self.outputs, self.summary, self.log, self.runs = (
            code,
            outputs,
            summary,
            log,
            runs,
        )


def run_scan_step(tmp_path: Path, workspace: Path, **inputs: str) -> StepRun:
    step = next(s for s in action()["runs"]["steps"] if s.get("id") == "scan")
    outputs, summary = tmp_path / "github_output", tmp_path / "step_summary"
    outputs.write_text("")
    summary.write_text("")
    values = {"path": ".", "args": "", "sarif-file": "shipcheck.sarif", "category": "",
              "summary": "true", **inputs}  # fmt: skip
    bin_dir = _fake_bin(tmp_path / "bin")
    (bin_dir / "runs").write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    for name, expression in step["env"].items():
        key = expression.removeprefix("${{ ").removesuffix(" }}")
        if key == "steps.install.outputs.bin":
            env[name] = str(bin_dir)
        else:
            env[name] = values[key.removeprefix("inputs.")]
    runner_temp = tmp_path / "runner_temp"
    runner_temp.mkdir(exist_ok=True)
    env.update(
        GITHUB_OUTPUT=str(outputs), GITHUB_STEP_SUMMARY=str(summary), RUNNER_TEMP=str(runner_temp)
    )
    result = subprocess.run(
        # How the runner runs `shell: bash`.
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)
    runs = len((bin_dir / "runs").read_text().split())
    assert not list(runner_temp.iterdir()), "the step left temporary files behind"
    return StepRun(
        result.returncode, written, summary.read_text(encoding="utf-8"),
        result.stdout + result.stderr, runs,
    )  # fmt: skip


@pytest.fixture
def shop(tmp_path) -> Path:
    from reporting_support import copy_example

    return copy_example(tmp_path / "workspace")


def test_one_scan_writes_sarif_and_summary_and_logs_the_failed_gate(tmp_path, shop):
    step = run_scan_step(tmp_path, shop, args="--isolated --offline --fail-on 'high'",
                         category="shipcheck")  # fmt: skip
    assert step.runs == 1, "SARIF and summary come from one scan"
    assert step.code == 1 and step.outputs["exit-code"] == "1"
    sarif = json.loads((shop / step.outputs["sarif-file"]).read_text(encoding="utf-8"))
    assert_valid_sarif(sarif)
    assert sarif["runs"][0]["automationDetails"]["id"] == "shipcheck/"
    # The heading follows the gate, not the grade.
    assert step.summary.startswith("## ❌ shipcheck:") and "❌ **Gate failed:**" in step.summary
    assert "🟢" not in step.summary
    # Two high findings plus the SQL injection request data reaches through `db.py`.
    assert "gate failed: 3 finding(s) at or above high" in step.log
    assert "::error title=shipcheck gate failed::" in step.log
    assert "Traceback" not in step.log


def test_passing_gate_is_logged_and_headed_as_passed(tmp_path):
    workspace = write(tmp_path / "workspace", {"Dockerfile": DOCKERFILE_USER})
    step = run_scan_step(tmp_path, workspace, args="--isolated --offline --fail-on critical")
    assert step.code == 0 and step.outputs["exit-code"] == "0"
    assert step.summary.startswith("## ✅ shipcheck:")
    assert "gate passed (fail-on critical)" in step.log and "::error" not in step.log


@pytest.mark.parametrize("args", ["--fail-on 'high", '--diff "origin/main', "--select 'A\\"])
def test_unparsable_args_are_a_clear_error_with_exit_code_set(tmp_path, args):
    workspace = write(tmp_path / "workspace", {"Dockerfile": DOCKERFILE_ROOT})
    step = run_scan_step(tmp_path, workspace, args=args)
    assert step.code == 2 and step.outputs["exit-code"] == "2"
    assert "::error title=shipcheck::cannot parse the 'args' input" in step.log
    assert "Traceback" not in step.log and step.runs == 0


def test_bad_option_values_are_an_error_with_exit_code_set(tmp_path):
    workspace = write(tmp_path / "workspace", {"Dockerfile": DOCKERFILE_ROOT})
    step = run_scan_step(tmp_path, workspace, args="--fail-on sometimes")
    assert step.code == 2 and step.outputs["exit-code"] == "2"
    assert "::error title=shipcheck::the scan could not run (exit code 2): shipcheck: error: " \
           "--fail-on: 'sometimes' is not one of" in step.log  # fmt: skip


def test_sarif_file_in_a_missing_folder(tmp_path):
    workspace = write(tmp_path / "workspace", {"Dockerfile": DOCKERFILE_ROOT})
    step = run_scan_step(tmp_path, workspace, args="--isolated --offline",
                         **{"sarif-file": "reports/code-scanning/shipcheck.sarif"})  # fmt: skip
    assert step.code == 1
    assert (workspace / "reports" / "code-scanning" / "shipcheck.sarif").is_file()
    assert step.outputs["sarif-file"] == "reports/code-scanning/shipcheck.sarif"


def test_sarif_only_options_do_not_break_the_summary(tmp_path):
    workspace = write(tmp_path / "workspace", {
        "Dockerfile": DOCKERFILE_ROOT,
        "app.py": "import requests\nrequests.get('u')  # shipcheck: ignore[PY003] internal\n",
    })  # fmt: skip
    step = run_scan_step(tmp_path, workspace, args="--isolated --offline --include-suppressed")
    assert step.code == 1 and step.runs == 1
    sarif = json.loads((workspace / "shipcheck.sarif").read_text(encoding="utf-8"))
    assert any(r.get("suppressions") for r in sarif["runs"][0]["results"])
    assert step.summary.startswith("## ❌ shipcheck:") and "1 suppressed" in step.summary


def test_summary_off_writes_sarif_only(tmp_path):
    workspace = write(tmp_path / "workspace", {"Dockerfile": DOCKERFILE_ROOT})
    step = run_scan_step(tmp_path, workspace, args="--isolated --offline", summary="false")
    assert step.code == 1 and step.summary == ""
    assert (workspace / "shipcheck.sarif").is_file()
