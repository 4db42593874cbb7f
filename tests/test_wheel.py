"""The built wheel carries the catalogue: installed outside the checkout, it lists the rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest

from conftest import REPO


@pytest.mark.slow
def test_wheel_ships_rules_and_lists_them(tmp_path):
    dist = tmp_path / "dist"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(REPO),
        ],  # fmt: skip
        capture_output=True,
        text=True,
    )
    if build.returncode != 0 and "No module named 'hatchling'" in build.stderr:
        build = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(REPO)],
            capture_output=True,
            text=True,
        )
    assert build.returncode == 0, build.stderr
    wheel = next(dist.glob("shipcheck-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "shipcheck/rules/dockerfile/DKR001-root-user.yaml" in names
    assert "shipcheck/data/checklist.yaml" in names

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = subprocess.run(
        [sys.executable, "-c", "import shipcheck; print(shipcheck.__file__)"],
        capture_output=True, text=True, cwd=outside, env=env,
    )  # fmt: skip
    assert probe.stdout.startswith(str(target)), probe.stdout
    listing = subprocess.run(
        [sys.executable, "-m", "shipcheck", "rules", "--format", "json"],
        capture_output=True, text=True, cwd=outside, env=env,
    )  # fmt: skip
    assert listing.returncode == 0, listing.stderr
    ids = {r["id"] for r in json.loads(listing.stdout)}
    assert {"DKR001", "PY001", "KUB001"} <= ids
