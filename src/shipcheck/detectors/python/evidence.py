"""The evidence ladder of injection and unsafe-API sinks.

A sink is graded by what reaches it: data from outside the process (request data, an HTTP
response, a cache or queue read: :class:`astutil.Untrusted`) is *tainted* and reported at
high severity; a value of unknown origin (a parameter, an attribute, the result of a call
on one) is reported at low severity, worded as a review; values fixed in the source
(literals, module constants, files the program ships) are not reported.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass

from shipcheck.detectors.python import callers
from shipcheck.detectors.python.astutil import Imports, Untrusted, assignments
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.python.reaching import reaching
from shipcheck.models.findings import Severity

TAINTED = "tainted"
UNKNOWN = "unknown"

_BUILTINS = frozenset(dir(builtins))
# Builtins and helpers whose result is as constant as their arguments.
_PURE_CALLS = frozenset(
    {"open", "str", "bytes", "int", "float", "bool", "len", "repr", "format", "dict", "list",
     "tuple", "set", "frozenset", "sorted", "Path", "PurePath", "PosixPath", "join",
     "dirname", "basename", "abspath", "realpath", "normpath", "expanduser", "with_name",
     "with_suffix", "joinpath", "parent", "resolve", "read", "read_text", "read_bytes",
     "encode", "decode", "strip", "lower", "upper", "replace", "get_data", "files",
     "open_binary", "open_text", "read_binary", "getcwd", "enumerate", "zip", "reversed",
     "range", "items", "keys", "values", "min", "max", "abs", "round", "split", "splitlines",
     "next", "iter"}
)  # fmt: skip
# Builtins whose result is a number or a truth value.
_NUMERIC_CALLS = frozenset({"len", "int", "float", "bool", "abs", "round", "hash", "id", "ord"})
# Serialisers whose output is the program's own object (``pickle.loads(pickle.dumps(x))``).
_ROUND_TRIPS = frozenset(
    f"{module}.dumps"
    for module in ("pickle", "cPickle", "_pickle", "dill", "cloudpickle", "marshal")
)
# Attributes naming a table or other schema constant (SQLAlchemy and Django models).
_SCHEMA_ATTRS = frozenset({"__tablename__", "db_table", "__table__", "table_name", "_meta"})


@dataclass(frozen=True)
class Evidence:
    """What reaches a sink: ``level`` is :data:`TAINTED` or :data:`UNKNOWN`; ``what`` names
    it for messages (``request data``, ``parameter `cmd```)."""

    level: str
    what: str
    # The enclosing function and those of its parameters the value is built from, when
    # nothing else unknown reaches the sink: the project pass follows them to other modules'
    # call sites (:mod:`callsites`).
    function: str | None = None
    params: tuple[str, ...] = ()

    @property
    def severity(self) -> Severity:
        """High for outside data, low for a value to review."""
        return Severity.HIGH if self.level == TAINTED else Severity.LOW

    @property
    def tainted(self) -> bool:
        """Whether the value comes from outside the process."""
        return self.level == TAINTED

    def claim(self) -> str:
        """How messages say where the value comes from."""
        if self.tainted:
            return f"{self.what} reaches it"
        what = self.what
        if self.function and self.params:
            names = ", ".join(f"`{p}`" for p in self.params)
            plural = "s" if len(self.params) > 1 else ""
            origin = f"parameter{plural} {names} of `{self.function}()`"
            what = origin if what == f"parameter `{self.params[0]}`" else f"{what} ({origin})"
        return f"review: make sure {what} is trusted"


class Grader:
    """Grades the values that reach sinks in one module (see the module docstring)."""

    def __init__(
        self,
        tree: ast.Module,
        imports: Imports,
        sanitizers: frozenset[str] = frozenset(),
        quoting: frozenset[str] = frozenset(),
    ) -> None:
        self.tree = tree
        self.imports = imports
        self.sanitizers = sanitizers  # qualified names of calls whose result is safe
        self.quoting = quoting  # names of quoting helpers, wherever they are defined
        self.index = index_of(tree)
        self.untrusted = Untrusted(tree, imports)
        self.module_bound = assignments(tree, self.index)
        defined = self.index.of(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        self.definitions = {n.name for n in defined}
        self._trusted: set[str] = set()  # allow-listed names of the scope being graded
        # What each name read of the expression being graded resolved to; a name met again
        # while it is being resolved (``x = x + 1``) adds nothing and counts as fixed.
        self._names: dict[int, str | None] = {}

    def grade(self, node: ast.AST, scope: ast.AST) -> Evidence | None:
        """The evidence ``node`` carries inside ``scope``, or None when it is fixed in the
        source."""
        source = self.untrusted.source(node, scope)
        if source:
            return Evidence(TAINTED, source)
        culprit = self.unknown_part(node, scope)
        if culprit is None:
            return None
        evidence = Evidence(UNKNOWN, culprit)
        if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
            return callers.follow(self, evidence, node, scope)
        return evidence

    def unknown_part(self, node: ast.AST, scope: ast.AST) -> str | None:
        """A description of the first part of ``node`` not fixed in the source, or None."""
        return self.unknown_trusting(node, scope, frozenset())

    def unknown_trusting(
        self, node: ast.AST, scope: ast.AST, trusted: frozenset[str]
    ) -> str | None:
        """:meth:`unknown_part`, taking the names in ``trusted`` as fixed."""
        bound = assignments(scope, self.index) if not isinstance(scope, ast.Module) else {}
        self._trusted, self._names = set(), {}
        self._trusted = self._allow_listed(scope) | trusted
        self._names = {}
        return self._unknown(node, bound, parameters(scope) - trusted, 0)

    def _allow_listed(self, scope: ast.AST) -> set[str]:
        """Names the scope checks against a fixed collection and leaves on failure
        (``if op not in ALLOWED: raise ...``): only listed values get past."""
        found: set[str] = set()
        for node in self.index.scope_nodes(scope, classes=False):
            if not isinstance(node, ast.If) or not node.body:
                continue
            test = node.test
            if not (
                isinstance(test, ast.Compare)
                and isinstance(test.left, ast.Name)
                and len(test.ops) == 1
                and isinstance(test.ops[0], ast.NotIn)
                and isinstance(node.body[-1], ast.Raise | ast.Return | ast.Continue)
            ):
                continue
            if self._unknown(test.comparators[0], {}, set(), 1) is None:
                found.add(test.left.id)
        return found

    def _unknown(
        self, node: ast.AST, bound: dict[str, list[ast.AST]], params: set[str], depth: int
    ) -> str | None:
        if depth > 40:
            return "an expression"
        again = lambda n: self._unknown(n, bound, params, depth + 1)  # noqa: E731
        if isinstance(node, ast.Constant):
            return None
        if isinstance(node, ast.Name):
            key = id(node)
            if key not in self._names:
                self._names[key] = None
                self._names[key] = self._name(node, bound, params, depth)
            return self._names[key]
        if isinstance(node, ast.Attribute):
            if node.attr in _SCHEMA_ATTRS or node.attr.isupper():
                return None
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                return f"attribute `{_short(node)}`"
            if self.imports.resolve(node) is not None:
                return None  # a module-level name of a library or settings module
            inner = again(node.value)
            return None if inner is None else f"`{_short(node)}`"
        if isinstance(node, ast.Subscript):
            return again(node.value) or again(node.slice)
        if isinstance(node, ast.JoinedStr):
            return next((s for v in node.values if (s := again(v))), None)
        if isinstance(node, ast.FormattedValue):
            return again(node.value)
        if isinstance(node, ast.BinOp):
            return again(node.left) or again(node.right)
        if isinstance(node, ast.BoolOp | ast.Tuple | ast.List | ast.Set):
            items = node.values if isinstance(node, ast.BoolOp) else node.elts
            return next((s for v in items if (s := again(v))), None)
        if isinstance(node, ast.Dict):
            parts = [*(k for k in node.keys if k is not None), *node.values]
            return next((s for v in parts if (s := again(v))), None)
        if isinstance(node, ast.IfExp):
            return again(node.body) or again(node.orelse)
        if isinstance(node, ast.Starred | ast.Await):
            return again(node.value)
        if isinstance(node, ast.Call):
            return self._call(node, again)
        # A comprehension's value is its element; the loop variables the element reads are
        # followed to what they iterate (``[":" + p for p in names]``), and a sequence it
        # only counts over (``[f"val_{i}" for _ in rows]``) does not reach the result.
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            return again(node.elt)
        if isinstance(node, ast.DictComp):
            return again(node.key) or again(node.value)
        return "an expression"

    def _call(self, node: ast.Call, again: object) -> str | None:
        func = node.func
        qual = self.imports.resolve(func)
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if qual in self.sanitizers or qual in _ROUND_TRIPS or name in self.quoting:
            return None
        if isinstance(func, ast.Name) and name in _NUMERIC_CALLS and name not in self.definitions:
            return None  # a number cannot carry code or SQL, whatever it was computed from
        arguments = [*node.args, *(k.value for k in node.keywords)]
        pure = name in _PURE_CALLS or (
            isinstance(func, ast.Name) and func.id in self.definitions and not arguments
        )
        if isinstance(func, ast.Attribute) and not pure:
            pure = name == "format" or (self.imports.resolve(func) is not None and not arguments)
        if not pure:
            return f"the result of `{_short(func)}()`"
        if isinstance(func, ast.Attribute) and self.imports.resolve(func) is None:
            receiver = again(func.value)  # type: ignore[operator]
            if receiver:
                return receiver  # type: ignore[no-any-return]
        return next((s for a in arguments if (s := again(a))), None)  # type: ignore[operator]

    def _name(
        self, use: ast.Name, bound: dict[str, list[ast.AST]], params: set[str], depth: int
    ) -> str | None:
        name = use.id
        if name in ("__file__", "__name__", "__package__") or name in self._trusted:
            return None
        values = bound.get(name)
        if values is not None:
            values = reaching(self.index, values, use)
        if name in params and (values is None or any(isinstance(v, ast.arg) for v in values)):
            return f"parameter `{name}`"
        if values is None:
            if name in self.imports.names or name in self.definitions:
                return None
            values = self.module_bound.get(name)
            if values is None:
                return None if name in _BUILTINS else f"`{name}`"
            bound = {}
        for value in values:
            origin: ast.AST | None = value
            if isinstance(value, ast.For | ast.AsyncFor | ast.comprehension):
                if _enumerate_index(value, name):
                    continue
                origin = _iterated(value, name)
            elif isinstance(value, ast.withitem):
                origin = value.context_expr
            elif isinstance(value, ast.AugAssign):
                origin = value.value
            elif isinstance(value, ast.arg):
                return f"parameter `{name}`"
            elif not isinstance(value, ast.expr):
                return f"`{name}`"
            if origin is not None and self._unknown(origin, bound, params, depth + 1):
                return f"variable `{name}`"
        return None


def _iterated(loop: ast.For | ast.AsyncFor | ast.comprehension, name: str) -> ast.AST:
    """What the loop variable ``name`` takes its items from: the matching argument of
    ``for a, b in zip(xs, ys)`` or the sequence of ``for i, x in enumerate(xs)``, else the
    whole iterable."""
    target, source = loop.target, loop.iter
    if not (
        isinstance(target, ast.Tuple)
        and isinstance(source, ast.Call)
        and isinstance(source.func, ast.Name)
        and not source.keywords
        and not any(isinstance(a, ast.Starred) for a in source.args)
    ):
        return source
    names = [e.id if isinstance(e, ast.Name) else None for e in target.elts]
    if name not in names:
        return source
    position = names.index(name)
    if source.func.id == "zip" and len(source.args) == len(names):
        return source.args[position]
    if source.func.id == "enumerate" and len(names) == 2 and position == 1 and source.args:
        return source.args[0]
    return source


def _enumerate_index(loop: ast.For | ast.AsyncFor | ast.comprehension, name: str) -> bool:
    """Whether ``name`` is the counter of ``for name, item in enumerate(...)``."""
    target, source = loop.target, loop.iter
    return (
        isinstance(source, ast.Call)
        and isinstance(source.func, ast.Name)
        and source.func.id == "enumerate"
        and isinstance(target, ast.Tuple)
        and bool(target.elts)
        and isinstance(target.elts[0], ast.Name)
        and target.elts[0].id == name
    )


def parameters(scope: ast.AST) -> set[str]:
    """The names of a function's parameters, ``self`` and ``cls`` left out."""
    if not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        return set()
    args = scope.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    return names - {"self", "cls"}


def _short(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 40 else text[:37] + "..."
