"""``print()`` in the code of the deployed application (OPS001).

Command-line code prints to a terminal on purpose: scripts, CLI commands (click, typer,
argparse ...), Django management commands, ``__main__`` blocks and the functions they call,
migrations (run by ``migrate``/``alembic upgrade`` from an operator's terminal) and the
modules named by ``console_scripts`` are left alone or graded info with the reason.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from shipcheck import lazyre
from shipcheck.detectors.ops.facts import APP_FACTORIES
from shipcheck.detectors.python.astutil import (
    Imports,
    calls_of,
    imports_of,
    is_request_handler,
    keyword,
    main_guard_lines,
    node_hit,
)
from shipcheck.detectors.python.facts import FRAMEWORKS
from shipcheck.detectors.python.index import PyIndex, index_of
from shipcheck.detectors.python.sql import _migration as is_migration
from shipcheck.detectors.registry import detector, fact_extractor, refiner
from shipcheck.models.artifacts import Kind, PythonFile, TomlFile
from shipcheck.models.facts import Fact
from shipcheck.models.findings import Finding, Hit, Severity
from shipcheck.project import ProjectModel
from shipcheck.roles import Role

# Modules whose import makes the module a command-line program (alembic: a migration
# environment, ``env.py``).
_CLI_MODULES = frozenset({"typer", "argparse", "optparse", "fire", "docopt", "cleo", "alembic"})
# ``management.py``: a Django app's ``post_migrate`` hooks, whose output is `migrate`'s.
_SCRIPT_NAMES = frozenset({"manage.py", "setup.py", "noxfile.py", "fabfile.py", "conftest.py",
                           "__main__.py", "management.py"})  # fmt: skip
# Folders of command-line code: scripts, management commands, migrations (their output goes
# to the terminal of whoever runs `migrate` or `alembic upgrade`).
_SCRIPT_DIRS = frozenset({"scripts", "bin", "tools", "management", "migrations", "alembic"})
_COMMAND_WORDS = ("command", "group")
# Settings run before logging is configured (Django applies ``LOGGING`` after reading them):
# a start-up warning printed there has no logger to go to yet.
_SETTINGS = lazyre.compile(r"(^|_)(settings|config|conf)$")
# Stand-ins whose job is to print (``ConsoleEmailSender``, ``NullFastlyCache``).
_STAND_IN = lazyre.compile(r"^(Console|Null|Dummy|Fake|Stub|Noop|NoOp|Debug|Dev|Local|Print)[A-Z_]")


def is_script_path(path: str) -> bool:
    """A command-line path (:func:`_command_line_path`) or a settings module; or a file in a
    hidden folder (``.claude/``, ``.github/``), which is tooling, not the
    application."""
    posix = PurePosixPath(path)
    parts = {p.lower() for p in posix.parts[:-1]}
    return (
        _command_line_path(path)
        or "settings" in parts
        or bool(_SETTINGS.search(posix.stem.lower()))
        or any(p.startswith(".") and p not in (".", "..") for p in parts)
    )


def _command_line_path(path: str) -> bool:
    """A script, a management command or a migration, by its path."""
    posix = PurePosixPath(path)
    return posix.name in _SCRIPT_NAMES or bool({p.lower() for p in posix.parts[:-1]} & _SCRIPT_DIRS)


def _builtin_used(index: PyIndex, name: str, imports: Imports) -> bool:
    """Whether ``name`` still means the builtin (not imported, defined or assigned)."""
    if name in imports.names:
        return False
    if any(n.name == name for n in index.of(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return False
    return not any(n.id == name and isinstance(n.ctx, ast.Store) for n in index.of(ast.Name))


def _serves_requests(index: PyIndex, imports: Imports) -> bool:
    """The module creates an application object or defines a request handler."""
    return any(imports.resolve(call.func) in APP_FACTORIES for call in index.calls) or any(
        is_request_handler(f) for f in index.functions()
    )


def _lines(node: ast.AST) -> range:
    start = getattr(node, "lineno", 0)
    return range(start, (getattr(node, "end_lineno", None) or start) + 1)


def _commands(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Functions registered as CLI commands (``@click.command``, ``@app.cli.command``,
    ``@manager.command``, ``@typer_app.command()``)."""
    return [
        node
        for node in index_of(tree).functions()
        if any(
            word in ast.unparse(d).rsplit(".", 1)[-1]
            for d in node.decorator_list
            for word in _COMMAND_WORDS
        )
    ]


