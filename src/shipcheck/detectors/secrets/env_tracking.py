"""Where .env files end up: in git (committed, or one ``git add .`` away because no
.gitignore covers them) and in images (a Dockerfile copies the whole build context and the
.dockerignore lets .env through)."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from shipcheck.buildcontexts import BuildContext, contexts_of
from shipcheck.detectors.common import is_placeholder, is_secret_name
from shipcheck.detectors.registry import detector, fact_extractor
from shipcheck.detectors.secrets.context import ContextParams
from shipcheck.detectors.secrets.envfile import is_env_file_name, is_template_env
from shipcheck.detectors.secrets.values import owned_by_format_rules, weak_credential
from shipcheck.models.artifacts import Dockerfile, Kind, Stage
from shipcheck.models.facts import Fact
from shipcheck.models.findings import Hit, Severity
from shipcheck.parsers import envfile
from shipcheck.patterns import DockerIgnore
from shipcheck.project import ProjectModel

WHOLE_CONTEXT = frozenset({".", "./", "*", "./*", "./.", "/"})
# Names a developer's local env file takes next to a template.
LOCAL_ENV_NAMES = (".env", ".env.local", ".env.production", ".env.prod")


def _secret_entries(text: str) -> int:
    """How many entries of a .env text hold a secret value (not a placeholder)."""
    doc = envfile.parse(".env", text.encode("utf-8"))
    return sum(
        1
        for e in doc.entries
        if (is_secret_name(e.key) and not is_placeholder(e.value)) or owned_by_format_rules(e.value)
    )


def _weak_entries(text: str) -> int:
    """How many entries of a .env text hold a guessable credential (``SECRET_KEY=changeme``)."""
    doc = envfile.parse(".env", text.encode("utf-8"))
    return sum(1 for e in doc.entries if weak_credential(e.key, e.value))


def _is_local_only(name: str) -> bool:
    lower = name.lower()
    return lower == ".env" or lower.endswith(".local")


def _env_files(project: ProjectModel) -> dict[str, bool | None]:
    """Real (non-template) env files → tracked by git (None: not a git work tree)."""
    tracked = project.tracked_paths()
    found: dict[str, bool | None] = {}
    for path in project.paths_of(Kind.ENV):
        if not is_template_env(path):
            found[path] = None if tracked is None else path in tracked
    for path in tracked or ():
        name = path.rpartition("/")[2]
        if is_env_file_name(name) and not is_template_env(path):
            found[path] = True
    return found


@detector("secrets.env-file-in-git", kind=Kind.PROJECT, params=ContextParams)
def env_file_in_git(project: ProjectModel, params: ContextParams) -> Iterator[Hit]:
    """Env files (not ``.env.example``-style templates) that git tracks, or that no
    .gitignore covers. Tracked files with secret values are reported at the rule's severity;
    a tracked ``.env``/``.env.local`` with guessable default credentials at medium, without
    secrets at low; other tracked env files
    without secrets (``.env.development`` defaults) are left alone; untracked, unignored
    ones at medium."""
    for path, tracked in sorted(_env_files(project).items()):
        report, floor = params.verdict(path)
        if not report:
            continue
        text = project.read_text(path) or ""
        secrets = _secret_entries(text)
        name = PurePosixPath(path).name
        if tracked:
            if secrets:
                problem = f"is committed to git with {secrets} secret value(s) in it"
                severity = floor
            elif _is_local_only(name) and _weak_entries(text):
                count = _weak_entries(text)
                problem = f"is committed to git with {count} guessable default credential(s) in it"
                severity = floor or Severity.MEDIUM
            elif _is_local_only(name) and text.strip():
                problem = "is committed to git (it holds no secret yet, but the next one will be)"
                severity = Severity.LOW
            else:
                continue
        else:
            if not any(e.value for e in envfile.parse(path, text.encode("utf-8")).entries):
                continue
            problem = "is not covered by .gitignore, so `git add .` would commit it"
            severity = floor or Severity.MEDIUM
        yield Hit(
            line=1,
            path=path,
            fields={"path": path, "problem": problem},
            severity=severity,
            context=f"env-file {path} {'tracked' if tracked else 'unignored'}",
        )


# --- .env in the Docker build context --------------------------------------------------


def _copy_sources(value: str) -> list[str]:
    """Source arguments of a COPY/ADD value (flags and the destination dropped)."""
    value = value.strip()
    if value.startswith("["):
        try:
            parts = [str(p) for p in json.loads(value)]
        except ValueError:
            return []
    else:
        try:
            parts = shlex.split(value, posix=True)
        except ValueError:
            parts = value.split()
    parts = [p for p in parts if not p.startswith("--")]
    return parts[:-1] if len(parts) > 1 else []


def _shipped_stages(doc: Dockerfile) -> list[Stage]:
    """The final stage and the stages it is built FROM: their whole filesystem is in the
    image (a stage used only by ``COPY --from`` contributes just the paths copied)."""
    by_name = {s.name.lower(): s for s in doc.stages if s.name}
    result: list[Stage] = []
    stage = doc.final_stage
    while stage is not None and stage not in result:
        result.append(stage)
        parent = stage.parent_stage
        stage = by_name.get(parent.lower()) if parent else None
    return result


@dataclass(frozen=True, kw_only=True)
class DockerContextCopy(Fact):
    """A COPY/ADD of the whole build context into a stage that ends up in the image: the
    keyword's column and the instruction's first line."""

    column: int
    text: str


@fact_extractor(Kind.DOCKERFILE)
def context_copy_facts(doc: Dockerfile) -> Iterator[DockerContextCopy]:
    """:class:`DockerContextCopy` facts: COPY/ADD of the whole build context into a stage
    that ends up in the image."""
    for stage in _shipped_stages(doc):
        for instruction in stage.instructions:
            if instruction.keyword not in {"COPY", "ADD"} or "--from=" in instruction.value:
                continue
            if any(source in WHOLE_CONTEXT for source in _copy_sources(instruction.value)):
                text = doc.line_text(instruction.line)
                column = max(text.upper().find(instruction.keyword), 0) + 1
                first = instruction.original.strip().splitlines()[0]
                yield DockerContextCopy(
                    path=doc.path, line=instruction.line, column=column, text=first
                )


def _env_files_in_context(project: ProjectModel, context: BuildContext) -> list[str]:
    """Env files (not templates) on disk in the build context, relative to it: scanned
    ones and, since git-ignored files are not scanned, the usual local names."""
    present = [name for name in LOCAL_ENV_NAMES if project.exists(context.join(name))]
    for path in project.paths_of(Kind.ENV):
        rel = context.inside(path)
        if rel is not None and not is_template_env(path) and rel not in present:
            present.append(rel)
    return present


@detector(
    "secrets.env-file-in-image",
    kind=Kind.PROJECT,
    params=ContextParams,
    needs=(Kind.DOCKERFILE,),
)
def env_file_in_image(project: ProjectModel, params: ContextParams) -> Iterator[Hit]:
    """A Dockerfile copies its whole build context (``COPY . .``) into the image while an
    env file that exists in that context is not excluded by the .dockerignore. Every
    context the Dockerfile is built from counts (Compose ``build.context``, CI
    ``docker build``, else its folder). (A .dockerignore that merely lacks a ``.env``
    pattern is the container.dockerignore rule's finding; this one reports a real file on
    its way into the image.)"""
    for fact in project.facts_of(DockerContextCopy):
        report, floor = params.verdict(fact.path)
        if not report:
            continue
        for context in contexts_of(project, fact.path):
            text = project.read_text(context.ignore_file) if context.ignore_file else None
            rules = DockerIgnore.from_text(text or "")
            leaking = [p for p in _env_files_in_context(project, context) if not rules.excludes(p)]
            if not leaking:
                continue
            env = leaking[0]
            if context.ignore_file is None:
                why = "there is no .dockerignore"
            else:
                why = f"`{context.ignore_file}` does not exclude `{env}`"
            if context.source != "default":
                why += f" (built by {context.source})"
            yield Hit(
                line=fact.line,
                column=fact.column,
                path=fact.path,
                fields={"instruction": fact.text, "env": f"`{context.join(env)}`", "why": why},
                severity=floor,
                context=f"context-copy {fact.path} {fact.text} {context.context}",
            )
            break  # one finding per instruction: the first context that leaks
