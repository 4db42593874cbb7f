"""Replicas, autoscalers and PodDisruptionBudgets.

These checks match objects across files (a PDB or an HPA usually sits in its own file), so
they run on the project's merged facts. A manifest stream read from standard input
(``helm template chart | shipcheck scan -``) is a whole release on its own: there, the same
checks run on the stream's facts in the file pass, since project rules do not run on a
partial scan."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from shipcheck.detectors.kubernetes.facts import (
    K8sPdb,
    K8sReplicas,
    K8sScaler,
    K8sWorkload,
    kubernetes_facts,
)
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, KubernetesFile
from shipcheck.models.findings import Hit, Severity
from shipcheck.project import ProjectModel

KINDS = frozenset({Kind.KUBERNETES, Kind.PROJECT})


def is_stream(path: str) -> bool:
    """Whether ``path`` names standard input (``<stdin>``) rather than a file."""
    return path.startswith("<") and path.endswith(">")


@dataclass
class Release:
    """The workloads, autoscalers, PodDisruptionBudgets and kustomize replica overrides
    judged together."""

    workloads: list[K8sWorkload] = field(default_factory=list)
    scalers: list[K8sScaler] = field(default_factory=list)
    pdbs: list[K8sPdb] = field(default_factory=list)
    replicas: list[K8sReplicas] = field(default_factory=list)


def release_facts(subject: Any) -> Release | None:
    """The facts to judge: the project's, or a standard-input stream's; None for a file
    of a project scan (the project pass judges it with every other file)."""
    if isinstance(subject, ProjectModel):
        return Release(
            [f for f in subject.facts_of(K8sWorkload) if not is_stream(f.path)],
            [f for f in subject.facts_of(K8sScaler) if not is_stream(f.path)],
            [f for f in subject.facts_of(K8sPdb) if not is_stream(f.path)],
            [f for f in subject.facts_of(K8sReplicas) if not is_stream(f.path)],
        )
    if isinstance(subject, KubernetesFile) and is_stream(subject.path):
        release = Release()
        for fact in kubernetes_facts(subject):
            if isinstance(fact, K8sWorkload):
                release.workloads.append(fact)
            elif isinstance(fact, K8sScaler):
                release.scalers.append(fact)
            elif isinstance(fact, K8sPdb):
                release.pdbs.append(fact)
            elif isinstance(fact, K8sReplicas):
                release.replicas.append(fact)
        return release
    return None


def _same_namespace(a: str | None, b: str | None) -> bool:
    # An object without a namespace lands in whatever namespace it is applied to.
    return a is None or b is None or a == b


def _scalers(release: Release, workload: K8sWorkload) -> list[K8sScaler]:
    return [
        f
        for f in release.scalers
        if f.target_kind == workload.kind
        and f.target_name == workload.name
        and _same_namespace(f.namespace, workload.namespace)
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


def selects(pdb: K8sPdb, labels: dict[str, str]) -> bool:
    """Whether a PDB's label selector selects pods with ``labels`` (an empty selector selects
    every pod of its namespace)."""
    if not pdb.valid:
        return False
    if any(labels.get(k) != v for k, v in pdb.match_labels.items()):
        return False
    return all(_expression_matches(e, labels) for e in pdb.match_expressions)


def _min_replicas(scalers: list[K8sScaler]) -> int | None:
    known = [s.min_replicas for s in scalers if isinstance(s.min_replicas, int)]
    if len(known) != len(scalers):
        return None
    return min(known) if known else None


def _location(workload: K8sWorkload) -> dict[str, Any]:
    if workload.replicas is None:
        return {"line": workload.name_line, "column": workload.name_column, "path": workload.path}
    return {"line": workload.line, "column": workload.column, "path": workload.path}


def _replica_counts(release: Release, workload: K8sWorkload) -> list[int]:
    """Replica counts set for the same workload elsewhere: kustomize patches and
    ``replicas:`` overrides, other environments' copies."""
    counts = [
        f.replicas
        for f in release.workloads
        if f is not workload
        and f.kind == workload.kind
        and f.name == workload.name
        and _same_namespace(f.namespace, workload.namespace)
        and isinstance(f.replicas, int)
    ]
    counts += [f.count for f in release.replicas if f.name == workload.name]
    return counts


@detector("kubernetes.single-replica", kind=KINDS)
def single_replica(subject: Any, params: None) -> Iterator[Hit]:
    """Deployments that run one pod: ``replicas: 1`` (medium) or no ``replicas`` (low, the
    default is one), unless an autoscaler keeps two or more. A ``Recreate`` strategy marks a
    deliberate singleton (a scheduler such as celery beat) and is left alone."""
    release = release_facts(subject)
    if release is None:
        return
    for workload in release.workloads:
        if workload.kind != "Deployment":
            continue
        if not workload.defines_pods or workload.strategy == "Recreate":
            continue
        if workload.replicas not in (None, 1) or any(
            c >= 2 for c in _replica_counts(release, workload)
        ):
            continue
        scalers = _scalers(release, workload)
        name = f"{workload.kind}/{workload.name}"
        if scalers:
            minimum = _min_replicas(scalers)
            if minimum is None or minimum >= 2:
                continue
            scaler = scalers[0]
            how = f"its {scaler.kind} `{scaler.name}` scales it down to {minimum}"
            severity = Severity.MEDIUM
        elif workload.replicas == 1:
            how = "it sets replicas: 1"
            severity = Severity.MEDIUM
        else:
            how = "it sets no replicas, and the default is one"
            severity = Severity.LOW
        yield Hit(
            **_location(workload),
            fields={"workload": name, "how": how},
            severity=severity,
            context=f"{name} {workload.namespace or ''} single-replica",
        )


@detector("kubernetes.missing-pdb", kind=KINDS)
def missing_pdb(subject: Any, params: None) -> Iterator[Hit]:
    """Deployments and StatefulSets with two or more replicas (or an autoscaler minimum of two
    or more) that no PodDisruptionBudget in their namespace selects."""
    release = release_facts(subject)
    if release is None:
        return
    for workload in release.workloads:
        if workload.kind not in {"Deployment", "StatefulSet"}:
            continue
        if not workload.defines_pods or not workload.labels:
            continue
        counts = [
            c
            for c in (workload.replicas, *_replica_counts(release, workload))
            if isinstance(c, int)
        ]
        minimum = _min_replicas(_scalers(release, workload))
        count = minimum if minimum is not None else max(counts, default=None)
        if not isinstance(count, int) or count < 2:
            continue
        if any(
            _same_namespace(p.namespace, workload.namespace) and selects(p, workload.labels)
            for p in release.pdbs
        ):
            continue
        name = f"{workload.kind}/{workload.name}"
        yield Hit(
            **_location(workload),
            fields={"workload": name, "replicas": count},
            context=f"{name} {workload.namespace or ''} missing-pdb",
        )
