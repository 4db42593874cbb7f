"""The Dockerfile parser: logical lines, heredocs, directives, stages and ARG resolution."""

from __future__ import annotations

import pytest

from shipcheck.parsers import ParseError
from shipcheck.parsers.dockerfile import directives, parse


def doc(text: str):
    return parse("Dockerfile", text.encode("utf-8"))


def keywords(text: str) -> list[tuple[str, int, int]]:
    return [(i.keyword, i.line, i.end_line) for i in doc(text).instructions]


def test_heredoc_body_is_kept_and_later_lines_keep_their_numbers():
    parsed = doc(
        "FROM python:3.12-slim\nRUN <<EOF\napt-get update\nFROM not-an-instruction\nEOF\nUSER app\n"
    )
    run = parsed.instructions[1]
    assert (run.keyword, run.line, run.end_line, run.value) == ("RUN", 2, 5, "<<EOF")
    assert run.heredoc == "apt-get update\nFROM not-an-instruction"
    assert [(i.keyword, i.line) for i in parsed.instructions[2:]] == [("USER", 6)]
    assert len(parsed.stages) == 1


def test_heredoc_opened_on_a_continuation_line_belongs_to_the_instruction():
    parsed = doc(
        "FROM python:3.12-slim\n"
        "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
        "    <<EOF\n"
        "pip install -r requirements.txt\n"
        "EOF\n"
        'CMD ["python"]\n'
    )
    run = parsed.instructions[1]
    assert run.heredoc == "pip install -r requirements.txt"
    assert run.value.startswith("--mount=type=cache")
    assert [i.keyword for i in parsed.instructions] == ["FROM", "RUN", "CMD"]


def test_two_heredocs_on_one_line_and_dash_form():
    parsed = doc(
        "FROM alpine:3.22\nCOPY <<one <<-two /etc/app/\nfirst\none\n\tsecond\n\ttwo\nUSER 1000\n"
    )
    copy = parsed.instructions[1]
    assert (copy.line, copy.end_line) == (2, 6)
    assert copy.heredoc == "first\n\tsecond"
    assert parsed.instructions[2].line == 7


def test_heredoc_marker_in_quotes_without_terminator_is_not_a_heredoc():
    assert keywords('FROM x\nRUN echo "a <<b" > /tmp/f\nUSER 1\n') == [
        ("FROM", 1, 1),
        ("RUN", 2, 2),
        ("USER", 3, 3),
    ]


def test_blank_and_comment_lines_inside_a_continuation_do_not_end_it():
    parsed = doc(
        "FROM python:3.12-slim\n"
        "RUN apt-get update \\\n"
        "    # the client library\n"
        "    && apt-get install -y libpq5 \\\n"
        "\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
        "USER 1000\n"
    )
    run = parsed.instructions[1]
    assert (run.line, run.end_line) == (2, 6)
    assert "rm -rf /var/lib/apt/lists/*" in run.value and "client library" not in run.value
    assert [i.keyword for i in parsed.instructions] == ["FROM", "RUN", "USER"]


def test_backtick_escape_directive():
    parsed = doc(
        "# escape=`\n"
        "FROM python:3.12-slim\n"
        "ENV APP_DIR=C:\\app `\n"
        "    PYTHONUNBUFFERED=1\n"
        "RUN <<EOF\n"
        "echo hi\n"
        "EOF\n"
        "USER 1000\n"
    )
    assert parsed.escape == "`" and parsed.directives == {"escape": "`"}
    env = parsed.instructions[1]
    assert (env.line, env.end_line) == (3, 4) and "PYTHONUNBUFFERED=1" in env.value
    assert parsed.instructions[2].heredoc == "echo hi"
    assert parsed.instructions[3].line == 8


def test_directives_stop_at_the_first_other_line():
    lines = ["# syntax=docker/dockerfile:1.7", "# escape=`", "", "# escape=\\"]
    assert directives(lines) == {"syntax": "docker/dockerfile:1.7", "escape": "`"}
    assert directives(["# a comment", "# escape=`"]) == {}


def test_global_args_resolve_images_and_each_other():
    parsed = doc(
        "ARG REGISTRY=docker.io\n"
        "ARG PY=3.12\n"
        "ARG BASE=python:${PY}-slim\n"
        "ARG UNSET\n"
        "FROM ${REGISTRY}/library/python:${PY} AS Build\n"
        "FROM $BASE AS runtime\n"
        "FROM ${UNSET:-python:3.13} AS fallback\n"
        "FROM $UNSET\n"
        "FROM build\n"
    )
    images = [(s.image, s.name, s.parent_stage) for s in parsed.stages]
    assert images == [
        ("docker.io/library/python:3.12", "Build", None),
        ("python:3.12-slim", "runtime", None),
        ("python:3.13", "fallback", None),
        ("$UNSET", None, None),
        ("build", None, "Build"),
    ]
    assert parsed.stages[-1].instruction is parsed.instructions[-1]


def test_platform_flag_and_onbuild():
    parsed = doc("FROM --platform=$BUILDPLATFORM python:3.12 AS b\nONBUILD RUN echo hi\n")
    assert parsed.stages[0].image == "python:3.12" and parsed.stages[0].name == "b"
    assert parsed.stages[0].instructions[0].keyword == "ONBUILD"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "\\\n\\\n",
        "RUN <<EOF\n",
        "FROM\n",
        "COPY <<EOF\nEOF",
        "FROM x AS\nUSER\nCMD []\nENTRYPOINT [1, 2]\nENV\nARG =\n",
        "\ufeffFROM python:3.12\r\nUSER app\r\n",
    ],
)
def test_odd_input_parses_without_crashing(text):
    parsed = doc(text)
    assert isinstance(parsed.instructions, list)


def test_binary_content_is_a_parse_error():
    with pytest.raises(ParseError):
        parse("Dockerfile", b"FROM x\x00\x01")
