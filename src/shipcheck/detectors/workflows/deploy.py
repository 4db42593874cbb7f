"""Deploy jobs that do not wait for the tests or that run from any branch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from shipcheck import lazyre
from shipcheck.detectors.registry import detector
from shipcheck.detectors.workflows.common import github_triggers, run_lines
from shipcheck.detectors.workflows.pipeline import job_uses, test_jobs
from shipcheck.models.artifacts import Kind, WorkflowFile
from shipcheck.models.findings import Hit

DEPLOY_COMMAND = lazyre.compile(
    r"(\bkubectl\s+(apply|set\s+image|rollout\s+restart|replace)\b|\bhelm\s+(upgrade|install)\b|"
    r"\btwine\s+upload\b|\b(uv|poetry|flit|hatch|pdm)\s+publish\b|"
    r"\bgcloud\s+(run\s+deploy|app\s+deploy|functions\s+deploy)\b|"
    r"\baws\s+(ecs\s+update-service|lambda\s+update-function-code|cloudformation\s+deploy)\b|"
    r"\b(serverless|sls|flyctl|fly|eb|cdk|kamal|zappa|railway)\s+(deploy|update|up)\b|"
    r"\bgit\s+push\s+heroku\b|\bheroku\s+container:release\b|\bterraform\s+apply\b|"
    r"\bpulumi\s+up\b|\baz\s+webapp\s+deploy\b|\bdocker\s+stack\s+deploy\b|"
    r"\bargocd\s+app\s+sync\b|\bskaffold\s+(run|deploy)\b)",
    re.IGNORECASE,
)
DEPLOY_ACTION = lazyre.compile(
    r"^(pypa/gh-action-pypi-publish|azure/k8s-deploy|azure/webapps-deploy|"
    r"aws-actions/amazon-ecs-deploy-task-definition|google-github-actions/deploy-\w+|"
    r"superfly/flyctl-actions|akhileshns/heroku-deploy|appleboy/ssh-action)",
    re.IGNORECASE,
)
DEPLOY_NAME = lazyre.compile(r"(^|[^a-z])(deploy|deployment|rollout)([^a-z]|$)", re.IGNORECASE)
# Events started by a person or by another workflow's result: releases, manual runs.
_GATED_EVENTS = frozenset({"release", "workflow_dispatch", "workflow_run", "repository_dispatch",
                           "schedule", "registry_package", "deployment"})  # fmt: skip
_REF_CONDITION = lazyre.compile(
    r"github\.(ref|ref_name|ref_type|event_name|base_ref|head_ref)\b|github\.event\.release|"
    r"refs/(heads|tags)/",
)
_ALL_BRANCHES = {"*", "**"}


def _looks_like_deploy(name: str, job: Any, deploy_jobs: set[str]) -> bool:
    """A GitHub job that deploys: a deploy command or action, "deploy" in its name, or a
    production environment."""
    if name in deploy_jobs:
        return True
    if any(DEPLOY_ACTION.match(uses) for uses, _ in job_uses(job)):
        return True
    if DEPLOY_NAME.search(f"{name} {job.get('name') or ''}"):
        return True
    environment = job.get("environment")
    env_name = environment.get("name") if isinstance(environment, dict) else environment
    return isinstance(env_name, str) and bool(re.search(r"\bprod", env_name, re.IGNORECASE))


def _needs(job: Any) -> list[str]:
    needs = job.get("needs") if isinstance(job, dict) else None
    if isinstance(needs, str):
        return [needs]
    if isinstance(needs, list):
        out = []
        for item in needs:
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, dict) and isinstance(item.get("job"), str):
                out.append(item["job"])
        return out
    return []


def _ancestors(jobs: Any, name: str) -> set[str]:
    seen: set[str] = set()
    stack = [name]
    while stack:
        current = stack.pop()
        for parent in _needs(jobs.get(current)):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def _push_branches(on: Any) -> tuple[bool, bool]:
    """(push runs for branches at all, only for a restricted set of branches)."""
    push = on.get("push") if isinstance(on, dict) else None
    if not isinstance(push, dict):
        return True, False
    branches = push.get("branches")
    tags = push.get("tags")
    if branches is None and push.get("branches-ignore") is None and tags is not None:
        return False, False  # tags only
    if isinstance(branches, list) and branches:
        return True, not any(str(b) in _ALL_BRANCHES for b in branches)
    return True, False


def _workflow_on(doc: WorkflowFile) -> Any:
    first = doc.documents[0] if doc.documents else {}
    return first.get("on", first.get(True)) if isinstance(first, dict) else None


@detector("workflows.deploy-not-gated", kind=(Kind.GITHUB_ACTIONS, Kind.GITLAB_CI))
def deploy_not_gated(doc: WorkflowFile, params: None) -> Iterator[Hit]:
    """Deploy-looking jobs (a ``kubectl apply``/``helm upgrade``/``twine upload``/... step,
    a known deploy action, a name with "deploy" or a production environment) that either
    run in a workflow which also runs tests but do not depend on the test job (``needs:``),
    or run on pull requests or every branch with no ``if:`` on the ref, no ``environment:``
    and no branch filter. Workflows started only by releases, tags, manual dispatch or
    another workflow's completion are considered gated."""
    if doc.kind is Kind.GITLAB_CI:
        yield from _gitlab(doc)
        return
    jobs = doc.jobs or {}
    triggers = github_triggers(doc)
    on = _workflow_on(doc)
    push_branches, push_restricted = _push_branches(on)
    automatic = {t for t in triggers if t not in _GATED_EVENTS and t != "workflow_call"}
    if "push" in automatic and not push_branches:
        automatic.discard("push")
    if not automatic:
        return
    deploy_jobs = {job for job, _, text in run_lines(doc) if DEPLOY_COMMAND.search(text)}
    tests = test_jobs(doc)
    for name, job in jobs.items():
        if not isinstance(job, dict) or not _looks_like_deploy(name, job, deploy_jobs):
            continue
        problems = []
        if tests and name not in tests and not (_ancestors(jobs, name) & tests):
            listed = ", ".join(f"`{t}`" for t in sorted(tests))
            problems.append(f"does not wait for the test job ({listed})")
        condition = str(job.get("if") or "")
        restricted = bool(_REF_CONDITION.search(condition)) or "environment" in job
        if not restricted:
            pr_events = automatic & {"pull_request", "pull_request_target", "merge_group"}
            if pr_events:
                problems.append(f"runs on `{sorted(pr_events)[0]}` events with no branch condition")
            elif "push" in automatic and not push_restricted:
                problems.append("runs on pushes to every branch")
        if problems:
            yield Hit(
                line=jobs.key_line(name),
                fields={"job": name, "problems": " and ".join(problems)},
                context=f"{name}:{'/'.join(problems)}",
            )


