"""Images built by CI: which Dockerfile, from which build context, to which target stage.

Read from ``docker build`` / ``docker buildx build`` / ``podman build`` command lines
(backslash continuations joined) and ``docker/build-push-action`` steps, so that the build
context (and its ``.dockerignore``) and the stage that ships are known for Dockerfiles that
Compose does not build.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Iterator

from shipcheck import lazyre
from shipcheck.detectors.registry import fact_extractor
from shipcheck.detectors.workflows.common import run_lines, steps
from shipcheck.models.artifacts import Kind, WorkflowFile
from shipcheck.models.facts import ImageBuild

_BUILD = lazyre.compile(r"\b(?:docker|podman)\s+(?:buildx\s+)?build\b(?P<args>.*)")
# Options of `docker build` that take a value (the value is not the context).
_VALUED = frozenset(
    {"-t", "--tag", "--build-arg", "--platform", "--label", "--cache-from", "--cache-to",
     "--secret", "--ssh", "-o", "--output", "--progress", "--network", "--iidfile",
     "--metadata-file", "--builder", "--add-host", "--build-context", "--annotation",
     "--attest", "--shm-size", "--ulimit", "--memory", "-m", "--cpu-shares", "--isolation"}
)  # fmt: skip


def _commands(doc: WorkflowFile) -> Iterator[tuple[str, int, str]]:
    """(job, first line, command) with backslash continuations joined."""
    pending: tuple[str, int, str] | None = None
    for job, line, text in run_lines(doc):
        if pending is not None and pending[0] == job:
            job, line, text = job, pending[1], pending[2] + " " + text.strip()
        pending = None
        if text.rstrip().endswith("\\"):
            pending = (job, line, text.rstrip()[:-1])
            continue
        yield job, line, text
    if pending is not None:
        yield pending


def _repo_path(value: str) -> str | None:
    """A path in the repository, or None for what cannot be one (URLs, stdin, expressions)."""
    value = value.strip()
    if not value or value == "-" or "://" in value or "$" in value or value.startswith("git@"):
        return None
    normal = posixpath.normpath(value)
    return None if normal.startswith("..") else normal


def parse_build(args: str) -> tuple[str, str, str | None] | None:
    """(context, Dockerfile, target) of a ``docker build`` command's arguments."""
    try:
        words = shlex.split(args, comments=True)
    except ValueError:
        return None
    context = dockerfile = target = None
    index = 0
    while index < len(words):
        word = words[index]
        name, _, inline = word.partition("=")
        if name in ("-f", "--file", "--target"):
            value = inline if inline else (words[index + 1] if index + 1 < len(words) else "")
            index += 1 if inline else 2
            if name == "--target":
                target = value
            else:
                dockerfile = value
            continue
        if word.startswith("-f") and len(word) > 2:
            dockerfile = word[2:]
        elif word in _VALUED:
            index += 1
        elif not word.startswith("-") and context is None:
            context = word
        elif word in ("&&", ";", "|", "||"):
            break
        index += 1
    if context is None:
        return None
    root = _repo_path(context)
    if root is None:
        return None
    file = _repo_path(dockerfile) if dockerfile else posixpath.join(root, "Dockerfile")
    if file is None:
        return None
    return root, posixpath.normpath(file), target if target and "$" not in target else None


@fact_extractor((Kind.GITHUB_ACTIONS, Kind.GITLAB_CI))
def image_build_facts(doc: WorkflowFile) -> Iterator[ImageBuild]:
    """An :class:`ImageBuild` per image a CI job builds."""
    for job, line, text in _commands(doc):
        for match in _BUILD.finditer(text):
            parsed = parse_build(match.group("args"))
            if parsed is not None:
                context, dockerfile, target = parsed
                yield ImageBuild(
                    path=doc.path, line=line, context=context, dockerfile=dockerfile,
                    target=target, job=str(job),
                )  # fmt: skip
    if doc.kind is not Kind.GITHUB_ACTIONS:
        return
    for job, step in steps(doc):
        uses = step.get("uses")
        if not isinstance(uses, str) or not uses.startswith("docker/build-push-action"):
            continue
        given = step.get("with") if isinstance(step.get("with"), dict) else {}
        context = _repo_path(str(given.get("context", ".")))
        if context is None:
            continue
        file = given.get("file")
        dockerfile = _repo_path(str(file)) if file else posixpath.join(context, "Dockerfile")
        target = given.get("target")
        if dockerfile is None:
            continue
        yield ImageBuild(
            path=doc.path,
            line=step.key_line("uses") if hasattr(step, "key_line") else 1,
            context=context,
            dockerfile=posixpath.normpath(dockerfile),
            target=target if isinstance(target, str) and "$" not in target else None,
            job=str(job),
        )
