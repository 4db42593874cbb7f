"""The image's Python against the versions the project declares and tests.

The image's Python is read from the base image of the stage that ships (the build target
Compose or CI names, else the last stage), through ``FROM <stage>`` chains and ``ARG``
defaults: ``python:3.12-slim``, ``tiangolo/uvicorn-gunicorn:python3.11``. It is compared
with ``requires-python`` (the project's own metadata: outside it, installing the project
fails), ``runtime.txt`` (the Python a Heroku-style platform runs), ``.python-version`` (the
Python developers use), and the versions CI tests on (``setup-python``, GitLab images, tox
``envlist``, nox sessions).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from shipcheck import lazyre, roles
from shipcheck.buildcontexts import contexts_of
from shipcheck.detectors.common import minor
from shipcheck.detectors.dockerfile.base_image import image_span
from shipcheck.detectors.dockerfile.eol import releases
from shipcheck.detectors.dockerfile.stages import label, lineage
from shipcheck.detectors.dockerfile.syntax import parse_image
from shipcheck.detectors.project.nox_python import NoxPython
from shipcheck.detectors.registry import detector, fact_extractor
from shipcheck.detectors.workflows.runtime_facts import CiPython
from shipcheck.models.artifacts import Dockerfile, Kind, TomlFile
from shipcheck.models.facts import Fact
from shipcheck.models.findings import Hit, Severity
from shipcheck.project import ProjectModel

_FULL = lazyre.compile(r"^(\d+)\.(\d+)\.(\d+)")
_TOX_ENV = lazyre.compile(r"\bpy(3)(\d{1,2})\b")
_RUNTIME_TXT = lazyre.compile(r"^\s*python-(3\.\d+)(?:\.\d+)?\s*$")


@dataclass(frozen=True, kw_only=True)
class ImagePython(Fact):
    """A Dockerfile stage's Python: ``version`` (``3.12``) and ``patch`` (``3.12.4``, when
    the tag says), the stage's name and whether it is the last one, and where its base
    image reference is written (``line``, ``column``, ``end_column``)."""

    stage: str | None
    label: str
    final: bool
    version: str
    patch: str | None
    image: str
    column: int
    end_column: int | None


@dataclass(frozen=True, kw_only=True)
class RequiresPython(Fact):
    """A pyproject.toml's ``requires-python`` (or Poetry's ``python`` dependency), at its line."""

    spec: str


@fact_extractor(Kind.DOCKERFILE)
def image_python_facts(doc: Dockerfile) -> Iterator[ImagePython]:
    """An :class:`ImagePython` for each stage whose base image names a Python release."""
    final = doc.final_stage
    for stage in doc.stages:
        root = lineage(doc, stage)[-1]
        image = parse_image(root.image)
        if image.unresolved or image.is_scratch:
            continue
        python = [r for r in releases(image) if r.family == "python"]
        if not python:
            continue
        full = _FULL.match(image.tag or "") if image.name == "python" else None
        span = image_span(doc, root)
        yield ImagePython(
            path=doc.path,
            line=span.line,
            column=span.column,
            end_column=span.end_column,
            stage=stage.name,
            label=label(stage, doc),
            final=stage is final,
            version=python[0].version,
            patch=full.group(0) if full else None,
            image=root.image,
        )


def _poetry_python(spec: str) -> str:
    """Poetry's ``^3.11`` / ``~3.11`` as a PEP 440 specifier."""
    spec = spec.strip()
    caret = re.match(r"^\^(\d+)\.(\d+)", spec)
    if caret:
        return f">={caret.group(1)}.{caret.group(2)},<{int(caret.group(1)) + 1}"
    tilde = re.match(r"^~(\d+)\.(\d+)", spec)
    if tilde:
        return f">={tilde.group(1)}.{tilde.group(2)},<{tilde.group(1)}.{int(tilde.group(2)) + 1}"
    return spec


@fact_extractor(Kind.PYPROJECT)
def requires_python_facts(doc: TomlFile) -> Iterator[RequiresPython]:
    """A :class:`RequiresPython` fact when the project declares its supported Pythons."""
    project = doc.data.get("project")
    spec = project.get("requires-python") if isinstance(project, dict) else None
    needle = "requires-python"
    if not isinstance(spec, str):
        tool = doc.data.get("tool")
        poetry = tool.get("poetry") if isinstance(tool, dict) else None
        deps = poetry.get("dependencies") if isinstance(poetry, dict) else None
        raw = deps.get("python") if isinstance(deps, dict) else None
        spec = _poetry_python(raw) if isinstance(raw, str) else None
        needle = "python"
    if isinstance(spec, str) and spec.strip():
        line = next((n for n, t in enumerate(doc.lines, 1) if t.strip().startswith(needle)), 1)
        yield RequiresPython(path=doc.path, line=line, spec=spec.strip())


# --- the rule ------------------------------------------------------------------------------


def _shipped(
    project: ProjectModel, dockerfile: str, stages: list[ImagePython]
) -> ImagePython | None:
    """The stage the image is built to: the one every build names, else the last."""
    targets = {c.target for c in contexts_of(project, dockerfile)}
    if len(targets) == 1 and None not in targets:
        wanted = next(iter(targets))
        return next((s for s in stages if s.stage and s.stage.lower() == str(wanted).lower()), None)
    return next((s for s in stages if s.final), None)


