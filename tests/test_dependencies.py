"""No dead dependencies: every runtime dependency in pyproject.toml is imported by src/, and
src/ imports nothing that is neither the standard library nor declared (optional engines are
declared as extras and imported only where they run)."""

from __future__ import annotations

import ast
import functools
import sys
from importlib import metadata

from packaging.requirements import Requirement

from shipcheck.parsers.tomltext import load_toml

from conftest import REPO

SRC = REPO / "src" / "shipcheck"
PROJECT = load_toml((REPO / "pyproject.toml").read_text(encoding="utf-8"), "pyproject")["project"]
# Dependencies declared before their code lands (none now: libcst powers `shipcheck fix`).
NOT_YET_IMPORTED: dict[str, str] = {}


@functools.cache
def _imports(module_level_only: bool = False) -> dict[str, set[str]]:
    """Top-level names imported by src/ → the files importing them."""
    found: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = tree.body if module_level_only else ast.walk(tree)
        for node in nodes:
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(path.relative_to(REPO).as_posix())
    return found


@functools.cache
def _installed() -> dict[str, list[str]]:
    return metadata.packages_distributions()


def _distribution_names(top_level: str) -> set[str]:
    """Distributions providing an import name (the name itself when none is installed, as
    for a Python-version backport such as tomli)."""
    return {d.lower().replace("_", "-") for d in _installed().get(top_level, [top_level])}


def _declared(requirements: list[str]) -> set[str]:
    return {Requirement(r).name.lower().replace("_", "-") for r in requirements}


def test_every_runtime_dependency_is_imported_by_src():
    imported = {dist for name in _imports() for dist in _distribution_names(name)}
    runtime = _declared(PROJECT["dependencies"])
    unused = sorted(runtime - imported - set(NOT_YET_IMPORTED))
    assert not unused, f"declared but never imported by src/: {unused}"
    for name in NOT_YET_IMPORTED:
        assert name in runtime, f"{name} is no longer declared: remove it from NOT_YET_IMPORTED"
        assert name not in imported, f"src/ imports {name} now: remove it from NOT_YET_IMPORTED"


def test_src_imports_only_the_standard_library_and_declared_distributions():
    runtime = _declared(PROJECT["dependencies"])
    extras = {
        extra: _declared(requirements)
        for extra, requirements in PROJECT["optional-dependencies"].items()
        if extra != "test"
    }
    optional = set().union(*extras.values())
    stdlib = set(sys.stdlib_module_names) | {"tomllib", "tomli"}
    undeclared = {}
    for name, files in _imports().items():
        if name in stdlib or name == "shipcheck":
            continue
        if not _distribution_names(name) & (runtime | optional):
            undeclared[name] = sorted(files)
    assert not undeclared, f"imported by src/ but not declared in pyproject.toml: {undeclared}"


def test_optional_engines_are_imported_only_where_they_run():
    # A module-level import of an extra would break `import shipcheck...` without it.
    optional = {
        name
        for requirements in PROJECT["optional-dependencies"].values()
        for name in (Requirement(r).name for r in requirements)
    }
    module_level = _imports(module_level_only=True)
    leaked = {name: sorted(module_level[name]) for name in ("bandit",) if name in module_level}
    assert "bandit" in optional and "bandit" not in _declared(PROJECT["dependencies"])
    assert not leaked, f"optional engines imported at module level: {leaked}"
