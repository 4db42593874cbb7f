"""Who the final stage runs as."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Dockerfile, Kind
from shipcheck.models.findings import Hit

ROOT_USERS = frozenset({"root", "0", "root:root", "0:0"})


@dataclass(frozen=True)
class FinalStageUserParams:
    """``nonroot_images``: substrings of base images that already run as non-root."""

    nonroot_images: tuple[str, ...] = (":nonroot", "-nonroot", "cgr.dev/chainguard/")


def effective_user(doc: Dockerfile) -> tuple[str | None, int | None]:
    """The last USER of the final stage, following ``FROM <stage>`` chains, with its line."""
    stages = {s.name.lower(): s for s in doc.stages if s.name}
    stage = doc.final_stage
    seen: set[int] = set()
    while stage is not None and stage.index not in seen:
        seen.add(stage.index)
        users = [i for i in stage.instructions if i.keyword == "USER"]
        if users:
            value = users[-1].value.strip()
            # ARG/ENV substitution is rare for USER; keep the text as written.
            return value, users[-1].line
        stage = stages.get(stage.parent_stage.lower()) if stage.parent_stage else None
    return None, None


@detector("dockerfile.final-stage-user", kind=Kind.DOCKERFILE, params=FinalStageUserParams)
def final_stage_user(doc: Dockerfile, params: FinalStageUserParams) -> Iterator[Hit]:
    """The final stage has no USER (so runs as root), or its last USER is root."""
    final = doc.final_stage
    if final is None:
        return
    user, line = effective_user(doc)
    if user is None:
        if any(marker in final.image for marker in params.nonroot_images):
            return
        yield Hit(
            line=final.line,
            fields={"stage": final.label, "user": "root (no USER instruction)"},
            context=f"no-user {final.label}",
        )
    elif user.lower() in ROOT_USERS or user.split(":")[0].lower() in {"root", "0"}:
        yield Hit(line=line or final.line, fields={"stage": final.label, "user": user})
