"""Whether the project has automated tests at all."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from pathlib import PurePosixPath

from shipcheck import lazyre, roles
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind
from shipcheck.models.findings import Hit
from shipcheck.parsers import ParseError
from shipcheck.parsers.tomltext import load_toml
from shipcheck.project import ProjectModel

_TEST_FILE = lazyre.compile(r"^(tests?_.*|.*_tests?|tests?|conftest)\.py$")
# pytest's ``python_files`` in an ini-style file (pytest.ini, tox.ini, setup.cfg).
_INI_PYTHON_FILES = lazyre.compile(r"(?m)^\s*python_files\s*=\s*(?P<globs>.+(?:\n[ \t]+\S.*)*)")


def is_test_file(path: str) -> bool:
    """``test_x.py``, ``x_test.py``, ``tests.py``, ``conftest.py`` or a module in ``tests/``."""
    posix = PurePosixPath(path)
    return bool(_TEST_FILE.match(posix.name)) or (
        posix.suffix == ".py" and any(p in {"tests", "test"} for p in posix.parts[:-1])
    )


def _pytest_globs(project: ProjectModel) -> list[str]:
    """File-name patterns pytest is configured to collect (``python_files``)."""
    globs: list[str] = []
    for name in ("pytest.ini", "tox.ini", "setup.cfg"):
        text = project.read_text(name) or ""
        for match in _INI_PYTHON_FILES.finditer(text):
            globs += match.group("globs").split()
    text = project.read_text("pyproject.toml")
    if text:
        try:
            options = load_toml(text, "pyproject").get("tool", {}).get("pytest", {})
        except ParseError:
            options = {}
        options = options.get("ini_options", {}) if isinstance(options, dict) else {}
        found = options.get("python_files") if isinstance(options, dict) else None
        if isinstance(found, str):
            globs += found.split()
        elif isinstance(found, list):
            globs += [g for g in found if isinstance(g, str)]
    return globs


def _has_python(project: ProjectModel) -> bool:
    return project.complete and project.has_kind(Kind.PYTHON)


@detector("project.no-tests", kind=Kind.PROJECT, applies=_has_python)
def no_tests(project: ProjectModel, params: None) -> Iterator[Hit]:
    """A Python project with no test modules anywhere: no file named like a test
    (``test_x.py``, ``x_test.py``, ``x_tests.py``, ``tests_x.py``, ``conftest.py``), none
    in a test folder or given the test role by the project model, and none matching the
    ``python_files`` patterns pytest is configured with."""
    python = project.paths_of(Kind.PYTHON)
    if not python or any(is_test_file(p) or roles.of(p).role is roles.Role.TEST for p in python):
        return
    globs = _pytest_globs(project)
    names = (PurePosixPath(p).name for p in python)
    if not any(fnmatch.fnmatch(n, g) for n in names for g in globs):
        yield Hit(line=1, fields={"modules": len(python)}, context="no-tests")
