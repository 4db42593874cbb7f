"""Databases: SQLAlchemy engines without stale-connection handling, and facts about ORM
models and migration tooling for the project-level migrations rule."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import PurePosixPath

from shipcheck.detectors.python.astutil import (
    Imports,
    assignments,
    calls_of,
    has_star_kwargs,
    imports_of,
    keyword,
    node_hit,
    non_production,
)
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import detector, fact_extractor
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.facts import DjangoMigrationModules, Fact, MigrationTool, OrmModel
from shipcheck.models.findings import Hit

_ENGINE_FACTORIES = {
    "sqlalchemy.create_engine",
    "sqlalchemy.engine.create_engine",
    "sqlalchemy.ext.asyncio.create_async_engine",
    "sqlmodel.create_engine",
}
_SERVER_SCHEMES = {"postgresql", "postgres", "mysql", "mariadb", "oracle", "mssql",
                   "cockroachdb", "redshift"}  # fmt: skip
_POOL_OPTIONS = ("pool_pre_ping", "pool_recycle", "poolclass")


def _scheme(url: str) -> str:
    return url.split(":", 1)[0].split("+", 1)[0].strip().lower()


def _url_kind(node: ast.AST, imports: Imports, constants: dict[str, str]) -> str | None:
    """'server:<scheme>' for a server database, 'dynamic' for a URL only known at run time,
    None for SQLite, other embedded databases and URLs that cannot be told apart."""
    literal: str | None = None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        literal = node.value
    elif isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str) and ":" in first.value:
            literal = first.value
        else:
            return "dynamic"
    elif isinstance(node, ast.Name) and node.id in constants:
        literal = constants[node.id]
    elif isinstance(node, ast.Call) and imports.resolve(node.func) in (
        "sqlalchemy.engine.URL.create", "sqlalchemy.URL.create", "sqlalchemy.engine.url.URL.create"
    ):  # fmt: skip
        driver = node.args[0] if node.args else getattr(keyword(node, "drivername"), "value", None)
        if isinstance(driver, ast.Constant) and isinstance(driver.value, str):
            literal = driver.value + "://"
        else:
            return "dynamic"
    if literal is None:
        return "dynamic"
    scheme = _scheme(literal)
    return f"server:{scheme}" if scheme in _SERVER_SCHEMES else None


def _string_constants(tree: ast.Module) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, bound in assignments(tree, index_of(tree)).items():
        if len(bound) == 1 and isinstance(bound[0], ast.Constant):
            value = bound[0].value
            if isinstance(value, str):
                values[name] = value
    return values


@detector("python.engine-without-pool-pre-ping", kind=Kind.PYTHON)
def engine_without_pre_ping(doc: PythonFile, params: None) -> Iterator[Hit]:
    """SQLAlchemy ``create_engine``/``create_async_engine`` for a server database
    (PostgreSQL, MySQL, ... or a URL only known at run time; never SQLite) without
    ``pool_pre_ping`` or ``pool_recycle`` (or an explicit ``poolclass``). Calls passing
    ``**kwargs``, test and example code are skipped."""
    if doc.in_test_dir or non_production(doc.path):
        return
    imports = imports_of(doc)
    if not imports.imports_any("sqlalchemy", "sqlmodel"):
        return
    constants: dict[str, str] | None = None
    for node in calls_of(doc):
        if imports.resolve(node.func) not in _ENGINE_FACTORIES:
            continue
        if has_star_kwargs(node) or any(keyword(node, k) for k in _POOL_OPTIONS):
            continue
        url = node.args[0] if node.args else getattr(keyword(node, "url"), "value", None)
        if url is None:
            continue
        if constants is None:
            constants = _string_constants(doc.tree)
        kind = _url_kind(url, imports, constants)
        if kind is None:
            continue
        what = (
            f"a {kind.split(':')[1]} database"
            if kind.startswith("server:")
            else ("a database URL read at run time")
        )
        yield node_hit(node, func=ast.unparse(node.func), what=what)


# --- facts for the migrations rule (project.models-without-migrations) --------------------

_SQLA_MODULES = ("sqlalchemy", "flask_sqlalchemy", "sqlmodel")


def _django_model(node: ast.ClassDef, imports: Imports) -> bool:
    """A concrete, managed Django model: ``class X(models.Model)`` without
    ``abstract = True``, ``managed = False`` or ``proxy = True``."""
    if not any(imports.resolve(b) in ("django.db.models.Model",) for b in node.bases):
        return False
    for item in node.body:
        if isinstance(item, ast.ClassDef) and item.name == "Meta":
            for stmt in item.body:
                if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant):
                    for target in stmt.targets:
                        if not isinstance(target, ast.Name):
                            continue
                        if target.id in ("abstract", "proxy") and stmt.value.value is True:
                            return False
                        if target.id == "managed" and stmt.value.value is False:
                            return False
    return True


def _sqlalchemy_model(node: ast.ClassDef) -> bool:
    """A class mapped to a table: it sets ``__tablename__`` (declarative) or passes
    ``table=True`` (SQLModel)."""
    if any(k.arg == "table" and isinstance(k.value, ast.Constant) and k.value.value is True
           for k in node.keywords):  # fmt: skip
        return True
    for stmt in node.body:
        targets = (
            stmt.targets
            if isinstance(stmt, ast.Assign)
            else ([stmt.target] if isinstance(stmt, ast.AnnAssign) else [])
        )
        if any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in targets):
            return True
    return False


def django_app_dir(path: str) -> str:
    """The Django app folder of a models module (``shop/models.py`` or
    ``shop/models/order.py`` → ``shop``)."""
    posix = PurePosixPath(path)
    parent = posix.parent
    if parent.name == "models":
        parent = parent.parent
    return "" if str(parent) == "." else str(parent)


@fact_extractor(Kind.PYTHON)
def database_facts(doc: PythonFile) -> Iterator[Fact]:
    """:class:`OrmModel` facts (first concrete model class per module, with the ORM and, for
    Django, the app folder), :class:`MigrationTool` facts (modules importing Alembic or
    Flask-Migrate) and :class:`DjangoMigrationModules` (settings that move migrations)."""
    if doc.in_test_dir or non_production(doc.path):
        return
    imports = imports_of(doc)
    tops = {v.split(".")[0] for v in imports.names.values()}
    if tops & {"alembic", "flask_migrate"}:
        tool = "alembic" if "alembic" in tops else "flask-migrate"
        yield MigrationTool(path=doc.path, line=1, name=tool)
    for stmt in doc.tree.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "MIGRATION_MODULES" for t in stmt.targets
        ):
            yield DjangoMigrationModules(path=doc.path, line=stmt.lineno)
    is_models_module = PurePosixPath(doc.path).name == "models.py" or (
        PurePosixPath(doc.path).parent.name == "models"
    )
    for stmt in doc.tree.body:
        if not isinstance(stmt, ast.ClassDef):
            continue
        if "django" in tops and is_models_module and _django_model(stmt, imports):
            yield OrmModel(
                path=doc.path,
                line=stmt.lineno,
                orm="django",
                model=stmt.name,
                app=django_app_dir(doc.path),
            )
            return
        if tops & set(_SQLA_MODULES) and _sqlalchemy_model(stmt):
            yield OrmModel(path=doc.path, line=stmt.lineno, orm="sqlalchemy", model=stmt.name)
            return
