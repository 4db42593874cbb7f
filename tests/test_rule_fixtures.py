"""Every catalogue rule against its annotated fixtures, both ways.

``tests/fixtures/rules/<ID>/`` is a small repository scanned with only that rule selected
(the BAN family shares ``tests/fixtures/rules/BAN/``, see conftest.SHARED_FIXTURES).
Project rules need several projects: each ``project-*`` subdirectory is scanned on its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shipcheck.packs import load_builtin

from annotations import Annotations, collect
from conftest import rule_fixture_dir, run_scan

RULES = load_builtin().rules


def _projects(directory: Path) -> list[Path]:
    nested = sorted(p for p in directory.iterdir() if p.is_dir() and p.name.startswith("project-"))
    return nested or [directory]


def _check(rule_id: str, root: Path, notes: Annotations) -> None:
    report = run_scan(root, select=[rule_id], fail_on="never")
    ours = [f for f in report.findings if f.rule_id == rule_id]
    project_level = [f for f in ours if f.project_level]
    if notes.expect_project:
        assert project_level, f"{rule_id} in {root.name}: no project-level finding"
    else:
        assert not project_level, f"{rule_id} in {root.name}: unexpected {project_level}"
    found = {(f.path, f.line) for f in ours if not f.project_level}
    found -= notes.todo
    found_files = {path for path, _ in found}
    missing = sorted(notes.expect - found)
    unexpected = sorted((p, n) for p, n in found - notes.expect if p not in notes.expect_file)
    assert not missing, f"{rule_id} in {root.name}: expected findings not reported: {missing}"
    assert not unexpected, f"{rule_id} in {root.name}: findings without `# expect`: {unexpected}"
    assert not notes.ok & found, f"{rule_id}: fired on `# ok` lines: {sorted(notes.ok & found)}"
    assert not notes.ok_file & found_files, f"{rule_id}: fired in `# ok-file` files"
    assert notes.expect_file <= found_files, (
        f"{rule_id}: no finding anchored in {sorted(notes.expect_file - found_files)}"
    )
    crashes = [d for d in report.diagnostics if "failed" in d.reason or "internal" in d.reason]
    assert not crashes, f"{rule_id}: detector errors: {crashes}"


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_matches_annotations(rule):
    directory = rule_fixture_dir(rule)
    assert directory.is_dir(), f"rule {rule.id} has no fixture directory {directory}"
    positives = negatives = 0
    for root in _projects(directory):
        notes = collect(root, rule.id)
        positives += len(notes.expect) + len(notes.expect_file) + notes.expect_project
        negatives += len(notes.ok) + len(notes.ok_file) + notes.ok_project
        _check(rule.id, root, notes)
    assert positives, f"{rule.id}: no `# expect: {rule.id}` annotation (a positive case)"
    assert negatives, f"{rule.id}: no `# ok: {rule.id}` annotation (a negative case)"
