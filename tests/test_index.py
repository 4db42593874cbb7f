"""The one-pass index of a module (detectors/python/index.py): every node once, in source
pre-order, each with its parent and its subtree's span."""

from __future__ import annotations

import ast
import textwrap

from shipcheck.detectors.python.index import PyIndex

SOURCE = textwrap.dedent(
    '''
    import os, sys as system
    from . import models as m

    GLOBAL = {"a": [1, 2], **extra}

    @decorator(arg=1)
    class Service(Base, metaclass=Meta):
        """Doc."""
        name: str = "x"

        async def run(self, *args, key=None, **kwargs) -> None:
            global GLOBAL
            try:
                async with lock as held:
                    value = [x async for x in stream if x]
            except (ValueError, KeyError) as error:
                raise RuntimeError(f"{error!r:>10}") from error
            match command:
                case {"go": where, **others}:
                    pass
                case Point(x=0, y=0) | [1, 2, *rest]:
                    pass
                case None:
                    pass
                case str() as text:
                    print(text)
            return lambda q, /, r=2: (q, r)
    '''
)


def _reference(node: ast.AST) -> list[ast.AST]:
    """Pre-order over ``ast.iter_child_nodes`` (the standard library's idea of children)."""
    found = [node]
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, ast.expr_context):
            found.extend(_reference(child))
    return found


def test_nodes_parents_and_spans_match_the_standard_traversal():
    tree = ast.parse(SOURCE)
    index = PyIndex(tree)
    expected = _reference(tree)
    assert [id(n) for n in index.nodes] == [id(n) for n in expected]
    for node in expected:
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.expr_context):
                assert index.parent(child) is node
        assert [id(n) for n in index.walk(node)] == [id(n) for n in _reference(node)]
    assert index.parent(tree) is None
    assert {type(n) for n in index.of(ast.match_case)} == {ast.match_case}
    assert len(index.of(ast.match_case)) == 4
