"""What a setting is when the environment does not set it: ``DEBUG = os.environ.get("DEBUG",
"False") == "True"`` evaluates to False, ``DEBUG = os.environ.get("DEBUG", "False")`` to the
non-empty (so true) string "False".

Only a handful of pure operations on literals are evaluated; anything else is unknown, and
unknown never produces a finding.
"""

from __future__ import annotations

import ast
import json
from typing import Any

from shipcheck.detectors.secrets.pyast import EnvRead, EnvReads

UNKNOWN: Any = object()
_TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "on", "ok"})
_STR_METHODS = frozenset({"lower", "upper", "strip", "casefold", "title", "capitalize"})
# Helpers that turn "true"/"1"/"yes" into True (projects name them many ways).
_BOOL_PARSERS = frozenset(
    {"strtobool", "str2bool", "to_bool", "as_bool", "parse_bool", "parse_boolean", "asbool",
     "str_to_bool", "string_to_bool", "truthy", "is_true", "bool_from_string"}
)  # fmt: skip

# Helpers that split "a.com,b.com" into a list.
_LIST_PARSERS = frozenset(
    {"get_list", "parse_list", "split_list", "to_list", "as_list", "str_to_list", "csv_list",
     "comma_separated_list", "env_list"}
)  # fmt: skip

