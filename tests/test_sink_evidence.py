"""The evidence ladder of the sink rules: outside data → high, a value of unknown origin →
low (worded as a review), constants → nothing.

Fixture lines marked ``# evidence: high`` / ``# evidence: low`` (above their ``# expect:``)
must be reported at that severity; the wording of low findings must ask for a review.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import FIXTURES, run_scan

_MARK = re.compile(r"#\s*evidence:\s*(high|low)\b")
_ANNOTATION = re.compile(r"^\s*#\s*(expect|ok|todo-expect|todo-ok|evidence)\b")
RULES = ("PY001", "PY004", "PY005", "PY006", "PY007", "PY008")


def _marks(root: Path) -> dict[tuple[str, int], str]:
    found: dict[tuple[str, int], str] = {}
    for path in sorted(root.rglob("*.py")):
        pending: str | None = None
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            mark = _MARK.search(line)
            if mark:
                pending = mark.group(1)
                continue
            if pending and not _ANNOTATION.match(line):
                found[(path.relative_to(root).as_posix(), number)] = pending
                pending = None
    return found


@pytest.mark.parametrize("rule_id", RULES)
def test_severity_follows_the_evidence(rule_id: str) -> None:
    root = FIXTURES / "rules" / rule_id
    marks = _marks(root)
    assert {"high", "low"} <= set(marks.values()), f"{rule_id}: fixtures lack a level"
    report = run_scan(root, select=[rule_id], fail_on="never")
    by_line = {(f.path, f.line): f for f in report.findings if f.rule_id == rule_id}
    for (path, line), level in sorted(marks.items()):
        finding = by_line.get((path, line))
        assert finding is not None, f"{rule_id}: nothing reported at {path}:{line}"
        assert finding.severity.value == level, f"{path}:{line}: {finding.message}"
        if level == "low":
            assert "review: make sure" in finding.message, finding.message
        else:
            assert "review" not in finding.message, finding.message


def test_request_data_passed_to_a_helper_in_another_module_is_high() -> None:
    # examples/shop: routes.py passes `request.args` to `db.find_products_by_name(name)`
    # (`from . import db`), whose f-string SQL is graded by that call.
    root = Path(__file__).resolve().parents[1] / "examples" / "shop"
    report = run_scan(root, select=["PY001"], fail_on="never")
    sql = [f for f in report.findings if f.rule_id == "PY001"]
    assert [(f.path, f.severity.value) for f in sql] == [("shop/db.py", "high")]
    assert "passed to `find_products_by_name()` at shop/routes.py:22" in sql[0].message
