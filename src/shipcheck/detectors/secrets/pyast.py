"""Python syntax trees as the secrets and config detectors need them: string literals with
the name they are bound to, exact character positions, and reads of the environment."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from shipcheck import lazyre
from shipcheck.detectors.python.index import PyIndex, index_of
from shipcheck.models.artifacts import PythonFile
from shipcheck.models.findings import Hit
from shipcheck.text import char_column as text_char_column

T = TypeVar("T")
# Class names of configuration meant for production (``ProductionConfig``, ``LiveSettings``).
PRODUCTION_WORDS = lazyre.compile(r"prod|production|live|release|deploy", re.IGNORECASE)


def literal_string(node: ast.AST | None) -> str | None:
    """The text of a string literal (ASCII bytes literals too), else None."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return node.value
        if isinstance(node.value, bytes):
            try:
                return node.value.decode("ascii")
            except UnicodeDecodeError:
                return None
    return None


def char_column(doc: PythonFile, line: int, col_offset: int) -> int:
    """1-based character column from ast's UTF-8 byte offset."""
    return text_char_column(doc.line_text(line), col_offset)


def value_span(doc: PythonFile, node: ast.AST) -> tuple[int, int, int, int]:
    """(line, column, end line, end column) of a string literal's contents, past its prefix
    and opening quote, so a finding points at the first character of the value."""
    line = getattr(node, "lineno", 1)
    column = char_column(doc, line, getattr(node, "col_offset", 0))
    end_line = getattr(node, "end_lineno", None) or line
    end_column = char_column(doc, end_line, getattr(node, "end_col_offset", 0) or 0)
    text = doc.line_text(line)
    index = column - 1
    while index < len(text) and text[index] in "rRbBuUfF":
        index += 1
    if index < len(text) and text[index] in "'\"":
        quote_len = 3 if text[index : index + 3] == text[index] * 3 else 1
        column = index + quote_len + 1
        end_column = max(end_column - quote_len, column)
    return line, column, end_line, end_column


def literal_hit(doc: PythonFile, node: ast.AST, **extra: Any) -> Hit:
    """A hit on a string literal's contents (see :func:`value_span`); ``extra`` goes to
    :class:`Hit` (fields, severity, context)."""
    line, column, end_line, end_column = value_span(doc, node)
    return Hit(line=line, column=column, end_line=end_line, end_column=end_column, **extra)


