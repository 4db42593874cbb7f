"""Secrets baked into images (container.secrets-in-image): secret-named ENV/ARG values,
build arguments that carry secrets, and secret files copied in.

Credential *formats* anywhere in a file (AWS keys, tokens, URLs with passwords) are the
secrets rules' business; these rules judge what the Dockerfile does with a secret."""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck.detectors.common import is_placeholder, is_secret_name, mask
from shipcheck.detectors.dockerfile.stages import label
from shipcheck.detectors.dockerfile.syntax import Pair, Span, find, keyword_span, pairs, transfer
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Dockerfile, Instruction, Kind, Stage
from shipcheck.models.findings import Hit


def _secret_pairs(doc: Dockerfile) -> Iterator[tuple[Stage | None, Instruction, Pair, Span]]:
    stage: Stage | None = None
    stages = iter(doc.stages)
    for instruction in doc.instructions:
        if instruction.keyword == "FROM":
            stage = next(stages, None)
            continue
        if instruction.keyword not in ("ENV", "ARG"):
            continue
        cursor: Span | None = None
        for pair in pairs(instruction, doc.escape):
            span = find(doc, instruction, pair.key, after=3, start=cursor)
            cursor = span or cursor
            if is_secret_name(pair.key):
                yield stage, instruction, pair, span or keyword_span(doc, instruction)


def _where(doc: Dockerfile, stage: Stage | None) -> str:
    return f"stage `{label(stage, doc)}`" if stage is not None else "the global scope"


@detector("dockerfile.secret-env-arg", kind=Kind.DOCKERFILE)
def secret_env_arg(doc: Dockerfile, params: None) -> Iterator[Hit]:
    """A secret-named ``ENV`` or ``ARG`` with a literal value (not a placeholder or a
    ``$VARIABLE``): ENV values live in the image config, ARG defaults in its history."""
    for stage, instruction, pair, span in _secret_pairs(doc):
        value = pair.value.strip()
        if not pair.has_value or not value or "$" in value or is_placeholder(value):
            continue
        yield Hit(
            line=span.line,
            column=span.column,
            end_column=span.end_column,
            fields={
                "keyword": instruction.keyword,
                "name": pair.key,
                "where": _where(doc, stage),
                "value": mask(value),
            },
            context=f"{instruction.keyword} {pair.key}",
        )


def _has_run_after(stage: Stage, instruction: Instruction) -> bool:
    later = stage.instructions[stage.instructions.index(instruction) + 1 :]
    return any(i.keyword == "RUN" for i in later)


@detector("dockerfile.secret-build-arg", kind=Kind.DOCKERFILE)
def secret_build_arg(doc: Dockerfile, params: None) -> Iterator[Hit]:
    """A secret-named build argument without a literal default, in scope of a ``RUN`` (every
    RUN records the build arguments in the image history), or an ``ENV`` that copies a
    variable into a secret-named image variable (``ENV DB_PASSWORD=$DB_PASSWORD``)."""
    for stage, instruction, pair, span in _secret_pairs(doc):
        value = pair.value.strip()
        if instruction.keyword == "ARG":
            if stage is None or not _has_run_after(stage, instruction):
                continue
            if pair.has_value and value and "$" not in value and not is_placeholder(value):
                continue  # a literal default: dockerfile.secret-env-arg reports it
            how = "passes a secret as a build argument; every later RUN records it in the history"
        else:
            if "$" not in value:
                continue
            how = f"copies `{value}` into the image's environment, readable by anyone who pulls it"
        yield Hit(
            line=span.line,
            column=span.column,
            end_column=span.end_column,
            fields={
                "keyword": instruction.keyword,
                "name": pair.key,
                "where": _where(doc, stage),
                "how": how,
            },
            context=f"{instruction.keyword} {pair.key}",
        )


@dataclass(frozen=True)
class SecretFileParams:
    """``patterns``: globs for secret files (matched against each source's file name and its
    path); ``allowed``: globs that are never secrets (templates, public keys)."""

    patterns: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    directories: tuple[str, ...] = ()


def secret_source(source: str, params: SecretFileParams) -> bool:
    """Whether a COPY/ADD source names a secret file or a credentials folder."""
    path = posixpath.normpath(source.strip().rstrip("/")) if source.strip() else ""
    if not path or "://" in path:
        return False
    name = posixpath.basename(path).lower()
    if any(fnmatch.fnmatch(name, glob) for glob in params.allowed):
        return False
    parts = [p.lower() for p in path.replace("~", "").split("/") if p]
    if any(part in params.directories for part in parts):
        return True
    lowered = path.lower()
    for glob in params.patterns:
        if "/" in glob:
            if fnmatch.fnmatch(lowered, glob) or fnmatch.fnmatch(lowered, "*/" + glob):
                return True
        elif fnmatch.fnmatch(name, glob):
            return True
    return False


@detector("dockerfile.secret-file-copied", kind=Kind.DOCKERFILE, params=SecretFileParams)
def secret_file_copied(doc: Dockerfile, params: SecretFileParams) -> Iterator[Hit]:
    """``COPY``/``ADD`` of a ``.env`` file, a private key, a keystore or a credentials
    folder (``.ssh``, ``.aws``…), from the context or from another stage."""
    stage_of = {id(i): s for s in doc.stages for i in s.instructions}
    for instruction in doc.instructions:
        if instruction.keyword not in ("COPY", "ADD") or instruction.heredoc is not None:
            continue
        moved = transfer(instruction, doc.escape)
        if moved is None:
            continue
        for source in moved.sources:
            if not secret_source(source, params):
                continue
            span = find(doc, instruction, source, after=4) or keyword_span(doc, instruction)
            stage = stage_of.get(id(instruction))
            yield Hit(
                line=span.line,
                column=span.column,
                end_column=span.end_column,
                fields={
                    "keyword": instruction.keyword,
                    "source": source,
                    "where": _where(doc, stage),
                },
                context=f"{instruction.keyword} {source}",
            )
