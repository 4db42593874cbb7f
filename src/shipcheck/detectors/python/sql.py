"""SQL built by string formatting and handed to an execute-style sink."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck import lazyre
from shipcheck.detectors.python.astutil import imports_of
from shipcheck.detectors.python.evidence import Evidence, Grader
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.findings import Hit, Severity

_VALUE_RISK = "values can inject SQL"
_BOUND_RISK = "the values are bound parameters, but the interpolated identifiers are not quoted"

_SQL = lazyre.compile(
    r"^\s*\(?\s*(select|insert\s+into|update|delete\s+from|with|create|drop|alter|replace\s+into"
    r"|merge|truncate|grant|exec)\b",
    re.IGNORECASE,
)
_SQL_ANYWHERE = lazyre.compile(
    r"\b(select\b.+\bfrom|insert\s+into|update\b.+\bset|delete\s+from)\b", re.I | re.S
)


# Calls whose result is a quoted identifier or an escaped literal.
_SANITIZERS = frozenset(
    {"quote_name", "quote_ident", "quote_identifier", "quote", "escape", "escape_string",
     "Identifier", "Literal", "literal", "qn", "_quote_name", "quote_name_unless_alias",
     "identifier", "literal_string", "quote_literal", "sql_identifier"}
)  # fmt: skip
_PLACEHOLDERS = lazyre.compile(r"%%s|%\(\w+\)s|(?<![%\w])%s|\?|(?<![:\w]):[A-Za-z_]\w*")


@dataclass(frozen=True)
class SqlFormattingParams:
    """``sinks``: method or function names that run SQL text; ``include_tests``: also report
    in test directories (where SQL is built from test constants); ``bound_severity``: the
    severity when the same call also binds parameters, so the interpolated parts are most
    likely identifiers rather than values."""

    sinks: tuple[str, ...] = (
        "execute", "executemany", "executescript", "raw", "text", "extra", "RawSQL", "SQL",
        "fetch", "fetchrow", "fetchval", "copy_from_query", "exec_driver_sql",
    )  # fmt: skip
    include_tests: bool = False
    bound_severity: str = "low"


def _is_constant_name(node: ast.AST, constants: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in constants or node.id.isupper()
    if isinstance(node, ast.Attribute):
        return node.attr.isupper()
    return False


def _safe_value(node: ast.AST, constants: set[str]) -> bool:
    """Interpolated values that cannot carry an injection: literals, constants, numbers,
    and joins of placeholders (``", ".join("?" * len(ids))``)."""
    if isinstance(node, ast.Constant):
        return True
    if _is_constant_name(node, constants):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {
        "int", "float", "len", "bool"
    }:  # fmt: skip
        return True
    if isinstance(node, ast.Call) and _call_name(node) in _SANITIZERS:
        return True
    if isinstance(node, ast.Call) and _sqlalchemy_quoted(node.func):
        return True
    if (
        isinstance(node, ast.Call)
        and _call_name(node) in ("str", "format")
        and not any(isinstance(a, ast.Starred) for a in node.args)
    ):
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if receiver is None or isinstance(receiver, ast.Constant):
            parts = [*node.args, *(k.value for k in node.keywords)]
            return all(_safe_value(p, constants) for p in parts)
    if isinstance(node, ast.JoinedStr):
        return all(_safe_value(v, constants) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _safe_value(node.left, constants) and _safe_value(node.right, constants)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return not node.args and all(
            k.arg is not None and _safe_value(k.value, constants) for k in node.keywords
        )
    if isinstance(node, ast.Call) and _call_name(node) == "join" and len(node.args) == 1:
        return _safe_sequence(node.args[0], constants)
    if isinstance(node, ast.IfExp):
        return _safe_value(node.body, constants) and _safe_value(node.orelse, constants)
    if isinstance(node, ast.FormattedValue):
        return _safe_value(node.value, constants)
    if isinstance(node, ast.Tuple):
        return all(_safe_value(e, constants) for e in node.elts)
    return False


def _sqlalchemy_quoted(func: ast.AST) -> bool:
    """``sa.column(name)``, ``sa.table(name)``, ``quoted_name(...)``: SQLAlchemy renders them
    as quoted identifiers."""
    if isinstance(func, ast.Name):
        return func.id == "quoted_name"
    return (
        isinstance(func, ast.Attribute)
        and func.attr in ("column", "table", "quoted_name")
        and isinstance(func.value, ast.Name)
        and func.value.id in ("sa", "sqlalchemy", "sql")
    )


def _safe_sequence(node: ast.AST, constants: set[str]) -> bool:
    """What ``", ".join(...)`` joins: placeholders (``"?" for _ in ids``, ``["%s"] * n``,
    ``"?" * n``) or other safe values, never the items of a variable."""
    if isinstance(node, ast.GeneratorExp | ast.ListComp | ast.SetComp):
        return _safe_value(node.elt, constants)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True  # the characters of a literal: ",".join("?" * n)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _safe_sequence(node.left, constants) or _safe_sequence(node.right, constants)
    if isinstance(node, ast.List | ast.Tuple):
        return all(_safe_value(e, constants) for e in node.elts)
    return False


def _literal_text(node: ast.AST) -> str:
    """The literal parts of a string expression, for recognising SQL."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else " x "
            for v in node.values
        )
    if isinstance(node, ast.BinOp):
        return _literal_text(node.left) + " x " + _literal_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return _literal_text(node.func.value)
    return ""


