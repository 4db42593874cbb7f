"""File roles: one decision per file, from the project's configuration, what the repository
says about the file, then its names; every rule family reads it, and the JSON report lists
it with the reason."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from shipcheck.models.findings import Severity
from shipcheck.roles import Role, by_name, decide

from conftest import run_scan

NAMES = [
    ("app/views.py", Role.SHIPS),
    ("docker-compose.yml", Role.SHIPS),
    ("docker-compose.dev.yml", Role.DEVELOPMENT),
    ("compose.override.yaml", Role.DEVELOPMENT),
    ("Dockerfile.test", Role.TEST),
    ("deploy/prod.Dockerfile", Role.SHIPS),
    (".env.local", Role.DEVELOPMENT),
    (".env.production", Role.SHIPS),
    (".env.example", Role.EXAMPLE),
    ("requirements.txt", Role.SHIPS),
    ("requirements/base.txt", Role.SHIPS),
    ("requirements-dev.txt", Role.DEVELOPMENT),
    ("requirements/docs.txt", Role.DEVELOPMENT),
    ("shop/settings/dev.py", Role.DEVELOPMENT),
    ("shop/settings/production.py", Role.SHIPS),
    ("local_settings.py", Role.DEVELOPMENT),
    ("dev_server.py", Role.DEVELOPMENT),
    ("tests/test_api.py", Role.TEST),
    ("conftest.py", Role.TEST),
    ("t/unit/test_x.py", Role.TEST),
    ("docs/install/deployment.yaml", Role.EXAMPLE),
    ("examples/flask/app.py", Role.EXAMPLE),
    ("README.md", Role.EXAMPLE),
    (".devcontainer/docker-compose.yml", Role.DEVELOPMENT),
    ("scripts/seed_db.py", Role.DEVELOPMENT),
    ("Makefile", Role.DEVELOPMENT),
    (".github/workflows/ci.yml", Role.SHIPS),
    (".gitlab-ci.yml", Role.SHIPS),
    ("k8s/deployment.yaml", Role.SHIPS),
    ("build/Dockerfile", Role.SHIPS),
    # Development-only kinds seen on real applications (issue 13).
    (".semgrep/rules/sql-injection.py", Role.TEST),
    ("semgrep-rules/python/flask/tls.py", Role.TEST),
    ("lint-rules/examples/eval_used.py", Role.TEST),
    ("pkg/testdata/app/views.py", Role.TEST),
    ("tests/e2e/docker-compose.yml", Role.TEST),
    ("tests/e2e/Dockerfile", Role.TEST),
    ("e2e/compose.yaml", Role.TEST),
    (".devcontainer/Dockerfile", Role.DEVELOPMENT),
    ("docker-compose.override.yml", Role.DEVELOPMENT),
    ("compose.dev.yaml", Role.DEVELOPMENT),
    ("scripts/backfill_users.py", Role.DEVELOPMENT),
]


@pytest.mark.parametrize(("path", "role"), NAMES, ids=[p for p, _ in NAMES])
def test_names_are_weak_evidence(path, role):
    assert by_name(path).role is role


def test_instructions_that_apply_a_docs_folder_make_it_deployed(tmp_path):
    (tmp_path / "README.md").write_text(
        "# Install\n\n```sh\nkubectl apply -f docs/install/\nhelm install app ./chart\n```\n"
    )
    paths = ["README.md", "docs/install/deployment.yaml", "docs/examples/pod.yaml"]
    decided = decide(tmp_path, paths)
    assert decided["docs/install/deployment.yaml"].role is Role.APPLIED_DOCS
    assert "apply `docs/install`" in decided["docs/install/deployment.yaml"].reason
    assert decided["docs/examples/pod.yaml"].role is Role.EXAMPLE


def test_an_example_named_folder_holding_the_application_ships(tmp_path):
    paths = ["demo/manage.py", "demo/demo/settings.py", "demo/shop/views.py", "docs/conf.py"]
    decided = decide(tmp_path, paths)
    assert decided["demo/shop/views.py"].role is Role.SHIPS
    assert decided["demo/demo/settings.py"].reason == "part of the application in `demo/`"
    assert decided["docs/conf.py"].role is Role.EXAMPLE


def test_configuration_overrides_every_other_evidence(tmp_path):
    decided = decide(tmp_path, ["scripts/worker.py", "app.py"], {"scripts/**": "ships"})
    assert decided["scripts/worker.py"].role is Role.SHIPS
    assert "configured" in decided["scripts/worker.py"].reason
    assert decided["app.py"].role is Role.SHIPS


MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.2.3
          securityContext: {privileged: true}
"""


