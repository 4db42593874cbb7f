"""Worker and timeout settings of gunicorn configuration files (``gunicorn.conf.py``).

``workers = 4``, ``workers = multiprocessing.cpu_count() * 2 + 1`` (the documented formula:
it counts the machine's CPUs, not a container's limit), ``workers =
int(os.environ.get("WEB_CONCURRENCY", 2))``; ``threads``, ``worker_class``, ``timeout``,
``graceful_timeout`` as literals or environment reads with a literal default.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck.detectors.python.gunicorn_conf import is_gunicorn_config
from shipcheck.detectors.python.index import PyIndex, index_of
from shipcheck.detectors.registry import fact_extractor
from shipcheck.detectors.secrets.pyast import EnvReads, literal_string
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.facts import Fact

_CPU_COUNTERS = frozenset({"multiprocessing.cpu_count", "os.cpu_count", "psutil.cpu_count"})
_SETTINGS = ("workers", "threads", "worker_class", "timeout", "graceful_timeout")


@dataclass(frozen=True, kw_only=True)
class Setting:
    """One setting: its literal value (or the default of the environment read), the
    variable it is read from, whether it is computed from the machine's CPU count, and
    its line."""

    value: int | str | None
    env: str | None
    cpu_count: bool
    line: int


@dataclass(frozen=True, kw_only=True)
class GunicornSettings(Fact):
    """The worker and timeout settings of a gunicorn configuration file, by name
    (``workers``, ``threads``, ``worker_class``, ``timeout``, ``graceful_timeout``)."""

    settings: dict[str, Setting]


def _value(
    node: ast.AST, reads: EnvReads, index: PyIndex
) -> tuple[int | str | None, str | None, bool]:
    """(value, environment variable, computed from the CPU count)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | str | bool):
        if isinstance(node.value, bool):  # True is an int: not a count
            return None, None, False
        return node.value, None, False
    for sub in index.walk(node):
        if isinstance(sub, ast.Call) and reads.resolve(sub.func) in _CPU_COUNTERS:
            return None, None, True
    inner = node
    while isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.args:
        if inner.func.id not in {"int", "str", "float"}:
            break
        inner = inner.args[0]
    read = reads.read(inner) if isinstance(inner, ast.Call) else None
    if read is not None and read.var:
        default = read.default
        text = literal_string(default) if default is not None else None
        value: int | str | None = None
        if isinstance(default, ast.Constant) and isinstance(default.value, int):
            value = default.value
        elif text is not None:
            value = int(text) if text.strip().isdigit() else text
        return value, read.var, False
    return None, None, False


@fact_extractor(Kind.PYTHON)
def gunicorn_settings_facts(doc: PythonFile) -> Iterator[GunicornSettings]:
    """A :class:`GunicornSettings` fact for a gunicorn configuration file that sets any of
    the worker or timeout settings at module level."""
    if not is_gunicorn_config(doc.path) or doc.in_test_dir:
        return
    reads = EnvReads(doc.tree)
    index = index_of(doc)
    found: dict[str, Setting] = {}
    for node in doc.tree.body:
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id in _SETTINGS:
                value, env, cpu = _value(node.value, reads, index)
                found[target.id] = Setting(value=value, env=env, cpu_count=cpu, line=node.lineno)
    if found:
        yield GunicornSettings(path=doc.path, line=1, settings=found)
