"""GitHub workflow-command annotations: format, order and escaping."""

from __future__ import annotations

import dataclasses
import re

from reporting_support import DOCKERFILE_ROOT, write
from shipcheck.reporters.github import GithubReporter, escape_data, escape_property

from conftest import run_scan

COMMAND = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def _report(tmp_path):
    write(tmp_path, {"Dockerfile": DOCKERFILE_ROOT, "requirements.txt": "requests>=2\n"})
    return run_scan(tmp_path, select=["DKR001", "DEP001"])


def test_one_annotation_per_finding_most_severe_first(tmp_path):
    report = _report(tmp_path)
    lines = GithubReporter().render(report).splitlines()
    commands = [COMMAND.match(line) for line in lines[:-1]]
    assert all(commands) and len(commands) == len(report.findings)
    assert [c.group(1) for c in commands] == ["error", "warning"]
    props = dict(p.split("=", 1) for p in commands[0].group("props").split(","))
    assert props["file"] == "Dockerfile" and props["line"] == "1" and int(props["col"]) >= 1
    assert props["title"] == "DKR001 root-user"
    assert "%0A%0AFix: " in commands[0].group("message")
    assert lines[-1].startswith("shipcheck: 2 open finding(s)") and "gate failed" in lines[-1]


def test_escaping_follows_the_runner():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_repository_text_cannot_start_a_command_of_its_own(tmp_path):
    report = _report(tmp_path)
    hostile = dataclasses.replace(
        report.findings[0],
        message="x\n::add-mask::nothing\n::set-output name=a::b",
        path="dir,with:odd%chars/Dockerfile",
    )
    text = GithubReporter().render(dataclasses.replace(report, findings=(hostile,)))
    lines = text.splitlines()
    assert len(lines) == 2  # the annotation and the summary: the newlines were escaped
    assert lines[0].startswith("::error file=dir%2Cwith%3Aodd%25chars/Dockerfile,")
    assert "x%0A::add-mask::nothing%0A::set-output" in lines[0]
    assert not lines[1].startswith("::")
