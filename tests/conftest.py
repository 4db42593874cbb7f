"""Shared helpers for the test suite."""

from __future__ import annotations

import os
import sys
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


# The BAN (bandit) family shares one fixture repository, tests/fixtures/rules/BAN: its rules
# are one engine's tests (bandit's own suite covers each test's logic); the shared tree checks
# what shipcheck adds — ids, lines, severities, nosec, skipped test code — for every rule,
# with at least one `# expect:` and one `# ok:` each (tests/fixtures/README.md).
SHARED_FIXTURES = {"BAN": "BAN"}


def rule_fixture_dir(rule: Any) -> Path:
    """Where a rule's fixtures live: its own folder, or its family's shared one."""
    return FIXTURES / "rules" / SHARED_FIXTURES.get(rule.family, rule.id)


def run_scan(target: Path | list[Path], isolated: bool = True, jobs: int = 1, **overrides: Any):
    """Scan ``target`` in-process and return the report."""
    from shipcheck.engine import ScanOptions, scan

    targets = target if isinstance(target, list) else [target]
    options = ScanOptions(
        targets=targets,
        isolated=isolated,
        jobs=jobs,
        overrides={k.replace("_", "-"): v for k, v in overrides.items()},
    )
    return scan(options)


@pytest.fixture
def scan_dir():
    """The run_scan helper as a fixture."""
    return run_scan
