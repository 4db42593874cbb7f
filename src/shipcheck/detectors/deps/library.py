"""Version ranges in a published library's own requirement lists are correct, not a risk:
the applications that install the library resolve and pin them."""

from __future__ import annotations

import posixpath
from dataclasses import replace

from shipcheck.detectors.deps.common import directory
from shipcheck.detectors.deps.shape import Shape
from shipcheck.detectors.registry import refiner
from shipcheck.models.findings import Finding, Severity
from shipcheck.project import ProjectModel

_NOTE = " (in a published library, where ranges are expected: pin in the applications instead)"


@refiner("deps.unpinned-requirement")
def library_ranges(project: ProjectModel, finding: Finding) -> Finding:
    """Lower unpinned-requirement findings in a library that deploys nothing to info (the
    library's root may be several folders up: ``requirements/extras/redis.txt``)."""
    shape = Shape.of(project)
    folder = directory(finding.path)
    while True:
        if shape.is_library(folder):
            if shape.is_application(folder):
                return finding
            return replace(finding, severity=Severity.INFO, message=finding.message + _NOTE)
        if not folder:
            return finding
        folder = posixpath.dirname(folder)
