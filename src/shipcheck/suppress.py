"""Inline suppressions, one syntax for every file kind::

    # shipcheck: ignore[DKR001] runs as root on purpose: the entrypoint drops privileges
    # shipcheck: ignore[SEC001,DEP001] reason until=2027-03-31
    # shipcheck: ignore-file[KUB003] generated manifests

A line comment covers its own line; a comment alone on its line also covers the next line.
``ignore-file`` covers the whole file. Past ``until`` a suppression stops working and says so.
Bandit's ``# nosec`` comments suppress BAN rules (see :mod:`shipcheck.nosec`).
"""

from __future__ import annotations

import datetime as dt
import io
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, replace

from shipcheck import lazyre
from shipcheck.banditpack import FAMILY as BANDIT_FAMILY
from shipcheck.models.findings import Diagnostic, Finding
from shipcheck.models.kinds import Kind
from shipcheck.nosec import nosec_comments

_SUPPRESSION = lazyre.compile(
    r"#\s*shipcheck:\s*(?P<scope>ignore-file|file-ignore|ignore)\s*\[(?P<codes>[^\]]*)\](?P<rest>.*)$"
)
_UNTIL = lazyre.compile(r"\buntil\s*=\s*(\S+)")


@dataclass(frozen=True)
class Suppression:
    """One suppression comment."""

    path: str
    line: int
    codes: tuple[str, ...]  # rule ids or names as written
    reason: str
    until: str | None
    file_level: bool
    covers: tuple[int, ...]  # lines it applies to (empty for file-level)
    # A bandit ``# nosec``: it covers BAN rules only (all of them when it names none) and is
    # never reported unused (it may name bandit tests shipcheck leaves out).
    nosec: bool = False


def parse_suppressions(path: str, lines: list[str]) -> list[Suppression]:
    """Every suppression comment in a file's lines."""
    found: list[Suppression] = []
    for number, text in enumerate(lines, start=1):
        if "shipcheck:" not in text:
            continue
        match = _SUPPRESSION.search(text)
        if not match:
            continue
        rest = match.group("rest")
        until_match = _UNTIL.search(rest)
        reason = _UNTIL.sub("", rest).strip(" -:—")
        codes = tuple(c.strip() for c in match.group("codes").split(",") if c.strip())
        file_level = match.group("scope") != "ignore"
        own_line = not text[: match.start()].strip()
        covers: tuple[int, ...] = ()
        if not file_level:
            covers = (number, _next_code_line(lines, number)) if own_line else (number,)
        found.append(
            Suppression(
                path=path,
                line=number,
                codes=codes,
                reason=reason,
                until=until_match.group(1) if until_match else None,
                file_level=file_level,
                covers=covers,
            )
        )
    return found


# Prose formats show suppression syntax as examples; they cannot carry real suppressions.
_PROSE_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".html", ".htm", ".adoc")


def file_suppressions(path: str, text: str, lines: list[str], kind: Kind) -> list[Suppression]:
    """Suppressions of one file: real comments only (not Python strings, not prose files)."""
    is_python = kind is Kind.PYTHON
    found: list[Suppression] = []
    if is_python and "nosec" in text:
        found = [
            Suppression(path, n.line, n.codes, n.reason, None, False, n.covers, nosec=True)
            for n in nosec_comments(text)
        ]
    if "shipcheck:" not in text:
        return found
    if kind is Kind.TEXT and path.lower().endswith(_PROSE_SUFFIXES):
        return []
    own = parse_suppressions(path, lines)
    if is_python and own:
        comments = _python_comment_lines(text)
        if comments is not None:
            own = [s for s in own if s.line in comments]
    return own + found


def _python_comment_lines(text: str) -> set[int] | None:
    """Lines holding a ``#`` comment, by tokenizing (a ``#`` inside a string is not one)."""
    lines: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT and "shipcheck:" in token.string:
                lines.add(token.start[0])
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return lines


def _next_code_line(lines: list[str], number: int) -> int:
    """The next line that is not blank and not only a comment (suppressions may stack)."""
    for index in range(number, len(lines)):
        stripped = lines[index].strip()
        if stripped and not stripped.startswith("#"):
            return index + 1
    return number + 1


@dataclass
class SuppressionResult:
    """Findings split into active and suppressed, plus what the suppressions said."""

    active: list[Finding]
    suppressed: list[Finding]
    unused: list[Suppression]
    diagnostics: list[Diagnostic]


def apply_suppressions(
    findings: Iterable[Finding],
    suppressions: Iterable[Suppression],
    *,
    known: dict[str, str],
    today: dt.date,
    require_reason: bool,
) -> SuppressionResult:
    """Suppress findings covered by valid suppressions.

    ``known`` maps every enabled rule's id and name to its id; suppressions naming rules
    that did not run are neither used nor reported unused.
    """
    valid: list[Suppression] = []
    diagnostics: list[Diagnostic] = []
    for item in suppressions:
        problem = _problem(item, today, require_reason)
        if problem:
            diagnostics.append(Diagnostic(item.path, problem, kind="suppression", line=item.line))
        else:
            valid.append(item)
    by_path: dict[str, list[Suppression]] = {}
    for item in valid:
        by_path.setdefault(item.path, []).append(item)
    used: set[tuple[str, int]] = set()
    active: list[Finding] = []
    suppressed: list[Finding] = []
    for finding in findings:
        match = next((s for s in by_path.get(finding.path, []) if _covers(s, finding, known)), None)
        if match is None:
            active.append(finding)
            continue
        used.add((match.path, match.line))
        scope = "ignore-file" if match.file_level else "nosec" if match.nosec else "inline"
        note = f"{scope}: {match.reason}" if match.reason else scope
        suppressed.append(replace(finding, suppressed=note))
    unused = [
        s
        for s in valid
        if (s.path, s.line) not in used and not s.nosec and any(_resolve(c, known) for c in s.codes)
    ]
    return SuppressionResult(active, suppressed, unused, diagnostics)


def _problem(item: Suppression, today: dt.date, require_reason: bool) -> str | None:
    if not item.codes and not item.nosec:
        return "suppression names no rule: write ignore[RULE-ID]"
    if item.until is not None:
        try:
            until = dt.date.fromisoformat(item.until)
        except ValueError:
            return f"suppression has an invalid until= date {item.until!r} (use YYYY-MM-DD)"
        if until < today:
            return f"suppression of {', '.join(item.codes)} expired on {item.until}; not applied"
    if require_reason and not item.reason:
        what = ", ".join(item.codes) or "every BAN rule (# nosec)"
        return f"suppression of {what} has no reason (a reason is required)"
    return None


def _resolve(code: str, known: dict[str, str]) -> str | None:
    return known.get(code.upper()) or known.get(code)


def _covers(item: Suppression, finding: Finding, known: dict[str, str]) -> bool:
    if item.nosec:
        if finding.rule_id.rstrip("0123456789") != BANDIT_FAMILY:
            return False
        named = not item.codes or any(_resolve(c, known) == finding.rule_id for c in item.codes)
        return named and finding.line in item.covers
    if not any(_resolve(code, known) == finding.rule_id for code in item.codes):
        return False
    return item.file_level or finding.line in item.covers
