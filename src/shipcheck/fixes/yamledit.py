"""Minimal text edits of YAML files at the positions of PyYAML's composed nodes.

The pure-Python composer keeps a character offset (``mark.index``) on every node, so an
edit touches only the characters it changes: comments, quoting, indentation, anchors and
line breaks elsewhere stay byte for byte. (A round-trip library would re-emit the whole
document and normalise what it does not model.) Findings point at nodes by 1-based line
and column, as the scan's line-aware loader reported them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

ALIAS_TAG = "tag:shipcheck:alias"


class _Loader(yaml.SafeLoader):
    """The pure-Python composer (the C one gives no character offsets), with each alias
    (``*name``) kept as a node where it is written: edits are about text, and the node an
    alias stands for lives elsewhere in the text."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            return yaml.ScalarNode(ALIAS_TAG, "*" + event.anchor, event.start_mark, event.end_mark)
        return super().compose_node(parent, index)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Located:
    """A node with its parent chain (nearest first): (parent node, key node or item index)."""

    node: yaml.Node
    parents: tuple[tuple[yaml.Node, Any], ...]

    @property
    def parent(self) -> yaml.Node | None:
        """The collection holding the node."""
        return self.parents[0][0] if self.parents else None


class Document:
    """The composed documents of one YAML text, indexed by node position."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.roots: list[yaml.Node] = [
            n for n in yaml.compose_all(text, Loader=_Loader) if n is not None
        ]
        self._at: dict[tuple[int, int], list[Located]] = {}
        for root in self.roots:
            for located in _walk(root, ()):
                start = located.node.start_mark
                self._at.setdefault((start.line + 1, start.column + 1), []).append(located)

    def at(self, line: int, column: int) -> list[Located]:
        """Nodes that start at 1-based ``line``/``column`` (outermost first)."""
        return self._at.get((line, column), [])

    def mapping_at(self, line: int, column: int) -> Located | None:
        """The block or flow mapping that starts at the position."""
        return next(
            (n for n in self.at(line, column) if isinstance(n.node, yaml.MappingNode)), None
        )

    def item_at(self, line: int, column: int, parent: type[yaml.Node]) -> Located | None:
        """The node at the position that is an item of a ``parent`` (a sequence's item, a
        mapping's key or value)."""
        return next((n for n in self.at(line, column) if isinstance(n.parent, parent)), None)

    def key_at(
        self, line: int, column: int
    ) -> tuple[yaml.MappingNode, yaml.Node, yaml.Node] | None:
        """(mapping, key, value) for the mapping key that starts at the position."""
        for located in self.at(line, column):
            parent = located.parent
            if isinstance(parent, yaml.MappingNode):
                for key, value in parent.value:
                    if key is located.node:
                        return parent, key, value
        return None


def _walk(node: yaml.Node, parents: tuple[tuple[yaml.Node, Any], ...]) -> Iterator[Located]:
    yield Located(node, parents)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _walk(key, ((node, key), *parents))
            yield from _walk(value, ((node, key), *parents))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(item, ((node, index), *parents))


def get(mapping: yaml.Node, key: str) -> yaml.Node | None:
    """The value node of ``key`` in a mapping node (None when absent or not a mapping)."""
    if not isinstance(mapping, yaml.MappingNode):
        return None
    for key_node, value in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value
    return None


def scalar(node: yaml.Node | None) -> str | None:
    """A scalar node's text (None for collections)."""
    return node.value if isinstance(node, yaml.ScalarNode) else None


def content_end(text: str, node: yaml.Node) -> int | None:
    """Offset just past the last character that belongs to ``node`` (block collections and
    block scalars end where the next token starts, past blank lines and comments); None
    for a block scalar that keeps its trailing blank lines (``|+``): a line inserted after
    its text would cut them off."""
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style:
        if not node.value:
            break
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    end = node.end_mark.index
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        indicator = re.match(r"[|>][0-9+-]*", text[node.start_mark.index :])
        if indicator and "+" in indicator.group(0):
            return None
        while end > 0 and text[end - 1] in " \t\r\n":
            end -= 1
    return end


def line_end(text: str, offset: int) -> int:
    """Offset of the line break that ends the line holding ``offset``."""
    index = offset
    while index < len(text) and text[index] not in "\r\n":
        index += 1
    return index


def line_start(text: str, offset: int) -> int:
    """Offset of the first character of the line holding ``offset``."""
    index = offset
    while index > 0 and text[index - 1] not in "\r\n":
        index -= 1
    return index


def previous_line(text: str, offset: int) -> tuple[int, int] | None:
    """(start, end) of the line before the one starting at ``offset`` (end excludes its
    line break), or None at the start of the text."""
    if offset <= 0:
        return None
    end = offset
    if text[end - 2 : end] == "\r\n":
        end -= 2
    elif text[end - 1] in "\r\n":
        end -= 1
    return line_start(text, end), end


def indent_step(document: Document, default: int = 2) -> int:
    """The indentation a nested block mapping gets in this file (2 when none shows it)."""
    for root in document.roots:
        for located in _walk(root, ()):
            node = located.node
            if not isinstance(node, yaml.MappingNode) or node.flow_style:
                continue
            for key, value in node.value:
                nested = isinstance(value, yaml.MappingNode) and not value.flow_style
                if nested and value.value and value.start_mark.line > key.start_mark.line:
                    step = value.start_mark.column - key.start_mark.column
                    if step > 0:
                        return step
    return default


def render_entry(key: str, value: Any, indent: int, step: int, newline: str) -> list[str]:
    """Block-style lines for ``key: value`` (``value`` a scalar text or a dict of them)."""
    pad = " " * indent
    if isinstance(value, dict):
        lines = [f"{pad}{key}:"]
        for child_key, child_value in value.items():
            lines += render_entry(child_key, child_value, indent + step, step, newline)
        return lines
    return [f"{pad}{key}: {value}"]


def render_flow(value: Any) -> str:
    """Flow-style text for a scalar text or a dict of them."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {render_flow(v)}" for k, v in value.items()) + "}"
    return str(value)


@dataclass(frozen=True)
class Insertion:
    """Where and what to insert into the text."""

    offset: int
    text: str


def add_entry(
    document: Document, mapping: yaml.MappingNode, key: str, value: Any, newline: str
) -> Insertion | None:
    """Insert ``key: value`` as the last entry of ``mapping``; None when the mapping's
    layout gives no certain place (an empty block mapping, keys on one line with ``{``)."""
    text = document.text
    if mapping.flow_style:
        close = mapping.end_mark.index - 1
        if close < 0 or text[close] != "}":
            return None
        entry = f"{key}: {render_flow(value)}"
        if not mapping.value:
            return Insertion(close, entry)
        last_end = mapping.value[-1][1].end_mark.index
        between = text[last_end:close]
        if "#" in between or "," in between:
            return None  # a trailing comma or a comment: leave it to a person
        return Insertion(last_end, ", " + entry)
    if not mapping.value:
        return None
    first_key = mapping.value[0][0]
    indent = first_key.start_mark.column
    if text[line_start(text, first_key.start_mark.index) : first_key.start_mark.index].strip(" -"):
        return None  # something other than indentation or a list dash precedes the first key
    last = content_end(text, mapping.value[-1][1])
    if last is None:
        return None
    end = line_end(text, last)
    lines = render_entry(key, value, indent, indent_step(document), newline)
    return Insertion(end, "".join(newline + line for line in lines))


def add_nested(
    document: Document, mapping: yaml.MappingNode, outer: str, key: str, value: str, newline: str
) -> Insertion | None:
    """``key: value`` inside ``mapping``'s ``outer`` mapping, which is created when absent;
    None when ``outer`` is not a mapping, or already sets ``key`` (a decision)."""
    inner = get(mapping, outer)
    if inner is None:
        return add_entry(document, mapping, outer, {key: value}, newline)
    if isinstance(inner, yaml.MappingNode) and get(inner, key) is None:
        return add_entry(document, inner, key, value, newline)
    return None


def has_duplicate_keys(text: str) -> int:
    """How many mapping keys in ``text`` repeat a key of the same mapping."""
    count = 0
    for root in yaml.compose_all(text, Loader=_Loader):
        if root is None:
            continue
        for located in _walk(root, ()):
            node = located.node
            if isinstance(node, yaml.MappingNode):
                seen: set[str] = set()
                for key, _ in node.value:
                    if isinstance(key, yaml.ScalarNode):
                        if key.value in seen and key.value != "<<":
                            count += 1
                        seen.add(key.value)
    return count
