"""Fixture annotations: ``# expect: ID``, ``# ok: ID``, ``# expect-file: ID``, ``# ok-file: ID``,
``# expect-project: ID``, ``# ok-project: ID``, ``# todo-expect: ID``, ``# todo-ok: ID`` (see
tests/fixtures/README.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ANNOTATION = re.compile(
    r"(?:#|//|<!--)\s*(?P<verb>expect-project|ok-project|expect-file|ok-file|todo-expect|todo-ok"
    r"|expect|ok):\s*"
    r"(?P<ids>[A-Z]{2,5}[0-9]{3}(?:\s*,\s*[A-Z]{2,5}[0-9]{3})*)"
)


@dataclass
class Annotations:
    """Where one rule must and must not fire in a fixture directory."""

    expect: set[tuple[str, int]] = field(default_factory=set)
    ok: set[tuple[str, int]] = field(default_factory=set)
    expect_file: set[str] = field(default_factory=set)
    ok_file: set[str] = field(default_factory=set)
    todo: set[tuple[str, int]] = field(default_factory=set)
    # Project-level findings (no line): expected, or asserted absent, for the whole project.
    expect_project: bool = False
    ok_project: bool = False


def _target_line(lines: list[str], index: int) -> int:
    """An annotation alone on its line points at the next line that is not an annotation."""
    for later in range(index + 1, len(lines)):
        stripped = lines[later].strip()
        if stripped and not (ANNOTATION.search(stripped) and stripped[0] in "#/<"):
            return later + 1
    return index + 1


def collect(directory: Path, rule_id: str) -> Annotations:
    """Annotations for ``rule_id`` in every text file below ``directory``."""
    found = Annotations()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (UnicodeDecodeError, OSError):
            continue
        rel = path.relative_to(directory).as_posix()
        for index, text in enumerate(lines):
            for match in ANNOTATION.finditer(text):
                ids = {i.strip() for i in match.group("ids").split(",")}
                if rule_id not in ids:
                    continue
                own_line = text.strip().startswith(("#", "//", "<!--"))
                line = _target_line(lines, index) if own_line else index + 1
                verb = match.group("verb")
                if verb == "expect":
                    found.expect.add((rel, line))
                elif verb == "ok":
                    found.ok.add((rel, line))
                elif verb == "expect-file":
                    found.expect_file.add(rel)
                elif verb == "ok-file":
                    found.ok_file.add(rel)
                elif verb == "expect-project":
                    found.expect_project = True
                elif verb == "ok-project":
                    found.ok_project = True
                else:
                    found.todo.add((rel, line))
    return found
