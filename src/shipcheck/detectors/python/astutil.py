"""AST helpers shared by the Python detectors: import resolution, scopes, static strings."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from shipcheck import lazyre, roles
from shipcheck.detectors.python.index import PyIndex, index_of
from shipcheck.models.findings import Hit
from shipcheck.roles import Role


class Imports:
    """Local names bound by ``import`` statements, mapped to dotted module paths.

    ``import requests as r`` binds ``r`` → ``requests``; ``from urllib import request``
    binds ``request`` → ``urllib.request``; ``import urllib.request`` binds ``urllib``.
    Relative imports are ignored (they never name a third-party library).
    """

    def __init__(self, tree: ast.AST) -> None:
        self.names: dict[str, str] = {}
        for node in index_of(tree).of(ast.Import, ast.ImportFrom):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.names[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.names[top] = top
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    if alias.name != "*":
                        self.names[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def resolve(self, node: ast.AST) -> str | None:
        """The dotted name an expression refers to (``r.get`` → ``requests.get``), or None
        when its base is not an imported name."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base = self.names.get(node.id)
        if base is None:
            return None
        return ".".join([base, *reversed(parts)])

    def imports_any(self, *modules: str) -> bool:
        """Whether any import binds a name from one of ``modules`` (top-level names)."""
        return any(v.split(".")[0] in modules for v in self.names.values())


def imports_of(doc: object) -> Imports:
    """The :class:`Imports` of a parsed Python file, computed once per file and shared by
    every detector that asks (cached on the artifact)."""
    cache = doc.__dict__
    found = cache.get("_shipcheck_imports")
    if found is None:
        found = cache["_shipcheck_imports"] = Imports(doc.tree)  # type: ignore[attr-defined]
    return found  # type: ignore[no-any-return]


def nodes_of(doc: object) -> list[ast.AST]:
    """Every node of a parsed Python file, in source order (from the file's one index)."""
    return index_of(doc).nodes


def calls_of(doc: object) -> list[ast.Call]:
    """Every call of a parsed Python file, in source order."""
    return index_of(doc).calls


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    """The keyword argument ``name`` of ``call``."""
    return next((k for k in call.keywords if k.arg == name), None)


def has_star_kwargs(call: ast.Call) -> bool:
    """Whether ``call`` passes ``**kwargs`` (any keyword could be in there)."""
    return any(k.arg is None for k in call.keywords)


def has_star_args(call: ast.Call) -> bool:
    """Whether ``call`` passes ``*args``."""
    return any(isinstance(a, ast.Starred) for a in call.args)


def is_const(node: ast.AST | None, value: object) -> bool:
    """``node`` is the literal ``value`` (``False``, ``None``, ...), compared by identity for
    singletons so that ``0`` is not ``False``."""
    if not isinstance(node, ast.Constant):
        return False
    if value is None or isinstance(value, bool):
        return node.value is value
    return bool(node.value == value)


def call_name(call: ast.Call) -> str | None:
    """The last name of the called expression: ``get`` for ``session.get(...)``."""
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def scopes(tree: ast.Module) -> list[ast.AST]:
    """The module and every function in it."""
    return [tree, *index_of(tree).functions()]


def scope_nodes(scope: ast.AST, index: PyIndex) -> list[ast.AST]:
    """Nodes of one function (or of the module), in source order, not entering nested
    functions, classes or lambdas (class bodies of the module are entered)."""
    return index.scope_nodes(scope)


def assignments(scope: ast.AST, index: PyIndex) -> dict[str, list[ast.AST]]:
    """Values assigned to plain names in ``scope`` (``x = value``; other bindings such as
    ``for x in``, ``with ... as x`` or augmented assignments record ``None``-like markers).
    Computed once per scope and file."""
    key = ("assignments", id(scope))
    found = index.memo.get(key)
    if found is None:
        found = index.memo[key] = _assignments(scope, index)
    return found  # type: ignore[no-any-return]


