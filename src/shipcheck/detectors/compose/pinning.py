"""Compose images that do not pin what runs."""

from __future__ import annotations

from collections.abc import Iterator

from shipcheck.detectors.compose.services import services
from shipcheck.detectors.kubernetes.images import pin_problem
from shipcheck.detectors.kubernetes.pinning import ImagePinParams
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import ComposeFile, Kind
from shipcheck.models.findings import Hit


@detector("compose.image-not-pinned", kind=Kind.COMPOSE, params=ImagePinParams)
def image_not_pinned(doc: ComposeFile, params: ImagePinParams) -> Iterator[Hit]:
    """Services pulling an untagged or ``latest`` image. With ``build:``, ``image:`` names the
    image Compose builds and is not pulled, so it is not judged; digests pass."""
    for name, service in services(doc):
        image = service.get("image")
        if not isinstance(image, str) or "build" in service:
            continue
        problem = pin_problem(image, params.mutable_tags)
        if problem:
            yield Hit(
                line=service.value_line("image"),
                column=service.value_column("image"),
                fields={"service": name, "image": image.strip(), "problem": problem},
                context=f"{name} {image.strip()}",
            )
