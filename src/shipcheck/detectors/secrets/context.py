"""Where a value sits decides how much it matters: a credential in test data or in an
example is usually a stand-in, so secrets and config rules skip those places or report them
at a lower severity, as each rule's params say."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from shipcheck.detectors.registry import ParamsError
from shipcheck.models.artifacts import TEST_DIR_NAMES
from shipcheck.models.findings import Severity

TEST_DIRS = TEST_DIR_NAMES | {"testdata", "test_data", "testutils", "cassettes", "__fixtures__"}
# Test suites laid out as ``t/unit``, ``t/integration`` (celery, Perl-style projects).
TEST_SUITE_KINDS = frozenset({"unit", "integration", "functional", "smoke", "e2e", "benchmarks"})
EXAMPLE_DIRS = frozenset(
    {"example", "examples", "doc", "docs", "docs_src", "documentation", "sample", "samples",
     "demo", "demos", "tutorial", "tutorials", "benchmarks", "bench", "cookbook", "recipes"}
)  # fmt: skip
# Configuration read only by test runners.
TEST_CONFIG_FILES = frozenset({"conftest.py", "tox.ini", "pytest.ini", "noxfile.py", ".coveragerc"})
PROSE_SUFFIXES = frozenset({".md", ".markdown", ".rst", ".txt", ".html", ".htm", ".adoc", ".ipynb"})
TEST = "test"
EXAMPLE = "example"


def path_context(path: str) -> str | None:
    """``"test"`` for test suites and fixtures, ``"example"`` for docs, examples and prose
    files, None for code and configuration that can reach production."""
    posix = PurePosixPath(path)
    dirs = [p.lower() for p in posix.parts[:-1]]
    name = posix.name.lower()
    if any(d in TEST_DIRS for d in dirs) or ("t" in dirs and TEST_SUITE_KINDS & set(dirs)):
        return TEST
    stem = posix.stem.lower()
    if (
        name.startswith("test_")
        or name in TEST_CONFIG_FILES
        or stem in {"tests", "test", "testing"}
        or stem.endswith(("_test", "_tests"))
    ):
        return TEST
    if any(d in EXAMPLE_DIRS for d in dirs) or posix.suffix.lower() in PROSE_SUFFIXES:
        return EXAMPLE
    return None


@dataclass(frozen=True)
class ContextParams:
    """``include_tests`` / ``include_examples``: also report in test suites and fixtures /
    in docs, examples and prose files; ``context_severity``: the severity there."""

    include_tests: bool = False
    include_examples: bool = False
    context_severity: str = "low"

    def __post_init__(self) -> None:
        try:
            Severity.parse(self.context_severity)
        except ValueError as exc:
            raise ParamsError(f"context_severity: {exc}") from None

    def verdict(self, path: str) -> tuple[bool, Severity | None]:
        """Whether to report in ``path`` and the severity override to use there."""
        where = path_context(path)
        if where is None:
            return True, None
        wanted = self.include_tests if where == TEST else self.include_examples
        return wanted, Severity.parse(self.context_severity) if wanted else None


@dataclass(frozen=True)
class ValueParams(ContextParams):
    """Plus what a literal under a secret name must look like to be reported: at least
    ``min_length`` characters and ``min_entropy`` bits of Shannon entropy per character."""

    min_length: int = 8
    min_entropy: float = 3.0


# Words in a module or class name that mark settings meant for a developer machine or CI.
DEV_WORDS = frozenset(
    {"dev", "develop", "development", "local", "locals", "test", "tests", "testing", "ci",
     "debug", "sandbox", "example", "sample", "demo", "docker_dev", "devel"}
)  # fmt: skip
_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")


def name_has_dev_word(name: str) -> bool:
    """``settings_dev``, ``DevelopmentConfig``, ``local`` → True; ``production`` → False."""
    return any(w.lower() in DEV_WORDS for w in _SPLIT.split(name) if w)


def is_dev_module(path: str) -> bool:
    """A settings module for development or tests by its file name or its package
    (``settings/dev.py``, ``local_settings.py``, ``config/testing.py``, ``dev/settings.py``)."""
    posix = PurePosixPath(path)
    parts = [posix.stem, *posix.parts[-2:-1]]
    return any(name_has_dev_word(part) for part in parts)


def is_dev_config(path: str) -> bool:
    """A Compose, .env or YAML file for local development or tests by its name
    (``docker-compose.dev.yml``, ``compose.override.yaml``, ``.env.test``); CI files such as
    ``.gitlab-ci.yml`` are not, whatever their name says."""
    posix = PurePosixPath(path)
    name = posix.name.lower()
    if name.endswith(("gitlab-ci.yml", "gitlab-ci.yaml")) or ".github" in posix.parts:
        return False
    return "override" in name or is_dev_module(path) or name_has_dev_word(posix.suffix)
