"""Replicas, autoscalers and PodDisruptionBudgets.

These checks match objects across files (a PDB or an HPA usually sits in its own file), so
they run on the project's merged facts. A manifest stream read from standard input
(``helm template chart | shipcheck scan -``) is a whole release on its own: there, the same
checks run on the stream's facts in the file pass, since project rules do not run on a
partial scan."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shipcheck.detectors.kubernetes.facts import kubernetes_facts
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, KubernetesFile
from shipcheck.models.facts import Fact
from shipcheck.models.findings import Hit, Severity
from shipcheck.project import ProjectModel

KINDS = frozenset({Kind.KUBERNETES, Kind.PROJECT})


def is_stream(path: str) -> bool:
    """Whether ``path`` names standard input (``<stdin>``) rather than a file."""
    return path.startswith("<") and path.endswith(">")


def release_facts(subject: Any) -> list[Fact] | None:
    """The facts to judge: the project's, or a standard-input stream's; None for a file
    of a project scan (the project pass judges it with every other file)."""
    if isinstance(subject, ProjectModel):
        return [f for f in subject.facts if f.type.startswith("k8s-") and not is_stream(f.path)]
    if isinstance(subject, KubernetesFile) and is_stream(subject.path):
        return kubernetes_facts(subject)
    return None


def _same_namespace(a: str | None, b: str | None) -> bool:
    # An object without a namespace lands in whatever namespace it is applied to.
    return a is None or b is None or a == b


def _scalers(facts: list[Fact], workload: Fact) -> list[Fact]:
    data = workload.data
    return [
        f
        for f in facts
        if f.type == "k8s-scaler"
        and f.data["target_kind"] == data["kind"]
        and f.data["target_name"] == data["name"]
        and _same_namespace(f.data["namespace"], data["namespace"])
    ]


def _expression_matches(expression: Any, labels: dict[str, str]) -> bool:
    if not isinstance(expression, dict):
        return False
    key, operator = expression.get("key"), expression.get("operator")
    values = [str(v) for v in expression.get("values") or [] if isinstance(v, str | int)]
    if operator == "In":
        return labels.get(str(key)) in values
    if operator == "NotIn":
        return labels.get(str(key)) not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return False


def selects(pdb: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a PDB's label selector selects pods with ``labels`` (an empty selector selects
    every pod of its namespace)."""
    if not pdb.get("valid"):
        return False
    if any(labels.get(k) != v for k, v in pdb["match_labels"].items()):
        return False
    return all(_expression_matches(e, labels) for e in pdb["match_expressions"])


def _min_replicas(scalers: list[Fact]) -> int | None:
    known = [s.data["min_replicas"] for s in scalers if isinstance(s.data["min_replicas"], int)]
    if len(known) != len(scalers):
        return None
    return min(known) if known else None


def _location(workload: Fact) -> dict[str, Any]:
    if workload.data["replicas"] is None:
        data = workload.data
        return {"line": data["name_line"], "column": data["name_column"], "path": workload.path}
    return {"line": workload.line, "column": workload.data["column"], "path": workload.path}


def _replica_counts(facts: list[Fact], workload: Fact) -> list[int]:
    """Replica counts set for the same workload elsewhere: kustomize patches and
    ``replicas:`` overrides, other environments' copies."""
    data = workload.data
    counts = [
        f.data["replicas"]
        for f in facts
        if f.type == "k8s-workload"
        and f is not workload
        and f.data["kind"] == data["kind"]
        and f.data["name"] == data["name"]
        and _same_namespace(f.data["namespace"], data["namespace"])
        and isinstance(f.data["replicas"], int)
    ]
    counts += [
        f.data["count"]
        for f in facts
        if f.type == "k8s-replicas" and f.data["name"] == data["name"]
    ]
    return counts


@detector("kubernetes.single-replica", kind=KINDS)
def single_replica(subject: Any, params: None) -> Iterator[Hit]:
    """Deployments that run one pod: ``replicas: 1`` (medium) or no ``replicas`` (low, the
    default is one), unless an autoscaler keeps two or more. A ``Recreate`` strategy marks a
    deliberate singleton (a scheduler such as celery beat) and is left alone."""
    facts = release_facts(subject)
    if facts is None:
        return
    for workload in facts:
        data = workload.data
        if workload.type != "k8s-workload" or data["kind"] != "Deployment":
            continue
        if not data["defines_pods"] or data["strategy"] == "Recreate":
            continue
        if data["replicas"] not in (None, 1) or any(
            c >= 2 for c in _replica_counts(facts, workload)
        ):
            continue
        scalers = _scalers(facts, workload)
        name = f"{data['kind']}/{data['name']}"
        if scalers:
            minimum = _min_replicas(scalers)
            if minimum is None or minimum >= 2:
                continue
            scaler = scalers[0].data
            how = f"its {scaler['kind']} `{scaler['name']}` scales it down to {minimum}"
            severity = Severity.MEDIUM
        elif data["replicas"] == 1:
            how = "it sets replicas: 1"
            severity = Severity.MEDIUM
        else:
            how = "it sets no replicas, and the default is one"
            severity = Severity.LOW
        yield Hit(
            **_location(workload),
            fields={"workload": name, "how": how},
            severity=severity,
            context=f"{name} {data['namespace'] or ''} single-replica",
        )


@detector("kubernetes.missing-pdb", kind=KINDS)
def missing_pdb(subject: Any, params: None) -> Iterator[Hit]:
    """Deployments and StatefulSets with two or more replicas (or an autoscaler minimum of two
    or more) that no PodDisruptionBudget in their namespace selects."""
    facts = release_facts(subject)
    if facts is None:
        return
    pdbs = [f.data for f in facts if f.type == "k8s-pdb"]
    for workload in facts:
        data = workload.data
        if workload.type != "k8s-workload" or data["kind"] not in {"Deployment", "StatefulSet"}:
            continue
        if not data["defines_pods"] or not data["labels"]:
            continue
        counts = [
            c for c in (data["replicas"], *_replica_counts(facts, workload)) if isinstance(c, int)
        ]
        minimum = _min_replicas(_scalers(facts, workload))
        count = minimum if minimum is not None else max(counts, default=None)
        if not isinstance(count, int) or count < 2:
            continue
        if any(
            _same_namespace(p["namespace"], data["namespace"]) and selects(p, data["labels"])
            for p in pdbs
        ):
            continue
        name = f"{data['kind']}/{data['name']}"
        yield Hit(
            **_location(workload),
            fields={"workload": name, "replicas": count},
            context=f"{name} {data['namespace'] or ''} missing-pdb",
        )
