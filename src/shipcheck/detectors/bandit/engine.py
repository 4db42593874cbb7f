"""Bandit's tests as BAN rules: bandit's own node visitor, run once per Python file inside
shipcheck's worker, on the tree shipcheck already parsed, with only the selected tests.

Every BAN rule binds the ``bandit.test`` detector with its bandit test id. The first BAN rule
that reaches a file runs all selected tests and leaves the issues on the artifact; the other
BAN rules read them from there. Bandit is imported on first use, so a scan without BAN rules
never loads it. ``# nosec`` is not bandit's business here: bandit reports everything and
shipcheck's suppressions (``shipcheck.nosec``) decide, so nosec'd findings are counted as
suppressed like any other.
"""

from __future__ import annotations

import fnmatch
import functools
import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from shipcheck import lazyre
from shipcheck.banditpack import load_bandit
from shipcheck.detectors.common import mask
from shipcheck.detectors.python.astutil import non_production
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.findings import Hit, Severity

# bandit severity x bandit confidence -> shipcheck severity. Low confidence costs one step;
# nothing is critical, which shipcheck keeps for findings graded by evidence (a live key).
SEVERITY_MATRIX: dict[tuple[str, str], Severity] = {
    ("HIGH", "HIGH"): Severity.HIGH,
    ("HIGH", "MEDIUM"): Severity.HIGH,
    ("HIGH", "LOW"): Severity.MEDIUM,
    ("MEDIUM", "HIGH"): Severity.MEDIUM,
    ("MEDIUM", "MEDIUM"): Severity.MEDIUM,
    ("MEDIUM", "LOW"): Severity.LOW,
    ("LOW", "HIGH"): Severity.LOW,
    ("LOW", "MEDIUM"): Severity.LOW,
    ("LOW", "LOW"): Severity.INFO,
}
# Tests whose message quotes the password they found; shipcheck never prints a secret.
PASSWORD_TESTS = frozenset({"B105", "B106", "B107"})
_QUOTED = lazyre.compile(r"^(?P<head>.*?')(?P<value>.*)(?P<tail>')$", re.DOTALL)
_CACHE = "_bandit_issues"


@dataclass(frozen=True)
class BanditParams:
    """``test``: the bandit test id the rule reports (``B602``), set in the rule file.
    ``include_tests``: also run on test, example and documentation code (off: like
    shipcheck's own code rules, findings there are not deployment problems).
    The scan sets the rest from the selection and the project's bandit configuration:
    ``tests`` (every selected bandit test, run together once per file), ``exclude``
    (bandit's ``exclude_dirs``), ``plugin_config`` (``[tool.bandit]`` plugin sections) and
    ``engine`` (bandit's version: results remembered for one bandit are not another's)."""

    test: str = ""
    include_tests: bool = False
    tests: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    plugin_config: dict[str, Any] = field(default_factory=dict)
    engine: str = ""


class BanditTestFailed(Exception):
    """A bandit test raised on this file; bandit would log and go on, shipcheck reports it."""


@dataclass
class FileIssues:
    """What bandit found in one file: issues and errors by test id."""

    issues: dict[str, list[Any]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def severity(bandit_severity: str, confidence: str) -> Severity:
    """Shipcheck's severity for a bandit issue (see :data:`SEVERITY_MATRIX`)."""
    key = (_level(bandit_severity), _level(confidence))
    return SEVERITY_MATRIX[key]


def _level(value: str) -> str:
    value = str(value).upper()
    return value if value in ("HIGH", "MEDIUM", "LOW") else "LOW"  # bandit's UNDEFINED


def excluded(path: str, patterns: tuple[str, ...]) -> bool:
    """Whether bandit's ``exclude_dirs`` drop ``path``: a glob match or, as bandit does, a
    pattern found anywhere in the path (``tests`` excludes ``app/tests/x.py``)."""
    for pattern in patterns:
        pattern = pattern.removeprefix("./").rstrip("/")
        if not pattern:
            continue
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern + "/*"):
            return True
        if pattern in path:
            return True
    return False


@detector("bandit.test", Kind.PYTHON, params=BanditParams)
def bandit_test(doc: PythonFile, params: BanditParams) -> Iterator[Hit]:
    """What bandit test ``params.test`` reports in a module, with bandit's message, at
    bandit's line and column; severity from bandit's severity x confidence. Needs bandit
    (``pip install 'shipcheck[bandit]'``). Skips test and example code unless
    ``include_tests``, and files matched by bandit's ``exclude_dirs``."""
    if not params.test:
        return
    if not params.include_tests and (doc.in_test_dir or non_production(doc.path)):
        return
    if excluded(doc.path, params.exclude):
        return
    found = _issues(doc, params)
    for issue in found.issues.get(params.test, ()):
        yield _hit(issue)
    error = found.errors.get(params.test) or (
        found.errors.get("B001") if _blacklisted(params.test) else None
    )
    if error:
        raise BanditTestFailed(error)


def _issues(doc: PythonFile, params: BanditParams) -> FileIssues:
    """Bandit's issues for ``doc``, computed once for all the selected tests."""
    tests = tuple(sorted(set(params.tests) | {params.test}))
    key = (tests, json.dumps(params.plugin_config, sort_keys=True, default=str))
    cached = doc.__dict__.get(_CACHE)
    if cached is not None and cached[0] == key:
        return cached[1]
    found = run_bandit(doc, tests, params.plugin_config)
    doc.__dict__[_CACHE] = (key, found)
    return found


