"""File roles: one decision per file about what it is to a deployment, read by every rule.

- ``ships``: the application and what deploys it (code, manifests, images, CI).
- ``applied-docs``: documentation that users are told to apply (``kubectl apply -f docs/…``):
  judged as shipping.
- ``development``: developer tooling (devcontainers, dev Compose overrides, dev settings and
  requirement files, developer scripts).
- ``test``: test suites, fixtures, test configuration.
- ``example``: examples, documentation, templates, prose.

Strong evidence first: the project's configuration (``[tool.shipcheck] roles``), then what
the repository says about a file (a README or CI job that applies a manifest folder; an
"example" folder that holds the application itself). Folder and file names are weak
evidence and decide only when nothing stronger speaks. Each decision keeps its reason, and
the JSON report lists them.

The decisions of a scan are installed once per process (:func:`use`); :func:`of` answers
for a path, falling back to the names alone for a path outside the scan.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path, PurePosixPath

from shipcheck import lazyre
from shipcheck.models.findings import Finding, Severity


class Role(str, enum.Enum):
    """What a file is to a deployment."""

    SHIPS = "ships"
    APPLIED_DOCS = "applied-docs"
    DEVELOPMENT = "development"
    TEST = "test"
    EXAMPLE = "example"

    @property
    def ships(self) -> bool:
        """Whether what is in the file reaches production."""
        return self in (Role.SHIPS, Role.APPLIED_DOCS)


@dataclass(frozen=True)
class FileRole:
    """A role and why (for the report: users want to see why a file was judged as it was)."""

    role: Role
    reason: str


# --- weak evidence: names ------------------------------------------------------------------

TEST_DIRS = frozenset(
    {"test", "tests", "testing", "fixtures", "__tests__", "spec", "specs", "testdata",
     "test_data", "testutils", "cassettes", "__fixtures__", "e2e", "integration_tests"}
)  # fmt: skip
# Other tools' test material: a linter's rule test cases (``.semgrep/rules/sqli.py``) are
# written to trigger findings and never run.
TOOL_FIXTURE_DIRS = frozenset(
    {".semgrep", "semgrep", ".semgrep-rules", "semgrep-rules", "semgrep_rules", "lint-rules",
     "lint_rules", "linter-rules", "rule-examples", "rule_examples", ".bandit-rules"}
)  # fmt: skip
# Test suites laid out as ``t/unit``, ``t/integration`` (celery, Perl-style projects).
TEST_SUITE_KINDS = frozenset({"unit", "integration", "functional", "smoke", "e2e", "benchmarks"})
TEST_CONFIG_FILES = frozenset({"conftest.py", "tox.ini", "pytest.ini", "noxfile.py", ".coveragerc"})
EXAMPLE_DIRS = frozenset(
    {"example", "examples", "doc", "docs", "docs_src", "documentation", "sample", "samples",
     "demo", "demos", "tutorial", "tutorials", "benchmarks", "bench", "cookbook", "recipes"}
)  # fmt: skip
PROSE_SUFFIXES = frozenset({".md", ".markdown", ".rst", ".txt", ".html", ".htm", ".adoc", ".ipynb"})
TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".tmpl", ".dist", ".tpl")
DEVELOPMENT_DIRS = frozenset({".devcontainer", "scripts", "tools", "dev", "hack", "devtools"})
DEVELOPMENT_FILES = frozenset({"makefile", ".pre-commit-config.yaml", "justfile"})
# Task runners' files at the project root (`tasks.py` elsewhere is often Celery's tasks).
ROOT_DEVELOPMENT_FILES = frozenset({"tasks.py", "fabfile.py", "noxfile.py", "dodo.py"})
# Words that mark a variant for a developer machine, CI or tests in a file or folder name
# (``docker-compose.dev.yml``, ``Dockerfile.local``, ``settings/dev.py``, ``lint.txt``).
DEV_WORDS = frozenset(
    {"dev", "devel", "develop", "development", "local", "locals", "debug", "sandbox", "override",
     "lint", "linting", "typing", "types", "mypy", "style", "qa", "coverage", "format", "docs"}
)  # fmt: skip
TEST_WORDS = frozenset({"test", "tests", "testing", "ci", "e2e", "bench", "benchmark"})
# A Python file named for a developer's use (``dev_server.py``, ``run_debug.py``).
SCRIPT_WORDS = frozenset({"dev", "devel", "develop", "development", "debug", "sandbox"})
EXAMPLE_WORDS = frozenset({"example", "examples", "sample", "samples", "demo", "template"})
_WORDS = lazyre.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")
# Files whose name says which environment they configure, when another word in the name
# names the environment (``docker-compose.dev.yml``, ``settings_local.py``, ``.env.test``).
CONFIGURATION_WORDS = frozenset(
    {"compose", "dockerfile", "containerfile", "requirements", "reqs", "constraints",
     "settings", "config", "configs", "env", "environments"}
)  # fmt: skip
# An application lives in a folder with one of these: an "example" folder holding one is the
# project itself (a Django project named `demo`), not an example.
APPLICATION_MARKERS = ("manage.py", "wsgi.py", "asgi.py", "Procfile")


def _words(name: str) -> set[str]:
    return {w.lower() for w in _WORDS.split(name) if w}


class _Folder:
    """What a file's folders say, worked out once per folder (a scan asks for every file of
    the project, most of them sharing their folders)."""

    __slots__ = ("ci", "dev_folder", "devcontainer", "example_folder", "has_folders",
                 "parent_words", "test_folder")  # fmt: skip

    def __init__(self, parts: list[str]) -> None:
        folders = [p.lower() for p in parts]
        self.has_folders = bool(parts)
        self.parent_words = frozenset(_words(parts[-1] if parts else ""))
        self.ci = ".github" in folders
        self.test_folder: FileRole | None = None
        for folder in folders:
            if folder in TEST_DIRS:
                self.test_folder = FileRole(Role.TEST, f"in a test folder (`{folder}/`)")
                break
            if folder in TOOL_FIXTURE_DIRS:
                self.test_folder = FileRole(Role.TEST, f"a linter's rule test cases (`{folder}/`)")
                break
        if self.test_folder is None and "t" in folders and TEST_SUITE_KINDS & set(folders):
            self.test_folder = FileRole(Role.TEST, "in a test suite (`t/`)")
        self.devcontainer = ".devcontainer" in folders
        self.example_folder = next(
            (
                FileRole(Role.EXAMPLE, f"in an examples or documentation folder (`{f}/`)")
                for f in folders
                if f in EXAMPLE_DIRS
            ),
            None,
        )
        self.dev_folder = next(
            (
                FileRole(Role.DEVELOPMENT, f"in a developer folder (`{f}/`)")
                for f in folders
                if f in DEVELOPMENT_DIRS
            ),
            None,
        )


def split_name(path: str) -> tuple[str, str, str, str]:
    """A relative slash path's folder, name, stem and suffix, as ``PurePosixPath`` has them
    (string operations: this runs for every file of the project)."""
    folder, _, name = path.rstrip("/").rpartition("/")
    while name == "." or (not name and folder):
        folder, _, name = folder.rstrip("/").rpartition("/")
    dot = name.rfind(".")
    if 0 < dot < len(name) - 1:
        return folder, name, name[:dot], name[dot:]
    return folder, name, name, ""


@lru_cache(maxsize=16384)
def _folder(folder: str) -> _Folder:
    return _Folder([p for p in folder.split("/") if p and p != "."])


@lru_cache(maxsize=65536)
def by_name(path: str) -> FileRole:
    """The role a path's names suggest (weak evidence only)."""
    folder, name, stem, suffix = split_name(path)
    where = _folder(folder)
    lower = name.lower()
    stem_lower = stem.lower()
    if where.ci or lower.endswith(("gitlab-ci.yml", "gitlab-ci.yaml")):
        return FileRole(Role.SHIPS, "CI configuration")
    if where.test_folder is not None:
        return where.test_folder
    if (
        lower.startswith("test_")
        or lower in TEST_CONFIG_FILES
        or stem_lower in {"tests", "test", "testing"}
        or stem_lower.endswith(("_test", "_tests"))
    ):
        return FileRole(Role.TEST, f"a test file (`{name}`)")
    if where.devcontainer:
        return FileRole(Role.DEVELOPMENT, "a devcontainer (`.devcontainer/`)")
    if where.example_folder is not None:
        return where.example_folder
    if lower.endswith(TEMPLATE_SUFFIXES):
        return FileRole(Role.EXAMPLE, f"a template (`{name}`)")
    stem_words = _words(stem)
    variant = _variant(name, stem_words, _words(suffix), where.parent_words)
    if variant is not None:
        return variant
    configuration = (stem_words | where.parent_words) & CONFIGURATION_WORDS
    if suffix.lower() in PROSE_SUFFIXES and not configuration:
        return FileRole(Role.EXAMPLE, f"documentation (`{name}`)")
    if lower in DEVELOPMENT_FILES or (lower in ROOT_DEVELOPMENT_FILES and not where.has_folders):
        return FileRole(Role.DEVELOPMENT, f"developer tooling (`{name}`)")
    if suffix.lower() == ".py" and stem_words & SCRIPT_WORDS:
        return FileRole(Role.DEVELOPMENT, f"a developer script (`{name}`)")
    if where.dev_folder is not None:
        return where.dev_folder
    return FileRole(Role.SHIPS, "application or deployment file")