def target_name(node: ast.AST) -> str | None:
    """The name a target binds: ``x``, ``self.api_key`` → api_key, ``cfg["TOKEN"]`` → TOKEN."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return literal_string(node.slice)
    return None


@dataclass(frozen=True)
class Binding:
    """A string literal bound to a name: an assignment, keyword, dict entry or default."""

    name: str
    value: ast.AST
    how: str  # assignment | keyword | dict | default | annotated
    owner: ast.ClassDef | None  # the class whose body holds an assignment
    call: ast.Call | None = None  # the call a keyword belongs to


def cached(doc: PythonFile, key: str, build: Callable[[], T]) -> T:
    """``build()`` once per parsed file: several detectors share one walk of the tree."""
    slot = f"_shipcheck_{key}"
    if slot not in doc.__dict__:
        doc.__dict__[slot] = build()
    return doc.__dict__[slot]  # type: ignore[no-any-return]


def _pairs(target: ast.AST, value: ast.AST) -> Iterator[tuple[ast.AST, ast.AST]]:
    if isinstance(target, ast.Tuple | ast.List) and isinstance(value, ast.Tuple | ast.List):
        for sub_target, sub_value in zip(target.elts, value.elts, strict=False):
            yield from _pairs(sub_target, sub_value)
    else:
        yield target, value


# The nodes that bind a name to a value (and the classes that own class-level ones).
_BINDING_NODES = (ast.ClassDef, ast.Assign, ast.AnnAssign, ast.Call, ast.Dict, ast.FunctionDef,
                  ast.AsyncFunctionDef, ast.Lambda)  # fmt: skip


def _collect(tree: ast.AST) -> list[Binding]:
    owners: dict[int, ast.ClassDef] = {}
    found: list[Binding] = []

    def bind(target: ast.AST, value: ast.AST, how: str, owner: ast.ClassDef | None) -> None:
        for sub_target, sub_value in _pairs(target, value):
            name = target_name(sub_target)
            if name and literal_string(sub_value) is not None:
                found.append(Binding(name, sub_value, how, owner))

    for node in index_of(tree).of(*_BINDING_NODES):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                owners[id(statement)] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                bind(target, node.value, "assignment", owners.get(id(node)))
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            bind(node.target, node.value, "annotated", owners.get(id(node)))
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg and literal_string(keyword.value) is not None:
                    found.append(Binding(keyword.arg, keyword.value, "keyword", None, node))
        elif isinstance(node, ast.Dict):
            for key, item in zip(node.keys, node.values, strict=False):
                name = literal_string(key)
                if name and literal_string(item) is not None:
                    found.append(Binding(name, item, "dict", None))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            first = len(positional) - len(args.defaults)
            defaults = zip(positional[first:], args.defaults, strict=True)
            kw_defaults = zip(args.kwonlyargs, args.kw_defaults, strict=False)
            for arg, default in [*defaults, *kw_defaults]:
                if default is not None and literal_string(default) is not None:
                    found.append(Binding(arg.arg, default, "default", None))
    found.sort(key=lambda b: (getattr(b.value, "lineno", 0), getattr(b.value, "col_offset", 0)))
    return found


def bindings(doc: PythonFile) -> list[Binding]:
    """Every string literal bound to a name in the module, in source order."""
    return cached(doc, "bindings", lambda: _collect(doc.tree))


def overridden_in_production(tree: ast.Module, owner: ast.ClassDef, name: str) -> bool:
    """Whether production-named subclasses of ``owner`` exist and all define ``name``."""
    subclasses = [
        node
        for node in index_of(tree).of(ast.ClassDef)
        if owner.name in base_names(node) and PRODUCTION_WORDS.search(node.name)
    ]

    def defines(cls: ast.ClassDef) -> bool:
        for statement in cls.body:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                if statement.name == name:
                    return True
            elif isinstance(statement, ast.Assign):
                if any(target_name(t) == name for t in statement.targets):
                    return True
            elif isinstance(statement, ast.AnnAssign) and target_name(statement.target) == name:
                return True
        return False

    return bool(subclasses) and all(defines(cls) for cls in subclasses)


def dotted(node: ast.AST) -> str:
    """``os.environ.get`` for the attribute chain of a call's function ('' otherwise)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if isinstance(node, ast.Call):  # environ.Env()("X") and friends
        return dotted(node.func) + "()" + ("." + ".".join(reversed(parts)) if parts else "")
    return ""


def base_names(node: ast.ClassDef) -> list[str]:
    """Last components of a class's bases (``pydantic_settings.BaseSettings`` → BaseSettings)."""
    return [dotted(base).rsplit(".", 1)[-1] for base in node.bases if dotted(base)]


def module_imports(tree: ast.Module) -> dict[str, str]:
    """Local name → imported dotted name for the module's absolute imports at module level
    (also inside module-level ``if``/``try`` blocks)."""
    names: dict[str, str] = {}
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.If | ast.Try):
            todo.extend(node.body)
            todo.extend(node.orelse)
            if isinstance(node, ast.Try):
                todo.extend(node.finalbody)
                for handler in node.handlers:
                    todo.extend(handler.body)
    return names


# Calls that make an object whose calls and methods read the environment.
ENV_READER_FACTORIES = frozenset(
    {"environ.Env", "environs.Env", "decouple.AutoConfig", "decouple.Config",
     "starlette.config.Config"}
)  # fmt: skip
_OS_GETTERS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault"})
# Reader methods whose second positional argument is the default (django-environ, environs).
_TYPED_METHODS = frozenset(
    {"str", "bool", "int", "float", "json", "list", "tuple", "dict", "url", "db_url", "db",
     "cache_url", "cache", "email_url", "email", "search_url", "path", "bytes"}
)  # fmt: skip


