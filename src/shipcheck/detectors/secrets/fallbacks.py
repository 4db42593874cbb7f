"""Secrets with an insecure default: the application starts with a literal when the
environment does not provide the real value (``os.environ.get("SECRET_KEY", "dev-key")``).

A production settings class that replaces the attribute (``ProductionConfig`` defining its
own ``SECRET_KEY``) makes the base class's default harmless: no finding then.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck import lazyre
from shipcheck.detectors.common import is_placeholder, is_secret_name, mask
from shipcheck.detectors.python.index import PyIndex, index_of
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.context import (
    ContextParams,
    is_dev_config,
    is_dev_module,
    name_has_dev_word,
)
from shipcheck.detectors.secrets.pyast import (
    EnvReads,
    base_names,
    literal_string,
    overridden_in_production,
    target_name,
    value_span,
)
from shipcheck.models.artifacts import Artifact, EnvFile, Kind, PythonFile, YamlFile
from shipcheck.models.findings import Hit
from shipcheck.parsers.yaml_values import LMap, walk

SETTINGS_BASES = frozenset({"BaseSettings", "Settings"})
# Defaults that are switches or numbers, never a secret (ALLOW_CREDENTIALS="false").
_FLAG = lazyre.compile(r"^\s*(true|false|yes|no|on|off|enabled?|disabled?|-?\d+(\.\d+)?)\s*$", re.I)
# A module without one of these words reads no environment and defines no settings class.
_READ_WORDS = ("environ", "getenv", "config", "Config", "Env", "Settings", "settings")


@dataclass(frozen=True)
class _Fallback:
    name: str  # the environment variable or field
    default: ast.AST
    owner: ast.ClassDef | None


def _default_text(node: ast.AST | None) -> str | None:
    text = literal_string(node)
    if text is None and isinstance(node, ast.Call) and len(node.args) == 1:
        # SecretStr("...") and similar wrappers
        text = literal_string(node.args[0])
    return text if text is not None and text.strip() else None


def _owner(index: PyIndex, node: ast.AST) -> ast.ClassDef | None:
    """The class whose body the expression belongs to (None inside a function)."""
    for parent in index.ancestors(node):
        if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef):
            return None
        if isinstance(parent, ast.ClassDef):
            return parent
    return None


def _settings_fields(node: ast.ClassDef) -> Iterator[_Fallback]:
    """Fields of a pydantic ``BaseSettings`` class with a literal default."""
    for statement in node.body:
        if not isinstance(statement, ast.AnnAssign) or statement.value is None:
            continue
        name = target_name(statement.target)
        value = statement.value
        if isinstance(value, ast.Call) and dotted_tail(value.func) == "Field":
            value = next((k.value for k in value.keywords if k.arg == "default"), None) or (
                value.args[0] if value.args else None
            )
        if name and value is not None and _default_text(value) is not None:
            yield _Fallback(name, value, node)


def settings_classes(index: PyIndex) -> set[str]:
    """Classes of the module that are pydantic settings: ``BaseSettings`` subclasses, also
    through a base class defined in the same module (``class Settings(CommonSettings)``)."""
    classes = index.of(ast.ClassDef)
    found = {c.name for c in classes if SETTINGS_BASES & set(base_names(c))}
    grown = True
    while grown:
        grown = False
        for cls in classes:
            if cls.name not in found and found & set(base_names(cls)):
                found.add(cls.name)
                grown = True
    return found


def _fallbacks(tree: ast.Module, reads: EnvReads) -> Iterator[_Fallback]:
    """Every literal default of an environment read, in source order."""
    index = index_of(tree)
    settings = settings_classes(index)
    for node in index.of(ast.ClassDef, ast.Call, ast.BoolOp, ast.IfExp):
        if isinstance(node, ast.ClassDef):
            if node.name in settings:
                yield from _settings_fields(node)
        elif isinstance(node, ast.Call):
            read = reads.read(node)
            if read is not None and read.var and _default_text(read.default) is not None:
                yield _Fallback(read.var, read.default or node, _owner(index, node))
            if reads.resolve(node.func) in {"environ.Env", "environs.Env"}:
                # environ.Env(SECRET_KEY=(str, "default")): a cast and a default per variable
                for keyword in node.keywords:
                    value = keyword.value
                    if (
                        keyword.arg
                        and isinstance(value, ast.Tuple)
                        and len(value.elts) == 2
                        and _default_text(value.elts[1]) is not None
                    ):
                        yield _Fallback(keyword.arg, value.elts[1], _owner(index, node))
        elif isinstance(node, ast.BoolOp):
            # os.environ.get("SECRET_KEY") or "dev-key"
            if isinstance(node.op, ast.Or):
                read = next((r for v in node.values if (r := reads.read(v)) and r.var), None)
                literal = next((v for v in node.values[1:] if _default_text(v) is not None), None)
                if read is not None and literal is not None and read.var:
                    yield _Fallback(read.var, literal, _owner(index, node))
        else:
            # os.environ["KEY"] if "KEY" in os.environ else "dev-key"
            test = node.test
            if (
                isinstance(test, ast.Compare)
                and len(test.ops) == 1
                and isinstance(test.ops[0], ast.In)
                and reads.resolve(test.comparators[0]) == "os.environ"
                and _default_text(node.orelse) is not None
            ):
                var = literal_string(test.left)
                if var:
                    yield _Fallback(var, node.orelse, _owner(index, node))


def dotted_tail(node: ast.AST) -> str:
    """Last component of a called name (``pydantic.Field`` → Field)."""
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _binding_name(tree: ast.Module, node: ast.AST) -> str | None:
    """The attribute a default is assigned to in a class body (for the override check)."""
    index = index_of(tree)
    for parent in index.ancestors(node):
        if isinstance(parent, ast.Assign) and index.contains(parent.value, node):
            return next((n for t in parent.targets if (n := target_name(t))), None)
    return None


@detector("secrets.python-fallback", kind=Kind.PYTHON, params=ContextParams)
def python_secret_fallback(doc: PythonFile, params: ContextParams) -> Iterator[Hit]:
    """A secret-named environment variable read with a literal default
    (``os.environ.get``/``os.getenv``/``setdefault``, ``... or "literal"``, django-environ,
    environs, python-decouple, Starlette ``Config``), or a secret-named field of a pydantic
    ``BaseSettings`` class with a literal default. Development and test settings (by module
    or class name) are left out."""
    report, floor = params.verdict(doc.path)
    if not report or is_dev_module(doc.path) or not any(w in doc.text for w in _READ_WORDS):
        return
    seen: set[int] = set()
    for fallback in _fallbacks(doc.tree, EnvReads(doc.tree, settings=True)):
        if id(fallback.default) in seen or not is_secret_name(fallback.name):
            continue
        if _FLAG.match(_default_text(fallback.default) or ""):
            continue  # USE_CREDENTIALS="true": a switch named after a secret, not one
        seen.add(id(fallback.default))
        owner = fallback.owner
        if owner is not None:
            if name_has_dev_word(owner.name):
                continue
            attribute = _binding_name(doc.tree, fallback.default) or fallback.name
            if overridden_in_production(doc.tree, owner, attribute):
                continue
        text = _default_text(fallback.default) or ""
        line, column, end_line, end_column = value_span(doc, _literal_node(fallback.default))
        yield Hit(
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            fields={"name": fallback.name, "masked": mask(text), "how": _how(text)},
            severity=floor,
        )


def _literal_node(node: ast.AST) -> ast.AST:
    if isinstance(node, ast.Call) and node.args:
        return node.args[0]
    return node


def _how(default: str) -> str:
    return "a placeholder" if is_placeholder(default) else "a hardcoded value"


# ${SECRET_KEY:-dev-key} / ${SECRET_KEY-dev-key} in Compose files, CI files and .env files;
# ${{ secrets.X || 'literal' }} in GitHub Actions expressions.
_SHELL_DEFAULT = lazyre.compile(
    r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):?-(?P<default>[^}\s]{1,200})\}"
)
_GHA_DEFAULT = lazyre.compile(
    r"\$\{\{\s*(?:secrets|vars|env)\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\|\|\s*"
    r"'(?P<default>[^']{1,200})'\s*\}\}"
)


def _interpolation_defaults(text: str) -> Iterator[tuple[str, str, str, int]]:
    """(variable, default, the whole interpolation, offset of the default in it)."""
    if "${" not in text:
        return
    for pattern in (_SHELL_DEFAULT, _GHA_DEFAULT):
        for match in pattern.finditer(text):
            offset = match.start("default") - match.start()
            yield match.group("name"), match.group("default"), match.group(0), offset


def _scalars(root: object) -> Iterator[tuple[str, int, int]]:
    """(text, line, column) of every string scalar in a YAML tree whose position is known
    (each node once, however many aliases reach it)."""
    for node in walk(root):
        if isinstance(node, LMap):
            for key, value in node.items():
                if isinstance(value, str):
                    yield value, node.value_line(key), node.value_column(key)
            continue
        for index, item in enumerate(node):
            if isinstance(item, str) and index < len(node.item_pos):
                yield item, node.item_pos[index][0], node.item_pos[index][1]


def _locate(doc: Artifact, line: int, column: int, needle: str) -> tuple[int, int]:
    """The line and column of ``needle`` at or after a scalar's start (the scalar's own
    position when the source spells it differently, e.g. folded)."""
    for number in range(line, min(line + 20, len(doc.lines)) + 1):
        text = doc.line_text(number)
        start = column - 1 if number == line else 0
        found = text.find(needle, start)
        if found >= 0:
            return number, found + 1
    return line, column


# Files whose tools expand ${VAR:-default}; in other YAML the syntax is only text.
INTERPOLATING_KINDS = (Kind.COMPOSE, Kind.GITHUB_ACTIONS, Kind.GITLAB_CI, Kind.ENV)


@detector("secrets.interpolation-fallback", kind=INTERPOLATING_KINDS, params=ContextParams)
def interpolation_fallback(doc: Artifact, params: ContextParams) -> Iterator[Hit]:
    """``${SECRET_KEY:-literal}`` interpolation defaults (Compose, CI and .env files) and
    ``${{ secrets.X || 'literal' }}`` GitHub Actions expressions for secret-named variables."""
    report, floor = params.verdict(doc.path)
    if not report or is_dev_config(doc.path):
        return
    if isinstance(doc, EnvFile):
        scalars = [(e.value, e.line, e.column) for e in doc.entries]
    elif isinstance(doc, YamlFile):
        scalars = [s for document in doc.documents for s in _scalars(document)]
    else:
        return
    for text, line, column in scalars:
        for name, default, whole, offset in _interpolation_defaults(text):
            if not is_secret_name(name) or not default.strip("'\" "):
                continue
            at_line, at_column = _locate(doc, line, column, whole)
            yield Hit(
                line=at_line,
                column=at_column + offset,
                end_column=at_column + offset + len(default),
                fields={"name": name, "masked": mask(default), "how": _how(default)},
                severity=floor,
            )
