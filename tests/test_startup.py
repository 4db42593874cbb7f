"""Start-up: the built-in catalogue cached per code fingerprint, detectors imported only for the
kinds of files a scan reads, and `--version` without the report machinery."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from shipcheck import cache as cache_mod
from shipcheck import startup
from shipcheck.detectors import registry
from shipcheck.packs import builtin_rules_dir

from conftest import REPO


@pytest.fixture
def restore_index():
    """startup.load installs its index globally: put back what the session had."""
    before = registry.current_index()
    yield
    registry.use_index(before)


def _entries(directory: Path) -> list[Path]:
    return sorted(directory.glob(f"{startup.PREFIX}*.pickle"))


def test_entry_written_then_reused(tmp_path, monkeypatch, restore_index):
    built = startup.load(builtin_rules_dir(), tmp_path)
    (entry,) = _entries(tmp_path)
    monkeypatch.setattr(startup, "_build", lambda _dir: pytest.fail("rebuilt a valid entry"))
    again = startup.load(builtin_rules_dir(), tmp_path)
    assert [r.id for r in again.rules] == [r.id for r in built.rules]
    assert again.index == built.index
    assert _entries(tmp_path) == [entry]


def test_changed_code_rebuilds_and_prunes_the_old_entry(tmp_path, monkeypatch, restore_index):
    startup.load(builtin_rules_dir(), tmp_path)
    (old,) = _entries(tmp_path)
    monkeypatch.setattr(cache_mod, "code_fingerprint", lambda _modules: "edited-rule")
    startup.load(builtin_rules_dir(), tmp_path)
    assert _entries(tmp_path) == [tmp_path / f"{startup.PREFIX}edited-rule.pickle"]
    assert not old.exists()


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05garbage"])
def test_damaged_entry_is_rebuilt_silently(tmp_path, damage, restore_index):
    startup.load(builtin_rules_dir(), tmp_path)
    (entry,) = _entries(tmp_path)
    entry.write_bytes(damage)
    loaded = startup.load(builtin_rules_dir(), tmp_path)
    assert len(loaded.rules) > 100
    assert entry.read_bytes() != damage


def test_entry_of_another_type_is_not_trusted(tmp_path, restore_index):
    import pickle

    startup.load(builtin_rules_dir(), tmp_path)
    (entry,) = _entries(tmp_path)
    entry.write_bytes(pickle.dumps((startup._FORMAT, "a string, not a catalogue")))
    assert len(startup.load(builtin_rules_dir(), tmp_path).rules) > 100


def test_index_names_every_detector_of_every_rule(restore_index):
    built = startup.load(builtin_rules_dir(), None)
    detectors = {rule.detector for rule in built.rules}
    assert detectors <= set(built.index.detectors)
    for name in detectors:
        module, kinds, needs = built.index.detectors[name]
        assert registry.get(name) is not None and registry.get(name).module == module
        assert registry.kinds_of(name) == kinds and registry.needs_of(name) == needs


def _fresh_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=True,
    )


@pytest.fixture
def env(tmp_path):
    environ = dict(os.environ, SHIPCHECK_CACHE_DIR=str(tmp_path / "cache"))
    environ.pop("COLUMNS", None)
    return environ


def test_warm_scan_of_python_files_imports_only_what_it_needs(tmp_path, env):
    project = tmp_path / "svc"
    project.mkdir()
    (project / "app.py").write_text("import os\nprint(os.environ.get('X'))\n")
    (project / "requirements.txt").write_text("flask==3.0.3\n")
    scan = f"""
        import sys
        from shipcheck.cli import app
        try:
            app(["scan", {str(project)!r}, "--offline", "--format", "json", "--fail-on", "never"],
                standalone_mode=False)
        except SystemExit:
            pass
        print("MODULES", *sorted(sys.modules), file=sys.stderr)
    """
    _fresh_python(scan, env)  # cold: builds the start-up entry
    out = _fresh_python(scan, env)
    report = json.loads(out.stdout)
    assert report["summary"]["files_scanned"] == 2
    modules = set(out.stderr.split("MODULES", 1)[1].split())
    assert "shipcheck.detectors.python.index" in modules  # it did read Python
    # Project-wide rules are imported to ask whether they apply; the detectors of files of
    # kinds this project lacks are not.
    for absent in (
        "kubernetes.probes",
        "kubernetes.security",
        "compose.hardening",
        "dockerfile.user",
        "dockerfile.apt",
        "workflows.actions",
    ):
        assert f"shipcheck.detectors.{absent}" not in modules, absent
    for heavy in ("jinja2", "pydantic", "rich.console", "rich.progress", "bandit"):
        assert heavy not in modules, heavy
    # A changed file: the project rules run again, and not those needing files of a kind the
    # project lacks (deployment manifests, Dockerfiles); their items read the same as when
    # every detector is imported (--no-cache builds the catalogue from all of them).
    (project / "app.py").write_text("import os\nprint(os.environ.get('Y'))\n")
    out = _fresh_python(scan, env)
    modules = set(out.stderr.split("MODULES", 1)[1].split())
    for absent in ("project.server_limits", "project.consistency", "config.deploy_values",
                   "dockerfile.healthcheck", "dockerfile.dockerignore"):  # fmt: skip
        assert f"shipcheck.detectors.{absent}" not in modules, absent
    # Nor the parsers of other kinds: the facts of the unchanged files come from the cache.
    for unused in ("yaml", "shipcheck.parsers.yamlfiles", "dockerfile_parse",
                   "shipcheck.parsers.requirements", "packaging.markers"):  # fmt: skip
        assert unused not in modules, unused
    everything = _fresh_python(scan.replace('"--offline"', '"--offline", "--no-cache"'), env)
    gated, full = json.loads(out.stdout), json.loads(everything.stdout)
    assert (gated["scores"], gated["checklist"]) == (full["scores"], full["checklist"])


def test_precommit_run_with_nothing_changed_defines_no_parsed_model(tmp_path, env):
    """Five unchanged files in a git work tree: the remembered pass answers, so neither the
    parsed models nor the fact classes are defined, nor the ignore-file matchers loaded (git
    lists the files). Defining those classes was a tenth of such a run."""
    project = tmp_path / "svc"
    project.mkdir()
    (project / "app.py").write_text("import os\nprint(os.environ.get('X'))\n")
    (project / "requirements.txt").write_text("flask==3.0.3\n")
    (project / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY . /app\n")
    for args in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)
    files = [str(project / "app.py"), str(project / "requirements.txt")]
    scan = f"""
        import sys
        from shipcheck.cli import app
        try:
            app(["scan", *{files!r}, "--offline", "--format", "json", "--fail-on", "never"],
                standalone_mode=False)
        except SystemExit:
            pass
        print("MODULES", *sorted(sys.modules), file=sys.stderr)
    """
    env.pop("SHIPCHECK_ADVISORY_DB", None)  # a local advisory database: no memo
    first = _fresh_python(scan, env)
    out = _fresh_python(scan, env)
    assert json.loads(out.stdout) == json.loads(first.stdout)
    modules = set(out.stderr.split("MODULES", 1)[1].split())
    for unused in ("shipcheck.models.artifacts", "shipcheck.models.facts",
                   "shipcheck.ignorefiles", "shipcheck.parsers.tomlfiles"):  # fmt: skip
        assert unused not in modules, unused
    assert "shipcheck.models.kinds" in modules


def test_version_imports_no_report_machinery(env):
    code = """
        import sys
        from shipcheck.cli import app
        try:
            app(["--version"], standalone_mode=False)
        except SystemExit:
            pass
        print("MODULES", *sorted(sys.modules))
    """
    lines = _fresh_python(code, env).stdout.splitlines()
    assert lines[0].startswith("shipcheck ")
    modules = set(lines[-1].split()[1:])
    for heavy in ("bandit", "jinja2", "pydantic", "rich.console", "shipcheck.detectors.python"):
        assert heavy not in modules, heavy
