"""Golden tests of every fix: ``tests/fixtures/fixes/<RULE>/<case>/input.<ext>`` is written
into a small project, ``shipcheck fix --select RULE`` runs on it, and the file must then equal
``expected.<ext>`` byte for byte (comments, quoting, indentation, CRLF line endings). The
rule's findings must be gone (or, for cases a fix must leave alone, stay), and planning the
fixes again on the result must change nothing.

``case.toml`` (optional): ``path`` (where the input goes; by default from the rule family
and the extension), ``output`` (the file compared with ``expected``, when the fix creates
another file), ``remaining`` (findings of the rule left afterwards, default 0), ``config``
(the project's ``.shipcheck.toml``), ``git`` (make the project a git repository) and
``[files]`` (other files of the project).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reporting_support import init_repo
from shipcheck.fixes import registry
from shipcheck.fixes.command import FixRequest, fix
from shipcheck.fixes.plan import PlanOptions, plan_fixes

from conftest import FIXTURES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CASES_DIR = FIXTURES / "fixes"
CASES = sorted(p for p in CASES_DIR.glob("*/*") if p.is_dir())
DEFAULT_PATHS = {
    (".dockerfile", ""): "Dockerfile",
    (".py", ""): "app/service.py",
    (".txt", ""): "requirements.txt",
    (".yaml", "CMP"): "compose.yaml",
    (".yaml", "KUB"): "k8s/app.yaml",
    (".yaml", "CI"): ".github/workflows/ci.yml",
    (".dockerignore", ""): ".dockerignore",
    (".gitignore", ""): ".gitignore",
}


def _default_path(rule: str, suffix: str) -> str:
    family = rule.rstrip("0123456789")
    return DEFAULT_PATHS.get((suffix, family)) or DEFAULT_PATHS[(suffix, "")]


def _case(case: Path) -> tuple[str, dict, Path, Path]:
    meta_file = case / "case.toml"
    meta = tomllib.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else {}
    (source,) = case.glob("input.*")
    (expected,) = case.glob("expected.*")
    return case.parent.name, meta, source, expected


def _project(tmp_path: Path, rule: str, meta: dict, source: Path) -> tuple[Path, str]:
    project = tmp_path / "project"
    path = meta.get("path") or _default_path(rule, source.suffix)
    target = project / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())
    for name, text in meta.get("files", {}).items():
        extra = project / name
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_text(text, encoding="utf-8")
    (project / ".shipcheck.toml").write_text(meta.get("config", ""), encoding="utf-8")
    if meta.get("git"):
        init_repo(project)
    return project, path


def test_every_fixer_has_golden_cases():
    covered = {case.parent.name for case in CASES}
    missing = sorted(set(registry.all_fixers()) - covered)
    assert not missing, f"fixers without a golden case in tests/fixtures/fixes: {missing}"


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fix_matches_the_expected_file(case, tmp_path):
    rule, meta, source, expected = _case(case)
    project, path = _project(tmp_path, rule, meta, source)
    unsafe = registry.get(rule).safety == registry.UNSAFE
    request = FixRequest(targets=[project], select=[rule], offline=True, jobs=1, unsafe=unsafe)
    result = fix(request)

    assert result.problems == []
    before = [f for f in result.before.findings if f.rule_id == rule]
    assert before, f"the input has no {rule} finding to fix"
    output = project / meta.get("output", path)
    assert output.read_bytes() == expected.read_bytes(), output.read_text(encoding="utf-8")
    after = [f for f in result.after.findings if f.rule_id == rule]
    assert len(after) == meta.get("remaining", 0), [f.message for f in after]
    again = plan_fixes(
        result.final.report, result.final.project, PlanOptions(unsafe=unsafe), result.final.digests
    )
    assert again.changes == {}, "a second run would change the file again"