def test_every_family_reads_the_same_role(tmp_path):
    """Install manifests under docs/ that the README applies are deployed for the Kubernetes
    rules and the secrets rules alike; unreferenced ones are examples for both."""
    for folder in ("docs/install", "docs/samples"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "api.yaml").write_text(
            MANIFEST
            + "          env:\n            - {name: API_TOKEN, value: Zq8vK2mX7pLr4TnW9bYc}\n"
        )
    (tmp_path / "README.md").write_text("Deploy with `kubectl apply -f docs/install/`.\n")
    report = run_scan(tmp_path, select=["KUB012", "SEC006"], fail_on="never")
    seen = {(f.rule_id, f.path, f.severity) for f in report.findings}
    assert ("KUB012", "docs/install/api.yaml", Severity.CRITICAL) in seen
    assert ("SEC006", "docs/install/api.yaml", Severity.HIGH) in seen
    samples = [f for f in report.findings if f.path == "docs/samples/api.yaml"]
    assert all(f.severity is Severity.INFO for f in samples)
    assert all("example material, not shipped" in f.message for f in samples)
    assert not [f for f in samples if f.rule_id == "SEC006"]  # examples hold stand-ins


def test_development_files_are_at_most_info_with_the_reason(tmp_path):
    (tmp_path / ".devcontainer").mkdir()
    (tmp_path / ".devcontainer" / "docker-compose.yml").write_text(
        "services:\n  app:\n    image: mcr.microsoft.com/devcontainers/python:3.12\n"
        "    privileged: true\n"
    )
    (tmp_path / "compose.yaml").write_text(
        "services:\n  app:\n    image: shop:1.0\n    privileged: true\n"
    )
    report = run_scan(tmp_path, select=["CMP001"], fail_on="never")
    by_path = {f.path: f for f in report.findings}
    assert by_path["compose.yaml"].severity is Severity.HIGH
    dev = by_path[".devcontainer/docker-compose.yml"]
    assert dev.severity is Severity.INFO
    assert dev.message.endswith(
        "(development material, not shipped: a devcontainer (`.devcontainer/`))"
    )


def test_json_lists_each_file_role_and_a_configured_override(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\n\n[tool.shipcheck.roles]\n"tools/**" = "ships"\n'
    )
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "sync.py").write_text("import os\n")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "seed.py").write_text("import os\n")
    result = subprocess.run(
        [sys.executable, "-m", "shipcheck", "scan", str(tmp_path), "-f", "json", "--offline"],
        capture_output=True,
        text=True,
    )
    files = {f["path"]: f for f in json.loads(result.stdout)["files"]}
    assert files["tools/sync.py"]["role"] == "ships"
    assert files["tools/sync.py"]["why"] == "configured (`roles` 'tools/**' = 'ships')"
    assert files["scripts/seed.py"]["role"] == "development"
    assert files["pyproject.toml"] == {
        "path": "pyproject.toml",
        "kind": "pyproject",
        "role": "ships",
        "why": "application or deployment file",
    }


