"""Facts from Python modules: which web frameworks and servers the code imports."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import fact_extractor
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.facts import Framework

FRAMEWORKS = {
    "flask": "flask",
    "django": "django",
    "fastapi": "fastapi",
    "starlette": "starlette",
    "aiohttp": "aiohttp",
    "tornado": "tornado",
    "falcon": "falcon",
    "pyramid": "pyramid",
    "sanic": "sanic",
    "quart": "quart",
    "bottle": "bottle",
    "litestar": "litestar",
}


@fact_extractor(Kind.PYTHON)
def framework_facts(doc: PythonFile) -> Iterator[Framework]:
    """:class:`Framework` facts (one per framework a module imports), skipping test modules."""
    if doc.in_test_dir:
        return
    seen: set[str] = set()
    for node in index_of(doc).of(ast.Import, ast.ImportFrom):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            framework = FRAMEWORKS.get(top)
            if framework and framework not in seen:
                seen.add(framework)
                yield Framework(path=doc.path, line=node.lineno, name=framework)
