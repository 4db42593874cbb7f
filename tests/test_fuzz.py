"""Property-based tests: every parser, model builder and detector survives arbitrary and
mutated-real input. The property is the file pass's contract: ParseError (a diagnostic) is
fine, anything else escaping a parser, a detector or a fact extractor is a bug, and no input
may take long.

Examples hypothesis once found are kept below as ``@example`` regression cases. The CI profile
(tests/conftest.py) is derandomised and bounded; ``HYPOTHESIS_PROFILE=dev`` searches longer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from functools import cache
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from shipcheck import config as config_mod
from shipcheck.classify import classify
from shipcheck.discover import SourceRef
from shipcheck.filepass import WorkerSettings, init_worker, process_file
from shipcheck.models.artifacts import Kind
from shipcheck.packs import load_builtin
from shipcheck.patterns import DockerIgnore, GitIgnore, glob_match
from shipcheck.suppress import apply_suppressions, parse_suppressions

from conftest import FIXTURES

# Where each kind is read from: the path decides the parser (and, for YAML, the model).
KIND_PATHS = {
    "python": "app/views.py",
    "requirements": "requirements.txt",
    "pyproject": "pyproject.toml",
    "pipfile": "Pipfile",
    "lockfile": "poetry.lock",
    "pipfile-lock": "Pipfile.lock",
    "dockerfile": "Dockerfile",
    "dockerignore": ".dockerignore",
    "kubernetes": "k8s/deployment.yaml",
    "compose": "docker-compose.yml",
    "github-actions": ".github/workflows/ci.yml",
    "gitlab-ci": ".gitlab-ci.yml",
    "env": ".env",
    "procfile": "Procfile",
    "text": "config/settings.ini",
}
# Characters that matter to these formats, so random text reaches the interesting paths.
ALPHABET = st.sampled_from(
    [*"abcXYZ019 _-=:./\\'\"#$@&*!|>{}[](),;`~%\t\n\r",
       "\\\n", "<<EOF\n", "${A:-b}", "&a ", "*a", "---\n", "- ", "FROM ", "RUN ", "USER ",
       "apiVersion: v1\n", "kind: Pod\n", "services:\n", "image: ", "==", ">=", "-r ",
       "# shipcheck: ignore[", "\u2028", "\x85", "\x0c", "é", "\ufeff"]
)  # fmt: skip
FUZZ_TEXT = st.lists(ALPHABET, max_size=200).map("".join)
_FAILURE_WORDS = ("internal parser error", "failed:", "fact extraction failed")


@cache
def _seeds() -> dict[str, list[bytes]]:
    """Real fixture files per kind: the starting points for mutation."""
    by_kind: dict[str, list[bytes]] = {}
    for path in sorted((FIXTURES / "rules").rglob("*")):
        if not path.is_file() or path.stat().st_size > 20_000:
            continue
        kind = classify(path.relative_to(FIXTURES).as_posix())
        if kind is None:
            continue
        bucket = by_kind.setdefault(kind.value, [])
        if len(bucket) < 12:
            bucket.append(path.read_bytes())
    return by_kind


@cache
def _ready() -> None:
    rules = tuple(r for r in load_builtin().rules)
    init_worker(WorkerSettings(rules=rules, modules=("shipcheck.detectors",)))


def _check(path: str, data: bytes) -> None:
    """The whole file pass on one input: no escaped exception, no crashed rule, quick."""
    _ready()
    kind = classify(path) or Kind.TEXT
    ref = SourceRef(abspath="<fuzz>", path=path, kind=kind, size=len(data), data=data)
    started = time.monotonic()
    result = process_file(ref)
    elapsed = time.monotonic() - started
    broken = [d.reason for d in result.diagnostics if any(w in d.reason for w in _FAILURE_WORDS)]
    assert not broken, broken
    assert elapsed < 5, f"{path}: {elapsed:.1f} s"


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for position, length, insert in edits:
        position %= len(data) + 1
        data = data[:position] + insert + data[position + length :]
    return data


EDITS = st.lists(
    st.tuples(
        st.integers(0, 10_000),
        st.integers(0, 40),
        st.one_of(FUZZ_TEXT.map(str.encode), st.binary(max_size=8)),
    ),
    min_size=1,
    max_size=6,
)


@pytest.mark.parametrize("kind", sorted(KIND_PATHS))
@given(text=FUZZ_TEXT)
@example(text="a: &a [*a]\n")  # a recursive alias
@example(text="FROM scratch\nRUN <<EOF\n")  # an unterminated heredoc
@example(text="x\x85y\u2028z\x0c")  # line breaks that only some splitters know
def test_arbitrary_text(kind, text):
    _check(KIND_PATHS[kind], text.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("kind", sorted(KIND_PATHS))
@given(data=st.data())
def test_mutated_real_files(kind, data):
    classified = classify(KIND_PATHS[kind])
    seeds = _seeds().get(classified.value if classified else "text") or [b""]
    seed = data.draw(st.sampled_from(seeds), label="seed")
    _check(KIND_PATHS[kind], _mutate(seed, data.draw(EDITS, label="edits")))


@given(lines=st.lists(FUZZ_TEXT, max_size=8), path=FUZZ_TEXT, is_dir=st.booleans())
@example(lines=["[[:alpha:]]", "foo**bar", "!", "\\"], path="a/b", is_dir=False)
@example(lines=["[a---\n]"], path="", is_dir=False)
def test_ignore_patterns(lines, path, is_dir):
    for line in lines:
        glob_match(line, path, is_dir)
    ignore = GitIgnore()
    ignore.add_file("", "\n".join(lines))
    ignore.add_file("sub", "\n".join(reversed(lines)))
    ignore.add_exclude(lines[0] if lines else "")
    ignore.is_ignored(path, is_dir)
    ignore.where(path, is_dir)
    docker = DockerIgnore(lines)
    docker.excludes(path)
    docker.reincluding_line(path)
    DockerIgnore.from_text("\n".join(lines)).excludes(path)


@given(lines=st.lists(FUZZ_TEXT, max_size=10))
@example(lines=["# shipcheck: ignore[] until=", "# shipcheck: ignore-file[,,] until=2020-13-45"])
def test_suppression_comments(lines):
    found = parse_suppressions("f.py", lines)
    apply_suppressions([], found, known={}, today=dt.date(2026, 1, 1), require_reason=True)


TOML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
CONFIG_KEYS = st.sampled_from(
    ["select", "extend-select", "ignore", "severity", "exclude", "per-file-ignores", "fail-on",
     "min-score", "params", "max-file-size", "file-timeout", "max-yaml-nodes", "offline",
     "require-suppression-reason", "rules", "nope"]
)  # fmt: skip


@given(table=st.dictionaries(CONFIG_KEYS, TOML_VALUES, max_size=4))
def test_config_values_fail_only_as_config_errors(table):
    with contextlib.suppress(config_mod.ConfigError):
        config_mod._apply(config_mod.Config(), table, "pyproject.toml")


@given(text=FUZZ_TEXT)
def test_project_config_files_never_stop_the_scan(tmp_path_factory, text):
    root = Path(tmp_path_factory.mktemp("cfg"))
    (root / "pyproject.toml").write_text("[tool.shipcheck]\n" + text, encoding="utf-8")
    try:
        config_mod.load(root)
    except config_mod.ConfigError as exc:
        assert not isinstance(exc, config_mod.UnreadableConfig)
