"""Where a value sits decides how much it matters: a credential in test data or in an
example is usually a stand-in, so secrets and config rules skip those places or report them
at a lower severity, as each rule's params say."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from shipcheck import lazyre, roles
from shipcheck.detectors.registry import ParamsError
from shipcheck.models.findings import Severity
from shipcheck.roles import Role

TEST = "test"
EXAMPLE = "example"


def path_context(path: str) -> str | None:
    """``"test"`` for test suites and fixtures, ``"example"`` for docs, examples, templates
    and prose, None for what can reach production: the file's role (shipcheck.roles)."""
    role = roles.of(path).role
    if role is Role.TEST:
        return TEST
    if role is Role.EXAMPLE:
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
_SPLIT = lazyre.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")


def name_has_dev_word(name: str) -> bool:
    """``settings_dev``, ``DevelopmentConfig``, ``local`` → True; ``production`` → False."""
    return any(w.lower() in DEV_WORDS for w in _SPLIT.split(name) if w)


def is_dev_module(path: str) -> bool:
    """A module for development, tests or examples (``settings/dev.py``,
    ``local_settings.py``, ``config/testing.py``, ``dev/settings.py``): the file's role."""
    posix = PurePosixPath(path)
    named = name_has_dev_word(posix.stem) or name_has_dev_word(posix.parent.name)
    return named or not roles.of(path).role.ships


def is_dev_config(path: str) -> bool:
    """A Compose, .env or YAML file for local development or tests (``docker-compose.dev.yml``,
    ``compose.override.yaml``, ``.env.test``): the file's role. CI files such as
    ``.gitlab-ci.yml`` ship, whatever their name says."""
    return not roles.of(path).role.ships
