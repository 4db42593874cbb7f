"""End to end: the consistency rules on realistic projects whose probes and ports agree
with the application, and on the same projects after one of them drifted."""

from __future__ import annotations

from conftest import FIXTURES, run_scan

PROJECTS = FIXTURES / "projects"


def findings(project: str, rule: str):
    report = run_scan(PROJECTS / project, fail_on="never", offline=True)
    crashes = [d for d in report.diagnostics if "failed" in d.reason or "internal" in d.reason]
    assert crashes == []
    return [f for f in report.findings if f.rule_id == rule]


def test_probe_paths_that_no_route_serves():
    found = {(f.path, f.line): f for f in findings("probe-mismatch", "PRJ010")}
    assert sorted(found) == [("deploy/k8s/deployment.yaml", 29), ("docker-compose.yml", 12)]
    readiness = found[("deploy/k8s/deployment.yaml", 29)]
    assert "/_/ready" in readiness.message and "Flask" in readiness.message
    assert "resolved statically" in readiness.message
    assert readiness.severity.value == "high"


def test_probe_paths_that_routes_serve():
    assert findings("probe-match", "PRJ010") == []


def test_ports_that_disagree():
    found = {(f.path, f.line): f for f in findings("port-mismatch", "PRJ011")}
    assert sorted(found) == [("Dockerfile", 8), ("k8s/courier.yaml", 21)]
    container = found[("k8s/courier.yaml", 21)]
    assert "containerPort 8000" in container.message and "8080" in container.message
    assert "Dockerfile:9" in container.message


def test_ports_that_agree():
    assert findings("port-match", "PRJ011") == []