def _assignments(scope: ast.AST, index: PyIndex) -> dict[str, list[ast.AST]]:
    bound: dict[str, list[ast.AST]] = {}
    for node in index.scope_nodes(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound.setdefault(target.id, []).append(node.value)
                else:
                    for name in _target_names(target):
                        bound.setdefault(name, []).append(node.value)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            if isinstance(node.target, ast.Name):
                value = node.value if isinstance(node, ast.AnnAssign) else node
                bound.setdefault(node.target.id, []).append(value or node)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            for name in _target_names(node.target):
                bound.setdefault(name, []).append(node)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            for name in _target_names(node.optional_vars):
                bound.setdefault(name, []).append(node)
        elif isinstance(node, ast.NamedExpr):
            bound.setdefault(node.target.id, []).append(node.value)
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        args = scope.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None:
                bound.setdefault(arg.arg, []).append(arg)
    return bound


def _target_names(target: ast.AST) -> Iterator[str]:
    """Names a target binds (``a``, ``a, b``, ``*rest``); ``x.attr`` and ``x[i]`` bind none."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _target_names(element)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def static_names(tree: ast.Module) -> set[str]:
    """Module-level names bound exactly once, to a string literal."""
    bound = assignments(tree, index_of(tree))
    return {
        name for name, values in bound.items() if len(values) == 1 and _literal_string(values[0])
    }


def _literal_string(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal_string(node.left) and _literal_string(node.right)
    return False


class StaticStrings:
    """Decides whether a string expression is fixed in the source (no outside value can
    reach it): literals, module constants, locals bound once to such values, f-strings and
    concatenations of those, and ``shlex.quote(...)`` pieces."""

    def __init__(self, tree: ast.Module, imports: Imports) -> None:
        self.imports = imports
        self.index = index_of(tree)
        self.module = static_names(tree)
        self._local_cache: dict[int, set[str]] = {}

    def local_names(self, scope: ast.AST) -> set[str]:
        """Names of ``scope`` bound exactly once to a static value (module names included)."""
        key = id(scope)
        if key not in self._local_cache:
            names = set(self.module)
            if not isinstance(scope, ast.Module):
                bound = assignments(scope, self.index)
                names -= set(bound)  # local bindings shadow module constants
                # Two passes so that ``a = "x"; b = a + "y"`` works.
                for _ in range(2):
                    for name, values in bound.items():
                        if len(values) == 1 and self.is_static(values[0], names):
                            names.add(name)
            self._local_cache[key] = names
        return self._local_cache[key]

    def is_static(self, node: ast.AST, names: set[str]) -> bool:
        """Whether ``node`` evaluates to a string fixed in the source."""
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name):
            return node.id in names
        if isinstance(node, ast.JoinedStr):
            return all(self.is_static(v, names) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return self.is_static(node.value, names)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
            return self.is_static(node.left, names) and self.is_static(node.right, names)
        if isinstance(node, ast.Tuple | ast.List):
            return all(self.is_static(e, names) for e in node.elts)
        if isinstance(node, ast.Call):
            qual = self.imports.resolve(node.func)
            if qual in ("shlex.quote", "pipes.quote", "shlex.join"):
                return True
            if (
                isinstance(node.func, ast.Attribute)
                and node.func.attr == "format"
                and self.is_static(node.func.value, names)
            ):
                return all(self.is_static(a, names) for a in node.args) and all(
                    self.is_static(k.value, names) for k in node.keywords
                )
        return False


def describe(node: ast.AST) -> str:
    """How a non-static string is built, for messages."""
    if isinstance(node, ast.JoinedStr):
        return "an f-string"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return "% formatting"
    if isinstance(node, ast.BinOp):
        return "concatenation"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "format":
            return "str.format()"
        return f"the result of `{ast.unparse(node.func)}()`"[:80]
    if isinstance(node, ast.Call):
        return f"the result of `{ast.unparse(node.func)}()`"[:80]
    if isinstance(node, ast.Name):
        return f"variable `{node.id}`"
    if isinstance(node, ast.Attribute | ast.Subscript):
        text = ast.unparse(node)
        return f"`{text}`" if len(text) <= 40 else "an expression"
    return "an expression"


def main_guard_lines(tree: ast.Module) -> set[int]:
    """Lines inside ``if __name__ == "__main__":`` blocks at module level."""
    lines: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and _is_main_test(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _is_main_test(test: ast.AST) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and is_const(test.comparators[0], "__main__")
    )


def has_main_guard(tree: ast.Module) -> bool:
    """Whether the module has an ``if __name__ == "__main__":`` block."""
    return any(isinstance(n, ast.If) and _is_main_test(n.test) for n in tree.body)


def non_production(path: str) -> bool:
    """Example, documentation and benchmark code (tests are ``Artifact.in_test_dir``): the
    file's role."""
    return roles.of(path).role is Role.EXAMPLE


def node_hit(node: ast.AST, **fields: object) -> Hit:
    """A hit spanning ``node``."""
    line = getattr(node, "lineno", 1)
    column = getattr(node, "col_offset", 0) + 1
    end_line = getattr(node, "end_lineno", None) or line
    end_column = (getattr(node, "end_col_offset", None) or 0) + 1
    if end_line != line:
        # One line is enough to point at; long calls would highlight whole blocks.
        end_line, end_column = line, 0
    return Hit(
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column or None,
        fields=fields,
        utf8=True,
    )


# --- data from outside the process ---------------------------------------------------------

_WEB_FRAMEWORKS = ("flask", "django", "fastapi", "starlette", "quart", "aiohttp", "tornado",
                   "falcon", "pyramid", "sanic", "bottle", "litestar",
                   "rest_framework")  # fmt: skip
_REQUEST_GLOBALS = {"flask.request", "quart.request", "bottle.request", "sanic.request"}
_ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "patch", "delete", "api_route",
                               "websocket", "view_config", "api_view", "action"})  # fmt: skip
