"""The hostile battery end to end: a tree of everything a stranger's pull request can hold
(tests/fixtures/hostile, plus inputs git cannot store, made here) is scanned by the CLI in a
subprocess. The scan ends, reports each broken file, still finds the real problem, changes
nothing, runs nothing from the tree and opens no socket with --offline."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES

# Run inside the scan's process (and inherited by forked workers): any socket is recorded.
SITECUSTOMIZE = """
import os, socket
class _NoSocket(socket.socket):
    def __init__(self, *args, **kwargs):
        with open(os.environ["SHIPCHECK_SOCKET_MARKER"], "a") as handle:
            handle.write("socket opened\\n")
        raise OSError("network disabled by the test")
socket.socket = _NoSocket
"""
# Runs the CLI, then prints its peak RSS in KiB. VmHWM, unlike ru_maxrss, starts afresh at
# exec, so the pytest process this was forked from does not count.
RUNNER = """
import resource, runpy, sys
sys.argv = ["shipcheck", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("shipcheck", run_name="__main__")
except SystemExit as exc:
    code = exc.code or 0
try:
    status = open("/proc/self/status").read()
    peak = int(status.split("VmHWM:")[1].split()[0])
except (OSError, IndexError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"PEAK_RSS_KB={peak}", file=sys.stderr)
sys.exit(code)
"""


def _tree_hashes(root: Path) -> dict[str, str]:
    hashes = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            hashes[str(path)] = "link:" + os.readlink(path)
        elif path.is_file() and os.access(path, os.R_OK):
            hashes[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def _build(tmp_path: Path) -> Path:
    tree = tmp_path / "repo"
    shutil.copytree(FIXTURES / "hostile", tree)
    (tree / "loop.yaml").symlink_to("loop.yaml")
    (tree / "outside.py").symlink_to("/etc/hostname")
    os.mkfifo(tree / "requirements.txt")  # opening a FIFO for reading would block forever
    locked = tree / "locked"
    locked.mkdir()
    (locked / "secret.py").write_text("PASSWORD = 'x'\n")
    locked.chmod(0)
    (tree / "huge.json").write_bytes(b'{"k": "' + b"a" * (5 * 1024 * 1024) + b'"}')
    (tree / "bundle.js").write_text("var x=" + "[1," * 400_000 + "0" + "]" * 400_000 + ";\n")
    return tree


def test_hostile_tree_is_scanned_safely(tmp_path):
    tree = _build(tmp_path)
    before = _tree_hashes(tree)
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = dict(os.environ)
    env.update(
        PYTHONPATH=os.pathsep.join([str(site), env.get("PYTHONPATH", "")]),
        SHIPCHECK_SOCKET_MARKER=str(tmp_path / "socket-marker"),
        SHIPCHECK_HOSTILE_MARKER=str(tmp_path / "import-marker"),
        SHIPCHECK_CACHE_DIR=str(tmp_path / "cache"),
    )
    env.pop("SHIPCHECK_ADVISORY_DB", None)
    try:
        result = subprocess.run(
            [sys.executable, "-c", RUNNER, "scan", str(tree), "--offline", "-f", "json"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
    finally:
        (tree / "locked").chmod(0o755)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    reasons = {d["path"]: d["reason"] for d in report["diagnostics"]}
    expected = {
        "k8s/bomb.yaml": "max-yaml-nodes",
        "deploy/deep.yaml": "max-yaml-depth",
        "deploy/broken.yaml": "invalid YAML",
        "chart/templates/deployment.yaml": "templated YAML",
        "legacy/binary.py": "binary file",
        "legacy/py2.py": "Python 2 code?",
        "legacy/long_expr.py": "could not be parsed",
        "legacy/nul_in_text.cfg": "binary file",
        "pyproject.toml": "invalid TOML",
        "loop.yaml": "symlink loop",
        "outside.py": "outside the scanned tree",
        "huge.json": "over the 2,097,152-byte limit",
        "requirements.txt": "not a regular file",
        ".": "configuration not read, scanned with the defaults",
    }
    for path, words in expected.items():
        assert words in reasons.get(path, ""), (path, reasons.get(path))
    if os.geteuid() != 0:  # root reads anything
        assert "not readable" in reasons.get("locked", "")
    rules = {(f["rule_id"], f["path"]) for f in report["findings"]}
    assert ("CFG001", "app.py") in rules  # the healthy file's finding
    assert ("KUB012", "k8s/bomb.yaml") in rules  # the document after the bomb
    assert ("DEP007", "pyproject.toml") in rules  # the broken manifest is itself a finding
    assert _tree_hashes(tree) == before
    assert not (tmp_path / "import-marker").exists()
    assert not (tmp_path / "socket-marker").exists()
    peak_kib = int(result.stderr.rsplit("PEAK_RSS_KB=", 1)[1].split()[0])
    assert peak_kib < 200 * 1024, f"peak RSS {peak_kib} KiB"
