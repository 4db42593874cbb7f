"""Speed benchmark: shipcheck cold, warm and on five explicit files, against `bandit -r`, on
corpora built from source distributions on the package index. One command, one run:

    python bench/speed.py                      # builds the corpora, runs, writes RESULTS.md
    python bench/speed.py --workdir /tmp/b     # where the sdists are unpacked (default below)

Needs `pip download` access to the package index and bandit installed (`pip install bandit`).
Every figure comes from this run: wall time, CPU time (user + system, workers included) and
peak resident memory of each command, measured with wait4(2) on the command's process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import hardware  # bench/hardware.py: this folder is on the path when run as a script

HERE = Path(__file__).resolve().parent
# Three sizes, each including the one before, so that time can be plotted against lines.
CORPORA = {
    "small": ["flask==3.1.0", "requests==2.32.3", "gunicorn==23.0.0"],
    "medium": ["celery==5.4.0", "sqlalchemy==2.0.36"],
    "large": ["django==5.1.4"],
}
EXPLICIT = 5


@dataclass
class Run:
    """One measured command."""

    wall: float
    cpu: float
    rss_mb: float
    code: int


def measure(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Run ``command`` and return its wall time, CPU time and peak RSS (children included)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode)


def build(workdir: Path) -> dict[str, Path]:
    """Download and unpack the sdists; one folder per corpus size (cumulative)."""
    downloads = workdir / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    trees: dict[str, Path] = {}
    packages: list[str] = []
    for size, specs in CORPORA.items():
        packages += specs
        tree = workdir / size
        if tree.exists() and not (tree / ".git").exists():
            _commit(tree)  # a corpus built by an earlier version of this script
        if not tree.exists():
            partial = workdir / f"{size}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            for spec in packages:
                _unpack(_download(spec, downloads), partial)
            _commit(partial)
            partial.rename(tree)  # only a complete tree is ever reused
        trees[size] = tree
    return trees


def _commit(tree: Path) -> None:
    """Make ``tree`` a git repository with everything committed: shipcheck (and pre-commit)
    run in work trees, where discovery asks git for the file list."""
    git = ["git", "-C", str(tree), "-c", "user.name=bench", "-c", "user.email=bench@localhost",
           "-c", "commit.gpgsign=false"]  # fmt: skip
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "corpus"], check=True)


def _download(spec: str, downloads: Path) -> Path:
    name = spec.split("==")[0].lower()
    found = [p for p in downloads.iterdir() if p.name.lower().startswith(name.replace("-", "_"))
             or p.name.lower().startswith(name)]  # fmt: skip
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             "--quiet", "-d", str(downloads), spec],
            check=True,
        )  # fmt: skip
        found = [p for p in downloads.iterdir() if p.name.lower().startswith(name)]
    return sorted(found)[-1]


def _unpack(archive: Path, tree: Path) -> None:
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as handle:
            handle.extractall(tree)
    else:
        with tarfile.open(archive) as handle:
            handle.extractall(tree, filter="data")


def count(tree: Path) -> tuple[int, int]:
    """Python files and their lines."""
    files = lines = 0
    for path in tree.rglob("*.py"):
        files += 1
        with open(path, "rb") as handle:
            lines += sum(1 for _ in handle)
    return files, lines


def explicit_files(tree: Path) -> list[str]:
    """Five real files of different kinds, as a pre-commit run would pass them."""
    picks = sorted(str(p) for p in tree.rglob("*.py") if "test" not in p.name)[:3]
    picks += sorted(str(p) for p in tree.rglob("requirements*.txt"))[:1]
    picks += sorted(str(p) for p in tree.rglob("pyproject.toml"))[:1]
    return picks[:EXPLICIT]


def bench(tree: Path, cache: Path) -> dict[str, object]:
    shipcheck = [sys.executable, "-m", "shipcheck", "scan", "--offline", "--fail-on", "never",
                 "-f", "json", "-o", os.devnull]  # fmt: skip
    env = {**os.environ, "SHIPCHECK_CACHE_DIR": str(cache)}
    bandit_command = ["bandit", "-r", "-q", "-f", "json", "-o", os.devnull, str(tree)]
    # The cold scan and bandit, each twice, one after the other, and the best of each: the
    # machine's speed drifts over the minutes bandit takes, and the ratio compares the two
    # at the same moments with the same statistic.
    colds, bandits = [], []
    for _ in range(2):
        shutil.rmtree(cache, ignore_errors=True)
        colds.append(measure([*shipcheck, str(tree)], env))
        bandits.append(measure(bandit_command))
    cold = min(colds, key=lambda r: r.wall)
    bandit = min(bandits, key=lambda r: r.wall)
    warm = measure([*shipcheck, str(tree)], env)
    files = explicit_files(tree)
    five = min((measure([*shipcheck, *files], env) for _ in range(3)), key=lambda r: r.wall)
    edited = min((_with_edit(Path(files[0]), i, lambda: measure([*shipcheck, *files], env))
                  for i in range(3)), key=lambda r: r.wall)  # fmt: skip
    changed = min((_with_edit(Path(files[0]), i, lambda: measure([*shipcheck, *files], env),
                              fact=True) for i in range(3)), key=lambda r: r.wall)  # fmt: skip
    # The interpreter's own start, the floor under any command-line tool written in Python.
    floor = min((measure([sys.executable, "-c", "pass"]) for _ in range(3)), key=lambda r: r.wall)
    return {
        "cold": cold, "warm": warm, "five": five, "edited": edited, "changed": changed,
        "bandit": bandit, "floor": floor,
    }  # fmt: skip


def _with_edit(path: Path, serial: int, run: object, fact: bool = False) -> Run:
    """``run()`` while ``path`` carries one more comment line at its end (a file the commit
    changed, its facts unchanged) or, with ``fact``, reads one more environment variable at
    its top (its facts changed too: the project rules run), then the file restored."""
    original = path.read_bytes()
    try:
        if fact:
            read = f'import os\n\n_EDIT = os.environ.get("PRE_COMMIT_EDIT_{serial}")\n'
            path.write_bytes(read.encode() + original)
        else:
            path.write_bytes(original + f"\n# pre-commit edit {serial}\n".encode())
        return run()  # type: ignore[operator,no-any-return]
    finally:
        path.write_bytes(original)


def machine() -> str:
    from shipcheck import __version__

    bandit = subprocess.run(["bandit", "--version"], capture_output=True, text=True).stdout
    return (
        f"{hardware.describe()}; shipcheck {__version__}; "
        f"{bandit.splitlines()[0] if bandit else 'bandit ?'}"
    )


def report(results: dict[str, dict[str, object]], sizes: dict[str, tuple[int, int]]) -> str:
    rows = [
        "| corpus | .py files | lines | shipcheck cold | warm | 5 files (best of 3) | "
        "5 files, one edited | 5 files, a fact changed | bandit -r | cold/bandit | warm/cold | "
        "`python -c pass` |",
        "| --- | ---: | ---: | --- | --- | --- | --- | --- | --- | ---: | ---: | ---: |",
    ]
    for name, runs in results.items():
        cold, warm, five, edited, changed, bandit, floor = (
            runs[k] for k in ("cold", "warm", "five", "edited", "changed", "bandit", "floor")
        )
        assert isinstance(cold, Run) and isinstance(warm, Run) and isinstance(floor, Run)
        assert isinstance(five, Run) and isinstance(bandit, Run) and isinstance(edited, Run)
        assert isinstance(changed, Run)
        files, lines = sizes[name]

        def cell(run: Run) -> str:
            return f"{run.wall:.2f} s wall, {run.cpu:.2f} s CPU, {run.rss_mb:.0f} MB"

        rows.append(
            f"| {name} | {files:,} | {lines:,} | {cell(cold)} | {cell(warm)} | "
            f"{five.wall:.3f} s wall | {edited.wall:.3f} s wall | {changed.wall:.3f} s wall | "
            f"{cell(bandit)} | "
            f"{cold.wall / bandit.wall:.3f} | "
            f"{warm.wall / cold.wall:.3f} | {floor.wall:.3f} s |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(tempfile.gettempdir()) / "shipcheck-bench"
    parser.add_argument("--workdir", type=Path, default=default)
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    before_load = os.getloadavg()[0]
    trees = build(args.workdir)
    sizes = {name: count(tree) for name, tree in trees.items()}
    results = {name: bench(tree, args.workdir / "cache") for name, tree in trees.items()}
    table = report(results, sizes)
    print(table)
    text = (
        "# Speed results\n\n"
        f"Machine: {machine()}.\n\n"
        "Produced by `python bench/speed.py` (one run; all figures from the same run). "
        "`cold`: empty result cache, and `bandit -r`: each run twice, alternately, the "
        "faster of each shown; `warm`: the same scan again, nothing changed; `5 files`: "
        "five explicit files of that tree (the pre-commit case; they are judged with the "
        "whole project's model), interpreter start included, unchanged since the scans above "
        "(the project pass is remembered), with a comment appended to the first of them "
        "before each run (a commit that changed it: that file is read again, its facts are "
        "unchanged and the project rules' part is remembered), and with an environment "
        "variable read added at its top (its facts changed: the project rules run); "
        "CPU includes worker processes; "
        "memory is the peak resident set. Load average (1 min) before and after: "
        f"{before_load:.1f}, {os.getloadavg()[0]:.1f} (on a shared machine wall times move "
        "with the load, CPU times much less).\n\n"
        f"{table}\n"
    )
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
