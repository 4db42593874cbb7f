"""Python syntax trees as the secrets and config detectors need them: string literals with
the name they are bound to, exact character positions, and reads of the environment."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from shipcheck.detectors.python.index import index_of
from shipcheck.models.artifacts import PythonFile
from shipcheck.text import char_column as text_char_column

T = TypeVar("T")
# Class names of configuration meant for production (``ProductionConfig``, ``LiveSettings``).
PRODUCTION_WORDS = re.compile(r"prod|production|live|release|deploy", re.IGNORECASE)


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


def _collect(tree: ast.AST) -> list[Binding]:
    owners: dict[int, ast.ClassDef] = {}
    found: list[Binding] = []

    def bind(target: ast.AST, value: ast.AST, how: str, owner: ast.ClassDef | None) -> None:
        for sub_target, sub_value in _pairs(target, value):
            name = target_name(sub_target)
            if name and literal_string(sub_value) is not None:
                found.append(Binding(name, sub_value, how, owner))

    for node in index_of(tree).nodes:
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
    """A read of environment variable ``var`` (None when not a literal) with its default."""

    call: ast.Call
    var: str | None
    default: ast.AST | None
    api: str  # os | django-environ | decouple | ...


class EnvReads:
    """Recognises reads of the environment in one module: ``os.environ.get``/``os.getenv``
    (also imported bare), django-environ / environs ``Env`` instances, python-decouple's
    ``config`` and Starlette's ``Config``."""

    def __init__(self, tree: ast.Module) -> None:
        self.imports = module_imports(tree)
        self.readers: set[str] = set()
        for node in tree.body if isinstance(tree, ast.Module) else []:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and self.resolve(node.value.func) in ENV_READER_FACTORIES
            ):
                self.readers.update(t.id for t in node.targets if isinstance(t, ast.Name))

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
        name = self.resolve(node.func)
        if name in _OS_GETTERS or name in {"os.environ.get", "os.getenv"}:
            return EnvRead(node, var, node.args[1] if len(node.args) > 1 else default, "os")
        if name == "decouple.config":
            return EnvRead(node, var, node.args[1] if len(node.args) > 1 else default, "decouple")
        func = node.func
        if isinstance(func, ast.Name) and func.id in self.readers:
            return EnvRead(node, var, default, "env")
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in self.readers
            and func.attr in _TYPED_METHODS
        ):
            second = node.args[1] if len(node.args) > 1 else None
            return EnvRead(node, var, default if default is not None else second, "env")
        return None
