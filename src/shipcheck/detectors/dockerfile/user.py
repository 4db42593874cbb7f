"""Who the final image runs as (container.non-root), and how the orchestrator changes that."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck.detectors.dockerfile.linking import runners
from shipcheck.detectors.dockerfile.stages import (
    base_image,
    build_variables,
    image_instructions,
    label,
)
from shipcheck.detectors.dockerfile.syntax import keyword_span
from shipcheck.detectors.registry import detector, refiner
from shipcheck.models.artifacts import Dockerfile, Instruction, Kind
from shipcheck.models.findings import Finding, Hit, Severity
from shipcheck.parsers.dockerfile import substitute
from shipcheck.project import ProjectModel

_ROOT = frozenset({"root", "0"})
# The image still defaults to root wherever else it runs, so the finding stays, lowered.
LOWERED = Severity.MEDIUM


@dataclass(frozen=True)
class FinalStageUserParams:
    """``nonroot_images``: substrings of base images that already run as non-root."""

    nonroot_images: tuple[str, ...] = (":nonroot", "-nonroot", "cgr.dev/chainguard/")


def is_root(user: str) -> bool:
    """``root``, ``0``, ``root:group``, ``0:0`` (the user part decides)."""
    return user.split(":", 1)[0].strip().lower() in _ROOT


def _users(doc: Dockerfile) -> list[tuple[Instruction, str]]:
    final = doc.final_stage
    found = []
    for instruction in image_instructions(doc):
        if instruction.keyword == "USER" and final is not None:
            variables = build_variables(doc, final, instruction)
            found.append((instruction, substitute(instruction.value.strip(), variables)))
    return found


@detector("dockerfile.final-stage-user", kind=Kind.DOCKERFILE, params=FinalStageUserParams)
def final_stage_user(doc: Dockerfile, params: FinalStageUserParams) -> Iterator[Hit]:
    """The final stage (with the stages it is built from) has no USER, so it runs as root,
    or its last USER is root. Base images known to run as non-root pass."""
    final = doc.final_stage
    if final is None:
        return
    stage = label(final, doc)
    users = _users(doc)
    if not users:
        image = base_image(doc, final)
        if any(marker in image.raw for marker in params.nonroot_images):
            return
        span = keyword_span(doc, final.instruction) if final.instruction else None
        yield Hit(
            line=final.line,
            column=span.column if span else 1,
            end_column=span.end_column if span else None,
            fields={"stage": stage, "user": "root", "reason": "no USER instruction"},
            context=f"no-user {stage}",
        )
        return
    instruction, user = users[-1]
    if "$" in user or not is_root(user):
        return
    earlier = [u for i, u in users[:-1] if "$" not in u and not is_root(u)]
    reason = f"`USER {instruction.value.strip()}`"
    if earlier:
        reason += f" switches back from `{earlier[-1]}`"
    span = keyword_span(doc, instruction)
    yield Hit(
        line=instruction.line,
        column=span.column,
        end_column=span.end_column,
        fields={"stage": stage, "user": user, "reason": reason},
    )


@refiner("dockerfile.final-stage-user")
def orchestrated_user(project: ProjectModel, finding: Finding) -> Finding:
    """Say how Compose and Kubernetes run the image; lower the severity when every one of
    them runs it as a non-root user."""
    found = runners(project, finding.path)
    notes: list[str] = []
    safe = bool(found.any)
    for service_fact in found.compose_services:
        user = service_fact.user
        service = service_fact.service
        if user and "$" not in user and not is_root(user):
            notes.append(f"Compose service `{service}` runs it as user `{user}`")
        else:
            safe = False
    for container in found.k8s_containers:
        where = container.path
        run_as_user = container.run_as_user
        if run_as_user is not None and run_as_user != 0:
            notes.append(f"Kubernetes ({where}) runs it as uid {run_as_user}")
        elif container.run_as_non_root is True:
            # The kubelet refuses to start a root image under runAsNonRoot: the pod fails.
            notes.append(
                f"Kubernetes ({where}) sets runAsNonRoot without runAsUser, so the kubelet "
                "will refuse to start this image"
            )
            safe = False
        else:
            safe = False
    if not notes:
        return finding
    message = f"{finding.message}; {'; '.join(notes)}"
    if safe and LOWERED.rank < finding.severity.rank:
        return dataclasses.replace(finding, message=message, severity=LOWERED)
    return dataclasses.replace(finding, message=message)
