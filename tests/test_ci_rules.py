"""CI/CD detectors (CI003-CI009): command recognition, odd workflow shapes."""

from __future__ import annotations

import textwrap

import pytest

from shipcheck.detectors.workflows import deploy, hardening, pipeline
from shipcheck.models.artifacts import Kind
from shipcheck.parsers import parse

WORKFLOW_DETECTORS = [
    deploy.deploy_not_gated,
    hardening.permissions_missing,
    hardening.permissions_write_all,
    hardening.pull_request_target_checkout,
    hardening.script_injection,
]


def _workflow(text: str, path: str = ".github/workflows/ci.yml"):
    doc = parse(path, Kind.YAML, textwrap.dedent(text).encode())
    assert doc.kind in (Kind.GITHUB_ACTIONS, Kind.GITLAB_CI)
    return doc


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("pytest -q", True),
        ("python -m pytest tests/", True),
        ("uv run --frozen pytest", True),
        ("tox -e py312", True),
        ("nox -s tests", True),
        ("python -m unittest discover", True),
        ("python manage.py test", True),
        ("python tests/runtests.py -v2", True),
        ("make test", True),
        ("./scripts/run_tests.sh", True),
        ("hatch test", True),
        ("ruff check .", False),
        ("mypy src", False),
        ("pip install -r requirements.txt", False),
        ("docker build -t app .", False),
    ],
)
def test_is_test_command(line, expected):
    assert pipeline.is_test_command(line) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("bash .ci/run", [".ci/run"]),
        ("./scripts/test.sh --fast", ["scripts/test.sh"]),
        ("make lint", ["Makefile|makefile|GNUmakefile"]),
        ("python scripts/check.py", ["scripts/check.py"]),
        ("source .venv/bin/activate", []),
        ("echo $PATH", []),
        ("bash -c 'echo hi'", []),
        ("unterminated 'quote", []),
    ],
)
def test_indirect_files(line, expected):
    assert pipeline.indirect_files(line) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "github.event.issue.title",
        "github.event.pull_request.body",
        "github.event.comment.body",
        "github.event.commits[0].message",
        "github.event.pull_request.head.ref",
        "github.head_ref",
        "toJSON(github.event.issue.body)",
    ],
)
def test_untrusted_expressions(expression):
    assert hardening._untrusted(expression)


@pytest.mark.parametrize(
    "expression",
    [
        "github.event.issue.number",
        "github.event.pull_request.head.sha",
        "github.sha",
        "contains(github.event.issue.title, 'bug')",
        "github.event.pull_request.title == 'release'",
        "github.event.pull_request.body_html_url",
        "secrets.TOKEN",
    ],
)
def test_trusted_expressions(expression):
    assert not hardening._untrusted(expression)


def test_deploy_job_on_pull_request_with_environment_is_gated():
    doc = _workflow(
        """
        on: [pull_request]
        jobs:
          test:
            runs-on: ubuntu-24.04
            steps: [{run: pytest}]
          deploy:
            needs: test
            environment: preview
            runs-on: ubuntu-24.04
            steps: [{run: kubectl apply -f k8s/}]
        """
    )
    assert list(deploy.deploy_not_gated(doc, None)) == []


def test_deploy_transitive_needs_count():
    doc = _workflow(
        """
        on:
          push:
            branches: [main]
        jobs:
          test: {runs-on: ubuntu-24.04, steps: [{run: pytest}]}
          build: {needs: test, runs-on: ubuntu-24.04, steps: [{run: docker build .}]}
          deploy:
            needs: build
            runs-on: ubuntu-24.04
            steps: [{run: helm upgrade --install app ./chart}]
        """
    )
    assert list(deploy.deploy_not_gated(doc, None)) == []


def test_permissions_missing_skips_reusable_workflows():
    doc = _workflow(
        """
        on: workflow_call
        jobs:
          test: {runs-on: ubuntu-24.04, steps: [{run: pytest}]}
        """
    )
    assert list(hardening.permissions_missing(doc, None)) == []


