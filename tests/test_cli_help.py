"""Help and listings as they look in an 80-column terminal and in a pipe: no type metavars, no
cut names, choices listed, options in sections, an example per command; `shipcheck rules`
never truncates an id and wraps summaries, and prints plain rows when piped."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from shipcheck import reporters
from shipcheck.cli import app
from shipcheck.config import FAIL_ON_CHOICES
from shipcheck.packs import load_builtin
from terminal_support import pty_run

from conftest import REPO

TYPE_METAVAR = re.compile(r"<(bool|str|int|path|list|float|int range)[^>]*>|\[x>=")
COMMANDS = ("scan", "fix", "baseline", "rules", "explain")


def run(*args: str, columns: int = 80):
    """In-process, with $COLUMNS as a terminal would set it."""
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)}, prog_name="shipcheck")


@pytest.fixture(scope="module")
def helps() -> dict[str, str]:
    return {command: run(command, "--help").stdout for command in COMMANDS}


@pytest.mark.parametrize("command", COMMANDS)
def test_help_fits_80_columns_without_type_metavars_or_cut_names(helps, command):
    text = helps[command]
    assert text.startswith(f"Usage: shipcheck {command}")
    assert not TYPE_METAVAR.search(text), TYPE_METAVAR.search(text)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    assert re.search(r"Examples?:\n +shipcheck " + command, text), "one example per command"


def test_scan_help_lists_choices_groups_and_short_flags(helps):
    text = helps["scan"]
    flat = " ".join(text.split())
    for name in reporters.BUILTIN:
        assert re.search(rf"\b{name}\b", flat), f"--format choice {name} not listed"
    assert ", ".join(FAIL_ON_CHOICES) in flat
    headings = re.findall(r"^(\S[^:\n]*):$", text, re.MULTILINE)
    assert headings == [
        "Arguments", "Output", "Rule selection", "Gate", "What to judge", "Configuration",
        "Performance and network", "Options",
    ]  # fmt: skip
    for short, long in (("-f", "--format"), ("-o", "--output"), ("-q", "--quiet"),
                        ("-c", "--config"), ("-j", "--jobs")):  # fmt: skip
        assert f"{short}, {long}" in text
    # Every option name appears whole, with its metavar.
    for option in ("--ignore-suppressions", "--include-suppressed", "--extend-select",
                   "--sarif-category NAME", "--output [FMT:]FILE", "--fail-on SEVERITY",
                   "--statistics", "--offline"):  # fmt: skip
        assert option in text


def test_command_list_is_not_cut():
    text = run("--help").stdout
    commands = text[text.index("Commands:") :]
    assert "..." not in commands and "…" not in commands
    for command in COMMANDS:
        assert re.search(rf"^  {command} +\S", text, re.MULTILINE)


def test_baseline_shares_the_scan_options(helps):
    for option in ("--offline", "--jobs N", "--config FILE", "--isolated", "--quiet"):
        assert option in helps["baseline"]


def test_rules_in_a_pipe_are_plain_untruncated_rows():
    result = run("rules", columns=40)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "severity", "name", "checklist", "fix", "summary"]
    rules = load_builtin().rules
    assert len(lines) == len(rules) + 1  # one line per rule, whatever the width
    for rule, line in zip(sorted(rules, key=lambda r: r.id), sorted(lines[1:]), strict=True):
        assert line.split()[:4] == [rule.id, rule.severity.value, rule.name, rule.checklist]
        assert line.endswith(rule.summary)
    assert "\x1b[" not in result.stdout and "…" not in result.stdout


def test_rules_in_a_terminal_wrap_at_its_real_width():
    lines = pty_run(["rules"], cwd=REPO, columns=80).screen_text.splitlines()
    assert max(len(line) for line in lines) <= 80
    rules = load_builtin().rules
    starts = {line.split()[0] for line in lines if line[:1].isalpha()}
    assert {r.id for r in rules} <= starts, "an id is missing or cut"
    longest = max(rules, key=lambda r: len(r.summary))
    assert len(longest.summary) > 62  # so it must wrap beside the 18-column id/severity
    words = longest.summary.split()
    at = next(i for i, line in enumerate(lines) if line.startswith(longest.id))
    wrapped = " ".join(" ".join(lines[at + 1 : at + 6]).split())
    assert " ".join(words) in wrapped
    continuation = lines[at + 2]
    assert continuation.startswith(" " * 18) and continuation.strip()