def _looks_like_sql(text: str) -> bool:
    return bool(_SQL.match(text) or _SQL_ANYWHERE.search(text))


def unsafe_sql(node: ast.AST, constants: set[str], *, known_sql: bool = False) -> str | None:
    """How ``node`` builds SQL unsafely (``f-string``, ``%``, ``.format()``, ``+``), or None.
    ``known_sql``: the text is SQL by where it goes (a ``where=`` fragment), whatever it
    looks like."""
    if not known_sql and not _looks_like_sql(_literal_text(node)):
        return None
    if isinstance(node, ast.JoinedStr):
        values = [v for v in node.values if isinstance(v, ast.FormattedValue)]
        if values and not all(_safe_value(v, constants) for v in values):
            return "an f-string"
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        if not _safe_value(node.right, constants):
            return "% formatting"
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        operands = _flatten_add(node)
        if any(
            not _safe_value(o, constants) and not isinstance(o, ast.JoinedStr) for o in operands
        ) or any(isinstance(o, ast.JoinedStr) and unsafe_sql(o, constants) for o in operands):
            return "string concatenation"
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        args = [*node.args, *(k.value for k in node.keywords)]
        if not all(_safe_value(a, constants) for a in args):
            return "str.format()"
    return None


def _flatten_add(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [*_flatten_add(node.left), *_flatten_add(node.right)]
    return [node]


def module_constants(tree: ast.Module) -> set[str]:
    """Module-level names bound once to a string literal (``TABLE = "products"``)."""
    counts: dict[str, int] = {}
    literal: set[str] = set()
    for node in index_of(tree).of(ast.Assign, ast.AnnAssign, ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                counts[target.id] = counts.get(target.id, 0) + 1
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            literal.add(node.targets[0].id)
    return {name for name in literal if counts.get(name) == 1}


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def _binds_parameters(call: ast.Call, query: ast.AST) -> bool:
    """The call passes values separately and the SQL text keeps placeholders for them."""
    has_params = len(call.args) > 1 or any(k.arg in {"params", "parameters"} for k in call.keywords)
    return has_params and bool(_PLACEHOLDERS.search(_literal_text(query)))


def _sink_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def unsafe_values(node: ast.AST, constants: set[str]) -> list[ast.AST]:
    """The interpolated values of a string expression that are not known to be safe."""
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)
                and not _safe_value(v, constants)]  # fmt: skip
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        right = node.right
        items = right.elts if isinstance(right, ast.Tuple) else [right]
        if isinstance(right, ast.Dict):
            items = list(right.values)
        return [i for i in items if not _safe_value(i, constants)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        found: list[ast.AST] = []
        for operand in _flatten_add(node):
            if isinstance(operand, ast.JoinedStr):
                found += unsafe_values(operand, constants)
            elif not _safe_value(operand, constants):
                found.append(operand)
        return found
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        args = [*node.args, *(k.value for k in node.keywords)]
        return [a for a in args if not _safe_value(a, constants)]
    return [node]


def _migration(doc: PythonFile) -> bool:
    """Alembic and Django migrations: SQL there is built from the schema's own names. Known
    by their folder or, wherever Alembic's ``script_location`` puts them, by the module-level
    ``revision``/``down_revision`` every Alembic revision declares."""
    parts = doc.path.lower().split("/")
    if "migrations" in parts[:-1] or ("alembic" in parts[:-1] and "versions" in parts[:-1]):
        return True
    declared = {
        target.id
        for node in doc.tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    return {"revision", "down_revision"} <= declared


def _extra_strings(call: ast.Call) -> list[ast.AST]:
    """The SQL fragments of Django ``QuerySet.extra(where=[...], select={...}, ...)``."""
    found: list[ast.AST] = []
    for kw in call.keywords:
        if kw.arg in ("where", "select", "tables", "order_by"):
            value = kw.value
            if isinstance(value, ast.List | ast.Tuple):
                found += value.elts
            elif isinstance(value, ast.Dict):
                found += value.values
    return found


@detector("python.sql-string-formatting", kind=Kind.PYTHON, params=SqlFormattingParams)
def sql_string_formatting(doc: PythonFile, params: SqlFormattingParams) -> Iterator[Hit]:
    """SQL text built with f-strings, ``%``, ``.format()`` or ``+`` (also ``+=`` on a local
    assembled earlier in the function) from non-constant values and passed to an
    execute-style call: DB-API cursors, asyncpg ``fetch``/``fetchrow``/``fetchval``,
    psycopg ``sql.SQL``, SQLAlchemy ``text``/``execute``, Django ``raw``/``extra``/
    ``RawSQL``. Graded by evidence (:mod:`evidence`): request or other outside data in
    the text → high; values of unknown origin → low, as a review; in Alembic and Django
    migrations (SQL built from the schema's own names) only outside data is reported."""
    if doc.in_test_dir and not params.include_tests:
        return
    index = index_of(doc)
    # Only a sink call is reported: a scope holding none (most are) need not be followed.
    sinks = [c for c in index.of(ast.Call) if _sink_name(c) in params.sinks]
    if not sinks:
        return
    constants = module_constants(doc.tree)
    grader: Grader | None = None
    migration = _migration(doc)
    for scope in [doc.tree, *index.functions()]:
        if not any(index.contains(scope, call) for call in sinks):
            continue
        built: dict[str, tuple[str, ast.AST]] = {}
        sql_text: set[str] = set()  # locals holding SQL text (``sql = "SELECT ..."``)
        # Locals bound to safe values (placeholder lists, constants) are safe to interpolate.
        safe = set(constants)
        for node in index.scope_nodes(scope, classes=False):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    how = unsafe_sql(node.value, safe)
                    if how:
                        built[target.id] = (how, node.value)
                    else:
                        built.pop(target.id, None)
                    if _looks_like_sql(_literal_text(node.value)):
                        sql_text.add(target.id)
                    else:
                        sql_text.discard(target.id)
                    if _safe_value(node.value, safe):
                        safe.add(target.id)
                    else:
                        safe.discard(target.id)
            elif (
                isinstance(node, ast.AugAssign)
                and isinstance(node.op, ast.Add)
                and isinstance(node.target, ast.Name)
                and (node.target.id in sql_text or node.target.id in built)
            ):
                name = node.target.id
                if not _safe_value(node.value, safe) and (
                    not isinstance(node.value, ast.JoinedStr) or unsafe_values(node.value, safe)
                ):
                    built[name] = ("`+=` concatenation", node.value)
                    safe.discard(name)
            if not isinstance(node, ast.Call) or _sink_name(node) not in params.sinks:
                continue
            texts = node.args[:1] if node.args else []
            fragments = _extra_strings(node) if _sink_name(node) == "extra" else []
            for query in [*texts, *fragments]:
                how = unsafe_sql(query, safe, known_sql=query in fragments)
                variable = ""
                text_node: ast.AST = query
                if how is None and isinstance(query, ast.Name) and query.id in built:
                    how, text_node = built[query.id]
                    variable = f" (via `{query.id}`)"
                if not how:
                    continue
                if grader is None:
                    grader = Grader(doc.tree, imports_of(doc), quoting=_SANITIZERS)
                evidence = _grade(grader, unsafe_values(text_node, safe), scope)
                if evidence is None or (migration and not evidence.tainted):
                    continue
                bound = _binds_parameters(node, text_node)
                severity = evidence.severity
                if not evidence.tainted and bound:
                    severity = Severity.parse(params.bound_severity)
                yield Hit(
                    line=query.lineno,
                    column=query.col_offset + 1,
                    end_line=query.end_lineno,
                    end_column=(query.end_col_offset or 0) + 1,
                    fields={
                        "how": how,
                        "sink": _sink_name(node),
                        "via": variable,
                        "risk": _BOUND_RISK if bound else _VALUE_RISK,
                        "claim": evidence.claim(),
                    },
                    severity=severity,
                    utf8=True,
                )


def _grade(grader: Grader, values: list[ast.AST], scope: ast.AST) -> Evidence | None:
    """The strongest evidence among the interpolated values."""
    found = [e for v in values if (e := grader.grade(v, scope)) is not None]
    return next((e for e in found if e.tainted), found[0] if found else None)
