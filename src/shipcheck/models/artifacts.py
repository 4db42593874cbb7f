"""The parsed models the detectors receive (and :class:`Kind`, re-exported for them)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from shipcheck.models.kinds import Kind
from shipcheck.pins import is_exact_pin
from shipcheck.text import split_lines

if TYPE_CHECKING:
    from shipcheck.roles import FileRole


@dataclass(frozen=True)
class ParseFailure:
    """Why a file could not be read as its kind (the artifact then holds plain text)."""

    kind: Kind
    reason: str
    line: int | None = None


@dataclass
class Artifact:
    """A file read from the repository. ``path`` is repo-relative with forward slashes."""

    path: str
    kind: Kind
    text: str
    # Parts of the file the parser passed over, with the reason (a YAML document over the
    # alias budget, say): reported as diagnostics while the rest is still checked.
    notes: list[str] = field(default_factory=list)
    parse_failure: ParseFailure | None = None

    @property
    def lines(self) -> list[str]:
        """Source lines without line endings (index 0 is line 1)."""
        cached = self.__dict__.get("_lines")
        if cached is None:
            cached = split_lines(self.text)
            self.__dict__["_lines"] = cached
        return cached

    def line_text(self, line: int) -> str:
        """The text of 1-based ``line``, or '' when out of range."""
        lines = self.lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    @property
    def name(self) -> str:
        """The file name."""
        return PurePosixPath(self.path).name

    @property
    def role(self) -> FileRole:
        """What the file is to a deployment (the scan's one decision: shipcheck.roles)."""
        from shipcheck import roles

        return roles.of(self.path)

    @property
    def in_test_dir(self) -> bool:
        """True for test suites, fixtures and test configuration (the file's role)."""
        from shipcheck.roles import Role

        return self.role.role is Role.TEST


@dataclass
class PythonFile(Artifact):
    """A Python module parsed with :mod:`ast`."""

    tree: ast.Module = field(default_factory=lambda: ast.Module(body=[], type_ignores=[]))


@dataclass
class Requirement:
    """One requirement line; ``line`` is where it starts."""

    name: str
    specifier: str
    line: int
    raw: str
    marker: str | None = None
    url: str | None = None
    extras: tuple[str, ...] = ()
    hashes: tuple[str, ...] = ()
    editable: bool = False

    @property
    def pinned(self) -> bool:
        """Exactly one version: ``==X`` (no wildcard) or ``===X``."""
        return is_exact_pin(self.specifier)


@dataclass
class RequirementsFile(Artifact):
    """A pip requirements file."""

    requirements: list[Requirement] = field(default_factory=list)
    includes: list[tuple[str, int]] = field(default_factory=list)  # -r / -c targets, line
    constraints: list[tuple[str, int]] = field(default_factory=list)  # the -c targets alone
    options: list[tuple[str, int]] = field(default_factory=list)  # other option lines


@dataclass
class TomlFile(Artifact):
    """pyproject.toml, Pipfile or a TOML lock file."""

    data: dict[str, Any] = field(default_factory=dict)

    def find_line(self, needle: str, start: int = 1) -> int:
        """First 1-based line at or after ``start`` that contains ``needle`` (1 if none)."""
        for number, text in enumerate(self.lines[start - 1 :], start=start):
            if needle in text:
                return number
        return 1


@dataclass
class Instruction:
    """One Dockerfile instruction, 1-based lines, ``value`` with continuations joined."""

    keyword: str  # upper case: FROM, RUN, ...
    value: str
    line: int
    end_line: int
    original: str
    heredoc: str | None = None  # body of a RUN/COPY heredoc, if any


@dataclass
class Stage:
    """A build stage: from its FROM to the next."""

    index: int
    image: str  # image reference with ARGs resolved where possible
    raw_image: str  # as written
    name: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)
    parent_stage: str | None = None  # set when FROM names an earlier stage
    instruction: Instruction | None = None  # the FROM instruction itself

    @property
    def label(self) -> str:
        """How messages name the stage."""
        return self.name or self.raw_image


@dataclass
class Dockerfile(Artifact):
    """A Dockerfile split into stages; the last stage is the image that runs."""

    instructions: list[Instruction] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    global_args: dict[str, str] = field(default_factory=dict)
    escape: str = "\\"  # the `# escape=` directive's character
    directives: dict[str, str] = field(default_factory=dict)  # parser directives, lower-case

    @property
    def final_stage(self) -> Stage | None:
        """The stage that becomes the image (the last one)."""
        return self.stages[-1] if self.stages else None


@dataclass
class YamlFile(Artifact):
    """A YAML file of any flavour: ``documents`` hold line-aware maps and lists."""

    documents: list[Any] = field(default_factory=list)


@dataclass
class KubernetesObject:
    """One Kubernetes object; ``doc`` is its line-aware mapping."""

    kind: str
    api_version: str
    name: str
    namespace: str | None
    doc: Any
    line: int


@dataclass
class KubernetesFile(YamlFile):
    """Kubernetes manifests (``kind: List`` items are flattened into ``objects``)."""

    objects: list[KubernetesObject] = field(default_factory=list)


@dataclass
class ComposeFile(YamlFile):
    """A Docker Compose file; ``services`` is the line-aware ``services`` mapping."""

    services: Any = None


@dataclass
class WorkflowFile(YamlFile):
    """A GitHub Actions workflow or a GitLab CI file; ``jobs`` maps job name → job mapping."""

    jobs: Any = None


@dataclass
class EnvEntry:
    """``KEY=value`` in a .env file."""

    key: str
    value: str
    line: int
    column: int  # 1-based column of the value


@dataclass
class EnvFile(Artifact):
    """A dotenv file."""

    entries: list[EnvEntry] = field(default_factory=list)


@dataclass
class ProcfileEntry:
    """``web: gunicorn app:app`` in a Procfile."""

    process: str
    command: str
    line: int


@dataclass
class Procfile(Artifact):
    """A Heroku-style Procfile."""

    entries: list[ProcfileEntry] = field(default_factory=list)
