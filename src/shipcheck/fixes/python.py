"""Python fixes as libcst codemods: the concrete syntax tree keeps every comment, blank line,
quote and trailing comma, and only the nodes a finding points at are rebuilt.

All Python rules of one file share one pass (``group="python"``), so two fixes of the same
call (a timeout added, ``verify=False`` dropped) compose instead of colliding. libcst is
imported only here, inside the functions, so a scan never pays for it.

- PY003 (unsafe): ``timeout=<http-timeout>`` on HTTP calls that have none (or ``None``);
- PY004 (unsafe): ``verify=False`` removed;
- PY008 (safe): ``yaml.load(x)`` / ``yaml.load_all(x)`` without a Loader → ``yaml.safe_load``;
- SEC010 (unsafe): ``os.environ.get("SECRET_KEY", "…")`` (``os.getenv``, ``… or "…"``) →
  ``os.environ["SECRET_KEY"]``, which fails at start-up when the variable is missing;
- CFG001 (unsafe): ``debug=True`` dropped from ``app.run(…)`` and app constructors.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from shipcheck import lazyre
from shipcheck.fixes.context import FixContext
from shipcheck.fixes.edits import Edit, LineIndex, Skipped
from shipcheck.fixes.registry import SAFE, UNSAFE, fixer
from shipcheck.models.findings import Finding


@dataclass(frozen=True)
class _NodeFix:
    """How one rule rewrites a node: which node type, which of its parts the finding
    points at (``anchor``), and the rewrite (None: leave it)."""

    rule_id: str
    node_type: str  # "Call" or "BooleanOperation"
    anchor: Callable[[Any], Any]
    rewrite: Callable[[Any, FixContext], Any]
    inside: bool = False  # the finding points somewhere inside the anchor, not at its start


_NODE_FIXES: list[_NodeFix] = []


def _keyword_value(name: str, value: str | None = None) -> Callable[[Any], Any]:
    """Anchor on the value of keyword argument ``name`` (optionally only a given literal)."""

    def anchor(call: Any) -> Any:
        import libcst as cst

        for arg in call.args:
            if arg.keyword is None or arg.keyword.value != name:
                continue
            if value is None or (isinstance(arg.value, cst.Name) and arg.value.value == value):
                return arg.value
        return None

    return anchor


def _itself(node: Any) -> Any:
    return node


def _register(rule_id: str, safety: str, description: str, offers: Any = None) -> Any:
    """Register the rule with the shared Python pass."""
    return fixer(rule_id, safety, description, offers=offers, group="python")(fix_python)


# --- argument list surgery that keeps the call's layout ---------------------------------


def _plain(whitespace: Any) -> Any:
    """Whitespace between two arguments, without the comment it may carry."""
    import libcst as cst

    if isinstance(whitespace, cst.ParenthesizedWhitespace):
        return whitespace.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    return whitespace


def _separator(call: Any) -> Any:
    """The whitespace that separates arguments in this call."""
    import libcst as cst

    args = call.args
    if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
        return _plain(args[-2].comma.whitespace_after)
    if isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        return _plain(call.whitespace_before_args)
    return cst.SimpleWhitespace(" ")


def append_keyword(call: Any, name: str, value: Any) -> Any:
    """``call`` with ``name=value`` added as its last argument. The layout is kept: one
    argument per line stays so (a comment stays on its argument's line), a trailing comma
    stays trailing."""
    import libcst as cst

    new = cst.Arg(
        value=value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    separator = _separator(call)
    empty = cst.SimpleWhitespace("")
    trailing = isinstance(last.comma, cst.Comma)
    tail = last.comma.whitespace_after if trailing else last.whitespace_after_arg
    if isinstance(separator, cst.ParenthesizedWhitespace) and isinstance(
        tail, cst.ParenthesizedWhitespace
    ):
        # One argument per line: the last line keeps its comment, the new one gets a line.
        after_last = tail.with_changes(indent=separator.indent, last_line=separator.last_line)
        new_tail = _plain(tail)
    else:
        after_last, new_tail = separator, tail
    if trailing:
        args[-1] = last.with_changes(
            comma=last.comma.with_changes(whitespace_after=after_last), whitespace_after_arg=empty
        )
        new = new.with_changes(
            comma=cst.Comma(whitespace_after=new_tail),
            whitespace_after_arg=last.whitespace_after_arg,
        )
    else:
        args[-1] = last.with_changes(
            comma=cst.Comma(whitespace_after=after_last), whitespace_after_arg=empty
        )
        new = new.with_changes(whitespace_after_arg=new_tail)
    return call.with_changes(args=[*args, new])


def remove_argument(call: Any, index: int) -> Any:
    """``call`` without argument ``index``; the layout of what remains is kept."""
    import libcst as cst

    args = list(call.args)
    removed = args.pop(index)
    if not args:
        return call.with_changes(args=[], whitespace_before_args=cst.SimpleWhitespace(""))
    if index < len(args):
        return call.with_changes(args=args)
    # The last argument went: the one before it ends the list now.
    previous = args[-1]
    tail = removed.comma.whitespace_after if isinstance(removed.comma, cst.Comma) else None
    tail = tail or removed.whitespace_after_arg
    before = previous.comma.whitespace_after if isinstance(previous.comma, cst.Comma) else None
    if isinstance(tail, cst.ParenthesizedWhitespace) and isinstance(
        before, cst.ParenthesizedWhitespace
    ):
        # One argument per line: keep the previous line (and its comment) as it was, with a
        # trailing comma, and close the call where the removed argument's line closed it.
        comma = previous.comma.with_changes(
            whitespace_after=before.with_changes(indent=tail.indent, last_line=tail.last_line)
        )
        args[-1] = previous.with_changes(comma=comma, whitespace_after_arg=cst.SimpleWhitespace(""))
    else:
        args[-1] = previous.with_changes(
            comma=removed.comma, whitespace_after_arg=removed.whitespace_after_arg
        )
    return call.with_changes(args=args)


def _keyword_index(call: Any, name: str) -> int | None:
    return next(
        (i for i, a in enumerate(call.args) if a.keyword is not None and a.keyword.value == name),
        None,
    )


def _has_stars(call: Any) -> bool:
    return any(arg.star for arg in call.args)


# --- the rules --------------------------------------------------------------------------


def _add_timeout(call: Any, ctx: FixContext) -> Any:
    import libcst as cst

    value = cst.parse_expression(repr(ctx.settings.http_timeout))
    index = _keyword_index(call, "timeout")
    if index is not None:
        current = call.args[index].value
        if not (isinstance(current, cst.Name) and current.value == "None"):
            return None
        args = list(call.args)
        args[index] = args[index].with_changes(value=value)
        return call.with_changes(args=args)
    if any(arg.star == "**" for arg in call.args):
        return None
    return append_keyword(call, "timeout", value)


def _safe_load(call: Any, ctx: FixContext) -> Any:
    import libcst as cst

    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in ("load", "load_all"):
        return None
    if _has_stars(call) or len(call.args) != 1 or call.args[0].keyword is not None:
        return None  # a Loader (or anything else) is passed: not the form this fix knows
    safe = "safe_load" if func.attr.value == "load" else "safe_load_all"
    return call.with_changes(func=func.with_changes(attr=func.attr.with_changes(value=safe)))


def _drop_keyword(name: str) -> Callable[[Any, FixContext], Any]:
    def rewrite(call: Any, ctx: FixContext) -> Any:
        index = _keyword_index(call, name)
        return remove_argument(call, index) if index is not None else None

    return rewrite


def _environ_of(func: Any) -> Any:
    """``os.environ`` for ``os.environ.get`` / ``os.getenv`` / ``environ.get`` calls."""
    import libcst as cst

    if not isinstance(func, cst.Attribute):
        return None
    base = func.value
    if func.attr.value == "get":
        if isinstance(base, cst.Name) and base.value == "environ":
            return base
        if (
            isinstance(base, cst.Attribute)
            and base.attr.value == "environ"
            and isinstance(base.value, cst.Name)
        ):
            return base
    if func.attr.value == "getenv" and isinstance(base, cst.Name):
        return cst.Attribute(value=base, attr=cst.Name("environ"))
    return None


def _subscript(environ: Any, key: Any) -> Any:
    import libcst as cst

    return cst.Subscript(value=environ, slice=[cst.SubscriptElement(slice=cst.Index(value=key))])


def _environ_read(call: Any, with_default: bool) -> Any:
    """``os.environ[NAME]`` for an ``os.environ.get(NAME[, default])`` style call."""
    import libcst as cst

    if not isinstance(call, cst.Call) or _has_stars(call):
        return None
    environ = _environ_of(call.func)
    if environ is None or not call.args or call.args[0].keyword is not None:
        return None
    rest = call.args[1:]
    if with_default:
        if len(rest) != 1 or (rest[0].keyword is not None and rest[0].keyword.value != "default"):
            return None
    elif rest:
        return None
    return _subscript(environ, call.args[0].value)


def _default_argument(call: Any) -> Any:
    return call.args[1].value if len(call.args) == 2 else None


# Defaults that make the variable a switch or a number, not a secret: failing without it
# would break a setting the detector mistook for a credential.
_NOT_SECRETS = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null", ""})


def _secret_literal(node: Any) -> bool:
    import libcst as cst

    if not isinstance(node, cst.SimpleString):
        return False
    value = node.evaluated_value
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    text = value.strip().lower()
    return text not in _NOT_SECRETS and not text.replace(".", "", 1).isdigit()


def _fail_fast_call(call: Any, ctx: FixContext) -> Any:
    if len(call.args) != 2 or not _secret_literal(call.args[1].value):
        return None
    return _environ_read(call, with_default=True)


def _or_operand(node: Any) -> Any:
    return node.right


def _fail_fast_or(node: Any, ctx: FixContext) -> Any:
    import libcst as cst

    if not isinstance(node.operator, cst.Or) or not _secret_literal(node.right):
        return None
    return _environ_read(node.left, with_default=False)


_NODE_FIXES += [
    _NodeFix("PY003", "Call", _itself, _add_timeout),
    _NodeFix("PY004", "Call", _keyword_value("verify", "False"), _drop_keyword("verify")),
    _NodeFix("PY008", "Call", _itself, _safe_load),
    _NodeFix("SEC010", "Call", _default_argument, _fail_fast_call, inside=True),
    _NodeFix("SEC010", "BooleanOperation", _or_operand, _fail_fast_or, inside=True),
    _NodeFix("CFG001", "Call", _keyword_value("debug"), _drop_keyword("debug")),
]

# --- the pass ---------------------------------------------------------------------------


def fix_python(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit | Skipped]:
    """Rewrite the nodes the findings point at, in one libcst pass; one edit spanning what
    changed."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper

    try:
        module = cst.parse_module(ctx.text)
    except (cst.ParserSyntaxError, RecursionError, ValueError) as exc:
        for finding in findings:
            yield Skipped(finding, f"libcst cannot read the file: {type(exc).__name__}")
        return
    lines = LineIndex(ctx.text, "cr-lf")
    transformer = _driver_class()(ctx, findings, lines)
    new_code = MetadataWrapper(module).visit(transformer).code
    fixed = transformer.fixed
    if new_code == ctx.text or not fixed:
        return
    start = 0
    limit = min(len(new_code), len(ctx.text))
    while start < limit and new_code[start] == ctx.text[start]:
        start += 1
    end_old, end_new = len(ctx.text), len(new_code)
    while end_old > start and end_new > start and ctx.text[end_old - 1] == new_code[end_new - 1]:
        end_old -= 1
        end_new -= 1
    rules = sorted({f.rule_id for f in fixed})
    notes = sorted({_describe(r) for r in rules})
    yield Edit(ctx.path, start, end_old, new_code[start:end_new], rules[0], tuple(fixed),
               note="; ".join(notes))  # fmt: skip


def _describe(rule_id: str) -> str:
    from shipcheck.fixes.registry import get

    found = get(rule_id)
    return found.description if found else rule_id


# PY003's one finding for several calls through one session (detectors/python/http.py):
# the session's name and the calls' lines are in its message.
_SESSION_CALLS = lazyre.compile(
    r"calls through session `(?P<name>\w+)` have no timeout \(lines (?P<lines>[\d, ]+);"
)


def _targets(finding: Finding, lines: LineIndex) -> list[set[int]]:
    """Offsets where the nodes a finding points at start: its own position (ast counts
    columns in bytes, most detectors in characters: either), or, for a PY003 finding that
    stands for several calls through one session, each call's."""
    match = _SESSION_CALLS.search(finding.message) if finding.rule_id == "PY003" else None
    if match is None:
        line, column = finding.line, finding.column
        return [{lines.offset(line, column), lines.byte_column_to_offset(line, column)}]
    receiver = re.compile(rf"(?<![\w.]){re.escape(match.group('name'))}\.")
    targets = []
    for number in sorted({int(n) for n in match.group("lines").split(",") if n.strip()}):
        if 1 <= number <= lines.count:
            start = lines.line_start(number)
            targets += [{start + m.start()} for m in receiver.finditer(lines.line_text(number))]
    return targets


@functools.cache
def _driver_class() -> type:
    """The libcst transformer, defined on first use so importing this module stays cheap."""
    import libcst as cst
    from libcst.metadata import PositionProvider

    class Driver(cst.CSTTransformer):
        """Dispatches each Call / BooleanOperation to the fixes whose findings point at it."""

        METADATA_DEPENDENCIES = (PositionProvider,)

        def __init__(self, ctx: FixContext, findings: list[Finding], lines: LineIndex) -> None:
            super().__init__()
            self.ctx = ctx
            self.lines = lines
            # ast counts columns in bytes, most detectors in characters: accept either.
            self.pending = [(f, offsets) for f in findings for offsets in _targets(f, lines)]
            self.fixed: list[Finding] = []

        def _span(self, node: Any) -> tuple[int, int]:
            code_range = self.get_metadata(PositionProvider, node)
            start = self.lines.line_start(code_range.start.line) + code_range.start.column
            end = self.lines.line_start(code_range.end.line) + code_range.end.column
            return start, end

        def _points_at(self, node_fix: _NodeFix, offsets: set[int], anchor: Any) -> bool:
            start, end = self._span(anchor)
            if node_fix.inside:
                return any(start <= o < max(end, start + 1) for o in offsets)
            return start in offsets

        def _dispatch(self, kind: str, original: Any, updated: Any) -> Any:
            for node_fix in _NODE_FIXES:
                if node_fix.node_type != kind:
                    continue
                anchor = node_fix.anchor(original)
                if anchor is None:
                    continue
                for entry in list(self.pending):
                    finding, offsets = entry
                    if finding.rule_id != node_fix.rule_id:
                        continue
                    if not self._points_at(node_fix, offsets, anchor):
                        continue
                    rewritten = node_fix.rewrite(updated, self.ctx)
                    if rewritten is None:
                        continue
                    updated = rewritten
                    self.pending.remove(entry)
                    if all(f is not finding for f in self.fixed):
                        self.fixed.append(finding)
                if not isinstance(updated, cst.Call | cst.BooleanOperation):
                    return updated  # replaced by another expression: no other fix applies
            return updated

        def leave_Call(self, original: Any, updated: Any) -> Any:
            return self._dispatch("Call", original, updated)

        def leave_BooleanOperation(self, original: Any, updated: Any) -> Any:
            return self._dispatch("BooleanOperation", original, updated)

    return Driver


# --- registration -----------------------------------------------------------------------

_register(
    "PY003",
    UNSAFE,
    "pass `timeout=` (`[tool.shipcheck.fix] http-timeout`, default 10 s)",
)
_register(
    "PY004",
    UNSAFE,
    "drop `verify=False`",
    offers=lambda f: "`verify=False` passed" in f.message,
)
_register(
    "PY008",
    SAFE,
    "`yaml.load(x)` → `yaml.safe_load(x)`",
    offers=lambda f: "has no safe Loader" in f.message,
)
_register(
    "SEC010",
    UNSAFE,
    'read the variable with `os.environ["NAME"]`, without a default',
)
_register(
    "CFG001",
    UNSAFE,
    "drop `debug=True` from `app.run()` and app constructors",
    offers=lambda f: "(debug=True)`" in f.message,
)