def run_bandit(
    doc: PythonFile, tests: tuple[str, ...], plugin_config: dict[str, Any]
) -> FileIssues:
    """Run bandit's node visitor with ``tests`` over ``doc``'s tree."""
    from bandit.core import metrics

    testset = _test_set(tests, json.dumps(plugin_config, sort_keys=True, default=str))
    found = FileIssues()
    fdata = io.BytesIO(doc.text.encode("utf-8"))
    # The bare file name: bandit would otherwise look for __init__.py files relative to the
    # working directory to name the module, which only its (unused) function names need.
    name = PurePosixPath(doc.path).name
    visitor = _visitor_class()(name, fdata, None, testset, False, {}, metrics.Metrics())
    visitor.tester = _tester_class()(testset, found.errors)
    visitor.generic_visit(doc.tree)
    # What BanditNodeVisitor.process() does after the walk: the whole-file tests. process()
    # itself would parse the text again, which shipcheck has already done.
    visitor.context = {
        "file_data": fdata,
        "filename": name,
        "lineno": 0,
        "linerange": [0, 1],
        "col_offset": 0,
    }
    visitor.tester.run_tests(visitor.context, "File")
    for issue in visitor.tester.results:
        found.issues.setdefault(issue.test_id, []).append(issue)
    return found


def _hit(issue: Any) -> Hit:
    line = max(int(issue.lineno or 1), 1)
    column = max(int(issue.col_offset), 0) + 1
    end_column = None
    span = list(issue.linerange or [])
    if span and min(span) == max(span) == line and issue.end_col_offset > issue.col_offset:
        end_column = int(issue.end_col_offset) + 1
    text = str(issue.text)
    if issue.test_id in PASSWORD_TESTS:
        quoted = _QUOTED.match(text)
        if quoted:
            text = quoted["head"] + mask(quoted["value"]) + quoted["tail"]
    cwe = getattr(issue.cwe, "id", 0)
    return Hit(
        line=line,
        column=column,
        end_line=line,
        end_column=end_column,
        severity=severity(issue.severity, issue.confidence),
        fields={
            "text": text,
            "test_id": issue.test_id,
            "test_name": issue.test,
            "bandit_severity": str(issue.severity).lower(),
            "confidence": str(issue.confidence).lower(),
            "cwe": f"CWE-{cwe}" if cwe else "",
        },
        utf8=True,  # bandit reports ast's byte offsets
    )


_TEST_SET: dict[str, Any] = {}


def _test_set(tests: tuple[str, ...], plugin_config: str) -> Any:
    """Bandit's test set for ``tests``; rebuilt whenever the selection changes, because
    bandit keeps the blacklist tests' configuration on module-level functions, so two test
    sets alive at once would share (and corrupt) it."""
    key = json.dumps([tests, plugin_config])
    if _TEST_SET.get("key") == key:
        return _TEST_SET["set"]
    _quiet_bandit()
    load_bandit()
    from bandit.core import config, test_set

    conf = config.BanditConfig()
    conf.config.update(json.loads(plugin_config))
    built = test_set.BanditTestSet(conf, {"include": set(tests), "exclude": set()})
    _TEST_SET.update(key=key, set=built)
    return built


def _quiet_bandit() -> None:
    # Bandit logs its problems and goes on; shipcheck turns them into diagnostics instead,
    # and bandit's log lines would otherwise interleave with the report.
    logging.getLogger("bandit").setLevel(logging.CRITICAL)


@functools.cache
def _blacklist_ids() -> frozenset[str]:
    from bandit.core import extension_loader

    return frozenset(extension_loader.MANAGER.blacklist_by_id)


def _blacklisted(test: str) -> bool:
    return test in _blacklist_ids()


@functools.cache
def _visitor_class() -> type:
    """Bandit's node visitor without its per-file score keeping, which shipcheck does not
    read (bandit adds up two score lists at every node of the tree)."""
    from bandit.core import node_visitor

    class Visitor(node_visitor.BanditNodeVisitor):  # type: ignore[misc]
        def update_scores(self, scores: Any) -> None:
            pass

    return Visitor


@functools.cache
def _tester_class() -> type:
    """Bandit's tester, recording test failures instead of logging them, and returning at
    once for the node types no selected test looks at (most of them)."""
    from bandit.core import metrics, tester

    class Tester(tester.BanditTester):  # type: ignore[misc]
        def __init__(self, testset: Any, errors: dict[str, str]) -> None:
            super().__init__(testset, False, {}, metrics.Metrics())
            self.errors = errors
            plugins = getattr(testset, "plugins", [])
            self.ids = {p.plugin.__name__: getattr(p.plugin, "_test_id", "") for p in plugins}

        def run_tests(self, raw_context: Any, checktype: str) -> Any:
            if not self.testset.get_tests(checktype):
                return None  # the scores bandit would return; nothing reads them
            return super().run_tests(raw_context, checktype)

        def report_error(self, test: str, context: Any, error: Exception) -> None:
            test_id = self.ids.get(test) or test
            line = context._context.get("lineno")
            self.errors.setdefault(
                test_id,
                f"bandit test {test} failed at line {line}: {type(error).__name__}: {error}",
            )

    return Tester
