"""``--format markdown``: a pull-request comment or ``$GITHUB_STEP_SUMMARY`` report.

Score and grade first, then the per-area table, the failing checklist items and the most
severe findings; the full list and the skipped files are folded in ``<details>``. GitHub
caps a comment at 65,536 characters, so the folded list stops at :attr:`budget` and says
how many findings it left out.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from shipcheck.fixes import fix_command, fixable_sentence
from shipcheck.models.findings import Finding
from shipcheck.report import Report
from shipcheck.reporters.base import Reporter
from shipcheck.reporters.locations import RepoPaths
from shipcheck.scoring import FAIL, PASS

TOP_FINDINGS = 10
SEVERITY_EMOJI = {"critical": "🟥", "high": "🔴", "medium": "🟠", "low": "🟡", "info": "⚪"}


def blob_base(env: Mapping[str, str]) -> str | None:
    """Where file links point in CI: the commit's file view on GitHub or GitLab."""
    server, repo, sha = (env.get(f"GITHUB_{k}") for k in ("SERVER_URL", "REPOSITORY", "SHA"))
    if server and repo and sha:
        return f"{server.rstrip('/')}/{repo}/blob/{sha}"
    project, commit = env.get("CI_PROJECT_URL"), env.get("CI_COMMIT_SHA")
    if project and commit:
        return f"{project.rstrip('/')}/-/blob/{commit}"
    return None


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no pipes or line breaks, and no raw HTML
    outside code spans (inside them GitHub shows ``<`` literally, so it is left alone)."""
    text = text.replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unbalanced backtick: treat it all as text
        return _escape_html(text.replace("`", "'"))
    return "`".join(part if odd else _escape_html(part) for odd, part in _alternate(parts))


def _alternate(parts: list[str]) -> list[tuple[bool, str]]:
    return [(index % 2 == 1, part) for index, part in enumerate(parts)]


def code(text: str) -> str:
    """``text`` as an inline code span in a table cell."""
    return "`" + text.replace("`", "'").replace("|", "\\|").replace("\n", " ") + "`"


class MarkdownReporter(Reporter):
    """GitHub-flavoured Markdown."""

    name = "markdown"
    budget = 60_000  # characters, under GitHub's comment limit with room for a header

    def __init__(self, link_base: str | None = None, env: Mapping[str, str] | None = None) -> None:
        self.link_base = link_base if link_base is not None else blob_base(env or os.environ)

    def render(self, report: Report) -> str:
        """The whole comment."""
        paths = RepoPaths(report.root)
        out = self._header(report)
        if report.files_scanned == 0 and not report.findings:
            out += self._diagnostics(report)
            return "\n".join(out).rstrip() + "\n"
        if not report.partial:
            out += self._areas(report)
            out += self._failing_items(report)
            out += self._not_checked(report)
        out += self._top_findings(report, paths)
        out += self._details(report, paths, self.budget - sum(len(p) for p in out))
        out += self._diagnostics(report)
        return "\n".join(out).rstrip() + "\n"

    def _link(self, finding: Finding, paths: RepoPaths) -> str:
        if finding.project_level:
            return code(paths.path(finding.path))
        where = f"{paths.path(finding.path)}:{finding.line}"
        if self.link_base and not finding.path.startswith("<"):
            return f"[{code(where)}]({self.link_base}/{paths.uri(finding.path)}#L{finding.line})"
        return code(where)

    def _header(self, report: Report) -> list[str]:
        scores = report.scores
        gate = report.gate
        # The heading's mark follows the gate, the verdict the job's exit code reflects.
        mark = "✅" if gate.passed else "❌"
        if report.files_scanned == 0 and not report.findings:
            return [
                f"## {mark} shipcheck: nothing to check",
                "",
                f"Nothing shipcheck reads was found in {code(report.root.name or '.')}.",
            ]
        if report.partial:
            title = f"## {mark} shipcheck: {len(report.findings)} finding(s) in the files given"
        elif scores.overall is None:
            title = f"## {mark} shipcheck: nothing to score"
        else:
            title = f"## {mark} shipcheck: {scores.overall}/100 · grade {scores.grade or 'F'}"
        verdict = (
            f"✅ **Gate passed** (fail-on {gate.fail_on})"
            if gate.passed
            else f"❌ **Gate failed:** {cell('; '.join(gate.reasons))}"
        )
        counts = report.counts()
        summary = ", ".join(f"{n} {sev}" for sev, n in counts.items() if n) or "none"
        lines = [
            title,
            "",
            verdict,
            "",
            *(
                f"> ⚠️ **{cell(w.path + ': ' if w.path != '.' else '')}{cell(w.reason)}**\n"
                for w in report.warnings
            ),
            f"{len(report.findings)} open finding(s): {summary} · {len(report.suppressed)} "
            f"suppressed · {report.files_scanned} files scanned",
        ]
        fixable = fixable_sentence(report)
        if fixable:
            lines += ["", f"🔧 {fixable}"]
        scope = []
        if report.baselined is not None:
            scope.append(f"{report.baselined} finding(s) accepted by the baseline are not shown")
        if report.outside_diff is not None:
            ref = f" {code(report.diff_ref)}" if report.diff_ref else ""
            scope.append(
                f"only lines changed since{ref} are judged; "
                f"{report.outside_diff} finding(s) elsewhere are not shown"
            )
        if report.partial:
            scope.append("a partial scan of the files given: findings and the gate only, no scores")
        if report.merged:
            scope.append(f"{report.merged} bandit finding(s) merged into shipcheck's own")
        if scope:
            note = "; ".join(scope)
            lines += ["", f"> {note[0].upper()}{note[1:]}."]
        return lines

    def _areas(self, report: Report) -> list[str]:
        unchecked = any(a.not_checked for a in report.scores.areas.values())
        head = "| Area | Score | Grade | Pass | Fail | N/A |"
        rule = "| --- | ---: | :---: | ---: | ---: | ---: |"
        if unchecked:
            head, rule = head + " Not checked |", rule + " ---: |"
        lines = ["", head, rule]
        for area in report.scores.areas.values():
            score = "–" if area.score is None else str(area.score)
            row = (
                f"| {cell(area.title)} | {score} | {area.grade or '–'} | {area.passed} | "
                f"{area.failed} | {area.not_applicable} |"
            )
            if unchecked:
                row += f" {area.not_checked or ''} |"
            lines.append(row)
        return lines

    def _not_checked(self, report: Report) -> list[str]:
        items = report.scores.not_checked()
        if not items:
            return []
        lines = ["", "### Not checked", ""]
        for item in items:
            lines.append(f"- ⚠️ `{item.key}` — {cell(item.title)}: {cell(item.reason)}")
        return lines

    def _failing_items(self, report: Report) -> list[str]:
        failing = [i for i in report.scores.items.values() if i.status == FAIL]
        if not failing:
            passing = sum(i.status == PASS for i in report.scores.items.values())
            return ["", f"All {passing} applicable checklist items pass."]
        lines = ["", "### Failing checklist items", ""]
        for item in failing:
            worst = item.worst.value if item.worst else ""
            lines.append(
                f"- ❌ `{item.key}` — {cell(item.title)} "
                f"({item.findings} finding(s), worst {worst})"
            )
        return lines

    def _top_findings(self, report: Report, paths: RepoPaths) -> list[str]:
        if not report.findings:
            return []
        top = sorted(report.findings, key=lambda f: (-f.severity.rank, f.sort_key()))[:TOP_FINDINGS]
        lines = [
            "",
            f"### Top findings ({len(top)} of {len(report.findings)})",
            "",
            "| Severity | Rule | Location | Finding |",
            "| --- | --- | --- | --- |",
        ]
        for f in top:
            lines.append(
                f"| {SEVERITY_EMOJI[f.severity.value]} {f.severity.value} | {f.rule_id} "
                f"{cell(f.rule_name)} | {self._link(f, paths)} | {cell(f.message)} |"
            )
        return lines

    def _details(self, report: Report, paths: RepoPaths, budget: int) -> list[str]:
        if not report.findings:
            return []
        body: list[str] = []
        used = 0
        shown = 0
        for f in sorted(report.findings, key=lambda f: (-f.severity.rank, f.sort_key())):
            command = fix_command(report, f)
            automatic = f" (run `{command}`)" if command else ""
            entry = (
                f"- **{f.severity.value}** {f.rule_id} {cell(f.rule_name)} at "
                f"{self._link(f, paths)}: {cell(f.message)}<br>Fix: {cell(f.remediation)}"
                f"{automatic}"
            )
            if used + len(entry) > budget - 500:
                break
            body.append(entry)
            used += len(entry) + 1
            shown += 1
        if shown < len(report.findings):
            body.append(
                f"- … and {len(report.findings) - shown} more (see the SARIF, JSON or HTML report)"
            )
        return [
            "",
            f"<details><summary>All {len(report.findings)} findings, with fixes</summary>",
            "",
            *body,
            "",
            "</details>",
        ]

    def _diagnostics(self, report: Report) -> list[str]:
        if not report.diagnostics:
            return []
        lines = [
            "",
            f"<details><summary>{len(report.diagnostics)} file(s) skipped or partly read</summary>",
            "",
        ]
        for d in report.diagnostics[:200]:
            where = f"{d.path}:{d.line}" if d.line else d.path
            lines.append(f"- {code(where)}: {cell(d.reason)}")
        if len(report.diagnostics) > 200:
            lines.append(f"- … and {len(report.diagnostics) - 200} more")
        lines += ["", "</details>"]
        return lines