# How Flask's ``app.config.from_prefixed_env()`` reads a value: JSON, else the text.
PREFIXED_ENV_VALUE = "from_prefixed_env_value"


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _as_bool_word(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_WORDS
    return UNKNOWN


def _casts_to_bool(read: EnvRead) -> bool:
    func = read.call.func
    if isinstance(func, ast.Attribute) and func.attr == "bool":
        return True
    cast = next((k.value for k in read.call.keywords if k.arg == "cast"), None)
    return isinstance(cast, ast.Name) and cast.id == "bool"


def unset_value(read: EnvRead, reads: EnvReads | None = None) -> Any:
    """The value a read gives when the variable is unset (None when it has no default). A
    project-local wrapper that converts its default (``os.environ.get(name,
    default).lower() in ("1", "true")``) is evaluated over the default it is given."""
    if read.default is None:
        return None
    try:
        default = ast.literal_eval(read.default)
    except (ValueError, SyntaxError, TypeError, RecursionError):
        return UNKNOWN
    if read.body is not None:
        if reads is None:
            return UNKNOWN
        expr, param = read.body
        return _eval(expr, _Context(reads, [], {param: default}))
    if _casts_to_bool(read):
        return _as_bool_word(default)
    return default


class _Context:
    """What an evaluation knows: the module's reads, the reads met so far and the values
    bound to a wrapper's parameters."""

    def __init__(
        self, reads: EnvReads, found: list[EnvRead], bindings: dict[str, Any] | None = None
    ) -> None:
        self.reads = reads
        self.found = found
        self.bindings = bindings or {}


def evaluate_unset(node: ast.AST, reads: EnvReads) -> tuple[Any, EnvRead | None]:
    """The value of ``node`` with every environment read replaced by its unset value, and
    the (first) read involved; ``UNKNOWN`` when it cannot be told."""
    found: list[EnvRead] = []
    value = _eval(node, _Context(reads, found))
    return value, (found[0] if found else None)


def _read_value(read: EnvRead, ctx: _Context) -> Any:
    if ctx.bindings and isinstance(read.default, ast.Name) and read.default.id in ctx.bindings:
        value = ctx.bindings[read.default.id]
        return _as_bool_word(value) if _casts_to_bool(read) else value
    return unset_value(read, ctx.reads)


def _eval(node: ast.AST, ctx: _Context) -> Any:
    read = ctx.reads.read(node)
    if read is not None:
        ctx.found.append(read)
        return _read_value(read, ctx)
    if isinstance(node, ast.Name) and node.id in ctx.bindings:
        return ctx.bindings[node.id]
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        items = [_eval(e, ctx) for e in node.elts]
        return UNKNOWN if any(i is UNKNOWN for i in items) else tuple(items)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _eval(node.operand, ctx)
        return UNKNOWN if inner is UNKNOWN else not inner
    if isinstance(node, ast.BoolOp):
        # Short-circuit as Python does: ``os.environ.get("X") or str(FALLBACK)`` is known
        # whenever the variable's text is.
        result: Any = UNKNOWN
        for operand in node.values:
            result = _eval(operand, ctx)
            if result is UNKNOWN or bool(result) is isinstance(node.op, ast.Or):
                return result
        return result
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        return _compare(node, ctx)
    if isinstance(node, ast.Call):
        return _call(node, ctx)
    if isinstance(node, ast.ListComp):
        return _list_comp(node, ctx)
    return UNKNOWN


def _list_comp(node: ast.ListComp, ctx: _Context) -> Any:
    """``[h.strip() for h in value.split(",")]`` (one loop over a name, no condition)."""
    if len(node.generators) != 1:
        return UNKNOWN
    loop = node.generators[0]
    if not isinstance(loop.target, ast.Name) or loop.ifs or loop.is_async:
        return UNKNOWN
    items = _eval(loop.iter, ctx)
    if not isinstance(items, tuple | list | str):
        return UNKNOWN
    result = []
    for item in items:
        inner = _Context(ctx.reads, ctx.found, {**ctx.bindings, loop.target.id: item})
        value = _eval(node.elt, inner)
        if value is UNKNOWN:
            return UNKNOWN
        result.append(value)
    return tuple(result)


def evaluate_with(expr: str, name: str, value: str) -> Any:
    """The value of the expression ``expr`` (Python source) with ``name`` bound to the text
    ``value``; ``UNKNOWN`` when it cannot be told."""
    try:
        tree = ast.parse(expr, mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return UNKNOWN
    return _eval(
        tree.body, _Context(EnvReads(ast.Module(body=[], type_ignores=[])), [], {name: value})
    )


def _compare(node: ast.Compare, ctx: _Context) -> Any:
    left = _eval(node.left, ctx)
    right = _eval(node.comparators[0], ctx)
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    op = node.ops[0]
    try:
        if isinstance(op, ast.Eq):
            return left == right
        if isinstance(op, ast.NotEq):
            return left != right
        if isinstance(op, ast.In):
            return left in right
        if isinstance(op, ast.NotIn):
            return left not in right
        if isinstance(op, ast.Is):
            return left is right
        if isinstance(op, ast.IsNot):
            return left is not right
    except TypeError:
        return UNKNOWN
    return UNKNOWN


def _call(node: ast.Call, ctx: _Context) -> Any:
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in _STR_METHODS and not node.args:
        value = _eval(func.value, ctx)
        return getattr(value, func.attr)() if isinstance(value, str) else UNKNOWN
    if isinstance(func, ast.Attribute) and func.attr == "split" and len(node.args) <= 1:
        value = _eval(func.value, ctx)
        sep = _eval(node.args[0], ctx) if node.args else None
        if isinstance(value, str) and (sep is None or isinstance(sep, str)):
            return tuple(value.split(sep))
        return UNKNOWN
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    if len(node.args) != 1 or node.keywords:
        return UNKNOWN
    value = _eval(node.args[0], ctx)
    if value is UNKNOWN:
        return UNKNOWN
    try:
        if name == "bool":
            return bool(value)
        if name == "int":
            return int(value)
        if name == "str":
            return str(value)
        if name in _BOOL_PARSERS:
            return _as_bool_word(value)
        if name == PREFIXED_ENV_VALUE and isinstance(value, str):
            return _json_or_text(value)
        if name in _LIST_PARSERS and isinstance(value, str):
            return tuple(item.strip() for item in value.split(",") if item.strip())
    except (TypeError, ValueError):
        return UNKNOWN
    return UNKNOWN
