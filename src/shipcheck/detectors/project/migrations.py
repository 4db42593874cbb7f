"""ORM models whose schema is not managed by migrations."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import PurePosixPath

from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind
from shipcheck.models.facts import Dependency, DjangoMigrationModules, MigrationTool, OrmModel
from shipcheck.models.findings import Hit
from shipcheck.project import ProjectModel

_MIGRATION_DIRS = frozenset({"migrations", "alembic", "migration", "db_migrations"})
_SKIP_DIRS = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox",
                        "build", "dist", "site-packages"})  # fmt: skip
_MIGRATION_DEPS = frozenset({"alembic", "flask-migrate", "yoyo-migrations", "sqlalchemy-migrate",
                             "aerich", "dbmate", "caribou"})  # fmt: skip


def _has_models(project: ProjectModel) -> bool:
    return project.complete and bool(project.facts_of(OrmModel))


def _migration_dir_exists(project: ProjectModel, max_depth: int = 4) -> bool:
    """A ``migrations/``/``alembic/`` folder or an ``alembic.ini`` anywhere near the top."""
    root = str(project.root)
    for current, dirs, files in os.walk(root):
        depth = current[len(root) :].count(os.sep)
        if "alembic.ini" in files:
            return True
        if any(d in _MIGRATION_DIRS for d in dirs):
            return True
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".")]
        if depth >= max_depth:
            dirs[:] = []
    return False


def _alembic_in_pyproject(project: ProjectModel) -> bool:
    text = project.read_text("pyproject.toml") or ""
    return "[tool.alembic]" in text


@detector("project.models-without-migrations", kind=Kind.PROJECT, applies=_has_models)
def models_without_migrations(project: ProjectModel, params: None) -> Iterator[Hit]:
    """Django apps whose ``models.py`` defines concrete, managed models but that have no
    ``migrations`` package (unless settings set ``MIGRATION_MODULES``); SQLAlchemy or
    SQLModel table classes in a project with no migration tool at all (no Alembic or
    Flask-Migrate import or dependency, no ``alembic.ini``, no ``migrations``/``alembic``
    folder)."""
    if not _has_models(project):
        return
    models = project.facts_of(OrmModel)
    django = [f for f in models if f.orm == "django"]
    if django and not project.facts_of(DjangoMigrationModules):
        reported: set[str] = set()
        for fact in django:
            app = fact.app or ""
            if app in reported:
                continue
            prefix = f"{app}/migrations/" if app else "migrations/"
            if project.exists(prefix + "__init__.py") or any(
                p.startswith(prefix) for p in project.files
            ):
                continue
            reported.add(app)
            yield Hit(
                path=fact.path,
                line=fact.line,
                fields={
                    "what": f"Django app `{app or '.'}` defines model `{fact.model}`",
                    "missing": f"no `{prefix}` package",
                },
                context=f"django:{app}",
            )
    sqla = [f for f in models if f.orm == "sqlalchemy"]
    if not sqla or project.facts_of(MigrationTool):
        return
    deps = {f.name for f in project.facts_of(Dependency)}
    if deps & _MIGRATION_DEPS or _alembic_in_pyproject(project) or _migration_dir_exists(project):
        return
    first = sorted(sqla, key=lambda f: (len(PurePosixPath(f.path).parts), f.path, f.line))[0]
    yield Hit(
        path=first.path,
        line=first.line,
        fields={
            "what": f"SQLAlchemy model `{first.model}` maps a table",
            "missing": "the project has no migration tool (Alembic, Flask-Migrate)",
        },
        context="sqlalchemy",
    )