ODD_WORKFLOWS = [
    "on: push\n",
    "on: push\njobs: []\n",
    "on: push\njobs:\n  a: null\n  b: [1, 2]\n  c: {steps: 'not a list'}\n",
    "on: [pull_request_target]\njobs:\n  a:\n    steps:\n      - null\n      - uses: actions/checkout@v4\n        with: 5\n",
    "on: {push: null}\npermissions: [read]\njobs:\n  a: {needs: [1, {x: 2}], steps: [{run: 5}]}\n",
    "true: push\njobs:\n  deploy: {if: 3, environment: {name: 7}, steps: [{run: 'kubectl apply'}]}\n",
    "on: push\njobs:\n  a:\n    steps:\n      - uses: actions/github-script@v7\n        with: {script: null}\n",
]


@pytest.mark.parametrize("text", ODD_WORKFLOWS)
@pytest.mark.parametrize("detector", WORKFLOW_DETECTORS, ids=lambda d: d.__name__)
def test_workflow_detectors_never_crash(detector, text):
    list(detector(_workflow(text), None))


ODD_GITLAB = [
    "stages: deploy\ndeploy: {script: 'kubectl apply -f k8s'}\n",
    "deploy:\n  extends: [.missing, .base]\n  needs: null\n  script: [1, 2]\n.base: {extends: .base}\n",
    "workflow: {rules: []}\ndeploy_prod: {stage: 9, script: ['helm upgrade x']}\n",
]


@pytest.mark.parametrize("text", ODD_GITLAB)
def test_gitlab_never_crashes(text):
    doc = _workflow(text, ".gitlab-ci.yml")
    list(deploy.deploy_not_gated(doc, None))
    list(pipeline.ci_facts(doc))


def test_pull_request_target_severity():
    doc = _workflow(
        """
        on: pull_request_target
        jobs:
          own:
            if: github.event.pull_request.head.repo.full_name == github.repository
            steps:
              - uses: actions/checkout@v4
                with: {ref: "${{ github.event.pull_request.head.sha }}"}
              - run: make
          forks:
            steps:
              - uses: actions/checkout@v4
                with: {ref: "${{ github.head_ref }}"}
              - run: make
          read-only:
            steps:
              - uses: actions/checkout@v4
                with: {ref: "${{ github.event.pull_request.head.ref }}"}
        """
    )
    hits = list(hardening.pull_request_target_checkout(doc, None))
    severities = [h.severity.value if h.severity else "rule" for h in hits]
    assert severities == ["medium", "rule", "high"]


def _git_repo(path):
    import subprocess

    subprocess.run(["git", "init", "-q", str(path)], check=True)


def _python_service(path):
    path.mkdir(parents=True, exist_ok=True)
    (path / "pyproject.toml").write_text("[project]\nname = 'svc'\nversion = '1.0'\n")
    (path / "app.py").write_text("def handler():\n    return 1\n")
    (path / "test_app.py").write_text(
        "from app import handler\n\ndef test_handler():\n    assert handler() == 1\n"
    )


def test_git_repository_without_any_ci_is_reported(tmp_path):
    from conftest import run_scan

    _git_repo(tmp_path)
    _python_service(tmp_path)
    report = run_scan(tmp_path, select=["CI003"], fail_on="never")
    # About the project, not a line of some manifest: no line, anchored at the project.
    assert [(f.where, "no CI configuration" in f.message) for f in report.findings] == [(".", True)]


def test_monorepo_service_with_ci_at_the_repository_top_is_not_reported(tmp_path):
    from conftest import run_scan

    _git_repo(tmp_path)
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(
        "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: pytest\n"
    )
    _python_service(tmp_path / "services" / "api")
    report = run_scan(tmp_path / "services" / "api", select=["CI003"], fail_on="never")
    assert report.findings == ()