_HTTP_CALLS = (
    "requests.",
    "httpx.",
    "urllib.request.urlopen",
    "urllib2.urlopen",
    "aiohttp.request",
)
_STORE_READS = frozenset({"get", "hget", "hgetall", "hmget", "mget", "lpop", "rpop", "blpop",
                          "brpop", "lrange", "getdel", "getex", "recv", "recvfrom",
                          "recv_multipart", "get_many"})  # fmt: skip
_STORE_NAMES = lazyre.compile(r"redis|cache|memcache|sock|socket|zmq|broker|queue", re.IGNORECASE)


_HTTP_MODULES = tuple(sorted({prefix.split(".")[0] for prefix in _HTTP_CALLS}))


def _store_read(call: ast.Call) -> bool:
    """``cache.get(...)``, ``self.redis.hgetall(...)``, ``sock.recv(...)``: a read from a
    store or a socket, by the method and the receiver's last name."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _STORE_READS:
        return False
    receiver = func.value
    if isinstance(receiver, ast.Name):
        last = receiver.id
    elif isinstance(receiver, ast.Attribute):
        last = receiver.attr
    else:
        last = ast.unparse(receiver).rsplit(".", 1)[-1]
    return bool(_STORE_NAMES.search(last))


def _decorator_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def is_request_handler(func: ast.AST) -> bool:
    """A view: decorated as a route (``@app.get``, ``@router.post``, ``@api_view``) or taking
    ``request`` as its first parameter (Django, DRF, aiohttp, Starlette)."""
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    if any(_decorator_name(d) in _ROUTE_DECORATORS for d in func.decorator_list):
        return True
    params = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
    if params and params[0] in ("self", "cls"):
        params = params[1:]
    return bool(params) and params[0] in ("request", "req")


class Untrusted:
    """Whether a value, within one function, comes from outside the process: web request
    data (``request.args``, ``request.GET``, view parameters), HTTP responses, or reads from
    caches, queues and sockets. Local assignments are followed a few steps back."""

    def __init__(self, tree: ast.Module, imports: Imports) -> None:
        self.imports = imports
        self.index = index_of(tree)
        self.web = imports.imports_any(*_WEB_FRAMEWORKS)
        self._possible: bool | None = None

    def possible(self) -> bool:
        """Whether the module can hold outside data at all: it imports a web framework or an
        HTTP client, or reads from something named like a cache, queue or socket. Most
        modules of a large code base do neither, and then no value needs following."""
        if self._possible is None:
            self._possible = (
                self.web
                or self.imports.imports_any(*_HTTP_MODULES)
                or any(_store_read(call) for call in self.index.of(ast.Call))
            )
        return self._possible

    def source(self, node: ast.AST, scope: ast.AST) -> str | None:
        """What outside source ``node`` carries (for messages), or None."""
        if not self.possible():
            return None
        params: set[str] = set()
        if self.web and is_request_handler(scope):
            assert isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef)
            args = scope.args
            params = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
            params -= {"self", "cls"}
        return self._source(node, assignments(scope, self.index), params, 0)

    def _source(
        self, node: ast.AST, bound: dict[str, list[ast.AST]], params: set[str], depth: int
    ) -> str | None:
        if depth > 6:
            return None
        again = lambda n: self._source(n, bound, params, depth + 1)  # noqa: E731
        if isinstance(node, ast.Name):
            if node.id in params:
                return (
                    "request data"
                    if node.id in ("request", "req")
                    else (f"view parameter `{node.id}`")
                )
            if self.imports.resolve(node) in _REQUEST_GLOBALS:
                return "request data"
            for value in bound.get(node.id, []):
                origin = value
                if isinstance(value, ast.For | ast.AsyncFor | ast.comprehension):
                    origin = value.iter
                elif isinstance(value, ast.withitem):
                    origin = value.context_expr
                elif isinstance(value, ast.arg):
                    continue
                found = again(origin)
                if found:
                    return found
            return None
        if isinstance(node, ast.Attribute):
            if node.attr == "request" and isinstance(node.value, ast.Name) and self.web:
                return "request data"
            return again(node.value)
        if isinstance(node, ast.Subscript):
            return again(node.value)
        if isinstance(node, ast.Await):
            return again(node.value)
        if isinstance(node, ast.Call):
            qual = self.imports.resolve(node.func) or ""
            if qual.startswith(_HTTP_CALLS):
                return "an HTTP response"
            func = node.func
            if isinstance(func, ast.Attribute):
                if _store_read(node):
                    return f"a read from `{ast.unparse(func.value)[:40]}`"
                found = again(func.value)
                if found:
                    return found
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                found = again(arg)
                if found:
                    return found
            return None
        if isinstance(node, ast.BinOp):
            return again(node.left) or again(node.right)
        if isinstance(node, ast.JoinedStr):
            return next((s for v in node.values if (s := again(v))), None)
        if isinstance(node, ast.FormattedValue):
            return again(node.value)
        if isinstance(node, ast.IfExp):
            return again(node.body) or again(node.orelse)
        if isinstance(node, ast.BoolOp):
            return next((s for v in node.values if (s := again(v))), None)
        return None
