"""GitHub Actions hardening: token permissions, pull_request_target checkouts of untrusted
code, and script injection through ``${{ github.event.* }}`` expressions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from shipcheck import lazyre
from shipcheck.detectors.registry import detector
from shipcheck.detectors.workflows.common import github_triggers, steps
from shipcheck.models.artifacts import Kind, WorkflowFile
from shipcheck.models.findings import Hit, Severity


def _first(doc: WorkflowFile) -> Any:
    return doc.documents[0] if doc.documents else None


@detector("workflows.permissions-missing", kind=Kind.GITHUB_ACTIONS)
def permissions_missing(doc: WorkflowFile, params: None) -> Iterator[Hit]:
    """A workflow with no top-level ``permissions:`` in which some job sets none either:
    those jobs get the repository's default GITHUB_TOKEN permissions, read-write on
    repositories created before 2023 and in many organisations. Reusable workflows
    (``on: workflow_call`` only) take the caller's permissions and are skipped."""
    first = _first(doc)
    if not isinstance(first, dict) or "permissions" in first:
        return
    triggers = github_triggers(doc)
    if not triggers or triggers == {"workflow_call"}:
        return
    jobs = doc.jobs or {}
    bare = [n for n, j in jobs.items() if isinstance(j, dict) and "permissions" not in j]
    if not bare:
        return
    listed = ", ".join(f"`{n}`" for n in bare[:4]) + (" ..." if len(bare) > 4 else "")
    line = first.key_line("jobs") if "jobs" in first else first.line
    yield Hit(line=line, fields={"jobs": listed, "count": len(bare)}, context="permissions")


@detector("workflows.permissions-write-all", kind=Kind.GITHUB_ACTIONS)
def permissions_write_all(doc: WorkflowFile, params: None) -> Iterator[Hit]:
    """``permissions: write-all`` for the workflow or for a job."""
    first = _first(doc)
    if not isinstance(first, dict):
        return
    holders: list[tuple[str, Any]] = [("the workflow", first)]
    holders += [(f"job `{n}`", j) for n, j in (doc.jobs or {}).items() if isinstance(j, dict)]
    for who, holder in holders:
        if holder.get("permissions") == "write-all":
            yield Hit(
                line=holder.value_line("permissions"),
                column=holder.value_column("permissions"),
                fields={"who": who},
            )


# --- pull_request_target + checkout of the pull request ---------------------------------

_PR_HEAD = lazyre.compile(
    r"github\.event\.pull_request\.(head\.(sha|ref|repo\.full_name)|merge_commit_sha|number)|"
    r"github\.head_ref|github\.event\.number|refs/pull/",
)
_PR_FETCH = lazyre.compile(
    r"(\bgh\s+pr\s+checkout\b|\bgit\s+(fetch|checkout|switch|pull)\b.*(pull/|\$\{\{[^}]*"
    r"(pull_request\.head|head_ref|event\.number)))",
)


_SAME_REPO = lazyre.compile(
    r"head\.repo\.full_name\s*==\s*github\.repository|"
    r"github\.repository\s*==\s*github\.event\.pull_request\.head\.repo\.full_name|"
    r"!\s*github\.event\.pull_request\.head\.repo\.fork|head\.repo\.fork\s*==\s*false"
)


def _runs_code_after(job_steps: list[Any], index: int) -> bool:
    """Whether a step after ``index`` runs a shell command or a local action (which
    could come from the checked-out pull request)."""
    for step in job_steps[index + 1 :]:
        if not isinstance(step, dict):
            continue
        if "run" in step or str(step.get("uses", "")).startswith("./"):
            return True
    return False


