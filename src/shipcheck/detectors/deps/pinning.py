"""Unpinned requirements and VCS dependencies that follow a branch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from shipcheck.detectors.registry import detector, fact_extractor
from shipcheck.models.artifacts import Kind, RequirementsFile, TomlFile
from shipcheck.models.facts import Fact
from shipcheck.models.findings import Hit, Severity

_DEV_FILE = re.compile(r"(dev|test|tests|docs|doc|lint|ci|local)", re.IGNORECASE)
_COMMIT = re.compile(r"@([0-9a-f]{40})(?:#|$)")
_VCS = re.compile(r"^(git|hg|svn|bzr)\+|\.git(@|$|#)")


@dataclass(frozen=True)
class UnpinnedParams:
    """``dev_severity``: severity for requirement files named for dev/test/docs use."""

    dev_severity: str = "low"


def is_dev_file(path: str) -> bool:
    """``requirements-dev.txt``, ``requirements/test.txt`` and the like."""
    posix = PurePosixPath(path)
    return bool(_DEV_FILE.search(posix.stem)) or posix.parent.name in {"dev", "test", "docs"}


@detector("deps.unpinned-requirement", kind=Kind.REQUIREMENTS, params=UnpinnedParams)
def unpinned_requirement(doc: RequirementsFile, params: UnpinnedParams) -> Iterator[Hit]:
    """Requirement lines that allow more than one version. pip-tools inputs (``*.in``) are
    meant to be loose and are skipped; URL and editable requirements are
    ``deps.vcs-unpinned``'s business."""
    if doc.path.endswith(".in"):
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


def vcs_unpinned(url: str) -> bool:
    """A VCS URL that names no full commit hash."""
    return bool(_VCS.search(url)) and not _COMMIT.search(url)


@detector(
    "deps.vcs-unpinned", kind=(Kind.REQUIREMENTS, Kind.PYPROJECT, Kind.PIPFILE), params=None
)
def vcs_dependency_unpinned(doc: Any, params: None) -> Iterator[Hit]:
    """Dependencies installed from a VCS branch or tag instead of a commit hash."""
    if isinstance(doc, RequirementsFile):
        for req in doc.requirements:
            if req.url and vcs_unpinned(req.url):
                yield Hit(line=req.line, fields={"name": req.name, "source": req.url})
        return
    assert isinstance(doc, TomlFile)
    for name, source, needle in _toml_vcs(doc.data):
        yield Hit(line=doc.find_line(needle), fields={"name": name, "source": source})


def _toml_vcs(data: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    for entry in project.get("dependencies") or []:
        if isinstance(entry, str) and " @ " in entry:
            name, _, url = entry.partition(" @ ")
            if vcs_unpinned(url.strip()):
                yield name.strip(), url.strip(), entry
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    tables = [poetry.get("dependencies"), data.get("packages")]
    for table in tables:
        if not isinstance(table, dict):
            continue
        for name, spec in table.items():
            if isinstance(spec, dict) and "git" in spec:
                ref = spec.get("rev") or spec.get("ref") or ""
                if not re.fullmatch(r"[0-9a-f]{40}", str(ref)):
                    yield name, f"{spec['git']} ({ref or spec.get('branch') or 'default branch'})", str(
                        spec["git"]
                    )


@fact_extractor(Kind.REQUIREMENTS)
def requirement_facts(doc: RequirementsFile) -> Iterator[Fact]:
    """``dependency`` facts: name, pinned, source file kind."""
    for req in doc.requirements:
        yield Fact(
            "dependency",
            doc.path,
            req.line,
            {"name": _canon(req.name), "pinned": req.pinned, "source": "requirements"},
        )


@fact_extractor((Kind.PYPROJECT, Kind.PIPFILE))
def toml_dependency_facts(doc: TomlFile) -> Iterator[Fact]:
    """``dependency`` facts from pyproject (PEP 621, Poetry) and Pipfile."""
    from packaging.requirements import InvalidRequirement, Requirement

    data = doc.data
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    for entry in project.get("dependencies") or []:
        try:
            req = Requirement(str(entry))
        except InvalidRequirement:
            continue
        pinned = str(req.specifier).startswith("==") and "," not in str(req.specifier)
        yield Fact("dependency", doc.path, doc.find_line(str(entry)),
                   {"name": _canon(req.name), "pinned": pinned, "source": doc.kind.value})  # fmt: skip
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    for table in (poetry.get("dependencies"), data.get("packages")):
        if isinstance(table, dict):
            for name in table:
                if str(name).lower() != "python":
                    yield Fact("dependency", doc.path, doc.find_line(str(name)),
                               {"name": _canon(str(name)), "pinned": False,
                                "source": doc.kind.value})  # fmt: skip


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
