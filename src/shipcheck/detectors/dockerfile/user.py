"""Who the final image runs as (container.non-root), and how the orchestrator changes that."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck.detectors.dockerfile.command import image_command
from shipcheck.detectors.dockerfile.linking import runners
from shipcheck.detectors.dockerfile.stages import (
    base_image,
    build_variables,
    image_instructions,
    label,
    targets,
)
from shipcheck.detectors.dockerfile.syntax import keyword_span
from shipcheck.detectors.registry import detector, refiner
from shipcheck.models.artifacts import Dockerfile, Instruction, Kind, Stage
from shipcheck.models.findings import Finding, Hit, Severity
from shipcheck.parsers.dockerfile import substitute
from shipcheck.project import ProjectModel

_ROOT = frozenset({"root", "0"})
_DROPPERS = ("gosu", "su-exec", "setpriv", "runuser", "s6-setuidgid", "setuidgid", "chpst")
# The image still defaults to root wherever else it runs, so the finding stays, lowered.
LOWERED = Severity.MEDIUM


@dataclass(frozen=True)
class FinalStageUserParams:
    """``nonroot_images``: substrings of base images that already run as non-root;
    ``dropping_images``: official images whose entrypoints drop root themselves."""

    nonroot_images: tuple[str, ...] = (":nonroot", "-nonroot", "cgr.dev/chainguard/")
    # Official images whose ``docker-entrypoint.sh`` switches to the service's own user.
    dropping_images: tuple[str, ...] = (
        "postgres", "mysql", "mariadb", "redis", "rabbitmq", "mongo", "memcached",
        "elasticsearch", "cassandra", "couchdb", "influxdb", "zookeeper", "solr",
    )  # fmt: skip


def is_root(user: str) -> bool:
    """``root``, ``0``, ``root:group``, ``0:0`` (the user part decides)."""
    return user.split(":", 1)[0].strip().lower() in _ROOT


def _users(doc: Dockerfile, final: Stage) -> list[tuple[Instruction, str]]:
    found = []
    for instruction in image_instructions(doc, final):
        if instruction.keyword == "USER":
            variables = build_variables(doc, final, instruction)
            found.append((instruction, substitute(instruction.value.strip(), variables)))
    return found


def _drops_privileges(doc: Dockerfile, final: Stage, params: FinalStageUserParams) -> str | None:
    """Why the container's process does not keep root although the image's user is root:
    a privilege-dropping program in its command, an entrypoint script next to an installed
    one, or an official image whose own entrypoint drops privileges."""
    command = image_command(doc, final)
    argv = command.argv() or []
    words = [w.rsplit("/", 1)[-1] for w in argv]
    for index, word in enumerate(words):
        if word in _DROPPERS or (word == "chroot" and any(
            a.startswith("--userspec") for a in argv[index + 1 :]
        )):  # fmt: skip
            return f"its command drops privileges with `{word}`"
    if command.entrypoint is not None and any(w.endswith(".sh") for w in words[:1]):
        installed = " ".join(
            i.value for i in image_instructions(doc, final) if i.keyword in ("RUN", "COPY")
        )
        dropper = next((d for d in _DROPPERS if re.search(rf"\b{d}\b", installed)), None)
        if dropper:
            return f"its entrypoint script can drop privileges with the `{dropper}` it installs"
    image = base_image(doc, final)
    if image.name.rsplit("/", 1)[-1] in params.dropping_images and (
        command.entrypoint is None or "docker-entrypoint" in command.entrypoint.value
    ):
        return f"the official `{image.name}` image's entrypoint drops to its own user"
    return None


@detector("dockerfile.final-stage-user", kind=Kind.DOCKERFILE, params=FinalStageUserParams)
def final_stage_user(doc: Dockerfile, params: FinalStageUserParams) -> Iterator[Hit]:
    """The stage the image is built to (Compose ``build.target``, CI ``--target``, else the
    last; with the stages it is built from) has no USER, so it runs as root, or its last
    USER is root. Base images known to run as non-root pass. A command that drops
    privileges (``gosu``, ``su-exec``, ``setpriv``, ``runuser``, ``s6-setuidgid``,
    ``chroot --userspec``) and official database/broker images whose entrypoints do so are
    reported at low severity with the reason."""
    for final in targets(doc):
        yield from _stage_user(doc, final, params)


def _stage_user(doc: Dockerfile, final: Stage, params: FinalStageUserParams) -> Iterator[Hit]:
    stage = label(final, doc)
    users = _users(doc, final)
    dropped = _drops_privileges(doc, final, params)
    severity = Severity.LOW if dropped else None
    suffix = f" ({dropped})" if dropped else ""
    if not users:
        image = base_image(doc, final)
        if any(marker in image.raw for marker in params.nonroot_images):
            return
        span = keyword_span(doc, final.instruction) if final.instruction else None
        yield Hit(
            line=final.line,
            column=span.column if span else 1,
            end_column=span.end_column if span else None,
            fields={"stage": stage, "user": "root", "reason": "no USER instruction" + suffix},
            context=f"no-user {stage}",
            severity=severity,
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
        fields={"stage": stage, "user": user, "reason": reason + suffix},
        severity=severity,
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
