"""Typed facts: every kind of fact a project rule reads is produced by some fact extractor, and
every fact is a frozen dataclass of plain data that survives pickling (facts cross process
boundaries under ``--jobs``).

The producer/consumer check reads shipcheck's own source with :mod:`ast` and resolves names
through the imported modules: a class passed to ``facts_of(...)`` or ``isinstance(...)`` is
*consumed*; a class instantiated in a ``@fact_extractor`` function, or in a function or
method such an extractor calls (transitively), is *produced*.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import importlib
import pickle
import sys
import textwrap
import types
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

import shipcheck
from shipcheck.classify import classify
from shipcheck.detectors import load_builtin, registry
from shipcheck.models.facts import Fact
from shipcheck.parsers import ParseError, parse

from conftest import FIXTURES, REPO

SOURCE = Path(shipcheck.__file__).parent
_PLAIN_SCALARS = (str, int, float, bool, type(None))


# --- the analysis ---------------------------------------------------------------------------


def _resolve(node: ast.AST, module: types.ModuleType) -> Any:
    """The object a ``Name`` or dotted ``Attribute`` names in ``module``'s namespace, or that
    an import inside one of its functions binds (a module imported where it is used)."""
    if isinstance(node, ast.Name):
        found = getattr(module, node.id, None)
        if found is None and node.id in _local_imports(module):
            source, attr = _local_imports(module)[node.id]
            found = getattr(importlib.import_module(source), attr, None)
        return found
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, module)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None


@functools.cache
def _local_imports(module: types.ModuleType) -> dict[str, tuple[str, str]]:
    """Names bound by ``from X import Y`` anywhere in ``module`` → (X, Y)."""
    source = Path(module.__file__ or "").read_text(encoding="utf-8")
    return {
        alias.asname or alias.name: (node.module, alias.name)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
        for alias in node.names
    }


def _fact_classes(value: Any) -> set[type]:
    """Fact classes named by ``value`` (a class or a tuple of classes)."""
    items = value if isinstance(value, tuple) else (value,)
    return {v for v in items if isinstance(v, type) and issubclass(v, Fact) and v is not Fact}


class Analysis:
    """Fact classes produced and consumed across ``modules`` ((module, source) pairs)."""

    def __init__(self, modules: Iterable[tuple[types.ModuleType, str]]) -> None:
        self.modules: dict[str, tuple[types.ModuleType, ast.Module]] = {}
        # (module name, qualified name) -> function definition
        self.functions: dict[tuple[str, str], ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.methods: dict[tuple[str, str], list[tuple[str, str]]] = {}  # by method name
        self.extractors: list[tuple[str, str]] = []
        for module, source in modules:
            tree = ast.parse(source)
            self.modules[module.__name__] = (module, tree)
            self._index(module.__name__, tree.body, "")
        self.consumed = self._consumed()
        self.produced = self._produced()

    def _index(self, module: str, body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                self._index(module, node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                key = (module, prefix + node.name)
                self.functions[key] = node
                if prefix:
                    self.methods.setdefault((module, node.name), []).append(key)
                if any(_is_fact_extractor(d) for d in node.decorator_list):
                    self.extractors.append(key)

    def _consumed(self) -> dict[type, list[str]]:
        found: dict[type, list[str]] = {}
        for name, (module, tree) in self.modules.items():
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr == "facts_of":
                    named = node.args[0]
                elif isinstance(func, ast.Name) and func.id == "isinstance" and len(node.args) == 2:
                    named = node.args[1]
                else:
                    continue
                targets = named.elts if isinstance(named, ast.Tuple) else [named]
                for target in targets:
                    for cls in _fact_classes(_resolve(target, module)):
                        found.setdefault(cls, []).append(f"{name}:{node.lineno}")
        return found

    def _produced(self) -> dict[type, list[str]]:
        found: dict[type, list[str]] = {}
        seen: set[tuple[str, str]] = set()
        todo = list(self.extractors)
        while todo:
            key = todo.pop()
            if key in seen or key not in self.functions:
                continue
            seen.add(key)
            module = self.modules[key[0]][0]
            for node in ast.walk(self.functions[key]):
                if not isinstance(node, ast.Call):
                    continue
                callee = _resolve(node.func, module)
                if isinstance(callee, types.MethodType):
                    callee = callee.__func__
                for cls in _fact_classes(callee):
                    found.setdefault(cls, []).append(f"{key[0]}.{key[1]}")
                if isinstance(callee, types.FunctionType):
                    todo.append((callee.__module__, callee.__qualname__))
                elif isinstance(node.func, ast.Attribute) and callee is None:
                    # obj.method(): any method of that name in the same module.
                    todo.extend(self.methods.get((key[0], node.func.attr), []))
        return found

    def defined(self) -> set[type]:
        """Fact classes defined in the analysed modules."""
        return {
            obj
            for name, (module, _) in self.modules.items()
            for obj in vars(module).values()
            if _fact_classes(obj) and obj.__module__ == name
        }


def _is_fact_extractor(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name == "fact_extractor"


def _shipcheck_modules() -> Iterator[tuple[types.ModuleType, str]]:
    load_builtin()
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name == "shipcheck.__main__":
            continue
        yield importlib.import_module(name), path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return Analysis(_shipcheck_modules())


def _names(classes: Iterable[type]) -> list[str]:
    return sorted(f"{c.__module__}.{c.__qualname__}" for c in classes)


# --- producers and consumers ----------------------------------------------------------------


def test_every_consumed_fact_type_has_a_producer(analysis):
    missing = {
        name: sorted(analysis.consumed[cls])
        for cls in set(analysis.consumed) - set(analysis.produced)
        for name in _names([cls])
    }
    assert not missing, f"fact types read but produced by no @fact_extractor: {missing}"


def test_every_fact_type_is_produced_and_consumed(analysis):
    """The analysis sees every built-in fact class on both sides: a class nobody produces is
    dead code, one nobody reads is work every worker does for nothing."""
    defined = analysis.defined()
    assert len(defined) >= 30
    assert _names(defined - set(analysis.produced)) == []
    assert _names(defined - set(analysis.consumed)) == []


def test_string_typed_fact_access_is_gone():
    """No ``facts_of("...")``: a fact kind is named by its class."""
    offenders = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "facts_of"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                offenders.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    assert offenders == []


_SYNTHETIC = """
from dataclasses import dataclass
from shipcheck.models.facts import Fact

