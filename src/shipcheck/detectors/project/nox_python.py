"""The Python versions a ``noxfile.py`` tests on, for the Python version rule
(:mod:`shipcheck.detectors.project.python_version`). A module of its own: its extractor runs
for every Python file, and the rule's module reads Dockerfiles and CI workflows too."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck.detectors.common import minor
from shipcheck.detectors.registry import fact_extractor
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.facts import Fact


@dataclass(frozen=True, kw_only=True)
class NoxPython(Fact):
    """The Python versions a noxfile's sessions run on (``unknown`` when one is computed)."""

    versions: tuple[str, ...]
    unknown: bool


@fact_extractor(Kind.PYTHON)
def nox_python_facts(doc: PythonFile) -> Iterator[NoxPython]:
    """A :class:`NoxPython` fact for a ``noxfile.py`` whose sessions name Pythons."""
    if doc.name != "noxfile.py":
        return
    versions: list[str] = []
    unknown = False
    for node in doc.tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if not isinstance(decorator, ast.Call):
                continue
            for keyword in decorator.keywords:
                if keyword.arg not in {"python", "py"}:
                    continue
                value = keyword.value
                items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
                for item in items:
                    text = item.value if isinstance(item, ast.Constant) else None
                    version = minor(str(text)) if isinstance(text, str) else None
                    if version is None:
                        unknown = True
                    else:
                        versions.append(version)
    if versions or unknown:
        yield NoxPython(path=doc.path, line=1, versions=tuple(versions), unknown=unknown)
