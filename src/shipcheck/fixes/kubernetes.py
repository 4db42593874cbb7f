"""Kubernetes fixes: ``allowPrivilegeEscalation: false`` (KUB011) and ``runAsNonRoot: true``
(KUB010) in each reported container's own ``securityContext``, created when absent."""

from __future__ import annotations

from collections.abc import Iterator

from shipcheck.fixes import yamledit
from shipcheck.fixes.compose import document
from shipcheck.fixes.context import FixContext
from shipcheck.fixes.edits import Edit
from shipcheck.fixes.registry import SAFE, UNSAFE, fixer
from shipcheck.models.findings import Finding


def _set_in_security_context(
    ctx: FixContext, findings: list[Finding], key: str, value: str
) -> Iterator[Edit]:
    doc = document(ctx)
    if doc is None:
        return
    for finding in findings:
        located = doc.mapping_at(finding.line, finding.column)
        if located is None:
            continue
        # An explicit value (the other one) is a decision; a `securityContext:` that is not a
        # mapping is left to a person.
        insertion = yamledit.add_nested(
            doc, located.node, "securityContext", key, value, ctx.newline
        )
        if insertion is not None:
            yield ctx.insert(finding, insertion.offset, insertion.text, f"{key}: {value}")


@fixer(
    "KUB011",
    SAFE,
    "set `securityContext.allowPrivilegeEscalation: false` on the container",
    offers=lambda f: "does not set allowPrivilegeEscalation" in f.message,
)
def no_privilege_escalation(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit]:
    """Containers that do not set the field get it; an explicit ``true`` is left alone."""
    relevant = [f for f in findings if "does not set allowPrivilegeEscalation" in f.message]
    yield from _set_in_security_context(ctx, relevant, "allowPrivilegeEscalation", "false")


@fixer(
    "KUB010",
    UNSAFE,  # the kubelet refuses to start an image whose user is root
    "set `securityContext.runAsNonRoot: true` on the container",
    offers=lambda f: "does not enforce a non-root user" in f.message,
)
def run_as_non_root(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit]:
    """Containers that enforce no user get ``runAsNonRoot: true``; ``runAsUser: 0`` and an
    explicit ``runAsNonRoot: false`` are left alone."""
    relevant = [f for f in findings if "does not enforce a non-root user" in f.message]
    yield from _set_in_security_context(ctx, relevant, "runAsNonRoot", "true")
