"""What CI says about the runtime, for the project pass's consistency rules: the Python
versions it tests on (:class:`CiPython`) and the commands its deploy jobs run
(:class:`CiDeployCommand`, which the migrations rule reads).

Python versions come from ``actions/setup-python`` (``python-version`` with
``${{ matrix.… }}`` expanded from the job's matrix, ``python-version-file``), ``uv python
install`` / ``uv venv --python`` and GitLab job images (``python:3.12``, with
``parallel: matrix`` variables expanded). A version that cannot be read (another
expression, ``3.x``) marks the file ``unknown``: the rule then does not claim that a version
is untested."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shipcheck import lazyre
from shipcheck.detectors.common import minor
from shipcheck.detectors.dockerfile.syntax import parse_image
from shipcheck.detectors.registry import fact_extractor
from shipcheck.detectors.workflows.common import run_lines
from shipcheck.detectors.workflows.deploy import DEPLOY_COMMAND, DEPLOY_NAME
from shipcheck.detectors.workflows.pipeline import job_uses
from shipcheck.models.artifacts import Kind, WorkflowFile
from shipcheck.models.facts import Fact

_EXPRESSION = lazyre.compile(r"^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$")
_UV_PYTHON = lazyre.compile(
    r"\buv\s+(?:python\s+install|venv|sync|run)\b.*?(?:--python[=\s]+|install\s+)(\S+)"
)
# Tests run inside the application's image: the image's Python is the one tested.
_IN_IMAGE = lazyre.compile(
    r"\bdocker(?:-compose|\s+compose)?\s+(?:run|exec)\b.*\b(pytest|tox|nox|manage\.py\s+test|test)\b"
)


@dataclass(frozen=True, kw_only=True)
class CiPython(Fact):
    """The Python versions a CI file sets up (``3.12``…), whether some setting could not be
    read (``unknown``), and whether its tests run inside a container image (``in_image``)."""

    versions: tuple[str, ...]
    unknown: bool
    in_image: bool


@dataclass(frozen=True, kw_only=True)
class CiDeployCommand(Fact):
    """A shell line of a CI job that deploys (a deploy command, "deploy" in its name, a
    production environment): ``job`` and the ``command`` text."""

    job: str
    command: str


def _matrix_values(job: Any, key: str) -> list[Any] | None:
    strategy = job.get("strategy") if isinstance(job, dict) else None
    matrix = strategy.get("matrix") if isinstance(strategy, dict) else None
    if not isinstance(matrix, dict):
        return None
    values: list[Any] = []
    own = matrix.get(key)
    if isinstance(own, list):
        values.extend(own)
    elif own is not None:
        return None
    for extra in matrix.get("include") or []:
        if isinstance(extra, dict) and key in extra:
            values.append(extra[key])
    return values or None


def _setup_versions(job: Any, value: Any) -> tuple[list[str], bool]:
    """Versions of a ``python-version`` input, and whether any could not be read."""
    items = value if isinstance(value, list) else [value]
    if isinstance(value, str) and "\n" in value:
        items = [v for v in value.split() if v]
    found: list[str] = []
    unknown = False
    for item in items:
        text = str(item).strip()
        match = _EXPRESSION.match(text)
        if match:
            values = _matrix_values(job, match.group(1))
            if values is None:
                unknown = True
                continue
            more, bad = _setup_versions({}, values)
            found += more
            unknown = unknown or bad
            continue
        if text.lower().startswith("pypy"):
            continue  # another interpreter: says nothing about CPython's versions
        version = minor(text)
        if version is None:
            unknown = True
        else:
            found.append(version)
    return found, unknown


def _github(doc: WorkflowFile) -> tuple[list[str], bool]:
    found: list[str] = []
    unknown = False
    for _, job in (doc.jobs or {}).items():
        for uses, step in job_uses(job):
            if not uses.split("@")[0].lower().endswith("setup-python"):
                continue
            inputs = step.get("with") if isinstance(step, dict) else None
            inputs = inputs if isinstance(inputs, dict) else {}
            if "python-version" in inputs:
                versions, bad = _setup_versions(job, inputs["python-version"])
                found += versions
                unknown = unknown or bad
            else:
                unknown = True  # a version file, or the runner's default Python
    return found, unknown


def _gitlab_image(job: Any, default: Any) -> list[str] | None:
    image = job.get("image", default) if isinstance(job, dict) else default
    if isinstance(image, dict):
        image = image.get("name")
    if not isinstance(image, str):
        return []
    ref = parse_image(image)
    if ref.name != "python":
        return []
    tag = ref.tag or ""
    variable = re.match(r"^\$\{?(\w+)\}?", tag)
    if variable:
        parallel = job.get("parallel") if isinstance(job, dict) else None
        matrix = parallel.get("matrix") if isinstance(parallel, dict) else None
        values = []
        for entry in matrix if isinstance(matrix, list) else []:
            value = entry.get(variable.group(1)) if isinstance(entry, dict) else None
            values += value if isinstance(value, list) else [value] if value is not None else []
        versions = [minor(str(v).split("-")[0]) for v in values]
        return [v for v in versions if v] if values and all(versions) else None
    version = minor(tag.split("-")[0])
    return [version] if version else None


def _gitlab(doc: WorkflowFile) -> tuple[list[str], bool]:
    first = doc.documents[0] if doc.documents else {}
    default = first.get("image") if isinstance(first, dict) else None
    defaults = first.get("default") if isinstance(first, dict) else None
    if isinstance(defaults, dict) and "image" in defaults:
        default = defaults["image"]
    found: list[str] = []
    unknown = False
    for _, job in (doc.jobs or {}).items():
        versions = _gitlab_image(job, default)
        if versions is None:
            unknown = True
        else:
            found += versions
    return found, unknown


def _deploy_jobs(doc: WorkflowFile) -> set[str]:
    jobs: set[str] = set()
    for name, job in (doc.jobs or {}).items():
        if not isinstance(job, dict):
            continue
        environment = job.get("environment")
        env_name = environment.get("name") if isinstance(environment, dict) else environment
        label = f"{name} {job.get('name') or ''} {job.get('stage') or ''}"
        if DEPLOY_NAME.search(label) or (
            isinstance(env_name, str) and re.search(r"\bprod", env_name, re.IGNORECASE)
        ):
            jobs.add(str(name))
    for job, _, text in run_lines(doc):
        if DEPLOY_COMMAND.search(text):
            jobs.add(str(job))
    return jobs


@fact_extractor((Kind.GITHUB_ACTIONS, Kind.GITLAB_CI))
def ci_runtime_facts(doc: WorkflowFile) -> Iterator[Fact]:
    """A :class:`CiPython` per CI file that sets up Python, and a :class:`CiDeployCommand`
    per shell line of its deploy jobs."""
    if doc.kind is Kind.GITHUB_ACTIONS:
        versions, unknown = _github(doc)
    else:
        versions, unknown = _gitlab(doc)
    in_image = False
    for _, _, text in run_lines(doc):
        match = _UV_PYTHON.search(text)
        if match:
            version = minor(match.group(1))
            if version is None:
                unknown = True
            else:
                versions.append(version)
        in_image = in_image or bool(_IN_IMAGE.search(text))
    if versions or unknown or in_image:
        yield CiPython(
            path=doc.path,
            line=1,
            versions=tuple(dict.fromkeys(versions)),
            unknown=unknown,
            in_image=in_image,
        )
    deploy = _deploy_jobs(doc)
    for job, line, text in run_lines(doc):
        if job in deploy and text.strip():
            yield CiDeployCommand(path=doc.path, line=line, job=str(job), command=text.strip())
