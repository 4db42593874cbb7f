"""Shared helpers for the test suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
REPO = TESTS.parent
sys.path.insert(0, str(TESTS))
# Tests never reach the network: the vulnerability check (deps.vulnerable, DEP005) reads
# the fixture OSV records instead of the OSV API. Tests of the online path unset this.
os.environ["SHIPCHECK_ADVISORY_DB"] = str(FIXTURES / "advisories")
# Scans in subprocesses cache into a folder of this test session, never the user's.
os.environ["SHIPCHECK_CACHE_DIR"] = tempfile.mkdtemp(prefix="shipcheck-test-cache-")


# The BAN (bandit) family shares one fixture repository, tests/fixtures/rules/BAN: its rules
# are one engine's tests (bandit's own suite covers each test's logic); the shared tree checks
# what shipcheck adds — ids, lines, severities, nosec, skipped test code — for every rule,
# with at least one `# expect:` and one `# ok:` each (tests/fixtures/README.md).
SHARED_FIXTURES = {"BAN": "BAN"}


def rule_fixture_dir(rule: Any) -> Path:
    """Where a rule's fixtures live: its own folder, or its family's shared one."""
    return FIXTURES / "rules" / SHARED_FIXTURES.get(rule.family, rule.id)


def run_scan(
    target: Path | list[Path],
    isolated: bool = True,
    jobs: int | None = None,
    cache: bool = False,
    **overrides: Any,
):
    """Scan ``target`` and return the report (in this process for small trees; ``jobs``
    forces worker processes). No result cache unless asked: tests patch code in-process."""
    from shipcheck.engine import ScanOptions, scan

    targets = target if isinstance(target, list) else [target]
    options = ScanOptions(
        targets=targets,
        isolated=isolated,
        jobs=jobs,
        cache=cache,
        overrides={k.replace("_", "-"): v for k, v in overrides.items()},
    )
    return scan(options)


@pytest.fixture
def scan_dir():
    """The run_scan helper as a fixture."""
    return run_scan


@pytest.fixture
def memo_cache(tmp_path, monkeypatch):
    """A result cache for this test alone, and no local advisory database (a scan reading
    one does not remember its project pass): what the memo tests need."""
    directory = tmp_path / "cache"
    monkeypatch.setenv("SHIPCHECK_CACHE_DIR", str(directory))
    monkeypatch.delenv("SHIPCHECK_ADVISORY_DB", raising=False)
    return directory


def git(cwd: Path, *args: str) -> None:
    """Run git in ``cwd`` as a test user, failing the test when git fails."""
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd, check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture
def shop(tmp_path):
    """A git work tree holding a copy of examples/shop, everything committed."""
    project = tmp_path / "shop"
    shutil.copytree(REPO / "examples" / "shop", project)
    (project / ".gitignore").write_text(".env\n__pycache__/\n")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "shop")
    return project


# Hypothesis: bounded and repeatable in CI; `HYPOTHESIS_PROFILE=dev` searches much longer.
try:
    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    pass
else:
    settings.register_profile(
        "ci",
        max_examples=30,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    settings.register_profile("dev", max_examples=2000, deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
