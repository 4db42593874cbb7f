"""Every output format through the command line (the GitHub Action's steps: test_action.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reporting_support import assert_valid_sarif, copy_example
from shipcheck import reporters
from shipcheck.cli import app

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
