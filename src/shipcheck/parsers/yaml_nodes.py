"""A safe YAML loader whose maps and lists remember where each key and item stands.

PyYAML's composer keeps a mark on every node; this loader copies them onto
dict and list subclasses so detectors can point at 1-based lines and columns.
"""

from __future__ import annotations

from typing import Any

import yaml

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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


def _pos(node: yaml.Node) -> Pos:
    return node.start_mark.line + 1, node.start_mark.column + 1


class LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that builds :class:`LMap` / :class:`LList` with positions."""


def _construct_map(loader: LineLoader, node: yaml.MappingNode) -> LMap:
    loader.flatten_mapping(node)
    result = LMap()
    result.line, result.column = _pos(node)
    result.end_line = node.end_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            key = str(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_pos[key] = _pos(key_node)
        result.value_pos[key] = _pos(value_node)
    return result


def _construct_seq(loader: LineLoader, node: yaml.SequenceNode) -> LList:
    result = LList()
    result.line, result.column = _pos(node)
    for item in node.value:
        result.append(loader.construct_object(item, deep=True))
        result.item_pos.append(_pos(item))
    return result


LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
# Unknown tags (!Ref, !reference, !!python/...) load as plain values instead of failing.
LineLoader.add_multi_constructor("", lambda loader, suffix, node: _construct_unknown(loader, node))


def _construct_unknown(loader: LineLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return _construct_map(loader, node)
    if isinstance(node, yaml.SequenceNode):
        return _construct_seq(loader, node)
    return loader.construct_scalar(node)


def load_all(text: str) -> list[Any]:
    """Every document of ``text`` (empty documents dropped). Raises ``yaml.YAMLError``."""
    return [doc for doc in yaml.load_all(text, Loader=LineLoader) if doc is not None]


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