def _called_from_main(tree: ast.Module) -> set[int]:
    """Lines of module-level functions that the ``__main__`` block calls by name (``main()``):
    the script's own code."""
    guarded = main_guard_lines(tree)
    called = {
        node.func.id
        for node in index_of(tree).of(ast.Call)
        if isinstance(node.func, ast.Name) and node.lineno in guarded
    }
    lines: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in called:
            lines.update(_lines(node))
    return lines


@detector("ops.print-in-web-module", kind=Kind.PYTHON)
def print_in_app_module(doc: PythonFile, params: None) -> Iterator[Hit]:
    """``print()`` in the modules of the deployed application (files whose role is
    "ships"). Left alone: tests, examples and developer files; scripts (``scripts/``,
    ``bin/``, ``manage.py``, ``__main__.py``, hidden folders), Django management commands
    and ``management.py`` hooks, Alembic and Django migrations, settings modules (they run
    before logging is configured); stand-in classes whose job is to print
    (``ConsoleEmailSender``, ``NullCache``);
    command-line modules (importing argparse, typer, optparse, fire, docopt or cleo, or
    defining click-style commands without serving requests) and CLI command functions in
    web modules (``@app.cli.command``); ``if __name__ == "__main__":`` blocks and the
    functions they call; prints to a file object other than ``sys.stdout``
    (``file=sys.stderr``, ``file=handle``). Modules named by ``console_scripts`` are graded
    info by a refiner."""
    if not doc.role.role.ships or is_script_path(doc.path) or is_migration(doc):
        return
    prints = [c for c in calls_of(doc) if isinstance(c.func, ast.Name) and c.func.id == "print"]
    if not prints:
        return
    imports = imports_of(doc)
    tops = {v.split(".")[0] for v in imports.names.values()}
    if tops & _CLI_MODULES:
        return
    index = index_of(doc)
    if not _builtin_used(index, "print", imports):
        return
    serves = _serves_requests(index, imports)
    commands = _commands(doc.tree)
    if commands and not serves:
        return  # a click command module: printing is its interface
    skip = main_guard_lines(doc.tree) | _called_from_main(doc.tree)
    for command in commands:
        skip.update(_lines(command))
    for node in index_of(doc.tree).of(ast.ClassDef):
        if _STAND_IN.match(node.name):
            skip.update(_lines(node))
    frameworks = sorted(tops & set(FRAMEWORKS))
    where = f"a {frameworks[0]} application module" if serves and frameworks else "application code"
    owners = _top_level_owners(doc.tree)
    for node in prints:
        if node.lineno in skip:
            continue
        target = keyword(node, "file")
        if target is not None and imports.resolve(target.value) != "sys.stdout":
            continue
        owner = owners.get(node.lineno)
        yield node_hit(node, where=f"{where} (`{owner}`)" if owner else where)


def _top_level_owners(tree: ast.Module) -> dict[int, str]:
    """Line → the module-level function (``check()``) or class (``Gateway``) that holds it."""
    owners: dict[int, str] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = node.name if isinstance(node, ast.ClassDef) else f"{node.name}()"
            for line in _lines(node):
                owners[line] = name
    return owners


def _is_cli_module(doc: PythonFile, imports: Imports) -> bool:
    """A command-line program: a script or management command by its path, a module that
    imports an argument parser, or one that defines click-style commands."""
    if _command_line_path(doc.path):
        return True
    tops = {v.split(".")[0] for v in imports.names.values()}
    return bool(tops & (_CLI_MODULES - {"alembic"})) or bool(_commands(doc.tree))


