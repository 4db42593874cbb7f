"""Dependency manifests that do not parse: nothing can install the project from them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Artifact, Kind
from shipcheck.models.findings import Hit
from shipcheck.text import TEMPLATE_MARKUP

_CONSEQUENCE = {
    Kind.PYPROJECT: "pip, uv and poetry refuse to install the project",
    Kind.PIPFILE: "pipenv refuses to install from it",
    Kind.LOCKFILE: "installs from the lock file fail, and its pins protect nothing",
}


@detector("deps.invalid-manifest", kind=Kind.ANY)
def invalid_manifest(doc: Artifact, params: None) -> Iterator[Hit]:
    """A pyproject.toml, Pipfile or lock file that is not valid TOML (or JSON): reported at
    the line the parser names. Templates (Jinja markup, as in cookiecutter projects) are
    passed over: they are valid only once rendered."""
    failure = doc.parse_failure
    if failure is None or failure.kind not in _CONSEQUENCE:
        return
    if TEMPLATE_MARKUP.search(doc.text):
        return  # a project template (cookiecutter, copier): valid once rendered
    yield Hit(
        line=failure.line or 1,
        fields={
            "file": PurePosixPath(doc.path).name,
            "reason": failure.reason,
            "consequence": _CONSEQUENCE[failure.kind],
        },
    )
