"""Exceptions caught broadly and then silently dropped."""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterator

from shipcheck.detectors.python.astutil import non_production
from shipcheck.detectors.python.index import PyIndex, index_of
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.findings import Hit, Severity

_BROAD = {"Exception", "BaseException"}
_TRY = (ast.Try, getattr(ast, "TryStar", ast.Try))  # ``try/except*`` is Python 3.11+
# Destructors must not raise, and an exception there is only printed anyway.
_SILENT_OK_FUNCTIONS = {"__del__"}


def _broad_name(node: ast.AST | None) -> str | None:
    """``Exception``/``BaseException`` (also ``builtins.Exception`` or inside a tuple)."""
    if node is None:
        return "bare"
    if isinstance(node, ast.Name) and node.id in _BROAD:
        return node.id
    if (
        isinstance(node, ast.Attribute)
        and node.attr in _BROAD
        and isinstance(node.value, ast.Name)
        and node.value.id == "builtins"
    ):
        return node.attr
    if isinstance(node, ast.Tuple):
        for element in node.elts:
            name = _broad_name(element)
            if name and name != "bare":
                return name
    return None


def _does_nothing(body: list[ast.stmt]) -> str | None:
    """``pass``/``continue``/``...`` (or a lone string) for every statement, else None."""
    verbs = []
    for stmt in body:
        if isinstance(stmt, ast.Pass):
            verbs.append("pass")
        elif isinstance(stmt, ast.Continue):
            verbs.append("continue")
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            if stmt.value.value is Ellipsis:
                verbs.append("...")
            elif not isinstance(stmt.value.value, str):
                return None
        else:
            return None
    return verbs[-1] if verbs else "pass"


def _silent_ok_lines(functions: list[ast.FunctionDef | ast.AsyncFunctionDef]) -> set[int]:
    """Lines of functions where swallowing is expected (``__del__``)."""
    lines: set[int] = set()
    for node in functions:
        if node.name in _SILENT_OK_FUNCTIONS:
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def _has_comment(doc: PythonFile, handler: ast.ExceptHandler) -> bool:
    """Whether the handler carries a comment (``# best effort``, ``# noqa: BLE001``,
    ``# pylint: disable=broad-except``): the swallow is a documented decision."""
    end = handler.end_lineno or handler.lineno
    snippet = "\n".join(doc.lines[handler.lineno - 1 : end]).strip() + "\n"
    try:
        return any(
            tok.type == tokenize.COMMENT
            for tok in tokenize.generate_tokens(io.StringIO(snippet).readline)
        )
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return any("#" in line for line in doc.lines[handler.lineno - 1 : end])


def _in_cleanup(index: PyIndex, handler: ast.ExceptHandler) -> bool:
    """Whether ``handler`` guards clean-up that runs while another error propagates: inside
    a ``finally:`` block, or inside an ``except`` clause that re-raises (``raise``). The
    original error still surfaces; only the clean-up's own failure is dropped."""
    child: ast.AST = handler
    for ancestor in index.ancestors(handler):
        if isinstance(ancestor, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return False
        if isinstance(ancestor, _TRY) and child in ancestor.finalbody:
            return True
        if isinstance(ancestor, ast.ExceptHandler) and any(
            isinstance(stmt, ast.Raise) and (stmt.exc is None or _names(stmt.exc, ancestor))
            for stmt in ancestor.body
        ):
            return True
        child = ancestor
    return False


def _names(exc: ast.expr, handler: ast.ExceptHandler) -> bool:
    """``raise err`` of the handler's own ``except ... as err``."""
    return isinstance(exc, ast.Name) and exc.id == handler.name


@detector("python.broad-except-swallowed", kind=Kind.PYTHON)
def broad_except_swallowed(doc: PythonFile, params: None) -> Iterator[Hit]:
    """``except:``, ``except Exception:`` or ``except BaseException:`` whose body only
    passes, continues or is ``...``. Narrow exceptions, handlers that do anything else
    (log, re-raise, return a value, clean up), handlers with a comment saying why
    (a documented decision), ``__del__`` methods and test modules are left alone."""
    if doc.in_test_dir or non_production(doc.path):
        return
    index = index_of(doc)
    handlers = sorted(index.of(ast.ExceptHandler), key=lambda h: h.lineno)
    if not handlers:
        return
    silent_ok = _silent_ok_lines(index.of(ast.FunctionDef, ast.AsyncFunctionDef))
    for handler in handlers:
        caught = _broad_name(handler.type)
        if caught is None or handler.lineno in silent_ok:
            continue
        verb = _does_nothing(handler.body)
        if verb is None or _has_comment(doc, handler):
            continue
        if caught == "bare":
            clause, severity = "`except:`", None
        elif caught == "BaseException":
            clause, severity = "`except BaseException`", None
        else:
            clause, severity = "`except Exception`", Severity.LOW
        if severity is None and _in_cleanup(index_of(doc), handler):
            severity = Severity.LOW
            clause += " in clean-up while the original error propagates"
        end = handler.type.end_col_offset if handler.type is not None else None
        yield Hit(
            line=handler.lineno,
            column=handler.col_offset + 1,
            end_column=(end + 2) if end is not None else handler.col_offset + 8,
            fields={"clause": clause, "verb": verb},
            severity=severity,
            utf8=True,
        )
