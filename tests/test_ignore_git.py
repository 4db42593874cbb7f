"""The .gitignore matcher against git itself.

Each case is a set of ignore files (and optionally ``info/exclude`` lines), the files of a
small tree, and the files git ignores there. When git is installed, every case is rebuilt in
a temporary repository and git's own answers are computed (``git ls-files -o
--exclude-standard`` for what is ignored, ``git check-ignore -v -n`` for the deciding
file:line), with HOME pointed at the temporary folder so no global excludes apply; the stored
answers must equal git's and the matcher must equal both. Without git, the matcher is checked
against the stored answers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shipcheck.discover import walk
from shipcheck.ignorefiles import GitIgnore, glob_match

GIT = shutil.which("git")


@dataclass(frozen=True)
class Case:
    name: str
    ignore: dict[str, bytes]  # ignore file path -> content
    files: tuple[str, ...]
    ignored: frozenset[str]  # the stored answer: which of ``files`` git ignores
    exclude: bytes = b""
    note: str = field(default="", compare=False)


def case(name, ignore, files, ignored, exclude=b"", note=""):
    if isinstance(ignore, bytes | str):
        ignore = {".gitignore": ignore}
    ignore = {k: v.encode() if isinstance(v, str) else v for k, v in ignore.items()}
    return Case(name, ignore, tuple(files), frozenset(ignored), exclude, note)


CASES = [
    case("basic", "*.pyc\n__pycache__/\n.env\n",
         ["a.pyc", "src/b.pyc", "src/__pycache__/m.py", ".env", "sub/.env", "keep.py",
          ".envrc", "pyc", "src/__pycache__.py", "x.pyc.txt"],
         ["a.pyc", "src/b.pyc", "src/__pycache__/m.py", ".env", "sub/.env"]),
    case("dir-contents-then-reinclude", "app/**\n!app/main.py\n",
         ["app/main.py", "app/other.py", "app/sub/main.py", "app/sub/x.py", "main.py"],
         ["app/other.py", "app/sub/main.py", "app/sub/x.py"],
         note="app/** matches what is inside app/, not app/ itself, so git descends"),
    case("excluded-dir-cannot-reinclude", "app/\n!app/main.py\n",
         ["app/main.py", "app/x.py"], ["app/main.py", "app/x.py"]),
    case("double-star-dir-only", "abc/**/\n",
         ["abc/f", "abc/d/f", "abc/d/e/f", "f"], ["abc/d/f", "abc/d/e/f"]),
    case("double-star-not-bounded-is-star", "docs/**.md\n",
         ["docs/a.md", "docs/sub/b.md", "docs/x.txt"], ["docs/a.md"]),
    case("mid-segment-double-star-basename", "foo**bar\n",
         ["foobar", "fooxbar", "foo/bar", "foo/x/bar", "a/fooxbar"],
         ["foobar", "fooxbar", "a/fooxbar"]),
    case("mid-segment-double-star-anchored", "/foo**bar\n",
         ["foobar", "fooxbar", "foo/bar", "foo/x/bar"], ["foobar", "fooxbar"]),
    case("literal-prefix-then-double-star-slash", "/foo**/bar\n",
         ["foo/bar", "fooX/bar", "foo/a/bar", "fo/bar", "foo/barx"],
         ["foo/bar", "fooX/bar", "foo/a/bar"],
         note="git compares 'foo' literally, then wildmatch sees '**/bar' at its start"),
    case("literal-prefix-then-trailing-double-star", "/foo**\n",
         ["food", "foobar", "foo/x", "foo/y/z", "fo"], ["food", "foobar", "foo/x", "foo/y/z"]),
    case("posix-classes", "[[:digit:]]*.log\n[[:upper:]][[:lower:]].txt\n",
         ["1.log", "a.log", "9x.log", "Ab.txt", "ab.txt", "AB.txt"],
         ["1.log", "9x.log", "Ab.txt"]),
    case("posix-class-union", "[[:alpha:][:digit:]]_\n", ["a_", "1_", "-_", "__"], ["a_", "1_"]),
    case("posix-space-is-gits-own", "a[[:space:]]b\n", ["a b", "a\tb", "a\vb", "ab"],
         ["a b", "a\tb"], note="git's isspace has no \\v"),
    case("unknown-posix-class", "[[:foo:]]x\nz\n", ["ax", "x", "z"], ["z"]),
    case("trailing-whitespace", b"foo  \nbar\\ \nbaz\t\n",
         ["foo", "foo  ", "bar ", "bar", "baz", "baz\t"], ["foo", "bar ", "baz\t"],
         note="unescaped trailing spaces are trimmed, tabs are not"),
    case("crlf", b"*.log\r\nbuild/\r\n", ["a.log", "build/x", "b.txt"], ["a.log", "build/x"]),
    case("comments-only-at-column-0", b"#foo\n \\#bar\n\\#baz\n  #qux\n",
         ["#foo", " #bar", "#baz", "  #qux", "#qux"], [" #bar", "#baz", "  #qux"]),
    case("escaped-bang", "\\!bang\n", ["!bang", "bang"], ["!bang"]),
    case("negation-order", "!a.txt\n*.txt\n", ["a.txt", "b.txt"], ["a.txt", "b.txt"]),
    case("negation-after", "*.txt\n!a.txt\n", ["a.txt", "b.txt", "d/a.txt"], ["b.txt"]),
    case("anchored", "/root.txt\nsub/file.txt\n",
         ["root.txt", "x/root.txt", "sub/file.txt", "a/sub/file.txt"],
         ["root.txt", "sub/file.txt"]),
    case("leading-double-star", "**/foo\n", ["foo", "a/foo", "a/b/foo", "afoo"],
         ["foo", "a/foo", "a/b/foo"]),
    case("middle-double-star", "a/**/b\n", ["a/b", "a/x/b", "a/x/y/b", "ab", "x/a/b"],
         ["a/b", "a/x/b", "a/x/y/b"]),
    case("many-double-stars", "a/**/b/**/c\n",
         ["a/b/c", "a/x/b/y/c", "a/b/x/c", "a/c", "a/b/b/c/c"],
         ["a/b/c", "a/x/b/y/c", "a/b/x/c", "a/b/b/c/c"]),
    case("leading-double-star-dir-only", "**/logs/\n", ["logs/x", "a/logs/y", "b/logs"],
         ["logs/x", "a/logs/y"]),
    case("whitelist", "*\n!*/\n!*.py\n",
         ["a.py", "a.txt", "d/b.py", "d/c.txt", "d/e/f.py", "d/e/g", ".hidden", "py"],
         ["a.txt", "d/c.txt", "d/e/g", ".hidden", "py"]),
    case("nested-reinclude", {".gitignore": "*.log\n", "sub/.gitignore": "!keep.log\n"},
         ["keep.log", "sub/keep.log", "sub/x.log"], ["keep.log", "sub/x.log"]),
    case("nested-depth-precedence",
         {".gitignore": "*.tmp\n", "sub/.gitignore": "!*.tmp\n", "sub/deep/.gitignore": "a.tmp\n"},
         ["c.tmp", "sub/b.tmp", "sub/deep/a.tmp", "sub/deep/b.tmp"],
         ["c.tmp", "sub/deep/a.tmp"]),
    case("nested-anchored", {"sub/.gitignore": "/only\n"}, ["only", "sub/only", "sub/x/only"],
         ["sub/only"]),
    case("nested-with-slash", {"sub/.gitignore": "x/y\n"}, ["x/y", "sub/x/y", "sub/a/x/y"],
         ["sub/x/y"]),
    case("nested-file-in-excluded-dir-is-not-read",
         {".gitignore": "vendor/\n", "vendor/.gitignore": "!*\n"}, ["vendor/a.py", "a.py"],
         ["vendor/a.py"]),
    case("info-exclude-loses-to-gitignore", "!a.secret\n", ["a.secret", "b.secret"],
         ["b.secret"], exclude=b"*.secret\n"),
    case("unterminated-bracket", "[abc\nfoo[\n", ["[abc", "a", "foo[", "foo"], []),
    case("bracket-close-first", "[]a]x\n", ["]x", "ax", "bx"], ["]x", "ax"]),
    case("negated-classes", "[!a]b\n[^c]d\n", ["bb", "ab", "cd", "xd"], ["bb", "xd"]),
    case("ranges", "[a-c]1\n[x-]2\n", ["a1", "b1", "d1", "x2", "-2", "y2"],
         ["a1", "b1", "x2", "-2"]),
    case("reversed-range", "[a---]q\n[z-a]r\n", ["aq", "-q", "bq", "zr", "ar", "mr"],
         ["aq", "-q", "zr"], note="a reversed range adds nothing; its first end still counts"),
    case("escapes", "\\*star\nq\\?\n", ["*star", "xstar", "q?", "qa"], ["*star", "q?"]),
    case("trailing-backslash", "foo\\\n", ["foo\\", "foo"], []),
    case("question-mark", "?.txt\n", ["a.txt", "ab.txt", "sub/a.txt"], ["a.txt", "sub/a.txt"]),
    case("question-mark-is-one-byte", "?.txt\n??.dat\n", ["é.txt", "é.dat", "e.txt"],
         ["é.dat", "e.txt"], note="wildmatch works on bytes"),
    case("dir-only-not-file", "build/\n", ["build/x", "other/build"], ["build/x"]),
    case("dir-reinclude-inside-contents",
         "sub/**\n!sub/keep/\n!sub/keep/**\n", ["sub/keep/a", "sub/other/a", "sub/b"],
         ["sub/other/a", "sub/b"]),
    case("env-files", ".env*\n!.env.example\n",
         [".env", ".env.local", ".env.example", "api/.env", "api/.env.example"],
         [".env", ".env.local", "api/.env"]),
    case("bytecode-class", "*.py[cod]\n", ["a.pyc", "a.pyo", "a.pyd", "a.py", "a.pyx"],
         ["a.pyc", "a.pyo", "a.pyd"]),
    case("leading-double-star-not-bounded", "**.log\n", ["a.log", "d/b.log", "c.txt"],
         ["a.log", "d/b.log"]),
    case("single-star-one-segment", "a/*/c\n", ["a/b/c", "a/b/d/c", "a/c"], ["a/b/c"]),
    case("escaped-slash", "a\\/b\n", ["a/b", "x/a/b"], ["a/b"]),
    case("double-star-before-escaped-slash", "x/**\\/y\n", ["x/y", "x/a/y", "x/a/b/y"],
         ["x/a/y", "x/a/b/y"], note="no zero-folder shortcut before an escaped slash"),
    case("case-sensitive", "*.LOG\n", ["a.log", "b.LOG", "c.Log", "d/e.LOG"], ["b.LOG", "d/e.LOG"]),
    case("empty-and-odd-lines", "\n   \n!\n/\nx\n", ["x", "y"], ["x"]),
    case("bom", b"\xef\xbb\xbf*.tmp\n", ["a.tmp", "b.txt"], ["a.tmp"]),
    case("no-final-newline", "*.tmp", ["a.tmp", "b.txt"], ["a.tmp"]),
    case("star-alone-in-subfolder", {"sub/.gitignore": "*\n!.gitignore\n"},
         ["sub/a", "sub/d/b", "c"], ["sub/a", "sub/d/b"]),
]  # fmt: skip


def _build(tmp: Path, c: Case) -> GitIgnore:
    ignore = GitIgnore()
    for name, content in c.ignore.items():
        folder = name.rsplit("/", 1)[0] if "/" in name else ""
        ignore.add_file(folder, content)
    if c.exclude:
        ignore.add_exclude(c.exclude)
    return ignore


def _git(args: list[str], cwd: Path, stdin: bytes = b"") -> bytes:
    env = {
        "HOME": str(cwd),
        "XDG_CONFIG_HOME": str(cwd / ".config"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "PATH": os.environ.get("PATH", ""),
        "LC_ALL": "C",
    }
    result = subprocess.run(
        [GIT, *args], cwd=cwd, input=stdin, capture_output=True, env=env, check=False
    )
    if result.returncode not in (0, 1):
        raise AssertionError(result.stderr.decode(errors="replace"))
    return result.stdout


def _git_answers(tmp: Path, c: Case) -> tuple[set[str], dict[str, str | None]]:
    """What git ignores among the case's files, and which file:line decides each one."""
    repo = tmp / "repo"
    repo.mkdir()
    _git(["init", "-q", "."], repo)
    for name, content in c.ignore.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(content)
    for name in c.files:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(b"x")
    if c.exclude:
        (repo / ".git" / "info").mkdir(exist_ok=True)
        (repo / ".git" / "info" / "exclude").write_bytes(c.exclude)
    listed = {
        p.decode("utf-8", "surrogateescape")
        for p in _git(["ls-files", "-o", "--exclude-standard", "-z"], repo).split(b"\0")
        if p
    }
    ignored = {f for f in c.files if f not in listed}
    stdin = b"".join(f.encode() + b"\0" for f in c.files)
    fields = _git(["check-ignore", "-v", "-n", "-z", "--stdin"], repo, stdin).split(b"\0")
    where: dict[str, str | None] = {}
    for i in range(0, len(fields) - 3, 4):
        source, line, _pattern, path = (
            x.decode("utf-8", "surrogateescape") for x in fields[i : i + 4]
        )
        where[path] = f"{source}:{line}" if source else None
    return ignored, where


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_matcher_equals_git(tmp_path: Path, c: Case) -> None:
    ignore = _build(tmp_path, c)
    ours = {f for f in c.files if ignore.is_ignored(f)}
    assert ours == set(c.ignored), c.note
    if GIT is None:
        return
    ignored, where = _git_answers(tmp_path, c)
    assert ignored == set(c.ignored), "the stored answer no longer matches git"
    assert {f: ignore.where(f) for f in c.files} == where


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert sum(len(c.files) for c in CASES) >= 200


