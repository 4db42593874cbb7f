"""``shipcheck fix``: scan, apply the fixes, scan again, say what changed.

Up to :data:`MAX_PASSES` passes: fixes that overlap one applied in a pass (two rules
editing one spot) are planned again from the next pass's scan. ``--diff`` runs one pass
and writes nothing.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from shipcheck import config as config_mod
from shipcheck.engine import ScanOptions, ScanOutcome, UsageError, run
from shipcheck.fixes.context import FixSettings
from shipcheck.fixes.edits import unified_diff
from shipcheck.fixes.plan import FileChange, Plan, PlanOptions, plan_fixes
from shipcheck.fixes.write import write_plan
from shipcheck.report import Report

MAX_PASSES = 3


@dataclass
class FixRequest:
    """What the command line asked for."""

    targets: list[Path]
    select: list[str] | None = None
    extend_select: list[str] | None = None
    ignore: list[str] | None = None
    config_file: Path | None = None
    isolated: bool = False
    offline: bool = False
    jobs: int | None = None
    diff: bool = False
    unsafe: bool = False


@dataclass
class FixResult:
    """What a run did (for the summary and for tests)."""

    before: Report
    after: Report
    final: ScanOutcome  # the last scan (after the fixes)
    changed: dict[str, FileChange] = field(default_factory=dict)  # last change of each file
    fixed: Counter[str] = field(default_factory=Counter)  # rule id → findings fixed
    plans: list[Plan] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    diff: str = ""
    unsafe_available: Counter[str] = field(default_factory=Counter)  # rule id → fixable


def _scan(request: FixRequest) -> ScanOutcome:
    overrides = {
        "select": request.select,
        "extend-select": request.extend_select,
        "ignore": request.ignore,
        "offline": True if request.offline else None,
        "fail-on": "never",
    }
    options = ScanOptions(
        targets=request.targets,
        config_file=request.config_file,
        isolated=request.isolated,
        overrides=overrides,
        jobs=request.jobs,
    )
    return run(options)


def fix(request: FixRequest) -> FixResult:
    """Run the fix passes. Raises ``UsageError``/``ConfigError`` on bad input."""
    outcome = _scan(request)
    cfg = config_mod.load(outcome.report.root, request.config_file, request.isolated)
    options = PlanOptions(request.unsafe, FixSettings(http_timeout=cfg.fix_http_timeout))
    result = FixResult(before=outcome.report, after=outcome.report, final=outcome)
    for _ in range(1 if request.diff else MAX_PASSES):
        plan = plan_fixes(outcome.report, outcome.project, options, outcome.digests)
        result.plans.append(plan)
        result.problems += plan.problems
        if request.diff:
            result.changed.update(plan.changes)
            result.fixed.update(f.rule_id for f in plan.fixed)
            result.diff = "".join(
                unified_diff(c.path, c.source.text, c.after, c.created)
                for c in plan.changes.values()
            )
            break
        written = write_plan(plan)
        result.problems += written.refused
        for change in written.files:
            result.changed[change.path] = change
            result.fixed.update(f.rule_id for f in change.findings)
        outcome = _scan(request) if written.files else outcome
        result.after, result.final = outcome.report, outcome
        if not written.files or not plan.deferred:
            break
    hidden = result.plans[-1].hidden_rules if result.plans else set()
    if hidden:
        # What --unsafe-fixes would add, planned for real (nothing written) so the count is
        # what it would do, not what the rules might allow.
        preview = PlanOptions(True, options.settings, frozenset(hidden))
        extra = plan_fixes(outcome.report, outcome.project, preview, outcome.digests)
        result.unsafe_available.update(f.rule_id for f in extra.fixed)
    return result


def summary(result: FixResult, request: FixRequest) -> str:
    """What was fixed and what remains, by rule, with the score before → after."""
    before, after = result.before, result.after
    lines: list[str] = []
    total = sum(result.fixed.values())
    files = len(result.changed)
    verb = "would fix" if request.diff else "fixed"
    lines.append(f"shipcheck fix: {verb} {total} finding(s) in {files} file(s)")
    counts_before = Counter(f.rule_id for f in before.findings)
    counts_after = Counter(f.rule_id for f in after.findings)
    if request.diff:
        counts_after = counts_before - result.fixed
    rows = sorted(set(result.fixed) | {f.rule_id for p in result.plans for f in p.attempted})
    if rows:
        names = {r.id: r.name for r in before.rules}
        width = max(len(names.get(r, "")) for r in rows)
        lines.append(f"  {'rule':<7} {'':<{width}}  {verb:>9}  {'left':>5}")
        for rule_id in rows:
            name = names.get(rule_id, "")
            fixed, left = result.fixed[rule_id], counts_after[rule_id]
            lines.append(f"  {rule_id:<7} {name:<{width}}  {fixed:>9}  {left:>5}")
    reasons = {
        (s.finding.sort_key(), s.finding.rule_id, s.reason): s
        for plan in result.plans
        for s in plan.skipped
    }
    if reasons:
        lines.append("left for you:")
        for (_, rule_id, reason), item in sorted(reasons.items(), key=lambda kv: kv[0][0]):
            lines.append(f"  {rule_id} {item.finding.path}:{item.finding.line}: {reason}")
    # Findings a fixer looked at and neither fixed, explained nor left for a next pass.
    accounted = {s.finding for s in reasons.values()}
    accounted |= {f for plan in result.plans for f in plan.fixed}
    accounted |= {f for plan in result.plans for e in plan.deferred for f in e.findings}
    attempted = result.plans[0].attempted if result.plans else []
    untouched = Counter(f.rule_id for f in attempted if f not in accounted)
    if untouched:
        listed = ", ".join(f"{rule} ×{n}" for rule, n in sorted(untouched.items()))
        lines.append(f"not in a form the fixes handle: {listed}")
    for problem in dict.fromkeys(result.problems):
        lines.append(f"  ! {problem}")
    last = result.plans[-1] if result.plans else None
    hidden = result.unsafe_available
    if hidden:
        listed = ", ".join(f"{rule} ×{n}" for rule, n in sorted(hidden.items()))
        lines.append(
            f"{sum(hidden.values())} more can be fixed with --unsafe-fixes ({listed}); "
            "these fixes change behaviour: review the diff"
        )
    if request.diff:
        deferred = last.deferred if last else []
        if deferred:
            lines.append(
                f"{len(deferred)} more fix(es) overlap these and follow once they are applied"
            )
        lines.append("--diff: nothing written")
        return "\n".join(lines) + "\n"
    lines.append(f"remaining: {len(after.findings)} finding(s){_by_rule(counts_after)}")
    lines.append(f"score: {_score(before)} → {_score(after)}")
    return "\n".join(lines) + "\n"


def _by_rule(counts: Counter[str], most: int = 12) -> str:
    if not counts:
        return ""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ", ".join(f"{rule} ×{n}" for rule, n in ranked[:most])
    return f": {shown}" + (", …" if len(ranked) > most else "")


def _score(report: Report) -> str:
    if report.scores.overall is None:
        return "n/a"
    return f"{report.scores.overall} ({report.scores.grade})"


def main(
    request: FixRequest,
    exit_non_zero_on_fix: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """The command: 0 when it ran, 1 with ``exit_non_zero_on_fix`` when it changed (or, with
    --diff, would change) something, 2 on usage errors."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        result = fix(request)
    except (UsageError, config_mod.ConfigError) as exc:
        err.write(f"shipcheck: error: {exc}\n")
        return 2
    if request.diff:
        out.write(result.diff)
        err.write(summary(result, request))
    else:
        out.write(summary(result, request))
    return 1 if exit_non_zero_on_fix and result.changed else 0
