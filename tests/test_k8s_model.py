"""The Kubernetes model the rules walk: pod specs of every workload kind, containers, native
sidecars, and the security context a container ends up with."""

from __future__ import annotations

import textwrap

import pytest

from shipcheck.detectors.kubernetes.images import parse_image, pin_problem
from shipcheck.detectors.kubernetes.workloads import all_containers
from shipcheck.models.artifacts import KubernetesFile
from shipcheck.parsers.yamlfiles import parse

MANIFESTS = """
apiVersion: v1
kind: List
items:
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: report}
    spec:
      schedule: "0 2 * * *"
      jobTemplate:
        spec:
          template:
            spec:
              securityContext: {runAsNonRoot: true, runAsUser: 1000}
              containers:
                - name: report
                  image: app:1.0
                  securityContext: {runAsUser: 0}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 10001, allowPrivilegeEscalation: false}
      initContainers:
        - {name: migrate, image: app:1.0}
        - {name: proxy, image: proxy:2.0, restartPolicy: Always}
      containers:
        - {name: web, image: app:1.0}
"""


def containers():
    doc = parse("k8s/all.yaml", textwrap.dedent(MANIFESTS).encode())
    assert isinstance(doc, KubernetesFile)
    return {c.name: c for c in all_containers(doc.objects)}


def test_every_pod_carrying_kind_is_walked():
    found = containers()
    assert sorted(found) == ["migrate", "proxy", "report", "web"]
    assert found["report"].obj.kind == "CronJob"  # reached through the List and jobTemplate


def test_init_containers_and_native_sidecars():
    found = containers()
    assert (found["migrate"].init, found["migrate"].sidecar, found["migrate"].long_running) == (
        True,
        False,
        False,
    )
    assert (found["proxy"].sidecar, found["proxy"].long_running) == (True, True)
    assert found["web"].long_running and not found["report"].long_running


def test_security_context_inheritance():
    found = containers()
    web = found["web"]
    assert (web.run_as_non_root, web.run_as_user) == (True, 10001)
    assert web.setting("runAsUser").level == "pod"
    # container values win over the pod's
    assert found["report"].run_as_user == 0
    assert found["report"].setting("runAsUser").level == "container"
    # allowPrivilegeEscalation exists only on containers: a pod-level one is not inherited
    assert web.setting("allowPrivilegeEscalation").value is None


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        ("nginx", "untagged"),
        ("nginx:latest", "latest"),
        ("registry.local:5000/team/app", "untagged"),
        ("registry.local:5000/team/app:1.2", None),
        ("ghcr.io/acme/app@sha256:" + "a" * 64, None),
        ("ghcr.io/acme/app:latest@sha256:" + "b" * 64, None),
        ("ghcr.io/acme/app:${TAG}", None),
        ("{{ .Values.image }}", None),
        ("", None),
    ],
)
def test_image_pinning(image, problem):
    found = pin_problem(image)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_image_reference_parts():
    ref = parse_image("registry.local:5000/team/app:1.2")
    assert ref is not None
    assert (ref.repository, ref.tag, ref.basename) == ("registry.local:5000/team/app", "1.2", "app")


ODD = """
apiVersion: apps/v1
kind: Deployment
metadata: [not, a, map]
spec:
  replicas: "three"
  template:
    metadata: {labels: [a, b]}
    spec:
      securityContext: [runAsNonRoot]
      volumes: {a: b}
      initContainers: none
      containers:
        - just-a-string
        - name: 12
          image: 42
          ports: [8000, {containerPort: http}, {containerPort: true}]
          env: {A: b}
          resources: [cpu]
          securityContext: {capabilities: {add: NET_ADMIN, drop: ALL}, privileged: yes}
          readinessProbe: yes
          livenessProbe: {httpGet: {path: 5, port: [1]}}
        - name: env
          image: "app:1.0"
          env: [17, {name: [DB_PASSWORD], value: x}, {name: API_TOKEN, valueFrom: [x]}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb}
spec: {selector: {matchExpressions: [1, {key: app, operator: Weird}]}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h}
spec: {scaleTargetRef: web, minReplicas: many}
---
apiVersion: v1
kind: List
items: [1, "two", {kind: Pod, apiVersion: v1, spec: {containers: [{name: c, ports: 5}]}}]
---
- a list document
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec: {jobTemplate: [x]}
"""


def test_odd_shapes_never_crash_a_rule(tmp_path, scan_dir):
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "odd.yaml").write_text(textwrap.dedent(ODD))
    report = scan_dir(tmp_path, select=["KUB"], fail_on="never", offline=True)
    failures = [d for d in report.diagnostics if "failed" in d.reason or "internal" in d.reason]
    assert failures == []
    assert {f.rule_id for f in report.findings} >= {"KUB001", "KUB012"}
