"""A safe YAML loader whose maps and lists remember where each key and item stands.

PyYAML's composer keeps a mark on every node; this loader copies them onto
dict and list subclasses so detectors can point at 1-based lines and columns.
"""

from __future__ import annotations

from typing import Any, ClassVar

import yaml

from shipcheck import lazyre
from shipcheck.parsers.limits import YamlLimits, current
from shipcheck.parsers.yaml_values import LList, LMap, Pos

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


class LineLoader12(LineLoader):
    """:class:`LineLoader` with YAML 1.2 core-schema scalars, as Docker Compose (go-yaml v3)
    and GitHub Actions read their files: ``22:22`` is a string, not the sexagesimal 1342;
    ``on``/``yes``/``off`` are strings; ``012`` is twelve; only ``true``/``false`` are
    booleans. Merge keys (``<<``) still work, as they do in Compose."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {}


def _construct_int12(loader: LineLoader12, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if digits.startswith("0o"):
        return sign * int(digits[2:], 8)
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    return sign * int(digits)


for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", ["<"]),
):
    LineLoader12.add_implicit_resolver(_tag, lazyre.compile(_pattern), _first)
LineLoader12.add_constructor("tag:yaml.org,2002:int", _construct_int12)


def _construct_unknown(loader: LineLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return _construct_map(loader, node)
    if isinstance(node, yaml.SequenceNode):
        return _construct_seq(loader, node)
    return loader.construct_scalar(node)


def load_documents(
    text: str, limits: YamlLimits | None = None, *, yaml12: bool = False
) -> tuple[list[Any], list[str]]:
    """Every document of ``text`` (empty documents dropped), and why any document was
    skipped. ``yaml12`` reads scalars by YAML 1.2 rules. Raises ``yaml.YAMLError`` for
    invalid YAML."""
    limits = limits or current()
    loader = (LineLoader12 if yaml12 else LineLoader)(text)
    documents: list[Any] = []
    problems: list[str] = []
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            index += 1
            problem = over_limits(node, limits)
            if problem is not None:
                problems.append(f"YAML document {index} skipped: {problem}")
                continue
            data = loader.construct_document(node)
            if data is not None:
                documents.append(data)
    finally:
        loader.dispose()
    return documents, problems


def load_all(text: str) -> list[Any]:
    """Every document of ``text`` within the process's limits (others dropped)."""
    return load_documents(text)[0]


def over_limits(root: yaml.Node, limits: YamlLimits) -> str | None:
    """Why a composed document is too costly to read, or None. Sizes and depths are computed
    once per distinct node (aliases share node objects), so this is linear in the file."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            children = _children(node)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            open_nodes.discard(key)
            continue
        if key in size:
            continue
        if key in open_nodes:
            return "an alias refers to a node that contains it (a recursive structure)"
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in size)
    distinct = len(size)
    through_aliases = size[id(root)] - distinct
    if through_aliases > limits.max_alias_nodes:
        return (
            f"aliases expand it by {through_aliases:,} nodes, over the limit of "
            f"{limits.max_alias_nodes:,} (max-yaml-nodes)"
        )
    if depth[id(root)] > limits.max_depth:
        return (
            f"nested {depth[id(root)]:,} levels deep, over the limit of {limits.max_depth} "
            "(max-yaml-depth)"
        )
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []
