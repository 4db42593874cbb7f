"""Whether the project has automated tests at all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind
from shipcheck.models.findings import Hit
from shipcheck.project import ProjectModel

_TEST_FILE = re.compile(r"^(test_.*|.*_test|tests?|conftest)\.py$")


def is_test_file(path: str) -> bool:
    """``test_x.py``, ``x_test.py``, ``tests.py``, ``conftest.py`` or a module in ``tests/``."""
    posix = PurePosixPath(path)
    return bool(_TEST_FILE.match(posix.name)) or (
        posix.suffix == ".py" and any(p in {"tests", "test"} for p in posix.parts[:-1])
    )


def _has_python(project: ProjectModel) -> bool:
    return project.complete and project.has_kind(Kind.PYTHON)


@detector("project.no-tests", kind=Kind.PROJECT, applies=_has_python)
def no_tests(project: ProjectModel, params: None) -> Iterator[Hit]:
    """A Python project with no test modules anywhere."""
    python = project.paths_of(Kind.PYTHON)
    if python and not any(is_test_file(p) for p in python):
        yield Hit(line=1, fields={"modules": len(python)}, context="no-tests")
