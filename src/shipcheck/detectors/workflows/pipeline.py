"""What CI pipelines run: test and security-scan steps as facts, and the project rules
that need the whole set of CI files (no tests in CI, no security scan)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shipcheck import lazyre
from shipcheck.detectors.project.repo import git_top, in_git_repo
from shipcheck.detectors.registry import detector, fact_extractor
from shipcheck.detectors.workflows.common import run_lines
from shipcheck.models.artifacts import Kind, WorkflowFile
from shipcheck.models.facts import Fact
from shipcheck.models.findings import Hit
from shipcheck.project import ProjectModel

# Generous on purpose: any command that looks like it runs tests counts, so that the
# "no tests in CI" rule only fires when nothing test-like runs at all.
TEST_COMMAND = lazyre.compile(
    r"(\bpy\.?test\b|\btox\b|\bnox\b|\bunittest\b|\bruntests?\b|\brun[_-]tests?\b|"
    r"(^|[\s/])tests?(\.sh|\.py)?(\s|$)|\btest(s)?[_-]\w+\.(sh|py)\b|\bcoverage\s+run\b|"
    r"\btrial\b|\bbehave\b|\bward\b|\bhatch\s+(run\s+\S*)?test|\bmake\b.*\b(test|tests|check)\b)",
    re.IGNORECASE,
)
SCAN_TOOLS = lazyre.compile(
    r"\b(shipcheck|bandit|pip-audit|pip_audit|safety|trivy|semgrep|osv-scanner|snyk|grype|"
    r"gitleaks|trufflehog|zizmor|checkov|ggshield|detect-secrets|codeql|dependency-review)\b",
    re.IGNORECASE,
)
_IMAGE_BUILD = lazyre.compile(r"\bdocker(?:-compose|\s+compose|\s+buildx)?\s+(?:build|bake)\b")
# A test run inside an image build (``RUN pytest`` in a test stage): stricter than
# TEST_COMMAND, whose bare ``tests`` would match ``RUN mkdir /app/tests``.
_DOCKERFILE_TEST = lazyre.compile(
    r"(?im)^\s*RUN\b.*\b(py\.?test|tox|nox|unittest|manage\.py\s+test|coverage\s+run)\b"
)
_GITLAB_SECURITY_TEMPLATE = lazyre.compile(
    r"(Security/|Jobs/(SAST|Dependency-Scanning|Secret-Detection|Container-Scanning))", re.I
)
_OTHER_CI = (
    ".circleci/config.yml", ".circleci/config.yaml", "Jenkinsfile", "azure-pipelines.yml",
    "azure-pipelines.yaml", ".travis.yml", "bitbucket-pipelines.yml", ".drone.yml",
    ".woodpecker.yml", ".woodpecker", ".buildkite", "cloudbuild.yaml", "cloudbuild.yml",
    "appveyor.yml", ".appveyor.yml", ".semaphore", "codefresh.yml", "buildspec.yml",
    ".gitea/workflows", ".forgejo/workflows", ".github/workflows",
)  # fmt: skip
_DEPENDENCY_BOTS = (
    ".github/dependabot.yml", ".github/dependabot.yaml", "renovate.json", "renovate.json5",
    ".github/renovate.json", ".github/renovate.json5", ".renovaterc", ".renovaterc.json",
    ".gitlab/renovate.json",
)  # fmt: skip


_RUNNER_FILES = {
    "make": "Makefile|makefile|GNUmakefile",
    "just": "justfile|Justfile|.justfile",
    "task": "Taskfile.yml|Taskfile.yaml",
    "invoke": "tasks.py",
    "inv": "tasks.py",
    "hatch": "pyproject.toml|hatch.toml",
    "pdm": "pyproject.toml",
    "poe": "pyproject.toml",
}
_SHELLS = frozenset({"bash", "sh", "zsh", "source", ".", "python", "python3", "pwsh"})
_NOT_SCRIPTS = lazyre.compile(r"(^|/)(\.?venv|env|node_modules)/|activate$|^/")


def indirect_files(text: str) -> list[str]:
    """Files a shell line hands the work to, each as ``a|b`` alternatives: scripts
    (``bash .ci/run``, ``./test.sh``, ``python scripts/check.py``) and task-runner
    definitions (``make`` → Makefile, ``just``, ``task``, ``invoke``, ``hatch run``/``pdm
    run`` → pyproject.toml)."""
    try:
        tokens = shlex.split(text, comments=True)
    except ValueError:
        tokens = text.split()
    found: list[str] = []
    for index, token in enumerate(tokens):
        previous = tokens[index - 1] if index else ""
        if token in _RUNNER_FILES and (index == 0 or previous in ("&&", "||", ";", "|", "run")):
            found.append(_RUNNER_FILES[token])
            continue
        if "$" in token or token.startswith("-") or _NOT_SCRIPTS.search(token):
            continue
        path = token[2:] if token.startswith("./") else token
        if not path:
            continue
        script = token.startswith("./") or path.endswith((".sh", ".bash"))
        if script or (previous in _SHELLS and ("/" in path or path.endswith(".py"))):
            found.append(path)
    return found


def is_test_command(text: str) -> bool:
    """Whether a shell line looks like it runs a test suite."""
    return bool(TEST_COMMAND.search(text))


def job_uses(job: Any) -> list[tuple[str, Any]]:
    """(``uses`` value, holder) for a GitHub job's steps and the job itself."""
    found = []
    if isinstance(job, dict):
        if isinstance(job.get("uses"), str):
            found.append((job["uses"], job))
        for step in job.get("steps") or []:
            if isinstance(step, dict) and isinstance(step.get("uses"), str):
                found.append((step["uses"], step))
    return found


