"""Catalogue lint: every rule is complete, consistent and documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from shipcheck.checklist import load_checklist
from shipcheck.detectors import registry
from shipcheck.packs import builtin_rules_dir, load_builtin

from conftest import REPO, rule_fixture_dir

RULES = load_builtin().rules
CHECKLIST = load_checklist()
FAMILY_DIRS = {
    "PY": "python", "DEP": "deps", "DKR": "dockerfile", "CMP": "compose", "KUB": "kubernetes",
    "CI": "workflows", "PRJ": "project", "SEC": "secrets", "CFG": "config", "OPS": "ops",
    "BAN": "bandit",
}  # fmt: skip


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_metadata(rule):
    path = Path(rule.source)
    assert path.name == f"{rule.id}-{rule.name}.yaml", "file is named <ID>-<name>.yaml"
    assert path.parent.name == FAMILY_DIRS[rule.family], "file sits in its family folder"
    assert rule.remediation.endswith("."), "remediation ends with a period"
    assert rule.summary.endswith("."), "summary is a sentence"
    assert rule.example_bad.strip() and rule.example_good.strip()
    assert rule.example_bad != rule.example_good
    assert rule.references
    assert all(re.match(r"^(CWE-\d+|https?://\S+)$", ref) for ref in rule.references), (
        rule.references
    )
    spec = registry.get(rule.detector)
    assert spec is not None and spec.doc, "detector exists and has a docstring"
    placeholders = set(re.findall(r"\{(\w+)\}", rule.message))
    assert placeholders, "the message is specific to the case (it has {fields})"
    assert rule_fixture_dir(rule).is_dir()


def test_every_checklist_item_has_a_rule_or_is_planned():
    covered = {r.checklist for r in RULES}
    planned_file = REPO / "rules" / "planned.yaml"
    planned = yaml.safe_load(planned_file.read_text()) if planned_file.exists() else []
    planned_keys = {entry["key"] for entry in planned or []}
    assert planned_keys <= set(CHECKLIST.items), "planned entries name real checklist keys"
    assert not planned_keys & covered, "an item with a rule is not planned any more"
    missing = sorted(set(CHECKLIST.items) - covered - planned_keys)
    assert not missing, f"checklist items with no rule and no planned entry: {missing}"


def test_ids_and_names_are_unique():
    assert len({r.id for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)


def test_checklist_copy_matches_areas():
    assert set(CHECKLIST.areas) == {i.area for i in CHECKLIST.items.values()}


def test_builtin_rules_dir_in_a_checkout_is_the_top_level_rules_folder():
    assert Path(str(builtin_rules_dir())).resolve() == (REPO / "rules").resolve()


def test_docs_rules_md_is_fresh():
    from shipcheck.ruledocs import reference_markdown

    expected = reference_markdown()
    current = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == expected, (
        "docs/rules.md is stale: python -m shipcheck.ruledocs > docs/rules.md"
    )
