"""Image references that do not pin what runs: ``latest`` or no tag at all."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck.detectors.kubernetes.images import pin_problem
from shipcheck.detectors.kubernetes.workloads import all_containers
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, KubernetesFile
from shipcheck.models.findings import Hit


@dataclass(frozen=True)
class ImagePinParams:
    """``mutable_tags``: tags that name a moving target, besides no tag at all."""

    mutable_tags: tuple[str, ...] = ("latest",)


@detector("kubernetes.image-not-pinned", kind=Kind.KUBERNETES, params=ImagePinParams)
def image_not_pinned(doc: KubernetesFile, params: ImagePinParams) -> Iterator[Hit]:
    """Container and init container images that are untagged or use a mutable tag; digests
    pass, and templated references are not judged."""
    for container in all_containers(doc.objects):
        image = container.spec.get("image")
        if not isinstance(image, str):
            continue
        problem = pin_problem(image, params.mutable_tags)
        if problem:
            yield Hit(
                line=container.spec.value_line("image"),
                column=container.spec.value_column("image"),
                fields={"container": container.label, "image": image.strip(), "problem": problem},
                context=f"{container.context_key} {image.strip()}",
            )