@dataclass(frozen=True)
class EnvRead:
    """A read of environment variable ``var`` (None when not a literal) with its default.

    A call of a project-local wrapper (:class:`EnvWrapper`) whose result, when the variable
    is unset, is an expression over its default parameter carries that expression in
    ``body``: (the expression, the default parameter's name)."""

    call: ast.Call
    var: str | None
    default: ast.AST | None
    api: str  # os | django-environ | decouple | settings | wrapper | ...
    body: tuple[ast.AST, str] | None = None


@dataclass(frozen=True)
class EnvWrapper:
    """What a module-level function that reads the environment does with its arguments:
    parameter ``name`` names the variable; when it is unset the function returns parameter
    ``default`` (``passthrough``) or ``body`` computed over it."""

    function: str
    params: tuple[str, ...]  # positional parameter names, in order
    name: str
    default: str
    own_default: ast.AST | None  # the function's own default for ``default``
    body: ast.AST | None = None

    def bound(self, call: ast.Call, param: str) -> ast.AST | None:
        """The argument ``call`` passes for ``param`` (keyword or positional)."""
        for keyword in call.keywords:
            if keyword.arg == param:
                return keyword.value
        index = self.params.index(param) if param in self.params else -1
        if 0 <= index < len(call.args) and not any(
            isinstance(a, ast.Starred) for a in call.args[: index + 1]
        ):
            return call.args[index]
        return None

    def read(self, call: ast.Call) -> EnvRead | None:
        """The environment read a call of this wrapper is."""
        name = self.bound(call, self.name)
        if name is None:
            return None
        default = self.bound(call, self.default)
        if default is None:
            default = self.own_default
        body = (self.body, self.default) if self.body is not None else None
        return EnvRead(call, literal_string(name), default, "wrapper", body)


class EnvReads:
    """Recognises reads of the environment in one module: ``os.environ.get``/``os.getenv``
    (also imported bare), django-environ / environs ``Env`` instances, python-decouple's
    ``config``, Starlette's ``Config``, calls of the module's own wrappers around them
    (``def env_or(name, default=None): return os.environ.get(name, default)``) and, when
    ``settings`` is set, ``getattr(settings, "NAME", default)``."""

    def __init__(self, tree: ast.Module, settings: bool = False) -> None:
        self.imports = module_imports(tree)
        self.readers: set[str] = set()
        self.settings = settings
        self.wrappers: dict[str, EnvWrapper] = {}
        for node in tree.body if isinstance(tree, ast.Module) else []:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and self.resolve(node.value.func) in ENV_READER_FACTORIES
            ):
                self.readers.update(t.id for t in node.targets if isinstance(t, ast.Name))
        for node in tree.body if isinstance(tree, ast.Module) else []:
            if isinstance(node, ast.FunctionDef) and len(node.body) <= _WRAPPER_STATEMENTS:
                wrapper = summarise_wrapper(node, self, index_of(tree))
                if wrapper is not None:
                    self.wrappers[node.name] = wrapper

    def resolve(self, node: ast.AST) -> str:
        """The imported dotted name an expression refers to ('' when not imported)."""
        name = dotted(node)
        if not name or "()" in name:
            return ""
        head, _, rest = name.partition(".")
        base = self.imports.get(head)
        if base is None:
            return ""
        return f"{base}.{rest}" if rest else base

    def read(self, node: ast.AST) -> EnvRead | None:
        """The environment read ``node`` is, if it is one."""
        if not isinstance(node, ast.Call) or not node.args:
            return None
        var = literal_string(node.args[0])
        default = next((k.value for k in node.keywords if k.arg == "default"), None)
        second = node.args[1] if len(node.args) > 1 else None
        name = self.resolve(node.func)
        if name in _OS_GETTERS:
            return EnvRead(node, var, second if second is not None else default, "os")
        if name == "decouple.config":
            return EnvRead(node, var, second if second is not None else default, "decouple")
        func = node.func
        if isinstance(func, ast.Name) and func.id in self.readers:
            # environs takes the default second; django-environ takes a cast there, which is
            # never a literal.
            if default is None and isinstance(second, ast.Constant):
                default = second
            return EnvRead(node, var, default, "env")
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in self.readers
            and func.attr in _TYPED_METHODS
        ):
            return EnvRead(node, var, default if default is not None else second, "env")
        if isinstance(func, ast.Name) and func.id in self.wrappers:
            return self.wrappers[func.id].read(node)
        if (
            self.settings
            and isinstance(func, ast.Name)
            and func.id == "getattr"
            and len(node.args) == 3
            and dotted(node.args[0]).rsplit(".", 1)[-1] in _SETTINGS_OBJECTS
        ):
            return EnvRead(node, literal_string(node.args[1]), node.args[2], "settings")
        return None


