"""Reading any text file for credentials: which files are not worth it (lock files,
minified bundles, recorded HTTP traffic, generated documentation sites), offsets to
positions, Python docstrings, and the name a value is assigned to on its line."""

from __future__ import annotations

import ast
import bisect
import re
from pathlib import PurePosixPath

from shipcheck import lazyre
from shipcheck.detectors.python.index import index_of
from shipcheck.models.artifacts import Artifact, Kind, PythonFile
from shipcheck.models.findings import Severity

# Generated files full of hashes and URLs nobody typed: lock files, source maps,
# recorded HTTP archives and cassettes.
GENERATED_NAMES = frozenset(
    {"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "composer.lock",
     "gemfile.lock", "cargo.lock", "go.sum", "poetry.lock", "pipfile.lock", "uv.lock", "pdm.lock",
     "pylock.toml", "bun.lockb", "flake.lock"}
)  # fmt: skip
GENERATED_SUFFIXES = (".lock", ".map", ".har", ".min.js", ".min.css", ".min.mjs", ".snap")
_BUNDLE_SUFFIXES = (".js", ".mjs", ".cjs", ".css", ".json", ".html", ".svg")
_MINIFIED_LINE = 1000  # a bundle has lines far longer than anyone writes by hand
# Documentation a generator wrote from sources that are scanned themselves (reST, Markdown,
# docstrings): Sphinx's footer and search index, the generator tag of Docutils, MkDocs,
# pdoc, Doxygen, Hugo and Jekyll. Source distributions ship megabytes of it.
_DOC_GENERATOR = lazyre.compile(
    r'<meta\s+name="generator"\s+content="(?:Docutils|Sphinx|MkDocs|pdoc|Doxygen|Hugo|Jekyll)\b',
    re.IGNORECASE,
)
_SPHINX_FOOTER = 'Created using <a href="https://www.sphinx-doc.org'
_SPHINX_INDEX = "Search.setIndex("
_PAGE_SUFFIXES = (".html", ".htm")


def is_generated(doc: Artifact) -> bool:
    """Lock files, minified bundles, source maps, recorded HTTP archives and documentation
    sites a generator built."""
    name = PurePosixPath(doc.path).name.lower()
    if doc.kind is Kind.LOCKFILE or name in GENERATED_NAMES or name.endswith(GENERATED_SUFFIXES):
        return True
    if name == "searchindex.js" and doc.text.startswith(_SPHINX_INDEX):
        return True
    if name.endswith(_PAGE_SUFFIXES) and (
        _SPHINX_FOOTER in doc.text[-16384:] or _DOC_GENERATOR.search(doc.text[:16384])
    ):
        return True
    if name.endswith(_BUNDLE_SUFFIXES):
        lines = doc.lines
        long_lines = sum(1 for line in lines[:200] if len(line) > _MINIFIED_LINE)
        return long_lines > 0 and long_lines * 4 >= min(len(lines), 200)
    return False


class LineIndex:
    """Maps character offsets of a text to 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        self.starts.extend(m.end() for m in re.finditer(r"\r\n|\n|\r", text))

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of ``offset``."""
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


def docstring_lines(doc: Artifact) -> set[int]:
    """Lines covered by docstrings and other bare string statements of a Python module:
    documentation, where credentials are examples."""
    if not isinstance(doc, PythonFile):
        return set()
    lines: set[int] = set()
    for node in index_of(doc).of(ast.Expr):
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            end = node.end_lineno or node.lineno
            lines.update(range(node.lineno, end + 1))
    return lines


# ``NAME=``, ``NAME: ``, ``"name": "``, ``name = '``, ``--name=`` just before the value.
_HOLDER = lazyre.compile(
    r"(?:^|[\s{,;(\[])(?:export\s+)?[\"']?(?P<name>[A-Za-z_][A-Za-z0-9_.\-]{0,80})[\"']?"
    r"\s*(?::=|=|:)\s*[\"'`]?(?:(?:Bearer|Token|Basic)\s+)?[^\s\"'`=]{0,80}$"
)


def holder_name(line: str, column: int) -> str | None:
    """The variable or key that the value at 1-based ``column`` of ``line`` is assigned to."""
    end = max(column - 1, 0)
    match = _HOLDER.search(line[max(end - 120, 0) : end])
    return match.group("name") if match else None


def subject(line: str, column: int) -> str:
    """How a message names what holds a value: "`GITHUB_TOKEN`", or "This line"."""
    name = holder_name(line, column)
    return f"`{name}`" if name else "This line"


def lower_to(severity: Severity | None, floor: Severity | None) -> Severity | None:
    """The less severe of two optional severities (None = the rule's own severity)."""
    if severity is None:
        return floor
    if floor is None:
        return severity
    return severity if severity.rank <= floor.rank else floor
