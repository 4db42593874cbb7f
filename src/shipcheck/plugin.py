"""The public API for rule-pack authors. Everything else in shipcheck is internal.

A pack is a distribution with an entry point in the ``shipcheck.packs`` group whose name is
the pack's rule prefix::

    [project.entry-points."shipcheck.packs"]
    ACME = "shipcheck_acme:pack"

and ``shipcheck_acme/__init__.py``::

    from importlib.resources import files
    from shipcheck.plugin import RulePack
    pack = RulePack(prefix="ACME", catalogue=files(__name__) / "rules",
                    detectors=("shipcheck_acme.detectors",))

A project rule (``kind=Kind.PROJECT``) that needs to know something about several files
reads facts the file pass recorded. A pack defines its own kind of fact as a frozen
dataclass subclassing :class:`Fact` (plain values only: facts are pickled between worker
processes), yields instances from a ``@fact_extractor`` and reads them back, typed, with
``project.facts_of``::

    @dataclass(frozen=True, kw_only=True)
    class ImageOwner(Fact):
        owner: str | None

    @fact_extractor(Kind.DOCKERFILE)
    def image_owner(doc: Dockerfile) -> Iterator[ImageOwner]:
        if doc.final_stage is not None:
            yield ImageOwner(path=doc.path, line=doc.final_stage.line, owner=...)

    @detector("acme.no-image-owner", kind=Kind.PROJECT)
    def no_image_owner(project: ProjectModel, params: None) -> Iterator[Hit]:
        images = project.facts_of(ImageOwner)  # list[ImageOwner]
        ...
"""

from __future__ import annotations

from shipcheck.detectors.registry import detector, fact_extractor, refiner
from shipcheck.models.artifacts import (
    Artifact,
    ComposeFile,
    Dockerfile,
    EnvFile,
    Kind,
    KubernetesFile,
    PythonFile,
    RequirementsFile,
    TomlFile,
    WorkflowFile,
    YamlFile,
)
from shipcheck.models.facts import Fact
from shipcheck.models.findings import Hit, Severity
from shipcheck.packs import RulePack
from shipcheck.project import ProjectModel

__all__ = [
    "Artifact",
    "ComposeFile",
    "Dockerfile",
    "EnvFile",
    "Fact",
    "Hit",
    "Kind",
    "KubernetesFile",
    "ProjectModel",
    "PythonFile",
    "RequirementsFile",
    "RulePack",
    "Severity",
    "TomlFile",
    "WorkflowFile",
    "YamlFile",
    "detector",
    "fact_extractor",
    "refiner",
]
