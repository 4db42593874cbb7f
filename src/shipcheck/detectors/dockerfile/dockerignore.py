"""The build context's ``.dockerignore`` (container.dockerignore).

Docker reads ``<Dockerfile>.dockerignore`` next to the Dockerfile when there is one,
else ``.dockerignore`` at the root of the build context. The context is the Dockerfile's
folder unless a Compose ``build`` says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck.buildcontexts import ignore_file
from shipcheck.detectors.dockerfile.image_facts import DockerfileImage
from shipcheck.detectors.dockerfile.linking import contexts
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind
from shipcheck.models.findings import Hit
from shipcheck.patterns import DockerIgnore
from shipcheck.project import ProjectModel


@dataclass(frozen=True)
class WholeCopy:
    """The first instruction of a Dockerfile that copies the whole build context."""

    dockerfile: str
    line: int
    column: int
    text: str


def _whole_copies(project: ProjectModel) -> Iterator[WholeCopy]:
    seen: set[str] = set()
    for fact in project.facts_of(DockerfileImage):
        # One fact per target stage; the whole-context copies are the Dockerfile's.
        if fact.whole_context_copies and fact.path not in seen:
            seen.add(fact.path)
            first = fact.whole_context_copies[0]
            yield WholeCopy(fact.path, first.line, first.column, first.text)


@detector("dockerfile.dockerignore-missing", kind=Kind.PROJECT, needs=(Kind.DOCKERFILE,))
def dockerignore_missing(project: ProjectModel, params: None) -> Iterator[Hit]:
    """A Dockerfile copies the whole build context, and the context has no ``.dockerignore``."""
    for copy in _whole_copies(project):
        for context in contexts(project, copy.dockerfile):
            if ignore_file(project, copy.dockerfile, context) is not None:
                continue
            yield Hit(
                line=copy.line,
                column=copy.column,
                path=copy.dockerfile,
                fields={
                    "copy": copy.text,
                    "context": f"`{context}`" if context != "." else "the repository root",
                },
                context=f"no-dockerignore {context}",
            )


@dataclass(frozen=True)
class DockerignoreParams:
    """``must_exclude``: paths (relative to the context) the ignore file must keep out; a
    trailing ``/`` marks a folder, which must be excluded with what it holds."""

    must_exclude: tuple[str, ...] = (".git/", ".env")


def _probes(entry: str) -> list[str]:
    name = entry.rstrip("/")
    # For a folder what counts is its content (`.git/*` leaves only an empty folder).
    return [f"{name}/HEAD", f"{name}/objects/pack/a.pack"] if entry.endswith("/") else [name]


def excluded(rules: DockerIgnore, entry: str) -> bool:
    """Whether ``entry`` (``name`` or ``folder/``) is kept out of the build context."""
    return all(rules.excludes(p) for p in _probes(entry))


@detector(
    "dockerfile.dockerignore-incomplete",
    kind=Kind.PROJECT,
    params=DockerignoreParams,
    needs=(Kind.DOCKERFILE,),
)
def dockerignore_incomplete(project: ProjectModel, params: DockerignoreParams) -> Iterator[Hit]:
    """The ``.dockerignore`` of a context that a Dockerfile copies whole does not exclude
    ``.git`` or ``.env`` (``!`` exceptions that re-include them count)."""
    reported: set[str] = set()
    for copy in _whole_copies(project):
        for context in contexts(project, copy.dockerfile):
            path = ignore_file(project, copy.dockerfile, context)
            if path is None or path in reported:
                continue
            reported.add(path)
            rules = DockerIgnore.from_text(project.read_text(path) or "")
            lines = rules.lines
            absent = [e for e in params.must_exclude if not excluded(rules, e)]
            missing = [e.rstrip("/") for e in absent]
            if not missing:
                continue
            reinclude = next(
                (n for e in absent for p in _probes(e) if (n := rules.reincluding_line(p))), None
            )
            how = (
                f"the exception `{lines[reinclude - 1].strip()}` re-includes it"
                if reinclude
                else "no pattern excludes it"
            )
            first = next(
                (n for n, t in enumerate(lines, 1) if t.strip() and not t.strip().startswith("#")),
                1,
            )
            yield Hit(
                line=reinclude or first,
                path=path,
                fields={
                    "missing": " and ".join(f"`{m}`" for m in missing),
                    "dockerfile": copy.dockerfile,
                    "copy_line": copy.line,
                    "how": how,
                },
                context=f"dockerignore {' '.join(missing)}",
            )