def fact_extractor(kind):
    return lambda func: func

@dataclass(frozen=True, kw_only=True)
class Produced(Fact):
    name: str

@dataclass(frozen=True, kw_only=True)
class Helped(Fact):
    name: str

@dataclass(frozen=True, kw_only=True)
class Orphan(Fact):
    name: str

class Scanner:
    def fact(self):
        return Helped(path="a", line=1, name="x")

def _helper(doc):
    return Scanner().fact()

@fact_extractor("python")
def extract(doc):
    yield Produced(path=doc, line=1, name="x")
    yield _helper(doc)

def rule(project, fact):
    if isinstance(fact, (Produced, Orphan)):
        return project.facts_of(Helped)
"""


def test_the_analysis_finds_a_consumed_type_without_producer(monkeypatch):
    module = types.ModuleType("synthetic_pack")
    monkeypatch.setitem(sys.modules, module.__name__, module)  # dataclasses look it up
    source = textwrap.dedent(_SYNTHETIC)
    exec(compile(source, "synthetic_pack.py", "exec"), vars(module))
    found = Analysis([(module, source)])
    names = {cls.__name__ for cls in found.consumed}
    assert names == {"Produced", "Orphan", "Helped"}
    assert {cls.__name__ for cls in found.produced} == {"Produced", "Helped"}
    assert {cls.__name__ for cls in set(found.consumed) - set(found.produced)} == {"Orphan"}


# --- frozen, picklable, plain ---------------------------------------------------------------


def _fixture_facts() -> list[Fact]:
    """Every fact the fact extractors produce for the fixture and example projects."""
    load_builtin()
    facts: list[Fact] = []
    roots = [FIXTURES / "rules", FIXTURES / "projects", REPO / "examples"]
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(root).as_posix()
            kind = classify(rel)
            if kind is None:
                continue
            try:
                artifact = parse(rel, kind, path.read_bytes())
            except ParseError:
                continue
            for extract in registry.fact_extractors(artifact.kind):
                facts.extend(extract(artifact))
    return facts


@pytest.fixture(scope="module")
def fixture_facts() -> list[Fact]:
    return _fixture_facts()


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _all_subclasses(sub)
    return found


def _plain_problem(value: Any, where: str, top: bool = False) -> str | None:
    """Why ``value`` is not plain data (None when it is)."""
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return None
    if kind is tuple or (kind is list and not top):
        items = enumerate(value)
        return next((p for i, v in items if (p := _plain_problem(v, f"{where}[{i}]"))), None)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return f"{where}: key {key!r} is not a str"
            problem = _plain_problem(item, f"{where}[{key!r}]")
            if problem:
                return problem
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type | Fact):
        if not type(value).__dataclass_params__.frozen:
            return f"{where}: {kind.__name__} is not frozen"
        for field in dataclasses.fields(value):
            problem = _plain_problem(getattr(value, field.name), f"{where}.{field.name}")
            if problem:
                return problem
        return None
    if top and kind is list:
        return f"{where}: a list (use a tuple)"
    return f"{where}: {kind.__module__}.{kind.__qualname__} is not plain data"


def test_fact_classes_are_frozen_dataclasses():
    load_builtin()
    classes = _all_subclasses(Fact)
    assert len(classes) >= 30
    for cls in classes:
        assert dataclasses.is_dataclass(cls), cls
        assert cls.__dataclass_params__.frozen, f"{cls.__qualname__} is not frozen"
        assert [f.name for f in dataclasses.fields(cls)][:2] == ["path", "line"], cls


def test_every_fact_class_appears_in_the_fixtures(fixture_facts):
    """So that the plain-data test below sees an instance of each."""
    load_builtin()
    builtin = {c for c in _all_subclasses(Fact) if c.__module__.startswith("shipcheck.")}
    seen = {type(f) for f in fixture_facts}
    assert _names(builtin - seen) == []


def test_facts_hold_plain_data_and_pickle(fixture_facts):
    problems = []
    for fact in fixture_facts:
        where = f"{type(fact).__name__} {fact.path}:{fact.line}"
        for field in dataclasses.fields(fact):
            problem = _plain_problem(getattr(fact, field.name), f"{where} .{field.name}", top=True)
            if problem:
                problems.append(problem)
    assert problems[:10] == []
    assert pickle.loads(pickle.dumps(fixture_facts)) == fixture_facts


def test_facts_are_immutable(fixture_facts):
    fact = fixture_facts[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        fact.line = 2  # type: ignore[misc]


def test_plain_data_check_rejects_yaml_nodes_lists_and_mutable_dataclasses():
    from shipcheck.parsers.yaml_nodes import LMap

    @dataclasses.dataclass
    class Loose:
        value: int

    assert _plain_problem(LMap(), "x") is not None
    assert _plain_problem([1], "x", top=True) is not None
    assert _plain_problem(({"a": [1, {"b": None}]},), "x", top=True) is None
    assert _plain_problem((Loose(1),), "x") is not None
    assert _plain_problem(ast.parse("x"), "x") is not None