def test_jobs(doc: WorkflowFile) -> set[str]:
    """Jobs of a CI file that run something test-like."""
    jobs = {job for job, _, text in run_lines(doc) if is_test_command(text)}
    for name, job in (doc.jobs or {}).items():
        if any(is_test_command(u.split("@")[0].replace("/", " ")) for u, _ in job_uses(job)):
            jobs.add(name)
    return jobs


def _opaque(doc: WorkflowFile) -> bool:
    """Whether the file hands work to configuration shipcheck cannot see (a reusable
    workflow in another repository, a GitLab include or child pipeline)."""
    if doc.kind is Kind.GITHUB_ACTIONS:
        return any(
            isinstance(job, dict)
            and isinstance(job.get("uses"), str)
            and not job["uses"].startswith("./")
            for job in (doc.jobs or {}).values()
        )
    first = doc.documents[0] if doc.documents else {}
    if isinstance(first, dict) and first.get("include"):
        return True
    return any(isinstance(job, dict) and "trigger" in job for job in (doc.jobs or {}).values())


def _jobs_line(doc: WorkflowFile) -> int:
    first = doc.documents[0] if doc.documents else None
    if doc.kind is Kind.GITHUB_ACTIONS and isinstance(first, dict) and "jobs" in first:
        return first.key_line("jobs")
    return getattr(first, "line", 1) if first is not None else 1


@dataclass(frozen=True, kw_only=True)
class CiFile(Fact):
    """A GitHub Actions or GitLab CI file, at its ``jobs``: the jobs that run something
    test-like, whether it hands work to configuration shipcheck cannot see (``opaque``),
    the scripts and task files its shell lines run (``indirect``; ``a|b`` when either
    may be meant), the repository's own composite actions its steps use
    (``local_actions``: ``.github/actions/test``), and whether it builds container images
    (``builds_images``: ``docker build``, ``docker/build-push-action``)."""

    system: str
    test_jobs: tuple[str, ...]
    opaque: bool
    indirect: tuple[str, ...]
    local_actions: tuple[str, ...] = ()
    builds_images: bool = False


@dataclass(frozen=True, kw_only=True)
class CiSecurity(Fact):
    """A CI job runs a security scanner (``tool``), or a GitLab security template is
    included (``job`` is then empty)."""

    tool: str
    job: str


