"""Which bindings of a local name reach a use (detectors/python/reaching.py)."""

from __future__ import annotations

import ast
import textwrap

from shipcheck.detectors.python.astutil import assignments
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.python.reaching import reaching


def _reaching_lines(source: str, name: str, line: int) -> list[int]:
    """Lines of the bindings of ``name`` that reach its read on ``line``."""
    tree = ast.parse(textwrap.dedent(source))
    index = index_of(tree)
    function = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))
    use = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Name) and n.id == name and n.lineno == line
        and isinstance(n.ctx, ast.Load)
    )  # fmt: skip
    found = reaching(index, assignments(function, index)[name], use)
    return sorted(
        getattr(index.parent(v), "lineno", None) or getattr(v, "lineno", 0) for v in found
    )


def test_a_later_reassignment_does_not_reach_an_earlier_read():
    source = """
    def f(record):
        values = [":a"]
        run(values)
        values = {**record}
    """
    assert _reaching_lines(source, "values", 4) == [3]


def test_an_unconditional_assignment_kills_the_earlier_ones_and_the_parameter():
    source = """
    def f(query):
        query = "SELECT 1"
        run(query)
    """
    assert _reaching_lines(source, "query", 4) == [3]


def test_a_conditional_assignment_does_not_dominate():
    source = """
    def f(flag):
        query = "SELECT 1"
        if flag:
            query = "SELECT 2"
        run(query)
    """
    assert _reaching_lines(source, "query", 6) == [3, 5]


def test_a_loop_brings_back_an_assignment_made_after_the_read():
    source = """
    def f(tables):
        query = "VACUUM"
        for table in tables:
            run(query)
            query = "VACUUM " + table
    """
    assert _reaching_lines(source, "query", 5) == [3, 6]


def test_an_assignment_inside_the_loop_before_the_read_kills_the_back_edge():
    source = """
    def f(rows):
        for row in rows:
            values = [":a"]
            run(values)
            values = dict(row)
    """
    assert _reaching_lines(source, "values", 5) == [4]


def test_a_comprehension_variable_is_its_own_binding():
    source = """
    def f(names, other):
        p = other
        return [":" + p for p in names]
    """
    tree = ast.parse(textwrap.dedent(source))
    index = index_of(tree)
    function = tree.body[0]
    use = next(n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "p"
               and isinstance(n.ctx, ast.Load))  # fmt: skip
    found = reaching(index, assignments(function, index)["p"], use)
    assert len(found) == 1 and isinstance(found[0], ast.comprehension)
