"""``actions/checkout`` leaving the job token in ``.git/config`` (ci.secret-exposure).

By default the checkout action writes the job's GITHUB_TOKEN into the repository's git
configuration so later git commands can push. Every later step (third-party actions, build
scripts, test code) can then read it, and an uploaded workspace artifact carries it. Jobs
that go on to use git's remote (push, fetch, a pushing action) need it; the others do not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shipcheck import lazyre
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, WorkflowFile
from shipcheck.models.findings import Hit

_GIT_REMOTE = lazyre.compile(
    r"\bgit\s+(?:-[Cc]\s+\S+\s+|--?[\w-]+(?:=\S+)?\s+)*"
    r"(push|pull|fetch|clone|ls-remote|submodule|remote\s+update)\b"
    r"|\bgh\s+(pr\s+(create|checkout|merge)|repo\s+(clone|sync))\b"
)
# Actions that run git against the remote with the credentials checkout persisted.
GIT_ACTIONS = (
    "stefanzweifel/git-auto-commit-action", "endbug/add-and-commit", "ad-m/github-push-action",
    "peter-evans/create-pull-request", "jamesives/github-pages-deploy-action",
    "peaceiris/actions-gh-pages", "changesets/action", "python-semantic-release/",
    "relekang/python-semantic-release", "cycjimmy/semantic-release-action",
    "anothrnick/github-tag-action", "tj-actions/changed-files", "dorny/paths-filter",
    "planetscale/ghcommit-action", "git-auto-commit", "actions-js/push",
)  # fmt: skip


def is_checkout(uses: Any) -> bool:
    """``uses: actions/checkout@…``."""
    return isinstance(uses, str) and uses.split("@", 1)[0].lower() == "actions/checkout"


def uses_git_remote(step: Any) -> bool:
    """The step may use git's remote with persisted credentials: a ``git push``/``fetch``
    (or ``gh pr create``…) in its script, a known pushing action, or an action whose code
    is not at hand (a local action, a ``docker://`` image)."""
    if not isinstance(step, dict):
        return False
    run = step.get("run")
    if isinstance(run, str) and _GIT_REMOTE.search(run):
        return True
    uses = step.get("uses")
    if not isinstance(uses, str):
        return False
    name = uses.split("@", 1)[0].lower()
    if name.startswith(("./", "docker://")):
        return True
    return any(name.startswith(a) for a in GIT_ACTIONS)


@detector("workflows.checkout-persists-credentials", kind=Kind.GITHUB_ACTIONS)
def checkout_persists_credentials(doc: WorkflowFile, params: None) -> Iterator[Hit]:
    """``actions/checkout`` steps without ``persist-credentials: false`` in jobs where no
    later step uses git's remote (``git push``/``fetch``/``pull``, ``gh pr create``, a known
    pushing action, a local or ``docker://`` action). An explicit ``persist-credentials``
    value (``true`` or an expression) is a decision and passes, and so is a checkout given
    its own ``token`` or ``ssh-key``: those are passed so that later steps can push."""
    for job_name, job in (doc.jobs or {}).items():
        if not isinstance(job, dict) or not isinstance(job.get("steps"), list):
            continue
        steps = job["steps"]
        for index, step in enumerate(steps):
            if not isinstance(step, dict) or not is_checkout(step.get("uses")):
                continue
            with_ = step.get("with")
            if isinstance(with_, dict) and {"persist-credentials", "token", "ssh-key"} & set(with_):
                continue
            if any(uses_git_remote(later) for later in steps[index + 1 :]):
                continue
            yield Hit(
                line=step.value_line("uses"),
                column=step.value_column("uses"),
                fields={"job": job_name, "uses": step["uses"]},
                context=f"persist-credentials {job_name} {step['uses']}",
            )