@fact_extractor((Kind.GITHUB_ACTIONS, Kind.GITLAB_CI))
def ci_facts(doc: WorkflowFile) -> Iterator[Fact]:
    """A :class:`CiFile` and :class:`CiSecurity` facts."""
    tests = sorted(test_jobs(doc))
    indirect = sorted({f for _, _, text in run_lines(doc) for f in indirect_files(text)})
    local = sorted(
        {
            uses.split("@")[0].removeprefix("./").rstrip("/")
            for job in (doc.jobs or {}).values()
            for uses, holder in job_uses(job)
            if uses.startswith("./") and holder is not job
        }
    )
    yield CiFile(
        path=doc.path,
        line=_jobs_line(doc),
        system=doc.kind.value,
        test_jobs=tuple(tests),
        opaque=_opaque(doc),
        indirect=tuple(indirect[:50]),
        local_actions=tuple(local[:50]),
        builds_images=any(_IMAGE_BUILD.search(text) for _, _, text in run_lines(doc))
        or any(
            u.startswith("docker/build-push-action")
            for job in (doc.jobs or {}).values()
            for u, _ in job_uses(job)
        ),
    )
    for job, line, text in run_lines(doc):
        match = SCAN_TOOLS.search(text)
        if match:
            yield CiSecurity(path=doc.path, line=line, tool=match.group(1).lower(), job=job)
    for name, job in (doc.jobs or {}).items():
        for uses, holder in job_uses(job):
            match = SCAN_TOOLS.search(uses.split("@")[0])
            if match:
                line = holder.value_line("uses")
                tool = match.group(1).lower()
                yield CiSecurity(path=doc.path, line=line, tool=tool, job=str(name))
    first = doc.documents[0] if doc.documents else None
    if doc.kind is Kind.GITLAB_CI and isinstance(first, dict):
        includes = first.get("include")
        if _GITLAB_SECURITY_TEMPLATE.search(str(includes or "")):
            line = first.key_line("include")
            yield CiSecurity(path=doc.path, line=line, tool="gitlab-security-template", job="")


def _indirect_match(project: ProjectModel, files: list[CiFile], pattern: re.Pattern[str]) -> bool:
    """Whether a script or task file the CI hands work to matches ``pattern``, or cannot be
    read (then shipcheck cannot tell and assumes it might)."""
    for fact in files:
        for alternatives in fact.indirect:
            texts = [project.read_text(p) for p in str(alternatives).split("|")]
            readable = [t for t in texts if t is not None]
            if not readable or any(pattern.search(t) for t in readable):
                return True
    return False


def _local_action_tests(project: ProjectModel, files: list[CiFile]) -> bool:
    """Whether a composite action of the repository that a step uses runs tests (its
    ``action.yml`` text, and the scripts its ``run:`` lines hand the work to)."""
    for fact in files:
        for folder in fact.local_actions:
            for name in ("action.yml", "action.yaml"):
                text = project.read_text(f"{folder}/{name}")
                if text is None:
                    continue
                if TEST_COMMAND.search(text):
                    return True
                for line in text.splitlines():
                    for alternatives in indirect_files(line.split("run:", 1)[-1]):
                        for path in str(alternatives).split("|"):
                            inner = project.read_text(path)
                            if inner is not None and TEST_COMMAND.search(inner):
                                return True
    return False


_STAGE_FROM = lazyre.compile(r"(?i)^FROM\s+(?:--\S+\s+)*(?P<image>\S+)(?:\s+AS\s+(?P<alias>\S+))?")
_COPY_FROM = lazyre.compile(r"(?i)^COPY\s+.*--from=(?P<stage>\S+)")


def _final_chain_runs_tests(text: str) -> bool:
    """Whether a test command runs in the last stage of a Dockerfile or in a stage it is
    built from or copies from (BuildKit skips the stages the built image does not need)."""
    stages: list[tuple[str | None, set[str], list[str]]] = []  # alias, needs, RUN lines
    for raw in text.replace("\\\n", " ").splitlines():
        line = raw.strip()
        start = _STAGE_FROM.match(line)
        if start:
            alias = start.group("alias")
            stages.append((alias.lower() if alias else None, {start.group("image").lower()}, []))
        elif stages and (copied := _COPY_FROM.match(line)):
            stages[-1][1].add(copied.group("stage").lower())
        elif stages and line.upper().startswith("RUN"):
            stages[-1][2].append(line)
    if not stages:
        return False
    names = {alias: index for index, (alias, _, _) in enumerate(stages) if alias}
    needed, queue = set(), [len(stages) - 1]
    while queue:
        index = queue.pop()
        if index in needed:
            continue
        needed.add(index)
        for need in stages[index][1]:
            found = names.get(need, int(need) if need.isdigit() else None)
            if found is not None and 0 <= found < len(stages):
                queue.append(found)
    return any(_DOCKERFILE_TEST.search(run) for i in needed for run in stages[i][2])


