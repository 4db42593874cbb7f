"""Planning fixes: from a scan's open findings to the new text of each file, checked.

Nothing is written here. A plan holds, per file, the text before and after, the edits that
produced it and the findings they resolve; the findings no fixer could handle and why; edits
left for a next pass because they overlap an applied one; and files whose fixes were
discarded (the result would not parse) or refused (outside the project, not read by the
scan, changed on disk since the scan read it).
"""

from __future__ import annotations

import ast
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from shipcheck.catalogue import Rule
from shipcheck.classify import classify
from shipcheck.fixes import registry
from shipcheck.fixes.context import FixContext, FixSettings, SourceFile
from shipcheck.fixes.edits import Edit, Skipped, apply_edits
from shipcheck.models.artifacts import Kind
from shipcheck.models.findings import Finding
from shipcheck.project import ProjectModel
from shipcheck.report import Report

_YAML_KINDS = {Kind.YAML, Kind.KUBERNETES, Kind.COMPOSE, Kind.GITHUB_ACTIONS, Kind.GITLAB_CI}


@dataclass
class FileChange:
    """One file's text before and after its fixes."""

    source: SourceFile
    after: str
    edits: list[Edit]

    @property
    def path(self) -> str:
        """Path relative to the project root."""
        return self.source.path

    @property
    def created(self) -> bool:
        """The file does not exist yet."""
        return not self.source.exists

    @property
    def findings(self) -> list[Finding]:
        """The findings the edits resolve."""
        return [f for e in self.edits for f in e.findings]


@dataclass
class Plan:
    """What a fix run would do."""

    root: Path
    changes: dict[str, FileChange] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)  # fixers' reasons for leaving one
    deferred: list[Edit] = field(default_factory=list)  # overlapping: for the next pass
    problems: list[str] = field(default_factory=list)  # discarded or refused files
    attempted: list[Finding] = field(default_factory=list)  # findings a fixer looked at
    hidden_rules: set[str] = field(default_factory=set)  # unsafe fixes not enabled

    @property
    def fixed(self) -> list[Finding]:
        """Findings resolved by the planned edits."""
        return [f for change in self.changes.values() for f in change.findings]


@dataclass(frozen=True)
class PlanOptions:
    """What to fix: ``unsafe`` adds the fixes that change behaviour."""

    unsafe: bool = False
    settings: FixSettings = field(default_factory=FixSettings)
    rules: frozenset[str] | None = None  # only these rules' fixes (None: every rule's)


def fixers_for(report: Report, options: PlanOptions) -> tuple[dict[str, registry.Fixer], set[str]]:
    """Fixers of the rules that ran and say they have a fix; and the rule ids whose fix is
    unsafe and not enabled."""
    found: dict[str, registry.Fixer] = {}
    hidden: set[str] = set()
    for rule in report.rules:
        fixer = registry.get(rule.id)
        if fixer is None or rule.fix == "none":
            continue
        if options.rules is not None and rule.id not in options.rules:
            continue
        if fixer.safety == registry.UNSAFE and not options.unsafe:
            hidden.add(rule.id)
            continue
        found[rule.id] = fixer
    return found, hidden


