#!/usr/bin/env python3
"""The ignore-file matchers on real repositories and on adversarial patterns.

    python bench/ignore_matchers.py parity REPO...      # GitIgnore vs git, every path
    python bench/ignore_matchers.py adversarial         # time per match as paths grow
    python bench/ignore_matchers.py throughput REPO...  # matches per second on a real tree

``parity`` loads every ``.gitignore`` of each repository (and ``.git/info/exclude``), asks
``git check-ignore --no-index -v -n`` which file:line decides every file and folder of the
work tree (the index is left out, so tracked files are judged by their patterns too), and
counts the paths where ``GitIgnore.where`` answers differently. Global excludes are kept out
(HOME points at an empty folder). The repositories are only read.

``adversarial`` times patterns that make a backtracking matcher blow up (many ``*`` in one
segment, many ``**`` folders, Docker's ``(.*/)?`` chains) on growing paths; the time per
match should grow linearly with the path length.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
from shipcheck.ignorefiles import DockerIgnore, GitIgnore  # noqa: E402


def _tree(root: Path) -> tuple[list[str], list[str], GitIgnore]:
    files: list[str] = []
    folders: list[str] = []
    ignore = GitIgnore()
    for current, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(current, root).replace(os.sep, "/")
        rel = "" if rel == "." else rel
        dirnames[:] = sorted(d for d in dirnames if not (rel == "" and d == ".git"))
        for d in dirnames:
            folders.append(f"{rel}/{d}" if rel else d)
        for name in sorted(filenames):
            path = f"{rel}/{name}" if rel else name
            files.append(path)
            if name == ".gitignore" and not os.path.islink(os.path.join(current, name)):
                ignore.add_file(rel, Path(current, name).read_bytes())
    exclude = root / ".git" / "info" / "exclude"
    if exclude.is_file():
        ignore.add_exclude(exclude.read_bytes())
    return files, folders, ignore


def _git_where(root: Path, paths: list[str]) -> dict[str, str | None]:
    with tempfile.TemporaryDirectory() as home:
        env = {"HOME": home, "GIT_CONFIG_NOSYSTEM": "1", "PATH": os.environ["PATH"]}
        result = subprocess.run(
            ["git", "-c", "safe.directory=*", "check-ignore", "--no-index", "-v", "-n", "-z",
             "--stdin"],
            cwd=root, input=b"".join(p.encode() + b"\0" for p in paths),
            capture_output=True, env=env, check=False,
        )  # fmt: skip
    fields = result.stdout.split(b"\0")
    where: dict[str, str | None] = {}
    for i in range(0, len(fields) - 3, 4):
        source, line, _, path = (x.decode("utf-8", "surrogateescape") for x in fields[i : i + 4])
        where[path] = f"{source}:{line}" if source else None
    return where


def parity(roots: list[str]) -> int:
    """Print, per repository, the paths checked and those where GitIgnore differs from git."""
    total_diff = 0
    for name in roots:
        root = Path(name)
        files, folders, ignore = _tree(root)
        git = _git_where(root, files + folders)
        ours = {p: ignore.where(p, False) for p in files}
        ours.update({p: ignore.where(p, True) for p in folders})
        diff = [p for p in git if git[p] != ours.get(p)]
        ignored = sum(1 for p in files if ignore.is_ignored(p))
        total_diff += len(diff)
        print(
            f"{root.name:30} ignore files {len(ignore.sources):3}  paths {len(git):6}  "
            f"ignored files {ignored:6}  differ {len(diff)}"
        )
        for path in diff[:10]:
            print(f"    {path}: git {git[path]}  ours {ours.get(path)}")
    return 1 if total_diff else 0


def _time(function, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def adversarial() -> int:
    """Print the time of one match for adversarial patterns at growing path lengths."""
    git_cases = {
        "*a*a*a*a*a*a*a*b (one segment)": ("*a*a*a*a*a*a*a*b", lambda n: "a" * n),
        "/**/a/**/a/**/a/**/a/**/b": ("/**/a/**/a/**/a/**/a/**/b", lambda n: "a/" * (n // 2) + "c"),
    }
    for label, (pattern, make) in git_cases.items():
        ignore = GitIgnore()
        ignore.add_file("", pattern)
        line = [label]
        for n in (100, 1000, 4000):
            path = make(n)
            pattern_obj = ignore._files[b""][0]
            seconds = _time(lambda p=path, q=pattern_obj: q.matches(p.encode(), False))
            line.append(f"n={n}: {seconds * 1e3:8.2f} ms")
        print("git    ", "  ".join(line))
    docker_cases = {
        "**/a**/a**/a**/a**/b": ("**/a**/a**/a**/a**/b", lambda n: "a/" * (n // 2) + "c"),
        "*a*a*a*a*a*a*b": ("*a*a*a*a*a*a*b", lambda n: "a" * n),
    }
    for label, (pattern, make) in docker_cases.items():
        compiled = DockerIgnore([pattern]).patterns[0]
        line = [label]
        for n in (100, 1000, 4000):
            path = make(n)
            seconds = _time(lambda p=path, q=compiled: q.matches(p))
            line.append(f"n={n}: {seconds * 1e3:8.2f} ms")
        print("docker ", "  ".join(line))
    return 0


def throughput(roots: list[str]) -> int:
    """Print how many paths per second GitIgnore decides on real trees (warm caches)."""
    for name in roots:
        root = Path(name)
        files, _folders, ignore = _tree(root)
        seconds = _time(lambda f=files, i=ignore: [i.is_ignored(p) for p in f])
        print(f"{root.name:30} {len(files):6} files  {seconds * 1e3:8.1f} ms  "
              f"{len(files) / seconds:10.0f} paths/s")  # fmt: skip
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("parity", "adversarial", "throughput"):
        print(__doc__)
        return 2
    if argv[0] == "parity":
        return parity(argv[1:])
    if argv[0] == "throughput":
        return throughput(argv[1:])
    return adversarial()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
