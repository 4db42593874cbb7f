"""SARIF ``fixes`` for a report's findings: the safe fixes that edit existing files, one
finding at a time, as ``artifactChanges`` with 1-based line/column regions (an empty
``deletedRegion`` inserts). Fixes that need the scan's project model (build contexts, lock
files) or create files are left out: a SARIF consumer applies edits to files it has."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shipcheck.fixes import registry
from shipcheck.fixes.context import FixContext, SourceFile
from shipcheck.fixes.edits import Edit, LineIndex, apply_edits
from shipcheck.fixes.plan import PlanOptions, fixers_for, verify
from shipcheck.models.findings import Finding
from shipcheck.project import ProjectModel
from shipcheck.report import Report


def sarif_fixes(report: Report, uri: Callable[[str], str]) -> dict[str, list[dict[str, Any]]]:
    """Finding fingerprint → SARIF ``fixes`` for the safe fixes of ``report``."""
    fixers, _ = fixers_for(report, PlanOptions())
    candidates = [
        f
        for f in report.findings
        if (fixer := fixers.get(f.rule_id)) is not None
        and not fixer.needs_project
        and not f.project_level  # SARIF fixes edit regions of files
    ]
    if not candidates:
        return {}
    project = ProjectModel(root=report.root, files={}, complete=False)
    rules = {r.id: r for r in report.rules}
    sources: dict[str, SourceFile] = {}
    result: dict[str, list[dict[str, Any]]] = {}
    for finding in candidates:
        fixer = fixers[finding.rule_id]
        source = sources.get(finding.path)
        if source is None:
            source = sources[finding.path] = SourceFile.read(report.root, finding.path)
        if not source.exists:
            continue
        ctx = FixContext(source, report.root, None, rules, project=project)
        try:
            edits = [e for e in fixer.func(ctx, [finding]) if isinstance(e, Edit)]
        except Exception:  # a fixer bug costs this result its fix, not the report
            continue
        if not edits or any(e.create or e.path != finding.path for e in edits):
            continue
        applied = apply_edits(source.text, edits)
        if applied.deferred or verify(finding.path, None, source.text, applied.text):
            continue
        result[finding.fingerprint] = [_fix(fixer, finding, source.text, applied.applied, uri)]
    return result


def _fix(
    fixer: registry.Fixer,
    finding: Finding,
    text: str,
    edits: list[Edit],
    uri: Callable[[str], str],
) -> dict[str, Any]:
    lines = LineIndex(text, "cr-lf")  # SARIF lines end at CR, LF or CRLF
    replacements = []
    for edit in sorted(edits, key=lambda e: e.start):
        start, end, inserted = edit.start, edit.end, edit.replacement
        if start == end == len(text) and lines.position(start)[0] > lines.count:
            # Past the final line break: insert at the end of the last line instead, so
            # the region stays inside the file.
            newline = text[lines.line_end(lines.count) :]
            if newline and inserted.endswith(newline):
                start = end = lines.line_end(lines.count)
                inserted = newline + inserted[: -len(newline)]
        start_line, start_column = lines.position(start)
        end_line, end_column = lines.position(end)
        replacement: dict[str, Any] = {
            "deletedRegion": {
                "startLine": start_line,
                "startColumn": start_column,
                "endLine": end_line,
                "endColumn": end_column,
            }
        }
        if inserted:
            replacement["insertedContent"] = {"text": inserted}
        replacements.append(replacement)
    return {
        "description": {"text": f"shipcheck fix: {fixer.description}"},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": uri(finding.path), "uriBaseId": "%SRCROOT%"},
                "replacements": replacements,
            }
        ],
    }