# --- functions that command-line code calls ------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CliReference(Fact):
    """A command-line module refers to these imported names (``ckan.lib.search.check``):
    what they print is likely that command's output."""

    names: tuple[str, ...]


@fact_extractor(Kind.PYTHON)
def cli_references(doc: PythonFile) -> Iterator[CliReference]:
    """:class:`CliReference` facts: the imported names a shipped command-line module
    (click/typer/argparse commands, management commands, scripts) uses."""
    if doc.role.role in (Role.TEST, Role.EXAMPLE):
        return
    imports = imports_of(doc)
    if not imports.names or not _is_cli_module(doc, imports):
        return
    names = set()
    for node in index_of(doc.tree).of(ast.Name, ast.Attribute):
        if isinstance(node.ctx, ast.Load):
            qual = imports.resolve(node)
            if qual and "." in qual:
                names.add(qual)
    if names:
        yield CliReference(path=doc.path, line=1, names=tuple(sorted(names)))


_OWNER = lazyre.compile(r"\(`(?P<name>\w+)\(\)`\)")


@refiner("ops.print-in-web-module")
def cli_called_prints(project: ProjectModel, finding: Finding) -> Finding:
    """A print in a function that a command-line module calls (``ckan search-index
    check`` runs ``ckan.lib.search.check()``) is probably that command's output: info,
    with the reason."""
    match = _OWNER.search(finding.message)
    if match is None or finding.severity is Severity.INFO:
        return finding
    owner = match.group("name")
    for fact in project.facts_of(CliReference):
        for qual in fact.names:
            module, _, name = qual.rpartition(".")
            if name == owner and _names_module(finding.path, module):
                note = f" (`{owner}()` is called by the command-line module `{fact.path}`)"
                return replace(finding, severity=Severity.INFO, message=finding.message + note)
    return finding


def _names_module(path: str, module: str) -> bool:
    return any(path == c or path.endswith("/" + c) for c in _module_paths(module))


# --- console_scripts entry points ----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ConsoleScript(Fact):
    """A ``[project.scripts]`` / ``[tool.poetry.scripts]`` entry: the command ``name`` runs
    ``module``'s ``function``."""

    name: str
    module: str
    function: str


@fact_extractor(Kind.PYPROJECT)
def console_scripts(doc: TomlFile) -> Iterator[ConsoleScript]:
    """:class:`ConsoleScript` facts from pyproject.toml's script tables."""
    data = doc.data if isinstance(doc.data, dict) else {}
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    for table in (project.get("scripts"), poetry.get("scripts")):
        if not isinstance(table, dict):
            continue
        for name, target in table.items():
            if isinstance(target, str) and ":" in target:
                module, _, function = target.partition(":")
                yield ConsoleScript(
                    path=doc.path,
                    line=1,
                    name=str(name),
                    module=module.strip(),
                    function=function.strip(),
                )


def _module_paths(module: str) -> tuple[str, str]:
    """The files that can hold ``module`` (``a.b`` → ``a/b.py``, ``a/b/__init__.py``)."""
    base = module.replace(".", "/")
    return f"{base}.py", f"{base}/__init__.py"


@refiner("ops.print-in-web-module")
def console_script_prints(project: ProjectModel, finding: Finding) -> Finding:
    """A print in a module that a ``console_scripts`` command runs is the command's output:
    info, with the reason."""
    for script in project.facts_of(ConsoleScript):
        root = posixpath.dirname(script.path)
        for candidate in _module_paths(script.module):
            if finding.path == posixpath.join(root, candidate) or _names_module(
                finding.path, script.module
            ):
                note = f" (the module of the `{script.name}` console script: command output)"
                return replace(finding, severity=Severity.INFO, message=finding.message + note)
    return finding