def test_an_unknown_role_is_a_configuration_error(tmp_path):
    (tmp_path / ".shipcheck.toml").write_text('[roles]\n"docs/**" = "shipped"\n')
    result = subprocess.run(
        [sys.executable, "-m", "shipcheck", "scan", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "unknown role 'shipped'" in result.stderr and "ships" in result.stderr


DEV_ONLY = {
    ".devcontainer/Dockerfile": "FROM python:3.12\nCMD python manage.py runserver 0.0.0.0:8000\n",
    "docker-compose.override.yml": "services:\n  web:\n    image: shop:1.0\n    privileged: true\n",
    "compose.dev.yaml": "services:\n  web:\n    image: shop:1.0\n    privileged: true\n",
    "tests/e2e/docker-compose.yml": "services:\n  web:\n    image: shop:1.0\n    privileged: true\n",
    "tests/e2e/Dockerfile": "FROM python:3.12\nCMD python manage.py runserver 0.0.0.0:8000\n",
    ".semgrep/rules/eval.py": "import os\n\ndef run(cmd):\n    os.system('x ' + cmd)\n",
    "pkg/testdata/tool.py": "import os\n\ndef run(cmd):\n    os.system('x ' + cmd)\n",
    "lint-rules/examples/shell.py": "import os\n\ndef run(cmd):\n    os.system('x ' + cmd)\n",
    "scripts/deploy_helper.py": "import os\n\ndef run(cmd):\n    os.system('x ' + cmd)\n",
}


def test_every_development_only_kind_is_at_most_info(tmp_path):
    """The kinds of development material seen judged as shipping on real applications: no
    finding above info, each with the reason."""
    for rel, text in DEV_ONLY.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    (tmp_path / "shop.py").write_text("import os\n\ndef run(cmd):\n    os.system('x ' + cmd)\n")
    report = run_scan(tmp_path, select=["CMP001", "DKR001", "DKR046", "PY005"], fail_on="never")
    shipped = [f for f in report.findings if f.path == "shop.py"]
    assert shipped and shipped[0].severity is Severity.LOW  # the control: a shipped module
    others = [f for f in report.findings if f.path in DEV_ONLY]
    assert {f.path for f in others} >= {".devcontainer/Dockerfile", "docker-compose.override.yml"}
    for finding in others:
        assert finding.severity is Severity.INFO, finding
        assert "not shipped" in finding.message, finding.message


_WEB = "services:\n  web:\n    build: .\n"


@pytest.mark.parametrize(
    ("text", "role", "says"),
    [
        (_WEB + "    command: python manage.py runserver 0.0.0.0:8000\n", Role.DEVELOPMENT,
         "runs `runserver`, line 4"),
        (_WEB + "    command: [\"gunicorn\", \"--reload\", \"app:app\"]\n", Role.DEVELOPMENT,
         "runs `--reload`"),
        (_WEB + "    command: flask run --host 0.0.0.0\n", Role.DEVELOPMENT, "runs `flask run`"),
        (_WEB + "    volumes:\n      - .:/code\n", Role.DEVELOPMENT,
         "mounts the working tree `.:/code`, line 5"),
        (_WEB + "    volumes:\n      - \"../:/app:z\"\n", Role.DEVELOPMENT, "mounts the working tree"),
        # Production-shaped stacks, and traps.
        (_WEB + "    command: gunicorn -w 4 app:app\n", Role.SHIPS, ""),
        (_WEB + "    # command: gunicorn --reload app:app\n", Role.SHIPS, ""),
        (_WEB + "    volumes:\n      - ./config/nginx.conf:/etc/nginx/nginx.conf:ro\n"
         "      - data:/var/lib/postgresql/data\n", Role.SHIPS, ""),
    ],
)  # fmt: skip
def test_a_compose_file_running_a_development_server_is_development(tmp_path, text, role, says):
    (tmp_path / "docker-compose.yml").write_text(text)
    (tmp_path / "app.py").write_text("x = 1\n")
    decided = decide(tmp_path, ["docker-compose.yml", "app.py"])
    assert decided["docker-compose.yml"].role is role
    assert says in decided["docker-compose.yml"].reason
    assert decided["app.py"].role is Role.SHIPS


def test_a_development_stack_the_instructions_deploy_still_ships(tmp_path):
    (tmp_path / "docker-compose.yml").write_text(_WEB + "    volumes:\n      - .:/code\n")
    (tmp_path / "README.md").write_text(
        "Deploy with `docker compose -f docker-compose.yml up -d`.\n"
    )
    decided = decide(tmp_path, ["docker-compose.yml", "README.md"])
    assert decided["docker-compose.yml"].role is not Role.DEVELOPMENT


@pytest.mark.parametrize(
    "path",
    ["a/b/c.txt", ".env", ".env.local", "x/.github/workflows/ci.yml", "Dockerfile", "a/b.",
     "docker-compose.dev.yml", "a/..x", "settings/dev.py", "a/b/tar.gz.txt", "..", "a/.b.c",
     "./a/b.py", "a//b.py", "a/b/.", "a/b/", "x/./y.yml"],
)  # fmt: skip
def test_names_are_split_as_pathlib_splits_them(path):
    from pathlib import PurePosixPath

    from shipcheck.roles import split_name

    expected = PurePosixPath(path)
    folder, name, stem, suffix = split_name(path)
    assert PurePosixPath(folder).parts == expected.parts[:-1]
    assert (name, stem, suffix) == (expected.name, expected.stem, expected.suffix)
