"""Unpinned requirements and VCS dependencies that follow a branch."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shipcheck.detectors.deps.common import is_constraints_file, is_dev_file, vcs_unpinned
from shipcheck.detectors.deps.facts import declared_in_pipfile, declared_in_pyproject
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, RequirementsFile, TomlFile
from shipcheck.models.findings import Hit, Severity


@dataclass(frozen=True)
class UnpinnedParams:
    """``dev_severity``: severity for requirement files named for dev/test/docs use."""

    dev_severity: str = "low"


@detector("deps.unpinned-requirement", kind=Kind.REQUIREMENTS, params=UnpinnedParams)
def unpinned_requirement(doc: RequirementsFile, params: UnpinnedParams) -> Iterator[Hit]:
    """Requirement lines that allow more than one version. pip-tools inputs (``*.in``) are
    meant to be loose and are skipped, and so are constraints files (they bound what other
    files install) and files that apply a ``-c`` constraints file (it may pin what they leave
    loose; ``deps.missing-lockfile`` checks that across files). URL and editable
    requirements are ``deps.vcs-unpinned``'s business."""
    if doc.path.endswith(".in") or doc.constraints or is_constraints_file(doc.path):
        return
    severity = Severity.parse(params.dev_severity) if is_dev_file(doc.path) else None
    for req in doc.requirements:
        if req.pinned or req.url or req.editable:
            continue
        spec = req.specifier or "any version"
        column = doc.line_text(req.line).find(req.raw.split()[0][:1]) + 1 or 1
        yield Hit(
            line=req.line,
            column=column,
            fields={"name": req.name, "spec": spec},
            severity=severity,
        )


@detector("deps.vcs-unpinned", kind=(Kind.REQUIREMENTS, Kind.PYPROJECT, Kind.PIPFILE), params=None)
def vcs_dependency_unpinned(doc: Any, params: None) -> Iterator[Hit]:
    """Dependencies installed from a VCS branch or tag instead of a commit hash."""
    if isinstance(doc, RequirementsFile):
        for req in doc.requirements:
            if req.url and vcs_unpinned(req.url):
                yield Hit(line=req.line, fields={"name": req.name, "source": req.url})
        return
    assert isinstance(doc, TomlFile)
    declared = declared_in_pipfile(doc) if doc.kind == Kind.PIPFILE else declared_in_pyproject(doc)
    for item in declared:
        if item.moving:
            yield Hit(line=item.line, fields={"name": item.name, "source": item.source or "?"})
