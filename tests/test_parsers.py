"""Parsers: 1-based positions, multi-stage Dockerfiles, YAML flavours, Python errors."""

from __future__ import annotations

import pytest

from shipcheck.models.artifacts import Kind
from shipcheck.parsers import ParseError, parse


def test_yaml_positions_are_one_based_and_exact():
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: web:1\n"
    doc = parse("pod.yaml", Kind.YAML, text.encode())
    assert doc.kind is Kind.KUBERNETES
    obj = doc.objects[0]
    assert (obj.kind, obj.name, obj.line) == ("Pod", "web", 1)
    containers = obj.doc["spec"]["containers"]
    assert containers.item_line(0) == 7
    assert containers[0].key_line("image") == 8
    assert containers[0].value_column("image") == 14


@pytest.mark.parametrize(
    ("path", "text", "kind"),
    [
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  t:\n    runs-on: x\n",
            Kind.GITHUB_ACTIONS,
        ),
        (".gitlab-ci.yml", "stages: [t]\ntest:\n  script: [pytest]\n", Kind.GITLAB_CI),
        ("docker-compose.yml", "services:\n  web:\n    image: x:1\n", Kind.COMPOSE),
        ("deploy/stack.yml", "services:\n  web:\n    build: .\n", Kind.COMPOSE),
        (
            "k8s/list.yaml",
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n",
            Kind.KUBERNETES,
        ),
        ("mkdocs.yml", "site_name: docs\nnav: [index.md]\n", Kind.YAML),
    ],
)
def test_yaml_flavour_by_path_and_content(path, text, kind):
    assert parse(path, Kind.YAML, text.encode()).kind is kind


def test_multi_document_and_list_flattening():
    text = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n"
        "apiVersion: v1\nkind: List\nitems:\n"
        "- {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}}\n"
        "- {apiVersion: batch/v1, kind: CronJob, metadata: {name: c}}\n"
    )
    doc = parse("all.yaml", Kind.YAML, text.encode())
    assert [(o.kind, o.name, o.line) for o in doc.objects] == [
        ("Service", "s", 1),
        ("Deployment", "d", 8),
        ("CronJob", "c", 9),
    ]


def test_github_on_key_survives_yaml_1_1():
    from shipcheck.detectors.workflows.common import github_triggers

    doc = parse(
        ".github/workflows/x.yml", Kind.YAML, b"on: [push, pull_request_target]\njobs: {}\n"
    )
    assert github_triggers(doc) == {"push", "pull_request_target"}


def test_helm_template_is_a_diagnostic_with_a_hint():
    text = b'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "x" . }}\n'
    with pytest.raises(ParseError, match="render it and scan the output"):
        parse("chart/templates/cm.yaml", Kind.YAML, text)


def test_python_2_source_gets_a_hint():
    with pytest.raises(ParseError, match=r"line 1.*Python 2"):
        parse("old.py", Kind.PYTHON, b"print 'hi'\n")


def test_python_with_invalid_escape_parses_quietly():
    doc = parse("re.py", Kind.PYTHON, b"import re\nPATTERN = '\\d+'\n")
    assert doc.tree.body


def test_dockerfile_stages_args_heredoc_and_escape():
    text = (
        "# escape=`\n"
        "ARG BASE=python:3.12-slim\n"
        "FROM ${BASE} AS build\n"
        "RUN <<EOF\npip install flask\nFROM fake\nEOF\n"
        "FROM build\n"
        "RUN echo a `\n  && echo b\n"
        "USER app\n"
    )
    doc = parse("Dockerfile", Kind.DOCKERFILE, text.encode())
    build, final = doc.stages
    assert (build.image, build.name, build.line) == ("python:3.12-slim", "build", 3)
    assert build.instructions[0].heredoc == "pip install flask\nFROM fake"
    assert (build.instructions[0].line, build.instructions[0].end_line) == (4, 7)
    assert final.parent_stage == "build" and final.line == 8
    run = final.instructions[0]
    assert (run.line, run.end_line) == (9, 10)
    assert final.instructions[-1].keyword == "USER" and final.instructions[-1].line == 11


def test_requirements_lines():
    text = b"flask==3.0.3\nrequests>=2 \\\n  ; python_version > '3.8'\n-r base.txt\n# c\nredis  # cache\n"
    doc = parse("requirements.txt", Kind.REQUIREMENTS, text)
    assert [(r.name, r.line, r.pinned) for r in doc.requirements] == [
        ("flask", 1, True),
        ("requests", 2, False),
        ("redis", 6, False),
    ]
    assert doc.includes == [("base.txt", 4)]


def test_env_file_values_and_columns():
    doc = parse(".env", Kind.ENV, b"export A=1\nB = 'two words'  \nC=x # note\n")
    assert [(e.key, e.value, e.column) for e in doc.entries] == [
        ("A", "1", 10),
        ("B", "two words", 6),
        ("C", "x", 3),
    ]