@pytest.mark.parametrize(
    ("glob", "path", "expected"),
    [
        ("*.py", "a/b/c.py", True),
        ("tests/**", "tests/unit/test_a.py", True),
        ("tests/**", "src/tests/x.py", False),  # a glob with a slash is anchored
        ("migrations", "app/migrations/0001.py", True),  # a component at any depth
        ("migrations/", "app/migrations/0001.py", True),  # a folder covers what is below
        ("legacy/", "legacy", False),  # a folder glob does not match a file
        ("k8s/dev/*", "k8s/dev/deploy.yaml", True),
        ("k8s/dev/*", "k8s/prod/deploy.yaml", False),
        ("# comment", "# comment", False),
        ("", "a.py", False),
    ],
)
def test_glob_match(glob: str, path: str, expected: bool) -> None:
    assert glob_match(glob, path) is expected


def test_glob_match_folder_flag() -> None:
    assert glob_match("legacy/", "legacy", is_dir=True)


# --- random pattern sets, decided by git ---------------------------------------------------------

PATTERN_TEXT = st.lists(
    st.sampled_from(
        [*"ab/*?[]!^-\\ #", "**", "/**/", "\\/", "[:alpha:]", "[:space:]", "[:foo:]", "\t", "\r"]
    ),
    max_size=8,
).map("".join)
SEGMENT = st.lists(st.sampled_from([*"ab[]*?!-\\ #^\t", "é"]), min_size=1, max_size=4).map("".join)
PATH = st.lists(SEGMENT, min_size=1, max_size=4).map("/".join)


