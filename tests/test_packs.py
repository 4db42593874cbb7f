"""The three ways to add rules: built-in, a third-party pack, the repository's own YAML."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from shipcheck.engine import UsageError

from conftest import FIXTURES, run_scan

PACKS = FIXTURES / "packs"
DOCKERFILE = 'FROM python:3.12-slim\nRUN useradd app\nUSER app\nCMD ["python", "-m", "app"]\n'


@pytest.fixture(autouse=True)
def _forget_packs():
    """A pack registers detectors and fact extractors in this process; later tests in the
    same worker must not see them (their facts would reach caches that do not allow them)."""
    from shipcheck.detectors import registry

    yield

    def theirs(module: str) -> bool:
        return module.startswith("shipcheck_example_pack")

    for name in [n for n, d in registry._DETECTORS.items() if theirs(d.module)]:
        del registry._DETECTORS[name]
    for table in (registry._FACT_EXTRACTORS, registry._REFINERS):
        for funcs in table.values():
            funcs[:] = [f for f in funcs if not theirs(f.__module__)]
    for name in [n for n in sys.modules if theirs(n)]:
        del sys.modules[name]


@pytest.fixture
def project(tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    return tmp_path


def test_builtin_catalogue_is_loaded(project):
    report = run_scan(project, fail_on="never")
    assert {r.id for r in report.rules} >= {"DKR001", "PY001", "KUB001"}


def test_third_party_pack_rule_fires(project, monkeypatch):
    monkeypatch.syspath_prepend(str(PACKS))
    report = run_scan(project, fail_on="never")
    acme = [f for f in report.findings if f.rule_id == "ACME001"]
    assert [(f.path, f.line) for f in acme] == [("Dockerfile", 1)]
    assert "org.opencontainers.image.source" in acme[0].message
    assert ("ACME", "shipcheck-example-pack", "0.1.0") in report.packs


def test_third_party_pack_through_the_cli(project):
    env = {**os.environ, "PYTHONPATH": str(PACKS)}
    version = subprocess.run(
        [sys.executable, "-m", "shipcheck", "--version"], capture_output=True, text=True, env=env
    )
    assert "pack ACME: shipcheck-example-pack 0.1.0" in version.stdout
    result = subprocess.run(
        [sys.executable, "-m", "shipcheck", "scan", str(project), "-f", "json", "--jobs", "2"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert '"rule_id": "ACME001"' in result.stdout


def test_pack_fact_types_cross_worker_processes(tmp_path, monkeypatch):
    """A pack's own fact class (``ImageOwner`` in the example pack) is produced in worker
    processes and read, typed, by the pack's project rule (ACME002)."""
    for service in ("api", "worker"):
        (tmp_path / service).mkdir()
        (tmp_path / service / "Dockerfile").write_text(DOCKERFILE)
    env = {**os.environ, "PYTHONPATH": str(PACKS)}
    result = subprocess.run(
        [sys.executable, "-m", "shipcheck", "scan", str(tmp_path), "-f", "json",
         "--jobs", "2", "--select", "ACME002", "--fail-on", "never"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    findings = [(f["path"], f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]]
    message = "None of the project's 2 image(s) names an owner (`org.opencontainers.image.authors`)"
    assert findings == [("api/Dockerfile", 1, message)]
    # One owner label anywhere in the project is enough.
    (tmp_path / "worker" / "Dockerfile").write_text(
        DOCKERFILE + "LABEL org.opencontainers.image.authors=jobs@acme.example\n"
    )
    monkeypatch.syspath_prepend(str(PACKS))
    report = run_scan(tmp_path, select=["ACME002"], fail_on="never")
    assert "ACME002" in {r.id for r in report.rules}
    assert not [f for f in report.findings if f.rule_id == "ACME002"]


def test_required_pack_missing_is_a_usage_error(project):
    with pytest.raises(UsageError, match="required rule pack"):
        run_scan(project, isolated=True, require_packs=["NOPE"])


def _user_rule(project, body: str, name: str = "USR001-payments-root.yaml"):
    rules = project / ".shipcheck" / "rules"
    rules.mkdir(parents=True, exist_ok=True)
    (rules / name).write_text(textwrap.dedent(body))


USER_RULE = """\
    id: USR001
    name: payments-label-required
    checklist: container.build-hygiene
    severity: medium
    detector: acme.missing-label
    params: {label: team}
    message: "Payments images need a `{label}` label (stage `{stage}`)"
    summary: Payments images carry a team label.
    rationale: On-call routing reads it.
    remediation: Add `LABEL team=payments`.
    example: {bad: "FROM python:3.12", good: "FROM python:3.12\\nLABEL team=payments"}
    references: [https://example.com/runbook]
"""


def test_repository_rule_instantiates_an_installed_detector(project, monkeypatch):
    monkeypatch.syspath_prepend(str(PACKS))
    _user_rule(project, USER_RULE)
    (project / "pyproject.toml").write_text("[project]\nname = 'payments'\n")
    report = run_scan(project, isolated=False, fail_on="never")
    user = [f for f in report.findings if f.rule_id == "USR001"]
    assert [(f.path, f.line) for f in user] == [("Dockerfile", 1)]
    assert user[0].message == "Payments images need a `team` label (stage `python:3.12-slim`)"


def test_repository_rule_with_builtin_detector(project):
    _user_rule(
        project,
        USER_RULE.replace("acme.missing-label", "dockerfile.final-stage-user")
        .replace("params: {label: team}", "params: {nonroot_images: []}")
        .replace("need a `{label}` label", "must not run as root"),
    )
    (project / "Dockerfile").write_text('FROM python:3.12-slim\nCMD ["python"]\n')
    (project / ".shipcheck.toml").write_text("")
    report = run_scan(project, isolated=False, fail_on="never")
    assert {f.rule_id for f in report.findings} >= {"USR001", "DKR001"}


@pytest.mark.parametrize(
    ("mutation", "problem"),
    [
        (lambda r: r.replace("    severity: medium\n", ""), "missing required field(s): severity"),
        (lambda r: r.replace("acme.missing-label", "no.such-detector"), "unknown detector"),
        (lambda r: r.replace("{label: team}", "{colour: red}"), "unknown param 'colour'"),
        (lambda r: r.replace("container.build-hygiene", "container.nope"), "not in the checklist"),
        (lambda r: r + "    surprise: 1\n", "unknown field(s): surprise"),
    ],
)
def test_malformed_rule_file_exits_2_naming_file_and_rule(project, mutation, problem):
    _user_rule(project, mutation(USER_RULE))
    (project / ".shipcheck.toml").write_text("")
    env = {**os.environ, "PYTHONPATH": str(PACKS)}
    result = subprocess.run(
        [sys.executable, "-m", "shipcheck", "scan", str(project)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 2
    assert ".shipcheck/rules/USR001-payments-root.yaml" in result.stderr
    assert "rule USR001" in result.stderr
    assert problem in result.stderr
    assert "Traceback" not in result.stderr


def test_repository_rules_never_import_code(project):
    """A .py file next to user rules is data to the scan, never imported."""
    rules = project / ".shipcheck" / "rules"
    rules.mkdir(parents=True)
    marker = project / "imported"
    (rules / "evil.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    (project / ".shipcheck.toml").write_text("")
    run_scan(project, isolated=False, fail_on="never")
    assert not marker.exists()


def test_installed_pack_list_is_kept_until_the_import_path_changes(tmp_path, monkeypatch):
    """The entry-point scan is skipped while no folder of the import path changed."""
    from shipcheck import packs

    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(PACKS))
    monkeypatch.syspath_prepend(str(site))
    cache = tmp_path / "cache"
    listed = packs._pack_entries(cache)
    assert [e[0] for e in listed] == ["ACME"]
    (stored,) = cache.glob("packs-*.json")
    # The stored list answers the next scan...
    stored.write_text(json.dumps([["ZZZ", "x:y", "other", "1"]]))
    assert [e[0] for e in packs._pack_entries(cache)] == ["ZZZ"]
    # ...until a distribution is installed into (or removed from) a folder of the path.
    (site / "newdist-1.0.dist-info").mkdir()
    assert [e[0] for e in packs._pack_entries(cache)] == ["ACME"]
    assert len(list(cache.glob("packs-*.json"))) == 1  # the list of the old path is gone
    # A damaged list is read again from the installed distributions.
    for entry in cache.glob("packs-*.json"):
        entry.write_text("{not json")
    assert [e[0] for e in packs._pack_entries(cache)] == ["ACME"]


def test_the_working_folder_counts_by_the_distributions_it_holds(tmp_path, monkeypatch):
    """`python -m` puts the working folder on the path; files come and go there all the time,
    which must not cost every scan the entry-point lookup."""
    from shipcheck import packs

    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.syspath_prepend("")
    first = packs._import_path_fingerprint()
    (work / "report.json").write_text("{}")
    assert packs._import_path_fingerprint() == first
    (work / "acme_pack-1.0.dist-info").mkdir()
    assert packs._import_path_fingerprint() != first