def _variant(
    name: str, stem: set[str], suffix: set[str], parent: frozenset[str]
) -> FileRole | None:
    """Dev and test variants of configuration, by the words of the file's name and folder:
    ``docker-compose.dev.yml``, ``Dockerfile.test``, ``.env.local``, ``requirements/dev.txt``,
    ``dev-requirements.txt``, ``settings/dev.py``, ``local_settings.py``."""
    words = stem | suffix | parent
    if not words & CONFIGURATION_WORDS:
        return None
    words -= CONFIGURATION_WORDS | {"docker", "py", "txt", "in", "yml", "yaml", "toml"}
    if words & EXAMPLE_WORDS:
        return FileRole(Role.EXAMPLE, f"an example variant (`{name}`)")
    if words & TEST_WORDS:
        return FileRole(Role.TEST, f"a test or CI variant (`{name}`)")
    if words & DEV_WORDS:
        return FileRole(Role.DEVELOPMENT, f"a development variant (`{name}`)")
    return None


# --- strong evidence: what the repository says -------------------------------------------

# Commands that apply a file or folder to a running system, as READMEs and CI write them.
_APPLY = lazyre.compile(
    r"(?:kubectl\s+(?:apply|create|replace)\b[^\n]*?\s-(?:f|k|-filename|-kustomize)[ =]"
    r"|docker[ -]compose\b[^\n]*?\s(?:-f|--file)[ =]"
    r"|docker\s+stack\s+deploy\b[^\n]*?\s(?:-c|--compose-file)[ =]"
    r"|helm\s+(?:install|upgrade)\b(?:\s+--?[\w-]+(?:[ =][^\s-]\S*)?)*\s+[\w.-]+\s+)"
    r"[\"']?(?P<target>[\w./-]+)"
)
_README = lazyre.compile(r"^(?:readme|install|installation|deploy|deployment|getting[-_]started)\b",
                     re.IGNORECASE)  # fmt: skip
