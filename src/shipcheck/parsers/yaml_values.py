"""What the YAML loader (:mod:`shipcheck.parsers.yaml_nodes`) builds: maps and lists that
remember where each key and item stands, and helpers to read them. Apart from the loader so
that what reads parsed YAML (facts from the cache, project rules) does not import a parser.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Pos = tuple[int, int]  # 1-based line, 1-based column


class LMap(dict):  # type: ignore[type-arg]
    """A mapping with positions: ``line``/``column`` of the map, of each key and value."""

    line: int = 1
    column: int = 1
    end_line: int = 1

    def __init__(self) -> None:
        super().__init__()
        self.key_pos: dict[Any, Pos] = {}
        self.value_pos: dict[Any, Pos] = {}

    def key_line(self, key: Any, default: int | None = None) -> int:
        """Line of ``key``; the map's own line (or ``default``) when absent."""
        pos = self.key_pos.get(key)
        return pos[0] if pos else (default if default is not None else self.line)

    def value_line(self, key: Any) -> int:
        """Line where the value of ``key`` starts."""
        pos = self.value_pos.get(key) or self.key_pos.get(key)
        return pos[0] if pos else self.line

    def value_column(self, key: Any) -> int:
        """Column where the value of ``key`` starts."""
        pos = self.value_pos.get(key) or self.key_pos.get(key)
        return pos[1] if pos else self.column


class LList(list):  # type: ignore[type-arg]
    """A list with the position of the list and of each item."""

    line: int = 1
    column: int = 1

    def __init__(self) -> None:
        super().__init__()
        self.item_pos: list[Pos] = []

    def item_line(self, index: int) -> int:
        """Line of item ``index``."""
        return self.item_pos[index][0] if index < len(self.item_pos) else self.line


def walk(root: Any) -> Iterator[Any]:
    """Every :class:`LMap` and :class:`LList` below ``root`` (``root`` included), depth first in
    source order, each once however many aliases lead to it."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if not isinstance(node, LMap | LList) or id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        children = node.values() if isinstance(node, LMap) else node
        stack.extend(reversed([c for c in children if isinstance(c, LMap | LList)]))


def get_path(node: Any, *keys: Any) -> Any:
    """``node[k1][k2]…`` or None when any step is missing or not a mapping/list."""
    for key in keys:
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
            node = node[key]
        else:
            return None
    return node
