"""``bind`` settings of gunicorn configuration files (``gunicorn.conf.py``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import PurePosixPath

from shipcheck.detectors.registry import fact_extractor
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.facts import GunicornConfig
from shipcheck.text import char_column


def is_gunicorn_config(path: str) -> bool:
    """``gunicorn.conf.py`` (read from the working directory by default), ``gunicorn_conf.py``,
    ``config/gunicorn.py``..."""
    return "gunicorn" in PurePosixPath(path).name.lower()


@fact_extractor(Kind.PYTHON)
def gunicorn_config_facts(doc: PythonFile) -> Iterator[GunicornConfig]:
    """A :class:`GunicornConfig` fact with the literal ``bind`` addresses (``binds`` is None
    when ``bind`` is computed, e.g. from ``os.environ``)."""
    if not is_gunicorn_config(doc.path) or doc.in_test_dir:
        return
    for node in doc.tree.body:
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if not any(isinstance(t, ast.Name) and t.id == "bind" for t in targets):
            continue
        value = node.value
        items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
        binds = [i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)]
        literal = len(binds) == len(items)
        yield GunicornConfig(
            path=doc.path,
            line=value.lineno,
            binds=tuple(binds) if literal else None,
            column=char_column(doc.line_text(value.lineno), value.col_offset),
        )
