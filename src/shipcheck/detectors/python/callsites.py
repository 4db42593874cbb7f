"""Request data passed to a function of another module, for the sink rules' evidence.

The file pass grades a sink reached by parameters of its function from the call sites in the
same module (:mod:`callers`); calls from other modules are only visible to the project pass.
Each module yields a :class:`TaintedCall` for every call of an imported name
(``from pkg.mod import helper``, ``import pkg.mod as m; m.helper(...)``,
``from . import db; db.helper(...)``) that passes request or other outside data, and a
refiner raises a low "review" sink finding whose parameter such a call fills to high, naming
the call. Depth one: the caller's own parameters are not followed further.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from shipcheck import lazyre
from shipcheck.detectors.python.astutil import Untrusted, imports_of
from shipcheck.detectors.python.callers import enclosing_function
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import fact_extractor, refiner
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.facts import Fact
from shipcheck.models.findings import Finding, Severity
from shipcheck.project import ProjectModel

# Calls of imported names graded per module, at most (the rest is left alone).
MAX_CALLS = 300


@dataclass(frozen=True, kw_only=True)
class TaintedCall(Fact):
    """A call at ``path:line`` of ``function`` from the module at ``module`` (a slash path
    without ``.py``, relative to the project root when the import was relative, else the
    dotted name with slashes) passing ``source`` (``request data``) as positional argument
    ``position`` or as keyword ``keyword``."""

    module: str
    function: str
    position: int | None
    keyword: str | None
    source: str


def _imported(
    doc: PythonFile, tree: ast.Module
) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Names bound by imports: ``functions`` maps a local name to (module path, function),
    ``modules`` a local name to a module path."""
    functions: dict[str, tuple[str, str]] = {}
    modules: dict[str, str] = {}
    here = posixpath.dirname(doc.path)
    for node in index_of(tree).of(ast.Import, ast.ImportFrom):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    modules[alias.asname] = alias.name.replace(".", "/")
            continue
        base = (node.module or "").replace(".", "/")
        if node.level:
            root = here
            for _ in range(node.level - 1):
                root = posixpath.dirname(root)
            base = posixpath.join(root, base) if base else root
        for alias in node.names:
            local = alias.asname or alias.name
            functions[local] = (base, alias.name)
            modules[local] = posixpath.join(base, alias.name) if base else alias.name
    return functions, modules


@fact_extractor(Kind.PYTHON)
def tainted_calls(doc: PythonFile) -> Iterator[TaintedCall]:
    """:class:`TaintedCall` facts of one module (none from test code)."""
    if doc.in_test_dir:
        return
    index = index_of(doc)
    functions, modules = _imported(doc, doc.tree)
    if not functions and not modules:
        return
    untrusted: Untrusted | None = None
    graded = 0
    for call in index.of(ast.Call):
        func = call.func
        target: tuple[str, str] | None = None
        if isinstance(func, ast.Name) and func.id in functions:
            target = functions[func.id]
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in modules
        ):
            target = (modules[func.value.id], func.attr)
        # After a ``*args`` the positions of the arguments are unknown.
        starred = any(isinstance(a, ast.Starred) for a in call.args)
        arguments = [
            *((i, None, a) for i, a in enumerate(call.args) if not starred),
            *((None, k.arg, k.value) for k in call.keywords if k.arg),
        ]
        arguments = [a for a in arguments if not isinstance(a[2], ast.Constant | ast.Starred)]
        if target is None or not arguments:
            continue
        graded += 1
        if graded > MAX_CALLS:
            return
        if untrusted is None:
            untrusted = Untrusted(doc.tree, imports_of(doc))
            if not untrusted.possible():
                return  # no outside data in this module: no call can pass any
        scope = enclosing_function(index, call) or doc.tree
        for position, keyword, value in arguments:
            source = untrusted.source(value, scope)
            if source:
                yield TaintedCall(
                    path=doc.path,
                    line=call.lineno,
                    module=target[0],
                    function=target[1],
                    position=position,
                    keyword=keyword,
                    source=source,
                )


# --- the project pass -----------------------------------------------------------------------

_ORIGIN = lazyre.compile(r"parameters? (?P<names>`\w+`(?:, `\w+`)*) of `(?P<function>\w+)\(\)`")
_REVIEW = "review: make sure "


class _Calls:
    """The project's :class:`TaintedCall` facts by function name, built once per project."""

    def __init__(self, project: ProjectModel) -> None:
        self.project = project
        self.by_function: dict[str, list[TaintedCall]] = {}
        for fact in project.facts_of(TaintedCall):
            self.by_function.setdefault(fact.function, []).append(fact)
        self.signatures: dict[tuple[str, str, int], list[str] | None] = {}

    def parameters(self, path: str, function: str, line: int) -> list[str] | None:
        """The positional parameter names of the innermost ``function`` around ``path:line``."""
        key = (path, function, line)
        if key not in self.signatures:
            self.signatures[key] = _signature(self.project.read_text(path), function, line)
        return self.signatures[key]


def _calls(project: ProjectModel) -> _Calls:
    found = project.memo.get("tainted_calls")
    if found is None:
        found = project.memo["tainted_calls"] = _Calls(project)
    return found  # type: ignore[no-any-return]


def _signature(text: str | None, function: str, line: int) -> list[str] | None:
    if text is None:
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    best: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    for node in index_of(tree).of(ast.FunctionDef, ast.AsyncFunctionDef):
        end = node.end_lineno or node.lineno
        if node.name == function and node.lineno <= line <= end:
            best = node  # source order: a nested definition comes after its parent
    if best is None:
        return None
    return [a.arg for a in [*best.args.posonlyargs, *best.args.args]]


def _in_module(path: str, module: str) -> bool:
    return any(
        path == candidate or path.endswith("/" + candidate)
        for candidate in (f"{module}.py", f"{module}/__init__.py")
    )


def follow_other_modules(project: ProjectModel, finding: Finding) -> Finding:
    """A low "review" sink finding whose value comes from parameters of its function becomes
    high when another module calls that function with request or other outside data for one
    of them; the message names the call."""
    if finding.severity is not Severity.LOW or _REVIEW not in finding.message:
        return finding
    match = _ORIGIN.search(finding.message[finding.message.rfind(_REVIEW) :])
    if match is None:
        return finding
    function = match.group("function")
    names = re.findall(r"`(\w+)`", match.group("names"))
    calls = _calls(project)
    candidates = [
        c for c in calls.by_function.get(function, []) if _in_module(finding.path, c.module)
    ]
    if not candidates:
        return finding
    positional = calls.parameters(finding.path, function, finding.line)
    if positional is None or (positional and positional[0] in ("self", "cls")):
        return finding  # a method: calls through an instance are not followed
    for call in sorted(candidates, key=lambda c: (c.path, c.line)):
        param = call.keyword
        if param is None and call.position is not None and call.position < len(positional):
            param = positional[call.position]
        if param in names:
            head = finding.message[: finding.message.rfind(_REVIEW)]
            claim = (
                f"{call.source} reaches it through parameter `{param}`, passed to "
                f"`{function}()` at {call.path}:{call.line}"
            )
            return replace(finding, severity=Severity.HIGH, message=head + claim)
    return finding


for _detector in (
    "python.sql-string-formatting",
    "python.shell-injection",
    "python.dynamic-eval",
    "python.pickle-load",
    "python.yaml-unsafe-load",
):
    refiner(_detector)(follow_other_modules)
