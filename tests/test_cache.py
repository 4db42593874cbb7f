"""The result cache: hits, what invalidates an entry, concurrent scans, a corrupt database,
--no-cache, and that nothing is ever written into the scanned tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from shipcheck import cache as cache_mod
from shipcheck import workers

from conftest import FIXTURES, REPO, run_scan

SHOP = REPO / "examples" / "shop"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("SHIPCHECK_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def processed(monkeypatch):
    """The paths the file pass really ran on (cache misses), per scan."""
    runs: list[list[str]] = []
    real = workers.run

    def spy(files, *args, **kwargs):
        runs.append(sorted(f.path for f in files))
        return real(files, *args, **kwargs)

    monkeypatch.setattr(workers, "run", spy)
    return runs


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    return project


def _findings(report):
    return [f.to_dict() for f in report.findings]


def test_second_scan_runs_no_file_and_reports_the_same(tmp_path, cache_dir, processed):
    project = _project(tmp_path)
    cold = run_scan(project, cache=True, fail_on="never")
    warm = run_scan(project, cache=True, fail_on="never")
    assert processed[0] and processed[1] == []
    assert _findings(warm) == _findings(cold)
    assert (cache_dir / "results.sqlite").is_file()


def test_changed_content_reruns_only_that_file(tmp_path, cache_dir, processed):
    project = _project(tmp_path)
    run_scan(project, cache=True, fail_on="never")
    dockerfile = project / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "\n# a comment\n")
    run_scan(project, cache=True, fail_on="never")
    assert processed[1] == ["Dockerfile"]


def test_configuration_and_version_invalidate(tmp_path, cache_dir, processed, monkeypatch):
    project = _project(tmp_path)
    run_scan(project, cache=True, fail_on="never")
    run_scan(project, cache=True, fail_on="never", severity={"DKR001": "low"})
    assert processed[1] == processed[0]  # another rule set: every file again
    monkeypatch.setattr(cache_mod, "__version__", "999.0")
    run_scan(project, cache=True, fail_on="never")
    assert processed[2] == processed[0]


def test_rule_file_change_invalidates(tmp_path, cache_dir, processed):
    project = _project(tmp_path)
    rules = project / ".shipcheck" / "rules"
    rules.mkdir(parents=True)
    rule = textwrap.dedent(
        """\
        id: ACME001
        name: acme-debug-print
        checklist: ops.logging
        severity: low
        detector: ops.print-in-web-module
        message: "{message}"
        summary: A print.
        rationale: For tests.
        remediation: Log instead.
        example: {{bad: x, good: y}}
        references: [https://example.com]
        """
    )
    (rules / "ACME001.yaml").write_text(rule.format(message="print() in a web module"))
    run_scan(project, cache=True, fail_on="never", isolated=False)
    (rules / "ACME001.yaml").write_text(rule.format(message="a print() call"))
    run_scan(project, cache=True, fail_on="never", isolated=False)
    assert processed[1] == processed[0]


def test_corrupt_cache_is_set_aside(tmp_path, cache_dir):
    project = _project(tmp_path)
    cache_dir.mkdir()
    (cache_dir / "results.sqlite").write_bytes(b"this is not a database" * 100)
    report = run_scan(project, cache=True, fail_on="never")
    notes = [d.reason for d in report.diagnostics if "result cache" in d.reason]
    assert notes and "not usable" in notes[0]
    again = run_scan(project, cache=True, fail_on="never")
    assert not [d for d in again.diagnostics if "result cache" in d.reason]
    assert _findings(again) == _findings(report)


def test_tampered_entry_cannot_run_code(tmp_path, cache_dir):
    """A cache restored from an untrusted place holds a pickle that would run a command."""
    import pickle
    import sqlite3
    import zlib

    project = _project(tmp_path)
    run_scan(project, cache=True, fail_on="never")
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    db = sqlite3.connect(cache_dir / "results.sqlite")
    db.execute("UPDATE results SET facts = ?", (zlib.compress(pickle.dumps(Evil())),))
    db.commit()
    db.close()
    report = run_scan(project, cache=True, fail_on="never")
    assert not marker.exists()
    assert any("not usable" in d.reason for d in report.diagnostics)


def test_no_cache_and_nothing_written_into_the_tree(tmp_path, cache_dir):
    project = _project(tmp_path)
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    result = subprocess.run(
        [sys.executable, "-m", "shipcheck", "scan", str(project), "--no-cache", "--offline"],
        capture_output=True,
        text=True,
        env={**os.environ, "SHIPCHECK_CACHE_DIR": str(cache_dir)},
    )
    assert result.returncode in (0, 1), result.stderr
    assert not cache_dir.exists()
    run_scan(project, cache=True, fail_on="never")
    assert (cache_dir / "results.sqlite").is_file()
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


def test_cache_inside_the_project_is_not_used(tmp_path, monkeypatch):
    project = _project(tmp_path)
    monkeypatch.setenv("SHIPCHECK_CACHE_DIR", str(project / ".cache-here"))
    report = run_scan(project, cache=True, fail_on="never")
    assert not (project / ".cache-here").exists()
    assert any("inside the scanned project" in d.reason for d in report.diagnostics)


def _cli_json(target: Path, *args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "shipcheck", "scan", str(target), "--offline", "-f", "json",
         "--isolated", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )  # fmt: skip


@pytest.mark.slow
def test_cold_warm_jobs_and_concurrent_scans_give_identical_json(tmp_path):
    """Byte-identical JSON: cold, warm, --jobs 1, --jobs 2, and two scans at once."""
    tree = tmp_path / "tree"
    shutil.copytree(SHOP, tree / "shop")
    for name in ("probe-match", "port-mismatch"):
        shutil.copytree(FIXTURES / "projects" / name, tree / name)
    env = {**os.environ, "SHIPCHECK_CACHE_DIR": str(tmp_path / "cache")}
    outputs = []
    for args in ((), (), ("--jobs", "1"), ("--jobs", "2"), ("--no-cache", "--jobs", "2")):
        process = _cli_json(tree, *args, env=env)
        out, err = process.communicate(timeout=300)
        assert process.returncode in (0, 1), err
        outputs.append(out)
    pair = [_cli_json(tree, env={**env, "SHIPCHECK_CACHE_DIR": str(tmp_path / "c2")})
            for _ in range(2)]  # fmt: skip
    outputs += [p.communicate(timeout=300)[0] for p in pair]
    assert all(out == outputs[0] for out in outputs)


def test_unchanged_files_are_not_even_read_again(tmp_path, cache_dir, monkeypatch, processed):
    from shipcheck import filepass

    project = _project(tmp_path)
    cold = run_scan(project, cache=True, fail_on="never")
    reads: list[str] = []
    real = filepass.read
    monkeypatch.setattr(filepass, "read", lambda ref: reads.append(ref.path) or real(ref))
    warm = run_scan(project, cache=True, fail_on="never")
    assert reads == [] and processed[1] == []
    assert _findings(warm) == _findings(cold)
    dockerfile = project / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "# a change\n")
    run_scan(project, cache=True, fail_on="never")
    assert set(reads) == {"Dockerfile"} and processed[2] == ["Dockerfile"]


def test_explicit_files_after_a_scan_of_the_parent_folder(tmp_path, cache_dir):
    """The root moves with the project a scan finds (the parent folder, then the service's own
    pyproject): results remembered under the first root's paths must not answer the second."""
    monorepo = tmp_path / "monorepo"
    service = monorepo / "services" / "shop"
    shutil.copytree(SHOP, service)
    (service / "pyproject.toml").write_text('[project]\nname = "shop"\nversion = "1"\n')
    whole = run_scan(monorepo, cache=True, fail_on="never")
    app = next(p for p in sorted(service.rglob("*.py")) if p.stat().st_size)
    given = run_scan([app, service / "pyproject.toml"], cache=True, fail_on="never")
    assert sorted(f[0] for f in given.files) == sorted(
        [app.relative_to(service).as_posix(), "pyproject.toml"]
    )
    assert any(f[0].startswith("services/shop/") for f in whole.files)
