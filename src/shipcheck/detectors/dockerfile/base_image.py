"""Base images: pinned (container.base-image-pinned) and lean (container.build-hygiene)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck.detectors.dockerfile.stages import label, lineage
from shipcheck.detectors.dockerfile.syntax import ImageRef, Span, locate, parse_image
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Dockerfile, Kind, Stage
from shipcheck.models.findings import Hit, Severity


def external_stages(doc: Dockerfile) -> Iterator[tuple[Stage, ImageRef]]:
    """Stages built from an external image (not ``FROM <stage>``, not ``scratch``), with the
    image reference after ``ARG`` defaults are applied."""
    for stage in doc.stages:
        if stage.parent_stage is not None:
            continue
        image = parse_image(stage.image)
        if image.is_scratch or not image.repository:
            continue
        yield stage, image


def image_span(doc: Dockerfile, stage: Stage) -> Span:
    """Where the image reference stands on the FROM line."""
    if stage.instruction is None:
        return Span(stage.line, 1, 1)
    return locate(doc, stage.instruction, stage.raw_image, after=4)


def resolved(stage: Stage) -> str:
    """`` (resolves to `python:3.12-slim`)`` when ARG defaults changed the reference."""
    return f" (resolves to `{stage.image}`)" if stage.raw_image != stage.image else ""


def image_hit(
    doc: Dockerfile, stage: Stage, severity: Severity | None = None, **fields: str
) -> Hit:
    """A finding on a stage's image reference, naming the stage and the image as written."""
    span = image_span(doc, stage)
    return Hit(
        line=span.line,
        column=span.column,
        end_column=span.end_column,
        fields={
            "stage": label(stage, doc),
            "image": stage.raw_image,
            "resolved": resolved(stage),
            **fields,
        },
        severity=severity,
    )


@detector("dockerfile.base-image-unpinned", kind=Kind.DOCKERFILE)
def base_image_unpinned(doc: Dockerfile, params: None) -> Iterator[Hit]:
    """A stage's base image uses ``latest`` or no tag at all (and no digest). References
    still holding an unresolved ``$VARIABLE`` are skipped: the build decides them."""
    for stage, image in external_stages(doc):
        if image.unresolved or image.digest:
            continue
        if image.tag is None:
            problem = "has no tag, so it pulls whatever `latest` is at build time"
        elif image.tag.lower() == "latest":
            problem = "uses the `latest` tag, which changes under you"
        else:
            continue
        yield image_hit(doc, stage, problem=problem)


@detector("dockerfile.base-image-no-digest", kind=Kind.DOCKERFILE)
def base_image_no_digest(doc: Dockerfile, params: None) -> Iterator[Hit]:
    """A stage's base image is pinned to a tag (not ``latest``) but not to a digest."""
    for stage, image in external_stages(doc):
        if image.unresolved or image.digest or image.tag is None or image.tag == "latest":
            continue
        yield image_hit(doc, stage)


@dataclass(frozen=True)
class FullBaseParams:
    """``lean_variants``: tag words that mark a small variant of the official image."""

    lean_variants: tuple[str, ...] = ("slim", "alpine", "windowsservercore", "nanoserver")


@detector("dockerfile.full-python-base", kind=Kind.DOCKERFILE, params=FullBaseParams)
def full_python_base(doc: Dockerfile, params: FullBaseParams) -> Iterator[Hit]:
    """The final image is built on the full official ``python`` image (Debian with
    compilers and headers) rather than a ``-slim`` or ``-alpine`` variant."""
    final = doc.final_stage
    if final is None:
        return
    root = lineage(doc, final)[-1]
    image = parse_image(root.image)
    if not image.official_python or image.unresolved or (image.digest and not image.tag):
        return
    words = (image.tag or "").lower().replace("-", " ").split()
    if any(word.startswith(variant) for word in words for variant in params.lean_variants):
        return
    span = image_span(doc, root)
    yield Hit(
        line=span.line,
        column=span.column,
        end_column=span.end_column,
        fields={"stage": label(final, doc), "image": root.image},
    )