def _near(project: ProjectModel, dockerfile: str, name: str) -> str | None:
    """``name`` in the Dockerfile's build context, its folder, or the repository root."""
    folders = [c.context for c in contexts_of(project, dockerfile)]
    folders += [posixpath.dirname(dockerfile) or ".", "."]
    for folder in dict.fromkeys(folders):
        candidate = posixpath.normpath(posixpath.join(folder, name))
        if project.exists(candidate):
            return candidate
    return None


def _allows(spec: str, version: str, patch: str | None) -> bool | None:
    """Whether a ``requires-python`` specifier admits the image's Python (any patch release
    of it when the patch is not known); None when the specifier cannot be read."""
    try:
        specifier = SpecifierSet(spec)
    except InvalidSpecifier:
        return None
    if patch is not None:
        return specifier.contains(patch, prereleases=True)
    return any(
        specifier.contains(f"{version}.{n}", prereleases=True) for n in (0, 1, 5, 10, 20, 99)
    )


def _pinned_file(
    project: ProjectModel, dockerfile: str
) -> Iterator[tuple[str, str, Severity, str]]:
    """(file, minor version, severity, what it is) for runtime.txt and .python-version."""
    runtime = _near(project, dockerfile, "runtime.txt")
    text = project.read_text(runtime) if runtime else None
    match = _RUNTIME_TXT.match(text or "")
    if runtime and match:
        yield runtime, match.group(1), Severity.MEDIUM, "the platform's Python"
    pinned = _near(project, dockerfile, ".python-version")
    text = project.read_text(pinned) if pinned else None
    first = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    version = minor(first)
    if pinned and version:
        yield pinned, version, Severity.LOW, "the Python developers use"


def _tested(project: ProjectModel) -> tuple[set[str], list[str]] | None:
    """The Python versions CI tests on and where they are set, or None when unknown (no CI
    Python at all, a setting that cannot be read, tests run inside the image)."""
    versions: set[str] = set()
    where: list[str] = []
    facts = project.facts_of(CiPython)
    for fact in facts:
        if fact.unknown or fact.in_image:
            return None
        versions.update(fact.versions)
        where.append(fact.path)
    for fact in project.facts_of(NoxPython):
        if fact.unknown:
            return None
        versions.update(fact.versions)
        where.append(fact.path)
    tox = project.read_text("tox.ini")
    envlist = re.search(r"(?ms)^\[tox\].*?^envlist\s*=\s*(.+?)(?=^\S|\Z)", tox or "")
    if envlist:
        found = {f"{m.group(1)}.{m.group(2)}" for m in _TOX_ENV.finditer(envlist.group(1))}
        if "{" in envlist.group(1) and not found:
            return None
        versions |= found
        if found:
            where.append("tox.ini")
    return (versions, where) if versions else None


def _applies(project: ProjectModel) -> bool:
    return project.complete and bool(project.facts_of(ImagePython))


@detector("project.python-version-mismatch", kind=Kind.PROJECT, applies=_applies)
def python_version_mismatch(project: ProjectModel, params: None) -> Iterator[Hit]:
    """The Python of a shipping image against ``requires-python`` (outside it: high),
    ``runtime.txt`` (medium), ``.python-version`` (low) and the versions CI tests on (never
    tested: low). One finding per image: the most severe disagreement, naming the others."""
    by_file: dict[str, list[ImagePython]] = {}
    for fact in project.facts_of(ImagePython):
        by_file.setdefault(fact.path, []).append(fact)
    tested = _tested(project)
    requires = {f.path: f for f in project.facts_of(RequiresPython)}
    for dockerfile, stages in sorted(by_file.items()):
        if not roles.of(dockerfile).role.ships:
            continue
        image = _shipped(project, dockerfile, stages)
        if image is None:
            continue
        problems: list[tuple[Severity, str]] = []
        pyproject = _near(project, dockerfile, "pyproject.toml")
        declared = requires.get(pyproject) if pyproject else None
        if declared is not None and _allows(declared.spec, image.version, image.patch) is False:
            problems.append(
                (
                    Severity.HIGH,
                    f'outside `requires-python = "{declared.spec}"` ({declared.path}:'
                    f"{declared.line}): installing the project on it fails",
                )
            )
        for path, version, severity, what in _pinned_file(project, dockerfile):
            if version != image.version:
                problems.append((severity, f"not {what} ({path} says {version})"))
        if tested is not None and image.version not in tested[0]:
            versions = ", ".join(sorted(tested[0], key=lambda v: tuple(map(int, v.split(".")))))
            problems.append(
                (Severity.LOW, f"never tested in CI ({', '.join(tested[1])} test {versions})")
            )
        if not problems:
            continue
        problems.sort(key=lambda p: -p[0].rank)
        yield Hit(
            path=image.path,
            line=image.line,
            column=image.column,
            end_column=image.end_column,
            fields={
                "stage": image.label,
                "python": image.patch or image.version,
                "image": image.image,
                "problems": "; ".join(text for _, text in problems),
            },
            severity=problems[0][0],
            context=f"python {image.label} {image.version}",
        )
