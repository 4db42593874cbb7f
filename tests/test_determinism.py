"""Parallel workers change nothing: --jobs 1 and --jobs 2 give byte-identical JSON."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import FIXTURES, REPO


def _json(target, jobs: int) -> bytes:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "shipcheck",
            "scan",
            str(target),
            "-f",
            "json",
            "--jobs",
            str(jobs),
            "--isolated",
            "--fail-on",
            "never",
        ],  # fmt: skip
        capture_output=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_jobs_1_and_2_are_byte_identical(tmp_path):
    # A tree with every fixture kind, several times over, so both workers get work.
    tree = tmp_path / "tree"
    shutil.copytree(REPO / "examples" / "shop", tree / "shop")
    shutil.copytree(FIXTURES / "rules", tree / "rules")
    one, two = _json(tree, 1), _json(tree, 2)
    assert one == two
    assert b'"rule_id"' in one
