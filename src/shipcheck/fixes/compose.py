"""Compose fixes: ``restart: unless-stopped`` on long-running services (CMP003) and database
ports bound to the loopback interface (CMP005), as minimal YAML text edits."""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from shipcheck import lazyre
from shipcheck.fixes import yamledit
from shipcheck.fixes.context import FixContext
from shipcheck.fixes.edits import Edit, Skipped
from shipcheck.fixes.registry import SAFE, UNSAFE, fixer
from shipcheck.models.findings import Finding

LOOPBACK = "127.0.0.1"
# Compose files under these folders run tests or CI jobs, where a service that finishes is
# done: `unless-stopped` would start it again and again.
_THROWAWAY_DIRS = frozenset({"ci", ".ci", "test", "tests", "e2e", "integration", ".github",
                             ".circleci", ".gitlab", "testing"})  # fmt: skip
# Words of a command or service name that mark a one-shot task.
_ONE_SHOT = frozenset({"pytest", "tox", "nox", "test", "tests", "cypress", "e2e", "migrate",
                       "migrations", "migration", "makemigrations", "upgrade", "collectstatic",
                       "createsuperuser", "loaddata", "seed", "init", "setup", "bootstrap",
                       "createdb", "lint", "check"})  # fmt: skip
_ALL_INTERFACES = lazyre.compile(r"^(0\.0\.0\.0|\[::\]|::):")


def document(ctx: FixContext) -> yamledit.Document | None:
    """The file's composed YAML (None when it no longer parses)."""
    try:
        return yamledit.Document(ctx.text)
    except yaml.YAMLError:
        return None


def _one_shot(name: str, service: yaml.MappingNode) -> bool:
    """A service named or commanded like a task that ends (tests, migrations, set-up)."""
    words = set(re.split(r"[^a-z0-9]+", name.lower()))
    for key in ("command", "entrypoint"):
        value = yamledit.get(service, key)
        if isinstance(value, yaml.ScalarNode):
            words |= set(re.split(r"[^a-z0-9]+", value.value.lower()))
        elif isinstance(value, yaml.SequenceNode):
            for item in value.value:
                if isinstance(item, yaml.ScalarNode):
                    words |= set(re.split(r"[^a-z0-9]+", item.value.lower()))
    return bool(words & _ONE_SHOT)


@fixer(
    "CMP003",
    SAFE,
    "add `restart: unless-stopped` to the service",
)
def restart_policy(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit | Skipped]:
    """The service named by the finding gets ``restart: unless-stopped`` as its last key.
    Compose files of CI and test folders and services that look like one-shot tasks
    (tests, migrations, set-up) are left alone: restarting what is meant to finish would
    run it in a loop."""
    doc = document(ctx)
    if doc is None:
        return
    folders = set(ctx.path.split("/")[:-1])
    for finding in findings:
        found = doc.key_at(finding.line, finding.column)
        if found is None or not isinstance(found[2], yaml.MappingNode):
            continue
        name, service = str(found[1].value), found[2]
        if folders & _THROWAWAY_DIRS:
            yield Skipped(
                finding, "a Compose file for CI or tests: services there may be meant to end"
            )
            continue
        if _one_shot(name, service):
            yield Skipped(finding, f"service `{name}` looks like a one-shot task")
            continue
        if yamledit.get(service, "restart") is not None:
            continue
        insertion = yamledit.add_entry(doc, service, "restart", "unless-stopped", ctx.newline)
        if insertion is not None:
            yield ctx.insert(finding, insertion.offset, insertion.text, "restart: unless-stopped")


def loopback_port(value: str) -> str | None:
    """``5432:5432`` → ``127.0.0.1:5432:5432``, ``0.0.0.0:5432:5432`` → loopback,
    ``5432`` → ``127.0.0.1::5432`` (a random host port on the loopback interface)."""
    text = value.strip()
    if _ALL_INTERFACES.match(text):
        return _ALL_INTERFACES.sub(f"{LOOPBACK}:", text, count=1)
    if re.fullmatch(r"\d+(-\d+)?:\d+(-\d+)?(/\w+)?", text):
        return f"{LOOPBACK}:{text}"
    if re.fullmatch(r"\d+(-\d+)?(/\w+)?", text):
        return f"{LOOPBACK}::{text}"
    return None


@fixer(
    "CMP005",
    UNSAFE,  # other hosts can no longer reach the database
    'bind the published port to the loopback interface (`"127.0.0.1:5432:5432"`)',
)
def database_port(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit]:
    """Rewrite the ``ports:`` entry the finding points at, short or long syntax."""
    doc = document(ctx)
    if doc is None:
        return
    for finding in findings:
        located = doc.item_at(finding.line, finding.column, yaml.SequenceNode)
        if located is None:
            continue
        node = located.node
        if isinstance(node, yaml.ScalarNode):
            edit = _short_syntax(ctx, finding, node, bool(located.parent.flow_style))
        elif isinstance(node, yaml.MappingNode):
            edit = _long_syntax(ctx, doc, finding, node)
        else:
            edit = None
        if edit is not None:
            yield edit


def _short_syntax(
    ctx: FixContext, finding: Finding, node: yaml.ScalarNode, in_flow: bool
) -> Edit | None:
    new = loopback_port(node.value)
    if new is None:
        return None
    start, end = node.start_mark.index, node.end_mark.index
    if node.style in ('"', "'"):
        return ctx.edit(finding, start + 1, end - 1, new, f"bind to {LOOPBACK}")
    if node.style is not None:
        return None  # a block scalar for a port: leave it to a person
    replacement = f'"{new}"' if in_flow else new
    return ctx.edit(finding, start, end, replacement, f"bind to {LOOPBACK}")


def _long_syntax(
    ctx: FixContext, doc: yamledit.Document, finding: Finding, node: yaml.MappingNode
) -> Edit | None:
    host_ip = yamledit.get(node, "host_ip")
    if host_ip is None:
        insertion = yamledit.add_entry(doc, node, "host_ip", LOOPBACK, ctx.newline)
        if insertion is None:
            return None
        return ctx.insert(finding, insertion.offset, insertion.text, f"bind to {LOOPBACK}")
    if not isinstance(host_ip, yaml.ScalarNode) or host_ip.value not in ("0.0.0.0", "::", ""):
        return None
    start, end = host_ip.start_mark.index, host_ip.end_mark.index
    if host_ip.style in ('"', "'"):
        start, end = start + 1, end - 1
    elif host_ip.value == "":
        return None
    return ctx.edit(finding, start, end, LOOPBACK, f"bind to {LOOPBACK}")