def _image_build_tests(project: ProjectModel, files: list[CiFile]) -> bool:
    """Whether CI builds images and a Dockerfile of the project runs tests while its final
    image is built (``RUN pytest`` in a stage the final stage is built from)."""
    if not any(f.builds_images for f in files):
        return False
    return any(
        _final_chain_runs_tests(project.read_text(path) or "")
        for path in project.paths_of(Kind.DOCKERFILE)
    )


def _ci_files(project: ProjectModel) -> list[CiFile]:
    return sorted(project.facts_of(CiFile), key=lambda f: (f.path, f.line))


def _other_ci(project: ProjectModel) -> bool:
    """CI configuration shipcheck does not read, or any CI configuration between the project
    root and the top of its git repository (a monorepo service's CI lives at the top)."""
    root = project.root.resolve()
    top = git_top(project)
    bases = [root]
    if top is not None and top != root:
        bases += [d for d in root.parents if d == top or top in d.parents]
    return any((base / name).exists() for base in bases for name in (*_OTHER_CI, ".gitlab-ci.yml"))


def _python_project(project: ProjectModel) -> bool:
    return project.complete and project.has_kind(Kind.PYTHON)


@detector("workflows.ci-no-tests", kind=Kind.PROJECT, applies=_python_project)
def ci_no_tests(project: ProjectModel, params: None) -> Iterator[Hit]:
    """A Python project whose GitHub Actions / GitLab CI files run nothing test-like
    (pytest, tox, nox, unittest, ``make test``, a test script, a composite action of the
    repository that runs one, an image build whose Dockerfile runs the tests ...), or a git
    repository
    with no CI configuration at all. Pipelines that call remote reusable workflows or GitLab
    includes, and CI systems shipcheck does not read (CircleCI, Jenkins, Azure ...), are
    given the benefit of the doubt."""
    if not _python_project(project):
        return
    files = _ci_files(project)
    if not files:
        if _other_ci(project) or not in_git_repo(project):
            return
        yield Hit(line=1, fields={"what": "The repository has no CI configuration"},
                  context="no-ci")  # fmt: skip
        return
    if any(f.test_jobs or f.opaque for f in files):
        return
    if _indirect_match(project, files, TEST_COMMAND) or _local_action_tests(project, files):
        return
    if _image_build_tests(project, files):
        return
    first = files[0]
    names = ", ".join(f"`{f.path}`" for f in files[:3]) + (" ..." if len(files) > 3 else "")
    yield Hit(
        path=first.path,
        line=first.line,
        fields={"what": f"No CI job in {names} runs the tests"},
        context="ci-no-tests",
    )


def _has_ci(project: ProjectModel) -> bool:
    return project.complete and bool(project.facts_of(CiFile))


@detector("workflows.ci-no-security-scan", kind=Kind.PROJECT, applies=_has_ci)
def ci_no_security_scan(project: ProjectModel, params: None) -> Iterator[Hit]:
    """CI files (GitHub Actions, GitLab CI) in which no job runs a security scanner
    (shipcheck, bandit, pip-audit, safety, trivy, semgrep, CodeQL, osv-scanner, Snyk,
    grype, dependency-review ...), with no GitLab security template included, no
    Dependabot or Renovate configuration and no scanner in ``.pre-commit-config.yaml``."""
    files = _ci_files(project)
    if not files or project.facts_of(CiSecurity):
        return
    if any(f.opaque for f in files) or _indirect_match(project, files, SCAN_TOOLS):
        return
    if any(project.exists(p) for p in _DEPENDENCY_BOTS):
        return
    precommit = project.read_text(".pre-commit-config.yaml") or ""
    if SCAN_TOOLS.search(precommit):
        return
    first = files[0]
    yield Hit(path=first.path, line=first.line, fields={"files": len(files)},
              context="ci-no-security-scan")  # fmt: skip
