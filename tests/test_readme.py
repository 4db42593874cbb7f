"""README.md stays true: its configuration example is valid, its commands exist."""

from __future__ import annotations

import re

from shipcheck import banditpack
from shipcheck.catalogue import Catalogue
from shipcheck.checklist import load_checklist
from shipcheck.config import Config, _apply
from shipcheck.packs import load_builtin
from shipcheck.parsers.tomltext import load_toml
from shipcheck.selection import select_rules

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_readme_opens_with_the_two_newcomer_commands():
    first, second = _blocks("sh")[:2]
    assert "pip install ." in first and "shipcheck scan examples/shop" in first
    assert "pip install -e '.[test]'" in second and second.strip().endswith("pytest")


def test_ci_runs_exactly_the_readme_test_command():
    test_command = _blocks("sh")[1].strip()
    assert test_command in (REPO / ".ci" / "run").read_text()


def test_configuration_example_is_valid():
    example = next(b for b in _blocks("toml") if "[tool.shipcheck]" in b)
    table = load_toml(example, "README")["tool"]["shipcheck"]
    config = Config()
    _apply(config, table, "README")
    catalogue = Catalogue({r.id: r for r in load_builtin().rules}, load_checklist())
    assert select_rules(catalogue, config), "every selector in the example names a rule"


def test_every_hook_id_is_documented():
    hooks = re.findall(r"^- id: (\S+)", (REPO / ".pre-commit-hooks.yaml").read_text(), re.M)
    assert hooks
    for hook in hooks:
        assert f"id: {hook}" in README


def test_rule_counts_in_readme_match_the_catalogue():
    # The headline counts the rules every scan can run; the optional bandit pack (BAN rules,
    # `shipcheck[bandit]`) is counted in its own sentence.
    catalogue = load_builtin().rules
    rules = [r for r in catalogue if r.detector != banditpack.DETECTOR]
    optional = len(catalogue) - len(rules)
    assert int(re.search(r"^(\d+) rules, each mapped", README, re.M).group(1)) == len(rules)
    assert int(re.search(r"(\d+) optional `BAN` rules", README).group(1)) == optional
    areas = load_checklist().areas
    per_area: dict[str, int] = {}
    for rule in rules:
        per_area[areas[rule.area]] = per_area.get(areas[rule.area], 0) + 1
    table = re.findall(r"^\| ([A-Z][^|(]+?) \((\d+)\) \|", README, re.M)
    assert len(table) == len(per_area)
    for title, count in table:
        # README rows shorten the checklist's area titles ("Observability" for
        # "Observability and operations"), so match on the start.
        full = next(t for t in per_area if t.startswith(title.split(" and ")[0]))
        assert per_area[full] == int(count), (title, count)