@pytest.fixture(scope="module")
def scratch_repo(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    if GIT is None:
        return None
    repo = tmp_path_factory.mktemp("random") / "repo"
    repo.mkdir()
    _git(["init", "-q", "."], repo)
    return repo


@given(lines=st.lists(PATTERN_TEXT, min_size=1, max_size=6), paths=st.lists(PATH, max_size=8))
def test_random_pattern_sets_decide_like_git(scratch_repo, lines, paths) -> None:
    if scratch_repo is None:
        pytest.skip("git is not installed")
    paths = [p for p in paths if p not in (".git",) and not p.startswith(".git/")]
    content = "\n".join(lines).encode()
    (scratch_repo / ".gitignore").write_bytes(content)
    ignore = GitIgnore()
    ignore.add_file("", content)
    stdin = b"".join(p.encode() + b"\0" for p in paths)
    fields = _git(["check-ignore", "-v", "-n", "-z", "--stdin"], scratch_repo, stdin).split(b"\0")
    for i in range(0, len(fields) - 3, 4):
        source, line, _pattern, path = (x.decode() for x in fields[i : i + 4])
        assert ignore.where(path) == (f"{source}:{line}" if source else None), (lines, path)


@given(pattern=PATTERN_TEXT, path=PATH)
def test_regex_path_and_automaton_agree(pattern: str, path: str) -> None:
    from shipcheck.ignorefiles.automaton import Matcher
    from shipcheck.ignorefiles.git import wildmatch_tree

    matcher = Matcher(wildmatch_tree(pattern.encode()), text_is_bytes=True)
    assert matcher.fullmatch(path.encode()) == matcher.fullmatch_automaton(path.encode())


# --- issue 10, bug 3: discovery scans what git tracks ---------------------------------------------


def test_reincluded_file_under_double_star_is_scanned(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("app/**\n!app/main.py\n", encoding="utf-8")
    (tmp_path / "app" / "sub").mkdir(parents=True)
    for name in ("app/main.py", "app/other.py", "app/sub/main.py"):
        (tmp_path / name).write_text("import os\n", encoding="utf-8")
    found = walk(tmp_path, tmp_path, [], 2_000_000)
    assert [f.path for f in found.files] == ["app/main.py"]


def test_excluded_folder_glob_matches_like_git(tmp_path: Path) -> None:
    for name in ("docs/a.py", "docs/sub/b.py", "abc/c.py", "abc/d/e.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("import os\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("docs/**.py\nabc/**/\n", encoding="utf-8")
    found = walk(tmp_path, tmp_path, [], 2_000_000)
    assert [f.path for f in found.files] == ["abc/c.py", "docs/sub/b.py"]


def test_an_ignored_folder_named_as_the_target_is_still_scanned(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("build/\ndev-requirements.txt\n", encoding="utf-8")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "requirements.txt").write_text("flask\n", encoding="utf-8")
    (tmp_path / "build" / "dev-requirements.txt").write_text("flask\n", encoding="utf-8")
    found = walk(tmp_path, tmp_path / "build", [], 2_000_000)
    assert [f.path for f in found.files] == ["build/requirements.txt"]
    assert not walk(tmp_path, tmp_path, [], 2_000_000).files
