"""Python helpers of the config detectors: which framework a module uses, which lines run
only as a script, which class bodies are development configuration."""

from __future__ import annotations

import ast

from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.secrets.context import name_has_dev_word
from shipcheck.detectors.secrets.pyast import (
    PRODUCTION_WORDS,
    module_imports,
    overridden_in_production,
)

__all__ = ["overridden_in_production"]

WEB_FRAMEWORKS = frozenset(
    {"flask", "quart", "sanic", "fastapi", "starlette", "bottle", "werkzeug", "flask_socketio",
     "connexion", "apiflask", "litestar", "falcon", "aiohttp", "tornado"}
)  # fmt: skip


def frameworks(tree: ast.Module) -> set[str]:
    """Top-level packages of the web frameworks the module imports."""
    return {v.split(".")[0] for v in module_imports(tree).values()} & WEB_FRAMEWORKS


def main_guard_lines(tree: ast.Module) -> set[int]:
    """Lines inside ``if __name__ == "__main__":`` blocks: they run only as a script."""
    lines: set[int] = set()
    for node in tree.body:
        if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
            continue
        parts = [node.test.left, *node.test.comparators]
        names = {p.id for p in parts if isinstance(p, ast.Name)}
        values = {p.value for p in parts if isinstance(p, ast.Constant)}
        if "__name__" in names and "__main__" in values:
            for statement in node.body:
                end = getattr(statement, "end_lineno", statement.lineno) or statement.lineno
                lines.update(range(statement.lineno, end + 1))
    return lines


def truthy_literal(node: ast.AST | None) -> bool:
    """``True``, ``1`` or a true-ish string literal."""
    if not isinstance(node, ast.Constant):
        return False
    value = node.value
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return isinstance(value, bool | int) and bool(value)


def class_of(tree: ast.Module) -> dict[int, ast.ClassDef]:
    """id(statement) → the class whose body holds it directly."""
    owners: dict[int, ast.ClassDef] = {}
    for node in index_of(tree).of(ast.ClassDef):
        for statement in node.body:
            owners[id(statement)] = node
    return owners


def is_dev_class(owner: ast.ClassDef | None) -> bool:
    """A configuration class for development or tests (``DevelopmentConfig``, ``TestConfig``)."""
    return owner is not None and name_has_dev_word(owner.name)


def is_production_class(owner: ast.ClassDef) -> bool:
    """``ProductionConfig``, ``LiveSettings``..."""
    return bool(PRODUCTION_WORDS.search(owner.name))
