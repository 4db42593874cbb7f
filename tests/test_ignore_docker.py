"""The .dockerignore matcher against Docker's documented behaviour.

The expected answers come from the build-context documentation (the ``*/temp*``, ``**/*.go``,
``*.md`` / ``!README*.md`` examples, ``#`` only at column 0, trimming and ``filepath.Clean``
preprocessing, ``!`` exceptions where the last matching line wins) and from the semantics of
moby/buildkit's ``dockerignore.ReadAll`` and moby/patternmatcher (a pattern matches a path or
one of its parent folders; ``*`` and ``?`` stop at ``/``; ``**`` is ``(.*/)?``; brackets are
Go regexp classes; plain, ``**``-prefixed and ``**``-suffixed patterns are compared as
strings). Each row is (lines, path, excluded).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shipcheck.ignorefiles import DockerIgnore

from conftest import run_scan

CASES = [
    # --- the divergences that issue 10 reproduced ---
    ("bang-then-space", [".env", "! .env"], {".env": False}),
    ("indented-hash-is-a-pattern", ["  # secret"], {"# secret": True, "  # secret": False}),
    ("hash-at-column-0-is-a-comment", ["# secret", "#.env"], {"# secret": False, ".env": False}),
    ("clean-dotdot", ["a/../.env"], {".env": True, "a/.env": False}),
    ("clean-dot-slash", ["./x"], {"x": True, "x/y": True}),
    ("clean-trailing-slash", ["build/"], {"build": True, "build/x": True, "a/build": False}),
    ("clean-double-slash", ["a//b/./c"], {"a/b/c": True}),
    ("mid-segment-double-star", ["foo**bar"],
     {"foobar": True, "foo/bar": True, "foox/bar": True, "foo/x/bar": True, "fooxbar": False}),
    ("reversed-class-never-raises", ["[a---\n]", ".env"], {"": False, ".env": True, "a": False}),
    # --- the documentation's examples ---
    ("doc-temp-one-level", ["*/temp*"],
     {"somedir/temporary.txt": True, "somedir/temp/x": True, "temp.txt": False, "a/b/temp": False}),
    ("doc-temp-two-levels", ["*/*/temp*"], {"somedir/subdir/temporary.txt": True, "a/temp": False}),
    ("doc-temp-question", ["temp?"],
     {"tempa": True, "tempb": True, "temp": False, "sub/tempa": False}),
    ("doc-double-star-go", ["**/*.go"], {"a.go": True, "x/y/b.go": True, "a.gox": False}),
    ("doc-md-except-readme", ["*.md", "!README.md"], {"README.md": False, "a.md": True}),
    ("doc-readme-secret-excluded", ["*.md", "!README*.md", "README-secret.md"],
     {"README-secret.md": True, "README-x.md": False, "CHANGES.md": True}),
    ("doc-readme-secret-reincluded", ["*.md", "README-secret.md", "!README*.md"],
     {"README-secret.md": False}),
    ("doc-allow-list", ["*", "!src", "!requirements.txt"],
     {"src/app.py": False, "requirements.txt": False, "other.py": True, "docs/x": True}),
    ("doc-root-is-both-roots", ["/foo/bar", "baz/qux"],
     {"foo/bar": True, "a/foo/bar": False, "baz/qux": True, "a/baz/qux": False}),
    # --- parent folders and precedence ---
    ("folder-covers-contents", [".git"], {".git/HEAD": True, ".git/objects/pack/a": True}),
    ("folder-contents-only", [".git/*"], {".git/HEAD": True, ".git": False}),
    ("one-level-down", ["*/.git"], {"a/.git/HEAD": True, ".git/HEAD": False}),
    ("patterns-are-anchored", ["*.pyc"], {"a.pyc": True, "a/b.pyc": False}),
    ("exception-inside-excluded-folder", ["docs", "!docs/keep.md"],
     {"docs/keep.md": False, "docs/other.md": True}),
    ("exception-before-exclusion", ["!docs/keep.md", "docs"], {"docs/keep.md": True}),
    ("exception-reincludes-folder", ["*", "!app/"], {"app/x.py": False, "b.py": True}),
    ("exception-cleaned", ["*.txt", "!./keep/../keep.txt"], {"keep.txt": False, "a.txt": True}),
    # --- ** forms ---
    ("suffix-with-slash", ["**/.env"], {".env": True, "a/b/.env": True, "x.env": False}),
    ("suffix-without-slash", ["**.env"], {"x.env": True, "a/prod.env": True, ".env": True}),
    ("suffix-is-a-string-test", ["**foo"], {"barfoo": True, "foo": True, "a/foo": True}),
    ("prefix-is-a-string-test", ["foo**"], {"foo": True, "foobar/x": True, "fo": False}),
    ("trailing-double-star", ["logs/**"], {"logs/a": True, "logs/a/b": True, "logs": False}),
    ("double-star-alone", ["**"], {"a": True, "a/b/c": True}),
    ("many-double-stars", ["a/**/b/**/c"],
     {"a/b/c": True, "a/x/b/y/c": True, "a/c": False, "a/b/x/y": False}),
    ("double-star-after-text", ["a**"], {"abc": True, "a/b": True, "b": False}),
    # --- Go regexp classes and escapes ---
    ("bang-in-class-is-literal", ["[!a]bc"], {"!bc": True, "xbc": False}),
    ("caret-negates", ["[^a]bc"], {"xbc": True, "abc": False}),
    ("negated-class-crosses-slash", ["a[^x]b"], {"a/b": True, "axb": False}),
    ("posix-class", ["[[:alpha:]]x"], {"ax": True, "1x": False}),
    ("perl-class-escape", ["\\d.txt"], {"1.txt": True, "d.txt": False}),
    ("escaped-star", ["\\*x"], {"*x": True, "ax": False}),
    ("regex-metacharacters-are-literal", ["a+b.(c)", "{a,b}"],
     {"a+b.(c)": True, "aab.(c)": False, "{a,b}": True, "a": False}),
    ("question-is-one-rune", ["?.txt"], {"é.txt": True, "ab.txt": False}),
    ("question-stops-at-slash", ["a?b"], {"a/b": False, "axb": True}),
    # --- reading the file ---
    ("trim-space-and-tab", ["  .env  \t"], {".env": True}),
    ("crlf", [".env\r"], {".env": True}),
    ("bom", ["\ufeff.env"], {".env": True}),
    ("leading-slash", ["/.env"], {".env": True}),
    ("dot-excludes-nothing", ["."], {"a": False, ".": False}),
    ("outside-context", ["../x"], {"x": False}),
    # --- patterns Docker rejects (the build fails): reported, and they match nothing ---
    ("lone-bang-rejected", ["*", "!"], {"a": True}),
    ("reversed-range-rejected", ["a[b-a]", "c"], {"ab": False, "c": True}),
    ("bracket-close-first-rejected", ["[]a]"], {"]": False, "a": False}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("lines", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_dockerignore_matches_docker(lines: list[str], expected: dict[str, bool]) -> None:
    ignore = DockerIgnore(lines)
    assert {path: ignore.excludes(path) for path in expected} == expected


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize(
    ("lines", "errors"),
    [
        (["*", "!"], [2]),
        (["! "], [1]),
        (["a[b-a]"], [1]),
        (["[]a]"], [1]),
        (["[a---\n]"], [1]),
        (["x\\"], [1]),  # filepath.Match rejects a trailing backslash
        (["*\\"], [1]),
        (["ok", "[z"], [2]),
    ],
)
def test_rejected_lines_are_reported(lines: list[str], errors: list[int]) -> None:
    assert [line for line, _why in DockerIgnore(lines).errors] == errors


def test_reincluding_line_names_the_exception() -> None:
    ignore = DockerIgnore([".env", ".git", "!.env", "!.git/HEAD"])
    assert ignore.reincluding_line(".env") == 3
    assert ignore.reincluding_line(".git/HEAD") == 4
    assert ignore.reincluding_line(".git/config") is None
    assert ignore.decider(".git/config").line == 2


def test_from_text_splits_like_docker() -> None:
    ignore = DockerIgnore.from_text(".env\r\n\x0c.git\nnode_modules")
    # A form feed is not a line break for Docker; TrimSpace removes it.
    assert [p.text for p in ignore.patterns] == [".env", ".git", "node_modules"]
    assert [p.line for p in ignore.patterns] == [1, 2, 3]


DOCKER_TEXT = st.lists(
    st.sampled_from(
        [*"ab/*?[]!^-\\ #.$", "**", "[:alpha:]", "[:^digit:]", "\\d", "\\Qa*\\E", "\\b", "é"]
    ),
    max_size=8,
).map("".join)
DOCKER_PATH = st.lists(st.sampled_from([*"ab/-!#. ", "é", "\n"]), max_size=10).map("".join)


@given(pattern=DOCKER_TEXT, path=DOCKER_PATH)
def test_regex_path_and_automaton_agree(pattern: str, path: str) -> None:
    for compiled in DockerIgnore([pattern]).patterns:
        matcher = compiled._matcher
        if matcher is not None:
            assert matcher.fullmatch(path) == matcher.fullmatch_automaton(path)


# --- issue 10, bug 1: the rules see what Docker sends ---------------------------------------------


def _service(root, dockerignore: str) -> None:
    (root / "Dockerfile").write_text(
        'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nUSER 10001\nCMD ["app"]\n',
        encoding="utf-8",
    )
    (root / ".env").write_text("SECRET_KEY=k3J9x!vP2qLm8Zr4Tt6Yw0Bn5Hc7Df1G\n", encoding="utf-8")
    (root / ".dockerignore").write_text(dockerignore, encoding="utf-8")


@pytest.mark.parametrize(
    ("dockerignore", "line"),
    [
        (".git\n.env\n! .env\n", 3),  # Docker trims the space after `!`
        (".git\n.env\n  #.env\n!a/../.env\n", 4),  # cleaned to `.env`
    ],
)
def test_reincluded_env_file_is_reported(tmp_path, dockerignore: str, line: int) -> None:
    _service(tmp_path, dockerignore)
    report = run_scan(tmp_path, select=["SEC021", "DKR041"], fail_on="never")
    found = {f.rule_id: f for f in report.findings}
    assert sorted(found) == ["DKR041", "SEC021"]
    assert (found["DKR041"].path, found["DKR041"].line) == (".dockerignore", line)


def test_indented_hash_is_not_a_comment_for_docker(tmp_path) -> None:
    _service(tmp_path, ".git\n  # the env file\n.env\n")
    assert not run_scan(tmp_path, select=["SEC021", "DKR041"], fail_on="never").findings
