"""One level of interprocedural evidence inside a module.

When the value reaching a sink is built from parameters of the enclosing function (and from
nothing else of unknown origin), the function's call sites in the same module say what those
parameters hold: request data at any call site makes the sink high, naming the call; fixed
values at every call site of a function no other module can call (a ``_private`` or nested
function) clear it. Depth one: an argument that is itself a parameter of the caller stays
unknown. Calls from other modules are followed by the project pass (:mod:`callsites`).
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from shipcheck.detectors.python.astutil import assignments

if TYPE_CHECKING:
    from shipcheck.detectors.python.evidence import Evidence, Grader
    from shipcheck.detectors.python.index import PyIndex

# Work bounds per graded sink: parameters tried, call sites read.
MAX_PARAMS = 8
MAX_CALLS = 20

Function = ast.FunctionDef | ast.AsyncFunctionDef


def follow(grader: Grader, evidence: Evidence, node: ast.AST, scope: Function) -> Evidence | None:
    """``evidence`` (unknown origin, inside function ``scope``) refined by the call sites of
    ``scope`` in the module; None when every call site passes fixed values."""
    from shipcheck.detectors.python.evidence import parameters

    names = sorted(parameters(scope))
    if not names or len(names) > MAX_PARAMS:
        return evidence
    everything = frozenset(names)
    if grader.unknown_trusting(node, scope, everything) is not None:
        return evidence  # something besides the parameters is of unknown origin
    used = tuple(
        p for p in names if grader.unknown_trusting(node, scope, everything - {p}) is not None
    )
    if not used:
        return evidence
    evidence = replace(evidence, function=scope.name, params=used)
    calls = call_sites(grader, scope)
    if not calls:
        return evidence
    unknown = False
    for call, offset in calls[:MAX_CALLS]:
        caller = enclosing_function(grader.index, call) or grader.tree
        for param in used:
            argument = argument_for(call, scope, param, offset)
            if argument is None:
                unknown = True
                continue
            source = grader.untrusted.source(argument, caller)
            if source:
                return replace(
                    evidence,
                    level="tainted",
                    what=f"{source} passed to `{scope.name}()` at line {call.lineno}",
                )
            if grader.unknown_trusting(argument, caller, frozenset()) is not None:
                unknown = True
    if unknown or len(calls) > MAX_CALLS or not _module_private(grader, scope):
        return evidence
    # Fixed arguments clear the sink only while the parameters still hold them.
    bound = assignments(scope, grader.index)
    if any(not isinstance(v, ast.arg) for p in used for v in bound.get(p, [])):
        return evidence
    return None


def _module_private(grader: Grader, scope: Function) -> bool:
    """Whether only this module can call ``scope``: a nested function, or a ``_name``
    (not a dunder) defined at module level or in a class."""
    parent = grader.index.parent(scope)
    if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef):
        return True
    return scope.name.startswith("_") and not scope.name.endswith("__")


def enclosing_function(index: PyIndex, node: ast.AST) -> Function | None:
    """The innermost function whose code holds ``node`` (None at module level)."""
    parent = index.parent(node)
    while parent is not None and not isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef):
        parent = index.parent(parent)
    return parent


def call_sites(grader: Grader, scope: Function) -> list[tuple[ast.Call, int]]:
    """The calls of ``scope`` in its module, each with the number of leading parameters the
    call does not pass (1 for ``self.method(...)``): a module-level or nested function by
    name, a method as ``self.name(...)``/``cls.name(...)`` inside its class."""
    parent = grader.index.parent(scope)
    found: list[tuple[ast.Call, int]] = []
    if isinstance(parent, ast.ClassDef):
        static = any(
            isinstance(d, ast.Name) and d.id == "staticmethod" for d in scope.decorator_list
        )
        receivers = {"self", "cls", parent.name}
        for call in grader.index.walk(parent):
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == scope.name
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id in receivers
            ):
                bound = not static and call.func.value.id != parent.name
                found.append((call, 1 if bound else 0))
        return found
    area = parent if parent is not None else grader.tree
    for call in grader.index.walk(area):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == scope.name
        ):
            found.append((call, 0))
    return found


def argument_for(call: ast.Call, scope: Function, param: str, offset: int) -> ast.AST | None:
    """The expression ``call`` passes for ``param`` (its default when it passes none), or
    None when it cannot be told (``*args``/``**kwargs`` at the call)."""
    for keyword in call.keywords:
        if keyword.arg == param:
            return keyword.value
    if any(k.arg is None for k in call.keywords) or any(
        isinstance(a, ast.Starred) for a in call.args
    ):
        return None
    args = scope.args
    positional = [a.arg for a in [*args.posonlyargs, *args.args]][offset:]
    if param in positional:
        index = positional.index(param)
        if index < len(call.args):
            return call.args[index]
        defaults = args.defaults
        first_default = len(positional) - len(defaults)
        return defaults[index - first_default] if index >= first_default else None
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if arg.arg == param:
            return default
    return None
