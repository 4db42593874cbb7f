"""Container-image rules beyond their fixtures: the end-of-life table ageing with the date,
.dockerignore semantics, the orchestrator refinement of DKR001, path mapping for
``python app.py``, and odd Dockerfiles through every detector."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from shipcheck.detectors import registry
from shipcheck.detectors.dockerfile import eol
from shipcheck.detectors.dockerfile.app_run import context_paths
from shipcheck.detectors.dockerfile.dockerignore import excluded
from shipcheck.detectors.dockerfile.image_facts import ContextCopy
from shipcheck.models.artifacts import Kind
from shipcheck.models.findings import Severity
from shipcheck.packs import load_builtin
from shipcheck.parsers.dockerfile import parse
from shipcheck.parsers.yamlfiles import parse as yaml_parse
from shipcheck.patterns import DockerIgnore

from conftest import FIXTURES, REPO, run_scan

RULES = {r.id: r for r in load_builtin().rules}


def detector_hits(rule_id: str, text: str, **params):
    rule = RULES[rule_id]
    spec = registry.get(rule.detector)
    assert spec is not None
    bound = registry.build_params(spec, {**rule.params, **params})
    return list(spec.func(parse("Dockerfile", text.encode()), bound))


# --- end of life ---------------------------------------------------------------------------

PY39 = "FROM python:3.9-slim-bookworm\nUSER 1000\n"


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2025-01-01", []),  # supported, outside the warning window
        ("2025-09-15", [("Python 3.9", Severity.LOW)]),  # within warn_days of 2025-10-31
        ("2025-10-31", [("Python 3.9", None)]),  # the last day counts as gone
        ("2026-11-22", [("Python 3.9", None)]),
    ],
)
def test_end_of_life_ages_with_the_date(as_of, expected):
    hits = detector_hits("DKR004", PY39, as_of=as_of)
    assert [(h.fields["release"], h.severity) for h in hits] == expected


def test_end_of_life_uses_today_by_default(monkeypatch):
    monkeypatch.setattr(eol, "today", lambda: dt.date(2031, 1, 1))
    hits = detector_hits("DKR004", "FROM python:3.14-slim\nFROM debian:bookworm\n")
    assert {h.fields["release"] for h in hits} == {"Python 3.14", "Debian bookworm"}
    monkeypatch.setattr(eol, "today", lambda: dt.date(2024, 1, 1))
    assert detector_hits("DKR004", "FROM python:3.14-slim\nFROM debian:bookworm\n") == []


def test_releases_older_than_the_table_are_past_end_of_life():
    (hit,) = detector_hits("DKR004", "FROM python:3.3\n", as_of="2026-11-22")
    assert "on or before 2019-03-18" in hit.fields["status"]
    assert detector_hits("DKR004", "FROM python:3.99-slim\n", as_of="2026-11-22") == []


@pytest.mark.parametrize(
    ("image", "releases"),
    [
        ("python:3.9-slim-buster", {"python 3.9", "debian buster"}),
        ("python:3.12.4-alpine3.20", {"python 3.12", "alpine 3.20"}),
        ("python:2", {"python 2.7"}),
        ("python:3", set()),
        ("python:latest", set()),
        ("debian:10.13-slim", {"debian 10"}),
        ("ubuntu:focal-20240530", {"ubuntu focal"}),
        ("alpine:3.18.4", {"alpine 3.18"}),
        ("alpine:edge", set()),
        ("gcr.io/distroless/python3-debian11:nonroot", {"debian 11"}),
        ("tiangolo/uvicorn-gunicorn-fastapi:python3.8-slim", {"python 3.8"}),
        ("node:18-bullseye-slim", {"node 18", "debian bullseye"}),
        ("ghcr.io/acme/app:1.4.2", set()),
    ],
)
def test_releases_read_from_image_tags(image, releases):
    from shipcheck.detectors.dockerfile.syntax import parse_image

    found = {f"{r.family} {r.version}" for r in eol.releases(parse_image(image))}
    assert found == releases


# --- .dockerignore ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "git", "env"),
    [
        ([".git", ".env"], True, True),
        ([".git/", ".env*", "!.env.example"], True, True),
        (["**/.git", "**/.env"], True, True),
        (["*", "!src", "!requirements.txt"], True, True),
        ([".env*", "!.env*"], False, False),
        ([".git/*"], True, False),  # only an empty .git folder is left
        ([".github", ".venv", "# .git"], False, False),
        (["/.git", "./.env"], True, True),
        (["*/.git"], False, False),  # one level down only
    ],
)
def test_dockerignore_semantics(lines, git, env):
    rules = DockerIgnore(lines)
    assert excluded(rules, ".git/") is git
    assert excluded(rules, ".env") is env


def test_dockerignore_character_classes_follow_docker_not_git():
    # Docker hands `[!…]` to Go's regexp, where `!` is a literal member of the class.
    assert DockerIgnore(["[!a]bc"]).excludes("!bc")
    assert not DockerIgnore(["[!a]bc"]).excludes("xbc")
    assert DockerIgnore(["[^a]bc"]).excludes("xbc")


# --- DKR001 and the orchestrators --------------------------------------------------------------


def test_orchestrator_running_the_image_as_non_root_lowers_root_user():
    report = run_scan(FIXTURES / "rules" / "DKR001", select=["DKR001"], fail_on="never")
    found = {f.path: f for f in report.findings}
    worker = found["worker/Dockerfile"]
    assert worker.severity == Severity.MEDIUM
    assert "Kubernetes (k8s/worker.yaml) runs it as uid 10001" in worker.message
    api = found["api/Dockerfile"]
    assert api.severity == Severity.MEDIUM
    assert "Compose service `api` runs it as user `10001:10001`" in api.message
    assert found["Dockerfile"].severity == Severity.HIGH  # nothing else runs it


def test_run_as_non_root_without_a_user_keeps_the_severity_and_says_why():
    report = run_scan(REPO / "examples" / "shop", select=["DKR001"], fail_on="never")
    (finding,) = report.findings
    assert finding.severity == Severity.HIGH
    assert "kubelet will refuse to start this image" in finding.message


def test_root_user_still_fires_on_a_file_list(tmp_path):
    project = tmp_path / "repo"
    shutil.copytree(FIXTURES / "rules" / "DKR001", project)
    report = run_scan([project / "worker" / "Dockerfile"], select=["DKR001"], fail_on="never")
    (finding,) = report.findings
    assert finding.severity == Severity.HIGH and "Kubernetes" not in finding.message


# --- python app.py ------------------------------------------------------------------------------


def test_context_paths_follow_copy_semantics():
    copies = [
        ContextCopy(sources=(".",), dest="/app", folder=True),
        ContextCopy(sources=("src",), dest="/opt/hooks", folder=False),
        ContextCopy(sources=("tools/run.py",), dest="/usr/local/bin/", folder=True),
        ContextCopy(sources=("serve.py",), dest="/srv/main.py", folder=False),
    ]
    assert context_paths("/app/shop/app.py", copies) == ["shop/app.py"]
    assert "src/main.py" in context_paths("/opt/hooks/main.py", copies)
    assert "tools/run.py" in context_paths("/usr/local/bin/run.py", copies)
    assert context_paths("/srv/main.py", copies) == ["serve.py"]
    assert context_paths("/elsewhere/app.py", copies) == []


# --- robustness ---------------------------------------------------------------------------------

ODD = [
    "",
    "FROM\n",
    "FROM scratch\n",
    "FROM $UNSET AS a\nFROM a\nCMD\n",
    "FROM python:3.12 AS a\nFROM a AS b\nFROM b AS a\nUSER\n",
    "FROM x\nENTRYPOINT []\nCMD [1]\nHEALTHCHECK\nCOPY\nADD\nENV\nARG\n",
    "FROM x\nRUN <<EOF\n",
    "FROM x\nRUN pip install -r\nRUN apt-get\nRUN sh -c\nRUN sudo\nRUN python -m\n",
    'FROM x\nCOPY --from= . .\nADD ["a"]\nENV A="unterminated\nUSER ${A\n',
    "\ufeffFROM python:3.12\r\nCMD python app.py\r\n",
]


@pytest.mark.parametrize("text", ODD)
def test_odd_dockerfiles_never_crash_a_detector(text):
    doc = parse("Dockerfile", text.encode())
    for rule in RULES.values():
        spec = registry.get(rule.detector)
        if spec is None or Kind.DOCKERFILE not in spec.kinds:
            continue
        list(spec.func(doc, registry.build_params(spec, rule.params)))
    for extract in registry.fact_extractors(Kind.DOCKERFILE):
        list(extract(doc))


def test_fixture_dockerfiles_parse_cleanly():
    files = sorted(Path(FIXTURES / "rules").glob("DKR*/**/Dockerfile*"))
    assert len(files) >= 40
    for path in files:
        if path.name.endswith(".dockerignore"):
            continue
        doc = parse(path.name, path.read_bytes())
        unknown = {i.keyword for i in doc.instructions} - {
            "FROM", "RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "ENV", "ARG", "USER", "WORKDIR",
            "EXPOSE", "HEALTHCHECK", "LABEL", "ONBUILD", "SHELL", "STOPSIGNAL", "VOLUME",
        }  # fmt: skip
        assert not unknown, f"{path}: {unknown}"


def test_staged_files_are_judged_with_the_whole_project(tmp_path):
    """The pre-commit view and the CI view agree: Compose runs the image as a non-root user,
    so the root-user finding is medium in both, and only the given files are reported."""
    (tmp_path / "Dockerfile").write_text(
        'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "app:app"]\n'
    )
    (tmp_path / "compose.yaml").write_text(
        'services:\n  web:\n    build: .\n    user: "10001"\n    ports: ["8000:8000"]\n'
    )
    (tmp_path / "requirements.txt").write_text("flask\n")
    whole = run_scan(tmp_path, select=["DKR001", "DEP001"], fail_on="never")
    staged = run_scan([tmp_path / "Dockerfile"], select=["DKR001", "DEP001"], fail_on="never")
    [in_ci] = [f for f in whole.findings if f.rule_id == "DKR001"]
    [in_hook] = staged.findings
    assert in_hook.severity == in_ci.severity == Severity.MEDIUM
    assert in_hook.message == in_ci.message and in_hook.fingerprint == in_ci.fingerprint
    assert {f.path for f in whole.findings} == {"Dockerfile", "requirements.txt"}


@pytest.mark.parametrize(
    ("dockerfile", "expected"),
    [
        ("FROM postgres:13.4-alpine3.19\n", {"PostgreSQL 13", "Alpine 3.19"}),
        ("FROM postgres:9.6\n", {"PostgreSQL 9.6"}),
        ("FROM postgres:16-bookworm\n", set()),
        ("FROM mysql:5.7.44\n", {"MySQL 5.7"}),
        ("FROM mysql:8.4\n", set()),
        ("FROM mariadb:10.5\n", {"MariaDB 10.5"}),
        ("FROM node:16-buster AS assets\nFROM python:3.13-slim\n", {"Node.js 16", "Debian buster"}),
        ("FROM node:22.11.0-slim\n", set()),
        ("FROM node:lts-alpine\n", set()),  # a moving tag names no release
        ("FROM redis:6.2\n", set()),  # no table for it: nothing claimed
    ],
)
def test_end_of_life_of_service_images(dockerfile, expected):
    hits = detector_hits("DKR004", dockerfile, as_of="2026-12-06")
    assert {h.fields["release"] for h in hits} == expected
    assert all(h.severity is None for h in hits)


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("redis:6.0.20-alpine", {"Redis 6.0"}),
        ("redis:7.0", {"Redis 7.0"}),
        ("redis:5", {"Redis 5"}),  # every 5.x series is gone
        ("redis:3-alpine", {"Redis 3"}),  # older than the table: on or before 4's date
        ("redis:3.2", set()),  # no 3.x series is dated: nothing claimed
        ("redis:6", set()),  # the 6.2 series, still fixed: no date claimed
        ("redis:7.2.5-bookworm", set()),
        ("redis:7-alpine", set()),
        ("bitnami/redis:6.0.16", {"Redis 6.0"}),
        ("nginx:1.22-alpine", {"nginx 1.22"}),
        ("nginx:1.27.3", {"nginx 1.27"}),
        ("nginx:1.14.2", {"nginx 1.14"}),
        ("nginxinc/nginx-unprivileged:1.25-alpine", {"nginx 1.25"}),
        ("nginx:1.28-alpine", set()),  # its end waits for the 1.30.0 date in the table
        ("nginx:1", set()),
        ("nginx:mainline-alpine", set()),
        ("bitnami/postgresql:11", {"PostgreSQL 11"}),
        ("docker.io/library/postgres:12@sha256:" + "a" * 64, {"PostgreSQL 12"}),
        ("postgres@sha256:" + "a" * 64, set()),  # a digest alone names no release
    ],
)
def test_end_of_life_of_redis_nginx_and_repackaged_images(image, expected):
    hits = detector_hits("DKR004", f"FROM {image}\n", as_of="2026-12-06")
    assert {h.fields["release"] for h in hits} == expected


def test_redis_before_the_table_is_on_or_before_the_oldest_date():
    (hit,) = detector_hits("DKR004", "FROM redis:3\n", as_of="2026-12-06")
    assert hit.fields["status"] == "reached end of life on or before 2020-04-30"


COMPOSE = """\
services:
  web:
    build: .
    image: postgres:12
  db:
    image: postgres:12.3-alpine
  cache:
    image: redis:6
  proxy:
    image: "nginx:1.22-alpine"
  templated:
    image: ${DB_IMAGE:-postgres:10}
  floating:
    image: postgres