_READ_LIMIT = 256 * 1024


def applied_targets(texts: Iterable[str]) -> set[str]:
    """Paths (relative, normalised) that the texts tell someone to apply or deploy; a path
    built from variables (``tests/${{ matrix.tracker }}/…``) names nothing for sure."""
    found = set()
    for text in texts:
        for match in _APPLY.finditer(text):
            if text[match.end() : match.end() + 1] in ("$", "{", "%", "<"):
                continue
            target = match.group("target").strip().rstrip(".,;:)")
            if target.startswith(("http://", "https://", "-", "$")) or not target:
                continue
            normal = PurePosixPath(target.removeprefix("./")).as_posix()
            if normal not in (".", "") and ".." not in normal.split("/"):
                found.add(normal.rstrip("/"))
    return found


def _instructions(root: Path, paths: Iterable[str], opened: list[str]) -> list[str]:
    """The texts that say how the project is deployed: READMEs and deployment guides (any
    folder), CI configuration and Makefiles (their paths added to ``opened``)."""
    texts = []
    budget = 4 * 1024 * 1024
    for path in sorted(paths):
        lower = path.rpartition("/")[2].lower()
        wanted = (
            _README.match(lower) is not None
            or ".github" in path.split("/")
            or lower.endswith(("gitlab-ci.yml", "gitlab-ci.yaml"))
            or lower == "makefile"
        )
        if not wanted or budget <= 0:
            continue
        opened.append(path)
        try:
            with open(root / path, "rb") as handle:
                data = handle.read(_READ_LIMIT)
        except OSError:
            continue
        budget -= len(data)
        texts.append(data.decode("utf-8", errors="replace"))
    return texts


def _applications(paths: Iterable[str]) -> set[str]:
    """Folders holding an application entry point (manage.py, wsgi.py, a Procfile)."""
    found = set()
    for path in paths:
        folder, _, name = path.rpartition("/")
        if folder and name in APPLICATION_MARKERS:
            found.add(folder)
    return found


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")