_GITLAB_DEFAULT_STAGES = [".pre", "build", "test", "deploy", ".post"]


def _gitlab_job(first: Any, job: Any, depth: int = 0) -> Any:
    """A GitLab job with its ``extends:`` templates merged in (shallowly)."""
    if not isinstance(job, dict) or depth > 5:
        return job
    parents = job.get("extends")
    parents = [parents] if isinstance(parents, str) else parents
    if not isinstance(parents, list):
        return job
    merged: dict[Any, Any] = {}
    for parent in parents:
        template = first.get(parent) if isinstance(first, dict) else None
        if isinstance(template, dict):
            merged.update(_gitlab_job(first, template, depth + 1))
    merged.update(job)
    return merged


def _gitlab(doc: WorkflowFile) -> Iterator[Hit]:
    first = doc.documents[0] if doc.documents else {}
    if not isinstance(first, dict):
        return
    workflow = first.get("workflow")
    if isinstance(workflow, dict) and workflow.get("rules"):
        return  # pipeline-wide rules restrict every job
    stages = first.get("stages")
    order = list(stages) if isinstance(stages, list) else _GITLAB_DEFAULT_STAGES
    jobs = {name: _gitlab_job(first, job) for name, job in (doc.jobs or {}).items()}
    tests = test_jobs(doc)
    deploy_jobs = {job for job, _, text in run_lines(doc) if DEPLOY_COMMAND.search(text)}
    listed = ", ".join(f"`{t}`" for t in sorted(tests))
    for name, job in jobs.items():
        if not isinstance(job, dict):
            continue
        stage = str(job.get("stage") or "test")
        looks = name in deploy_jobs or DEPLOY_NAME.search(name) or DEPLOY_NAME.search(stage)
        if not looks:
            continue
        problems = []
        if tests and name not in tests:
            if "needs" in job:
                if not (_ancestors(jobs, name) & tests):
                    problems.append(f"does not need the test job ({listed})")
            elif all(_stage_index(order, jobs[t]) >= _stage_index(order, job) for t in tests):
                problems.append(f"runs in a stage before or alongside the tests ({listed})")
        restricted = any(k in job for k in ("rules", "only", "except", "environment")) or (
            job.get("when") == "manual"
        )
        if not restricted:
            problems.append("runs on every branch (no `rules:`/`only:` and no environment)")
        if problems:
            yield Hit(
                line=doc.jobs.key_line(name),
                fields={"job": name, "problems": " and ".join(problems)},
                context=f"{name}:{'/'.join(problems)}",
            )


def _stage_index(order: list[Any], job: Any) -> int:
    stage = job.get("stage", "test") if isinstance(job, dict) else "test"
    return order.index(stage) if stage in order else len(order)