"""

KUBERNETES = """\
apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  initContainers:
    - name: wait
      image: postgres:11-alpine
  containers:
    - name: app
      image: ghcr.io/acme/api:3.1.0
    - name: cache
      image: redis:7.0.15
"""


def yaml_hits(path: str, text: str, **params):
    rule = RULES["DKR004"]
    spec = registry.get(rule.detector)
    assert spec is not None
    bound = registry.build_params(spec, {**rule.params, **params})
    return list(spec.func(yaml_parse(path, text.encode()), bound))


def test_end_of_life_of_compose_images():
    hits = yaml_hits("docker-compose.yml", COMPOSE, as_of="2026-12-06")
    # ``web`` builds its image (its Dockerfile is judged), templated and untagged are skipped.
    assert [(h.line, h.fields["release"]) for h in hits] == [
        (6, "PostgreSQL 12"),
        (10, "nginx 1.22"),
    ]
    assert hits[0].fields["subject"] == "Service `db` runs `postgres:12.3-alpine` (PostgreSQL 12)"


def test_end_of_life_of_kubernetes_containers_and_init_containers():
    hits = yaml_hits("k8s/pod.yaml", KUBERNETES, as_of="2026-12-06")
    assert [(h.line, h.fields["release"]) for h in hits] == [
        (8, "PostgreSQL 11"),
        (13, "Redis 7.0"),
    ]
    assert hits[0].fields["subject"].startswith("Pod/api init container `wait` runs")


def test_one_table_judges_every_kind():
    # A user's change to the rule's table applies to Compose and Kubernetes as to FROM.
    table = {"6.2": "2026-01-31"}
    dockerfile = detector_hits("DKR004", "FROM redis:6.2\n", redis=table, as_of="2026-12-06")
    compose = yaml_hits(
        "compose.yaml", "services:\n  c:\n    image: redis:6.2\n", redis=table, as_of="2026-12-06"
    )
    assert [h.fields["release"] for h in dockerfile] == ["Redis 6.2"]
    assert [h.fields["release"] for h in compose] == ["Redis 6.2"]


def test_compose_eol_nears_as_low():
    hits = yaml_hits(
        "compose.yaml", "services:\n  db:\n    image: postgres:14\n", as_of="2026-10-01"
    )
    assert [(h.fields["release"], h.severity) for h in hits] == [("PostgreSQL 14", Severity.LOW)]
