"""Third-party GitHub Actions pinned to a commit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck import lazyre
from shipcheck.detectors.registry import detector
from shipcheck.detectors.workflows.common import steps
from shipcheck.models.artifacts import Kind, WorkflowFile
from shipcheck.models.findings import Hit

_SHA = lazyre.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class ActionPinParams:
    """``trusted_owners``: owners whose actions may be pinned by tag (empty: none)."""

    trusted_owners: tuple[str, ...] = ()


@detector("workflows.action-not-pinned", kind=Kind.GITHUB_ACTIONS, params=ActionPinParams)
def action_not_pinned(doc: WorkflowFile, params: ActionPinParams) -> Iterator[Hit]:
    """``uses:`` references to actions or reusable workflows by tag or branch, not by a
    full commit SHA. Local actions (``./``) are fine; ``docker://`` needs a digest."""
    holders = [step for _, step in steps(doc)]
    holders += [job for job in (doc.jobs or {}).values() if isinstance(job, dict)]
    for holder in holders:
        uses = holder.get("uses")
        if not isinstance(uses, str) or uses.startswith("./"):
            continue
        if uses.startswith("docker://"):
            if "@sha256:" not in uses:
                yield _hit(holder, uses, "a Docker image without a digest")
            continue
        action, _, ref = uses.partition("@")
        owner = action.split("/")[0]
        if owner in params.trusted_owners or _SHA.match(ref):
            continue
        yield _hit(holder, uses, f"ref `{ref or '(none)'}`, not a commit SHA")


def _hit(holder: dict, uses: str, why: str) -> Hit:  # type: ignore[type-arg]
    return Hit(
        line=holder.value_line("uses"),
        column=holder.value_column("uses"),
        fields={"uses": uses, "why": why},
    )
