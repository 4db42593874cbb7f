"""GitHub Actions fixes: a least-privilege ``permissions:`` block for workflows that have
none (CI006) and ``persist-credentials: false`` on checkouts (CI010)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from shipcheck import lazyre
from shipcheck.fixes import yamledit
from shipcheck.fixes.compose import document
from shipcheck.fixes.context import FixContext
from shipcheck.fixes.edits import Edit, Skipped
from shipcheck.fixes.registry import SAFE, fixer
from shipcheck.models.artifacts import WorkflowFile
from shipcheck.models.findings import Finding

# Actions that only read the repository (or touch nothing of GitHub's): `contents: read`
# is all they need. Anything else may call the API with write scopes.
READ_ONLY_ACTIONS = (
    "actions/checkout", "actions/setup-", "actions/cache", "actions/upload-artifact",
    "actions/download-artifact", "actions/dependency-review-action", "docker/setup-",
    "docker/metadata-action", "docker/build-push-action", "astral-sh/setup-uv",
    "astral-sh/ruff-action", "pre-commit/action", "codecov/codecov-action",
    "snok/install-poetry", "pdm-project/setup-pdm", "pnpm/action-setup",
    "hashicorp/setup-terraform", "azure/setup-", "ruby/setup-ruby", "dtolnay/rust-toolchain",
    "swatinem/rust-cache", "conda-incubator/setup-miniconda", "mamba-org/setup-micromamba",
    "extractions/setup-just", "taiki-e/install-action", "abatilo/actions-poetry",
    "browser-actions/", "nick-fields/retry", "shivammathur/setup-php", "gradle/actions/setup",
    "actions/configure-pages",
)  # fmt: skip
_WRITES = lazyre.compile(
    r"\bgit\s+push\b|\bgh\s+(release|pr|issue|api|workflow|label|secret|variable|repo)\b"
    r"|GITHUB_TOKEN|github\.token"
)


def _write_need(job: Any) -> str | None:
    """Why a job may need more than read access to the repository, or None."""
    if not isinstance(job, dict):
        return None
    if "uses" in job:
        return f"it calls the reusable workflow `{job['uses']}`"
    if _WRITES.search(str(job.get("env") or "")):
        return "it passes the job token to its steps"
    for step in job.get("steps") or []:
        if not isinstance(step, dict):
            continue
        uses = step.get("uses")
        if isinstance(uses, str):
            name = uses.split("@", 1)[0].lower()
            if not any(name.startswith(a) for a in READ_ONLY_ACTIONS):
                return f"it uses `{uses.split('@', 1)[0]}`"
        for key in ("run", "with", "env"):
            value = step.get(key)
            if value is not None and _WRITES.search(str(value)):
                what = "runs `git push` or `gh`" if key == "run" else "passes the job token"
                return f"a step {what}"
    return None


@fixer(
    "CI006",
    SAFE,
    "add `permissions: contents: read` to the workflow",
)
def least_privilege(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit | Skipped]:
    """Insert ``permissions:`` / ``contents: read`` before the top-level ``jobs:`` key, when
    every job without its own ``permissions`` only reads (known read-only actions, no
    ``git push``/``gh``, no token passed on); otherwise the workflow is left alone."""
    artifact = ctx.artifact
    doc = document(ctx)
    if doc is None or not isinstance(artifact, WorkflowFile) or not doc.roots:
        return
    root = doc.roots[0]
    for finding in findings[:1]:
        jobs = artifact.jobs or {}
        for name, job in jobs.items():
            if isinstance(job, dict) and "permissions" not in job:
                why = _write_need(job)
                if why is not None:
                    yield Skipped(finding, f"job `{name}` may need write access: {why}")
                    return
        jobs_key = next(
            (k for k, _ in getattr(root, "value", []) if isinstance(k, yaml.ScalarNode)
             and k.value == "jobs"),
            None,
        )  # fmt: skip
        if not isinstance(root, yaml.MappingNode) or root.flow_style or jobs_key is None:
            return
        if jobs_key.start_mark.column != 0:
            return
        at = jobs_key.start_mark.index
        # Comment lines right above `jobs:` belong to it.
        text = ctx.text
        while (previous := yamledit.previous_line(text, at)) is not None:
            if not text[previous[0] : previous[1]].lstrip().startswith("#"):
                break
            at = previous[0]
        step = yamledit.indent_step(doc)
        nl = ctx.newline
        block = f"permissions:{nl}{' ' * step}contents: read{nl}"
        previous = yamledit.previous_line(text, at)
        if previous is not None and not text[previous[0] : previous[1]].strip():
            block += nl  # the file separates top-level keys with blank lines
        yield ctx.insert(finding, at, block, "permissions: contents: read")


@fixer(
    "CI010",
    SAFE,
    "add `persist-credentials: false` to the checkout step",
)
def no_persisted_credentials(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit]:
    """The checkout step the finding points at gets ``with: persist-credentials: false``."""
    doc = document(ctx)
    if doc is None:
        return
    for finding in findings:
        uses = doc.item_at(finding.line, finding.column, yaml.MappingNode)
        if uses is None:
            continue
        step = uses.parent
        insertion = yamledit.add_nested(
            doc, step, "with", "persist-credentials", "false", ctx.newline
        )
        if insertion is not None:
            yield ctx.insert(finding, insertion.offset, insertion.text, "persist-credentials")
