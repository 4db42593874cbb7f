"""``shipcheck rules`` as a table: wrapped at the terminal's width, plain rows in a pipe.

Ids, severities, names and checklist keys are never cut: in a terminal the summary wraps
under its rule with a hanging indent; in a pipe each rule is one line of aligned columns,
for grep and awk.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from shipcheck.catalogue import Rule
from shipcheck.reporters.terminal import SEVERITY_STYLE

COLUMNS = ("id", "severity", "name", "checklist", "fix", "summary")


def _fix(rule: Rule) -> str:
    """The rule's automatic fix (`shipcheck fix`): safe, unsafe or -."""
    return "-" if rule.fix == "none" else rule.fix


def plain_rows(rules: Sequence[Rule]) -> str:
    """One line per rule: id, severity, name, checklist key, fix, summary."""
    rows = [COLUMNS] + [
        (r.id, r.severity.value, r.name, r.checklist, _fix(r), r.summary) for r in rules
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    lines = [
        "  ".join([*(c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)), row[-1]])
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def terminal_rows(rules: Sequence[Rule], color: bool, width: int) -> str:
    """Id and severity in fixed columns; name, checklist key and the wrapped summary beside."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=width,
        highlight=False,
        emoji=False,
    )
    console.print(Text(f"{len(rules)} rules", style="bold"))
    grid = Table.grid(padding=(0, 2, 0, 0))
    grid.add_column(no_wrap=True, width=max(len(r.id) for r in rules) if rules else 6)
    grid.add_column(no_wrap=True, width=8)
    grid.add_column(ratio=1)
    for rule in rules:
        head = Text(rule.name, style="bold")
        head.append(f"  {rule.checklist}", style="dim")
        if rule.fix != "none":
            head.append(f"  fix: {rule.fix}", style="green")
        grid.add_row(
            Text(rule.id, style="magenta"),
            Text(rule.severity.value, style=SEVERITY_STYLE[rule.severity]),
            Group(head, Text(rule.summary)),
        )
    console.print(grid)
    text = buffer.getvalue()
    return text if color else "\n".join(line.rstrip() for line in text.split("\n"))
