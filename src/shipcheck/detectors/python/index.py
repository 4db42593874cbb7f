"""One traversal per module: every node of a parsed Python file, in source (pre-order) order,
indexed by type, with each node's parent and the span of its subtree.

Detectors ask the index instead of walking the tree themselves (``ast.walk`` re-walked every
module once per detector, about half of a scan's time on a large code base): the nodes of a
type (``of``), a subtree (``walk``), a function's own statements without nested ones
(``scope_nodes``), a node's parent.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any, TypeVar

T = TypeVar("T", bound=ast.AST)
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
# Fields that never hold a node, whatever the class (names, numbers, flags), and those that
# do not in the classes named: left out of the traversal, which reads every other field.
_SCALAR_FIELDS = frozenset(
    {"ctx", "id", "attr", "arg", "module", "level", "is_async", "conversion",
     "type_comment", "kind", "tag", "kwd_attrs", "rest"}
)  # fmt: skip
_SCALAR_BY_CLASS = {
    ast.Constant: {"value"},
    ast.MatchSingleton: {"value"},
    ast.Global: {"names"},
    ast.Nonlocal: {"names"},
    **{cls: {"name"} for cls in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                 ast.ExceptHandler, ast.alias, ast.MatchAs, ast.MatchStar)},
}  # fmt: skip


def _child_fields(cls: type) -> tuple[str, ...]:
    found = _CHILD_FIELDS.get(cls)
    if found is None:
        scalar = _SCALAR_FIELDS | _SCALAR_BY_CLASS.get(cls, set())
        found = _CHILD_FIELDS[cls] = tuple(n for n in cls._fields if n not in scalar)  # type: ignore[attr-defined]
    return found


class PyIndex:
    """The nodes of one tree, built in one pass."""

    def __init__(self, tree: ast.AST) -> None:
        nodes: list[ast.AST] = []
        position: dict[int, int] = {}
        end: dict[int, int] = {}
        by_type: dict[type, list[ast.AST]] = {}
        parents: dict[int, ast.AST] = {}
        stack: list[Any] = [tree]
        pop, push, append, node_type = stack.pop, stack.append, nodes.append, ast.AST
        fields_of = _CHILD_FIELDS
        while stack:
            node = pop()
            if type(node) is int:  # the end marker of the subtree of the node with this id
                end[node] = len(nodes)
                continue
            key = id(node)
            here = len(nodes)
            position[key] = here
            append(node)
            cls = type(node)
            same = by_type.get(cls)
            if same is None:
                by_type[cls] = [node]
            else:
                same.append(node)
            children: list[ast.AST] = []
            for name in fields_of.get(cls) or _child_fields(cls):
                value = getattr(node, name, None)
                if type(value) is list:
                    for item in value:
                        if isinstance(item, node_type):
                            children.append(item)
                            parents[id(item)] = node
                elif isinstance(value, node_type):
                    children.append(value)
                    parents[id(value)] = node
            if children:
                push(key)
                children.reverse()
                stack.extend(children)
            else:  # a leaf: its subtree is itself
                end[key] = here + 1
        self.tree = tree
        self.nodes = nodes
        self._position = position
        self._end = end
        self._exact = by_type
        self._parents = parents
        self._by_type: dict[tuple[type, ...], list[Any]] = {}
        # Views that helpers derive from the tree (assignments per scope…), kept per file.
        self.memo: dict[Any, Any] = {}

    def of(self, *types: type[T]) -> list[T]:
        """Every node of one of ``types`` (or of a subclass), in source order."""
        found = self._by_type.get(types)
        if found is None:
            lists = [v for cls, v in self._exact.items() if issubclass(cls, types)]
            if len(lists) == 1:
                found = lists[0]
            else:
                merged = [n for same in lists for n in same]
                merged.sort(key=lambda n: self._position[id(n)])
                found = merged
            self._by_type[types] = found
        return found  # type: ignore[return-value]

    def walk(self, node: ast.AST) -> list[ast.AST]:
        """``node`` and everything below it, in source order (``ast.walk`` without walking)."""
        key = id(node)
        start = self._position.get(key)
        if start is None:  # a node from another tree
            return list(ast.walk(node))
        return self.nodes[start : self._end[key]]

    def contains(self, outer: ast.AST, inner: ast.AST) -> bool:
        """Whether ``inner`` is ``outer`` or lies below it."""
        start, stop = self._position.get(id(outer)), self._end.get(id(outer))
        where = self._position.get(id(inner))
        if start is None or stop is None or where is None:
            return False
        return start <= where < stop

    def skip(self, node: ast.AST) -> int:
        """The position in :attr:`nodes` just after ``node``'s subtree (to step over it)."""
        return self._end[id(node)]

    def within(self, node: ast.AST, *types: type[T]) -> list[T]:
        """The nodes of ``types`` in ``node``'s subtree (``node`` included)."""
        return [n for n in self.walk(node) if isinstance(n, types)]

    def parent(self, node: ast.AST) -> ast.AST | None:
        """The node directly holding ``node`` (None for the module)."""
        return self._parents.get(id(node))

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        """The nodes holding ``node``, innermost first."""
        parents = self._parents
        current = parents.get(id(node))
        while current is not None:
            yield current
            current = parents.get(id(current))

    def scope_nodes(self, scope: ast.AST, classes: bool = True) -> list[ast.AST]:
        """The statements of one function (or of the module) and everything in them, in
        source order, without entering nested functions, classes or lambdas — except the
        bodies of the module's classes (unless ``classes`` is false), which run at import
        time like the module itself. Computed once per scope."""
        key = ("scope", id(scope), classes)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._scope_nodes(scope, classes)
        return found  # type: ignore[no-any-return]

    def _scope_nodes(self, scope: ast.AST, classes: bool) -> list[ast.AST]:
        body: list[ast.AST] = []
        for stmt in getattr(scope, "body", []):
            if classes and isinstance(scope, ast.Module) and isinstance(stmt, ast.ClassDef):
                body.extend(n for n in stmt.body if not isinstance(n, _NESTED))
            elif not isinstance(stmt, _NESTED):
                body.append(stmt)
        found: list[ast.AST] = []
        nodes, end = self.nodes, self._end
        for stmt in body:
            index, stop = self._position[id(stmt)], self._end[id(stmt)]
            while index < stop:
                node = nodes[index]
                if isinstance(node, _NESTED):
                    index = end[id(node)]
                    continue
                found.append(node)
                index += 1
        return found

    @property
    def calls(self) -> list[ast.Call]:
        """Every call in the module."""
        return self.of(ast.Call)

    def functions(self) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        """Every function and method, nested ones included."""
        return self.of(ast.FunctionDef, ast.AsyncFunctionDef)


def index_of(doc_or_tree: Any) -> PyIndex:
    """The index of a parsed Python file (a ``PythonFile`` or its tree), built once and kept
    on the tree, so every detector of the file shares it."""
    tree = getattr(doc_or_tree, "tree", doc_or_tree)
    found = tree.__dict__.get("_shipcheck_index")
    if found is None:
        found = tree.__dict__["_shipcheck_index"] = PyIndex(tree)
    return found  # type: ignore[no-any-return]