# Objects whose attributes are settings read with ``getattr(settings, "NAME", default)``.
_SETTINGS_OBJECTS = frozenset({"settings", "conf", "config", "app_settings", "django_settings"})


_WRAPPER_STATEMENTS = 12


def summarise_wrapper(func: ast.FunctionDef, reads: EnvReads, index: PyIndex) -> EnvWrapper | None:
    """The :class:`EnvWrapper` summary of a small function that reads the environment
    variable its parameter names and, when it is unset, returns another parameter (or an
    expression of it); None for anything else. Recognised: ``return os.environ.get(name,
    default)`` (also ``os.getenv``, ``... or default``, with a conversion around it), and
    ``value = os.environ.get(name)`` / ``if value is None: return default`` / ``return
    convert(value)`` (``if not value``, ``if name not in os.environ`` and ``try:
    os.environ[name] / except KeyError: return default`` too)."""
    args = func.args
    params = [a.arg for a in (*args.posonlyargs, *args.args)]
    if not params or args.vararg is not None:
        return None
    statements = [n for n in index.walk(func) if isinstance(n, ast.stmt)]
    if len(statements) > _WRAPPER_STATEMENTS:
        return None
    defaults = dict(zip(params[len(params) - len(args.defaults) :], args.defaults, strict=True))
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=False)})
    all_params = params + [a.arg for a in args.kwonlyargs]
    name_param: str | None = None
    read_default: str | None = None
    reading: list[ast.AST] = []  # expressions holding the value of the variable when set
    for node in index.walk(func):
        read = reads.read(node) if isinstance(node, ast.Call) else None
        target = node.args[0] if read is not None and isinstance(node, ast.Call) else None
        if read is None and _environ_subscript(node, reads):
            target = node.slice  # type: ignore[attr-defined]
        if not isinstance(target, ast.Name) or target.id not in all_params:
            continue
        if name_param not in (None, target.id):
            return None
        name_param = target.id
        reading.append(node)
        if read is not None and isinstance(read.default, ast.Name):
            read_default = read.default.id
    if name_param is None:
        return None
    locals_from_read = _locals_bound_to(index, func, reading)
    default_param = read_default
    returns = [n for n in index.walk(func) if isinstance(n, ast.Return)]
    body: ast.AST | None = None
    for ret in returns:
        value = ret.value
        if value is None:
            return None
        if isinstance(value, ast.Name) and value.id in all_params and value.id != name_param:
            if default_param not in (None, value.id):
                return None
            default_param = value.id
            continue
        uses_read = any(index.contains(value, r) or value is r for r in reading) or any(
            isinstance(n, ast.Name) and n.id in locals_from_read for n in index.walk(value)
        )
        if not uses_read:
            return None
        if read_default is not None and not (
            any(value is r for r in reading)
            or (
                isinstance(value, ast.BoolOp) and any(v is r for v in value.values for r in reading)
            )
        ):
            body = value  # a conversion of os.environ.get(name, default)
    if default_param is None or default_param == name_param:
        return None
    if body is not None and read_default is None:
        body = None
    return EnvWrapper(
        function=func.name,
        params=tuple(all_params),
        name=name_param,
        default=default_param,
        own_default=defaults.get(default_param),
        body=body,
    )


def _environ_subscript(node: ast.AST, reads: EnvReads) -> bool:
    return isinstance(node, ast.Subscript) and reads.resolve(node.value) == "os.environ"


def _locals_bound_to(index: PyIndex, func: ast.FunctionDef, reading: list[ast.AST]) -> set[str]:
    """Local names assigned from an expression holding the variable's value."""
    names: set[str] = set()
    for node in index.walk(func):
        if isinstance(node, ast.Assign) and any(
            node.value is r or index.contains(node.value, r) for r in reading
        ):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names