def decide(
    root: Path,
    paths: Iterable[str],
    overrides: Mapping[str, str] | None = None,
    read_instructions: bool = True,
    opened: list[str] | None = None,
) -> dict[str, FileRole]:
    """The role of each path (project-relative): configuration, then what the repository
    says, then names. The paths of the files read for it are added to ``opened``."""
    opened = [] if opened is None else opened
    paths = sorted(set(paths))
    applied = applied_targets(_instructions(root, paths, opened)) if read_instructions else set()
    applications = _applications(paths)
    decided: dict[str, FileRole] = {}
    overrides = overrides or {}
    if overrides:
        from shipcheck.patterns import glob_match
    applied_in_order, applications_in_order = sorted(applied), sorted(applications)
    for path in paths:
        configured = next(
            ((glob, role) for glob, role in overrides.items() if glob_match(glob, path)), None
        ) if overrides else None  # fmt: skip
        if configured is not None:
            glob, role = configured
            decided[path] = FileRole(Role(role), f"configured (`roles` {glob!r} = {role!r})")
            continue
        weak = by_name(path)
        target = next((t for t in applied_in_order if _under(path, t)), None) if applied else None
        if target is not None and weak.role is Role.EXAMPLE:
            decided[path] = FileRole(
                Role.APPLIED_DOCS, f"the project's instructions apply `{target}`"
            )
            continue
        if weak.role is Role.EXAMPLE:
            app = next((a for a in applications_in_order if _under(path, a)), None)
            if app is not None and not any(f in TEST_DIRS for f in app.lower().split("/")):
                decided[path] = FileRole(Role.SHIPS, f"part of the application in `{app}/`")
                continue
        if weak.role is Role.SHIPS and target is None and _is_compose_name(path):
            opened.append(path)
            evidence = _development_stack(root, path)
            if evidence is not None:
                decided[path] = FileRole(
                    Role.DEVELOPMENT, f"a local development stack ({evidence})"
                )
                continue
        decided[path] = weak
    return decided


# A Compose file whose services run a reloading development server or mount the whole working
# tree is how a developer runs the project, whatever the file is called (`docker-compose.yml`
# at the top of pythondotorg and warehouse). Read from the text, before any parsing: a
# command line or a short volume entry.
_DEV_SERVER = lazyre.compile(
    r"^[ \t-]*(?:command|entrypoint)?:?.*(?P<what>\brunserver\b|\bflask\s+run\b|--reload\b)",
    re.M,
)
_TREE_MOUNT = lazyre.compile(r"^[ \t]*-[ \t]*[\"']?(?P<what>\.{1,2}/?:/[^\s\"']*)", re.M)


def _is_compose_name(path: str) -> bool:
    name = path.rpartition("/")[2].lower()
    return "compose" in name and name.endswith((".yml", ".yaml"))


def _development_stack(root: Path, path: str) -> str | None:
    """What shows a Compose file to be a local development stack, or None."""
    try:
        with open(root / path, "rb") as handle:
            text = handle.read(_READ_LIMIT).decode("utf-8", errors="replace")
    except OSError:
        return None
    for pattern, says in (
        (_DEV_SERVER, "runs `{}`"),
        (_TREE_MOUNT, "mounts the working tree `{}`"),
    ):
        for match in pattern.finditer(text):
            line = text[: match.start()].count("\n") + 1
            if not text[match.start() : match.start("what")].lstrip().startswith("#"):
                return says.format(match.group("what").strip()) + f", line {line}"
    return None


# --- what a role does to a finding ---------------------------------------------------------

# Checklist items judged wherever a file sits: a real credential committed to a test fixture
# or a dev script is leaked all the same (the secrets rules grade places themselves).
_EVERYWHERE = frozenset({"secrets.hardcoded", "secrets.env-file"})


def judge(finding: Finding, configured: frozenset[str] = frozenset()) -> Finding:
    """A finding in a file that does not ship (development, test, example material) is at
    most ``info``, and says why: it describes what a developer runs, not production. A
    severity the user configured for the rule (``configured``: rule ids) is left alone."""
    if finding.project_level or finding.checklist_key in _EVERYWHERE:
        return finding
    if finding.rule_id in configured:
        return finding
    decided = of(finding.path)
    if decided.role.ships or finding.severity is Severity.INFO:
        return finding
    note = f" ({decided.role.value} material, not shipped: {decided.reason})"
    return replace(finding, severity=Severity.INFO, message=finding.message + note)


# --- the decisions of this scan, in this process -----------------------------------------

_CURRENT: dict[str, FileRole] = {}


def use(decisions: Mapping[str, FileRole]) -> None:
    """Install a scan's decisions in this process (the scan's own, or a worker)."""
    _CURRENT.clear()
    _CURRENT.update(decisions)


def of(path: str) -> FileRole:
    """The role of ``path``: this scan's decision, or the names' when it has none."""
    found = _CURRENT.get(path)
    return found if found is not None else by_name(path)


ROLE_NAMES = tuple(r.value for r in Role)
