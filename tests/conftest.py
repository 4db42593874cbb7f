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
