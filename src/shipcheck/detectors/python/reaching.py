"""Which bindings of a local name can reach one use of it.

The evidence ladder reads every binding of a name in a function; a variable reused for two
purposes (``values = [":" + p …]`` for one statement, ``values = {**record}`` for the next)
would lend the second's origin to the first. This is the cheap half of reaching definitions:
an unconditional ``name = …`` in a block that holds the use, earlier than it, runs on every
path to the use, so bindings before it are dead, and so are bindings after the use unless a
loop around the use (inside that block) brings them back. Without such an assignment every
binding counts, as before.
"""

from __future__ import annotations

import ast

from shipcheck.detectors.python.index import PyIndex

_BLOCKS = ("body", "orelse", "finalbody")
_LOOPS = (ast.For, ast.AsyncFor, ast.While)


def reaching(index: PyIndex, values: list[ast.AST], use: ast.Name) -> list[ast.AST]:
    """The entries of ``values`` (as :func:`astutil.assignments` records them) that can
    reach ``use``."""
    comprehensions = [v for v in values if isinstance(v, ast.comprehension)]
    if comprehensions:
        # A comprehension's variable exists only inside it (Python 3).
        inside = [c for c in comprehensions if _in_comprehension(index, c, use)]
        if inside:
            return inside[-1:]
        values = [v for v in values if not isinstance(v, ast.comprehension)]
    chain = _blocks_around(index, use)
    dominator: tuple[int, ast.AST, int] | None = None  # (depth in chain, value, line)
    for value in values:
        statement = index.parent(value)
        if not isinstance(statement, ast.Assign) or statement.value is not value:
            continue
        for depth, (block, position) in enumerate(chain):
            if any(s is statement for s in block[:position]):
                if dominator is None or statement.lineno > dominator[2]:
                    dominator = (depth, value, statement.lineno)
                break
    if dominator is None:
        return values
    depth, kept, start = dominator
    # Loops around the use that do not hold the dominating assignment.
    loops = [
        node
        for node in index.ancestors(use)
        if isinstance(node, _LOOPS) and start < node.lineno and not _holds(node, start)
    ]
    found = [kept]
    for value in values:
        line = _line(index, value)
        if value is kept or line is None or line <= start:
            continue
        if line < use.lineno or any(_holds(loop, line) for loop in loops):
            found.append(value)
    return found


def _blocks_around(index: PyIndex, use: ast.AST) -> list[tuple[list[ast.stmt], int]]:
    """The statement lists holding ``use``, innermost first, each with the position of the
    statement that holds it."""
    chain: list[tuple[list[ast.stmt], int]] = []
    child: ast.AST = use
    for node in index.ancestors(use):
        if isinstance(child, ast.stmt):
            for field in _BLOCKS:
                block = getattr(node, field, None)
                if isinstance(block, list):
                    position = next((i for i, s in enumerate(block) if s is child), None)
                    if position is not None:
                        chain.append((block, position))
                        break
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.Module):
            break
        child = node
    return chain


def _in_comprehension(index: PyIndex, generator: ast.comprehension, use: ast.AST) -> bool:
    holder = index.parent(generator)
    return holder is not None and index.contains(holder, use)


def _holds(node: ast.AST, line: int) -> bool:
    end = getattr(node, "end_lineno", None) or node.lineno  # type: ignore[attr-defined]
    return bool(node.lineno <= line <= end)  # type: ignore[attr-defined]


def _line(index: PyIndex, value: ast.AST) -> int | None:
    """The line of the statement that makes a binding (None for a parameter: it binds
    before the body runs)."""
    if isinstance(value, ast.arg):
        return None
    if isinstance(value, ast.stmt):
        return value.lineno
    statement = index.parent(value)
    return getattr(statement, "lineno", None) or getattr(value, "lineno", None)