@detector("workflows.pull-request-target-checkout", kind=Kind.GITHUB_ACTIONS)
def pull_request_target_checkout(doc: WorkflowFile, params: None) -> Iterator[Hit]:
    """A ``pull_request_target`` workflow that checks out the pull request's code
    (``actions/checkout`` with ``ref: ${{ github.event.pull_request.head.sha }}``,
    ``head.ref``, ``github.head_ref``, ``refs/pull/...``, or ``gh pr checkout`` /
    ``git fetch ... pull/...`` in a step). Critical when a later step runs commands or a
    local action, high otherwise; medium when the job or step only runs for pull requests
    from the repository itself (``head.repo.full_name == github.repository``)."""
    if "pull_request_target" not in github_triggers(doc):
        return
    for name, job in (doc.jobs or {}).items():
        if not isinstance(job, dict):
            continue
        job_steps = list(job.get("steps") or [])
        for index, step in enumerate(job_steps):
            if not isinstance(step, dict):
                continue
            line = column = 0
            uses = str(step.get("uses", ""))
            with_ = step.get("with")
            if uses.startswith("actions/checkout") and isinstance(with_, dict):
                for key in ("ref", "repository"):
                    if isinstance(with_.get(key), str) and _PR_HEAD.search(with_[key]):
                        line, column = with_.value_line(key), with_.value_column(key)
                        break
            run = step.get("run")
            runs_in_step = False
            if not line and isinstance(run, str):
                lines = run.splitlines()
                for offset, text in enumerate(lines):
                    if _PR_FETCH.search(text):
                        block = step.value_line("run") == step.key_line("run") and "\n" in run
                        line = step.value_line("run") + offset + (1 if block else 0)
                        column = max(doc.line_text(line).find(text.strip()), 0) + 1
                        runs_in_step = any(rest.strip() for rest in lines[offset + 1 :])
                        break
            if line:
                runs = runs_in_step or _runs_code_after(job_steps, index)
                severity = None if runs else Severity.HIGH
                condition = f"{job.get('if') or ''} {step.get('if') or ''}"
                if _SAME_REPO.search(condition):
                    severity = Severity.MEDIUM  # only pull requests from the repository itself
                yield Hit(
                    line=line,
                    column=column,
                    fields={"job": name, "then": " and then runs commands" if runs else ""},
                    severity=severity,
                )


# --- script injection -------------------------------------------------------------------

_EXPRESSION = lazyre.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_UNTRUSTED = lazyre.compile(
    r"(github\.head_ref\b|"
    r"github\.event\.(?:[\w\-]+|\*|\[[^\]]*\])(?:\.(?:[\w\-]+|\*)|\[[^\]]*\])*?"
    r"\.(title|body|message|page_name|label|default_branch|head_branch|"
    r"head\.ref|author\.(email|name)))\b"
)
_BOOLEAN = lazyre.compile(r"^\s*(contains|startsWith|endsWith)\s*\(|==|!=|<=|>=")


def _untrusted(expression: str) -> str | None:
    if _BOOLEAN.search(expression):
        return None
    match = _UNTRUSTED.search(expression)
    return match.group(0) if match else None


def _block_lines(holder: Any, key: str) -> Iterator[tuple[int, str]]:
    text = holder[key]
    start = holder.value_line(key)
    block = start == holder.key_line(key) and "\n" in text
    for offset, line in enumerate(text.splitlines()):
        yield start + offset + (1 if block else 0), line


@detector("workflows.script-injection", kind=Kind.GITHUB_ACTIONS)
def script_injection(doc: WorkflowFile, params: None) -> Iterator[Hit]:
    """``${{ ... }}`` expressions with attacker-controlled text (issue and pull request
    titles and bodies, comment and review bodies, commit messages and authors, branch
    names such as ``github.head_ref``) written into a ``run:`` script or an
    ``actions/github-script`` script, where they become code. Boolean tests
    (``contains(...)``, ``==``) are safe and skipped."""
    for job, step in steps(doc):
        holders: list[tuple[Any, str]] = []
        if isinstance(step.get("run"), str):
            holders.append((step, "run"))  # a shell script
        with_ = step.get("with")
        if (
            str(step.get("uses", "")).startswith("actions/github-script")
            and isinstance(with_, dict)
            and isinstance(with_.get("script"), str)
        ):
            holders.append((with_, "script"))
        for holder, key in holders:
            for line, text in _block_lines(holder, key):
                for match in _EXPRESSION.finditer(text):
                    source = _untrusted(match.group(1))
                    if source:
                        found = doc.line_text(line).find(match.group(0))
                        column = found + 1 if found >= 0 else 1
                        yield Hit(
                            line=line,
                            column=column,
                            end_column=column + len(match.group(0)) if found >= 0 else None,
                            fields={
                                "job": job,
                                "expression": source.strip(),
                                "where": "`run:` script" if key == "run" else "github-script code",
                            },
                        )