def plan_fixes(
    report: Report,
    project: ProjectModel | None,
    options: PlanOptions,
    digests: dict[str, str] | None = None,
) -> Plan:
    """Plan the fixes of ``report``'s open (unsuppressed) findings."""
    root = report.root
    plan = Plan(root=root)
    rules = {r.id: r for r in report.rules}
    fixers, hidden = fixers_for(report, options)
    plan.hidden_rules = hidden
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in report.findings:
        fixer = fixers.get(finding.rule_id)
        if fixer is None or (fixer.needs_project and project is None):
            continue
        groups[(finding.path, fixer.group)].append(finding)

    contexts: dict[str, FixContext] = {}
    edits: dict[str, list[Edit]] = defaultdict(list)
    for (path, _), findings in sorted(groups.items()):
        ctx = contexts.get(path)
        if ctx is None:
            ctx = contexts[path] = _context(root, path, rules, options, project)
        expected = (digests or {}).get(path)
        if expected is not None and ctx.source.exists and ctx.source.digest != expected:
            plan.problems.append(f"{path}: changed on disk since the scan read it; not fixed")
            continue
        plan.attempted += findings
        fixer = fixers[findings[0].rule_id]
        try:
            items = list(fixer.func(ctx, sorted(findings, key=lambda f: f.sort_key())))
        except Exception as exc:  # a fixer bug must not stop the other fixes
            plan.problems.append(f"{path}: the {fixer.group} fix failed: {type(exc).__name__}")
            continue
        for item in items:
            if isinstance(item, Skipped):
                plan.skipped.append(item)
            else:
                edits[item.path].append(item)

    allowed = _readable(project, report)
    for path, file_edits in sorted(edits.items()):
        problem = _refusal(root, path, file_edits, allowed)
        if problem:
            plan.problems.append(problem)
            continue
        ctx = contexts.get(path)
        source = ctx.source if ctx is not None else SourceFile.read(root, path)
        applied = apply_edits(source.text, file_edits)
        plan.deferred += applied.deferred
        if not applied.applied or applied.text == source.text:
            continue
        kind = project.files.get(path) if project is not None else None
        broken = verify(path, kind, source.text, applied.text)
        if broken:
            plan.problems.append(f"{path}: fixes discarded, the result {broken}")
            continue
        plan.changes[path] = FileChange(source, applied.text, applied.applied)
    return plan


def _context(
    root: Path,
    path: str,
    rules: dict[str, Rule],
    options: PlanOptions,
    project: ProjectModel | None,
) -> FixContext:
    kind = project.files.get(path) if project is not None else None
    source = SourceFile.read(root, path)
    return FixContext(source, root, kind, rules, options.settings, project)


def _readable(project: ProjectModel | None, report: Report) -> set[str]:
    """Files a fix may edit: those the scan read, and those findings point at (ignore files
    the project rules read)."""
    allowed = set(project.files) if project is not None else set()
    allowed |= {f.path for f in report.findings}
    return allowed


def _refusal(root: Path, path: str, edits: list[Edit], allowed: set[str]) -> str | None:
    """Why a file must not be written, or None."""
    target = root / path
    try:
        real_root = root.resolve()
        resolved = target.resolve()
    except (OSError, RuntimeError):
        return f"{path}: cannot resolve the path; not fixed"
    if resolved != real_root and real_root not in resolved.parents:
        return f"{path}: outside the project; not touched"
    if target.is_symlink():
        return f"{path}: a symbolic link; not touched"
    if target.exists():
        if not target.is_file():
            return f"{path}: not a regular file; not touched"
        if path not in allowed:
            return f"{path}: the scan did not read it; not touched"
        return None
    if not all(edit.create for edit in edits):
        return f"{path}: does not exist; not created"
    return None


def verify(path: str, kind: Kind | None, before: str, after: str) -> str | None:
    """Why the fixed text is unacceptable (does not parse, changed kind, duplicated a
    mapping key), or None."""
    from shipcheck.parsers import ParseError, parse

    discovered = classify(path)
    if discovered is None:
        return None
    if discovered is Kind.PYTHON:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(after, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            return f"does not compile: {exc}"
    try:
        artifact = parse(path, discovered, after.encode("utf-8"))
    except ParseError as exc:
        return f"does not parse: {exc}"
    if kind is not None and discovered is Kind.YAML:
        if artifact.kind is not kind:
            return f"would be read as {artifact.kind.value}, not {kind.value}"
        from shipcheck.fixes.yamledit import has_duplicate_keys

        try:
            if has_duplicate_keys(after) > has_duplicate_keys(before):
                return "would repeat a mapping key"
        except yaml.YAMLError as exc:
            return f"does not parse: {exc}"
    return None
