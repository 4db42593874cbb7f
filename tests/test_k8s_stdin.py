"""Rendered manifests on standard input (``helm template chart | shipcheck scan -``) and
templated YAML in the repository."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

RENDERED = textwrap.dedent(
    """\
    ---
    # Source: shop/templates/deployment.yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: shop-web
    spec:
      replicas: 3
      selector:
        matchLabels: {app: shop-web}
      template:
        metadata:
          labels: {app: shop-web}
        spec:
          containers:
            - name: web
              image: registry.example.com/shop:latest
    ---
    # Source: shop/templates/worker.yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: shop-worker
    spec:
      replicas: 1
      selector:
        matchLabels: {app: shop-worker}
      template:
        metadata:
          labels: {app: shop-worker}
        spec:
          containers:
            - name: worker
              image: registry.example.com/shop:1.4.2
    ---
    # Source: shop/templates/pdb.yaml
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: shop-web
    spec:
      maxUnavailable: 1
      selector:
        matchLabels: {app: shop-web}
    """
)


def line_of(text: str, needle: str, start: int = 1) -> int:
    """1-based number of the first line at or after ``start`` that contains ``needle``."""
    lines = text.splitlines()
    return next(n for n in range(start, len(lines) + 1) if needle in lines[n - 1])


def scan_stdin(text: str, cwd) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "shipcheck",
            "scan",
            "-",
            "--format",
            "json",
            "--isolated",
            "--offline",
            "--select",
            "KUB",
            "--fail-on",
            "never",
        ],
        input=text,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_stdin_stream_is_scanned_as_one_release(tmp_path):
    report = scan_stdin(RENDERED, tmp_path)
    found = {(f["rule_id"], f["line"]) for f in report["findings"]}
    assert {f["path"] for f in report["findings"]} == {"<stdin>"}
    assert ("KUB020", line_of(RENDERED, "shop:latest")) in found
    worker = line_of(RENDERED, "name: shop-worker")
    assert ("KUB040", line_of(RENDERED, "replicas: 1", worker)) in found
    # the PDB later in the same stream covers shop-web, so no missing-PDB finding
    assert not any(rule == "KUB041" for rule, _ in found)


def test_stdin_stream_without_pdb(tmp_path):
    report = scan_stdin(RENDERED.split("# Source: shop/templates/pdb.yaml")[0], tmp_path)
    found = {(f["rule_id"], f["line"]) for f in report["findings"]}
    assert ("KUB041", line_of(RENDERED, "replicas: 3")) in found


def test_helm_template_is_a_diagnostic_with_a_hint(tmp_path, scan_dir):
    templates = tmp_path / "chart" / "templates"
    templates.mkdir(parents=True)
    (templates / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
        "spec:\n  replicas: {{ .Values.replicas }}\n"
    )
    report = scan_dir(tmp_path, select=["KUB"], fail_on="never", offline=True)
    [diagnostic] = [d for d in report.diagnostics if d.path == "chart/templates/deployment.yaml"]
    assert "helm template" in diagnostic.reason and "shipcheck scan -" in diagnostic.reason
    assert not report.findings
