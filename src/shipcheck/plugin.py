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

__all__ = [
    "Artifact",
    "ComposeFile",
    "Dockerfile",
    "EnvFile",
    "Fact",
    "Hit",
    "Kind",
    "KubernetesFile",
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
