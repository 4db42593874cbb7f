"""Markdown: the pull-request comment and job summary."""

from __future__ import annotations

import dataclasses

from reporting_support import DOCKERFILE_ROOT, copy_example, write
from shipcheck.reporters.markdown import MarkdownReporter, blob_base, cell

from conftest import run_scan


def test_comment_has_score_areas_failing_items_and_linked_top_findings(tmp_path):
    project = copy_example(tmp_path / "shop")
    report = run_scan(project)
    base = "https://github.com/acme/shop/blob/0123abc"
    text = MarkdownReporter(link_base=base).render(report)
    title = text.splitlines()[0]
    assert title.startswith("## ")
    assert title.endswith(f"shipcheck: {report.scores.overall}/100 · grade {report.scores.grade}")
    assert "❌ **Gate failed:**" in text
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert table[0] == "| Area | Score | Grade | Pass | Fail | N/A |"
    for area in report.scores.areas.values():
        assert any(row.startswith(f"| {area.title} |") for row in table)
    for item in report.scores.items.values():
        assert (f"`{item.key}`" in text) == (item.status == "fail")
    sql = next(f for f in report.findings if f.rule_id == "PY001")
    assert f"[`{sql.path}:{sql.line}`]({base}/{sql.path}#L{sql.line})" in text
    assert "<details><summary>All" in text and text.rstrip().endswith("</details>")


def test_links_follow_the_ci_environment():
    github = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "a/b",
        "GITHUB_SHA": "f00",
    }
    assert blob_base(github) == "https://github.com/a/b/blob/f00"
    gitlab = {"CI_PROJECT_URL": "https://gitlab.com/a/b", "CI_COMMIT_SHA": "f00"}
    assert blob_base(gitlab) == "https://gitlab.com/a/b/-/blob/f00"
    assert blob_base({}) is None


def test_table_cells_cannot_break_the_table_or_inject_html():
    assert cell("a | b\nc") == "a \\| b c"
    assert cell("<details> `<x>`") == "&lt;details&gt; `<x>`"
    assert cell("odd ` tick <b>") == "odd ' tick &lt;b&gt;"


def test_long_reports_fold_within_the_comment_budget(tmp_path):
    lines = "".join(f"package{n}>=1.{n}\n" for n in range(400))
    write(tmp_path, {"requirements.txt": lines})
    report = run_scan(tmp_path, select=["DEP001"])
    reporter = MarkdownReporter(link_base="")
    reporter.budget = 8_000
    text = reporter.render(report)
    assert len(text) < 9_000
    assert "… and " in text and "more (see the SARIF, JSON or HTML report)" in text


def test_baseline_and_diff_notes(tmp_path):
    write(tmp_path, {"Dockerfile": DOCKERFILE_ROOT})
    report = run_scan(tmp_path, select=["DKR001"])
    narrowed = dataclasses.replace(report, baselined=3, outside_diff=2, diff_ref="origin/main")
    text = MarkdownReporter(link_base="").render(narrowed)
    assert "> 3 finding(s) accepted by the baseline are not shown" in text
    assert "only lines changed since `origin/main` are judged; 2 finding(s) elsewhere" in text


def test_clean_project(tmp_path):
    write(tmp_path, {"requirements.txt": "flask==3.0.3\n"})
    text = MarkdownReporter(link_base="").render(run_scan(tmp_path, select=["DEP001"]))
    assert "✅ **Gate passed**" in text
    assert "applicable checklist items pass" in text
    assert "<details>" not in text
