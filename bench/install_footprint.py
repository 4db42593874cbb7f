#!/usr/bin/env python3
"""What `pip install shipcheck` costs: distributions, download size, installed size, time.

Each target is installed into a fresh virtual environment with the pip configuration of the
machine (index, find-links), without pip's cache, and then measured:

- distributions: what ``pip list`` shows beyond the fresh venv's own ``pip``/``setuptools``;
- download size: the bytes of the files ``pip download`` fetches for the same requirement
  (wheels and sdists, shipcheck's own wheel included);
- installed size: ``site-packages`` after the install, minus the fresh venv's;
- time: wall time of ``pip install --no-cache-dir`` (median of ``--repeat`` runs).

    python bench/install_footprint.py [--ref main] [--extra bandit] [--repeat 3] [--markdown]

The committed tree (``HEAD``) is measured; ``--ref`` measures another git revision next to
it (both exported with ``git archive``), so a change to the dependencies is measured before
and after in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Footprint:
    """One measured install."""

    label: str
    requirement: str
    distributions: list[str]
    download_bytes: int
    installed_bytes: int
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]


def _tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _site_packages(venv: Path) -> Path:
    return next(venv.glob("lib/python*/site-packages"))


def _fresh_venv(where: Path) -> Path:
    # The interpreter behind any virtualenv this script runs in: a venv of a venv would
    # inherit nothing, but the base interpreter is the honest starting point.
    base = getattr(sys, "_base_executable", sys.executable)
    _run([base, "-m", "venv", str(where)])
    return where / "bin" / "python"


def _export(ref: str, into: Path) -> Path:
    """The tree of ``ref`` as a plain directory (a pip-installable source tree)."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", ref], check=True, capture_output=True
    )
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def measure(label: str, source: Path, extra: str | None, repeat: int, work: Path) -> Footprint:
    """Install ``source`` (with ``extra``) ``repeat`` times into fresh venvs and measure."""
    requirement = f"{source}[{extra}]" if extra else str(source)
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
    seconds: list[float] = []
    distributions: list[str] = []
    installed = 0
    for attempt in range(repeat):
        venv = work / f"{slug}-venv-{attempt}"
        python = _fresh_venv(venv)
        before = _tree_size(_site_packages(venv))
        own = {
            p["name"].lower()
            for p in json.loads(_run([str(python), "-m", "pip", "list", "--format=json"]).stdout)
        }
        start = time.perf_counter()
        _run([str(python), "-m", "pip", "install", "--no-cache-dir", "--quiet", requirement])
        seconds.append(time.perf_counter() - start)
        listed = json.loads(_run([str(python), "-m", "pip", "list", "--format=json"]).stdout)
        distributions = sorted(
            f"{p['name']} {p['version']}" for p in listed if p["name"].lower() not in own
        )
        installed = _tree_size(_site_packages(venv)) - before
        shutil.rmtree(venv)
    downloads = work / f"{slug}-download"
    python = _fresh_venv(work / f"{slug}-dl-venv")
    _run(
        [
            str(python),
            "-m",
            "pip",
            "download",
            "--no-cache-dir",
            "--quiet",
            "-d",
            str(downloads),
            requirement,
        ]
    )
    return Footprint(label, requirement, distributions, _tree_size(downloads), installed, seconds)


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def markdown(results: list[Footprint]) -> str:
    """A table and the distribution lists."""
    lines = [
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; pip from the machine's configured index "
        f"(`{os.environ.get('PIP_INDEX_URL', 'pip.conf')}`), no cache.",
        "",
        "| install | distributions | download | installed | time (median) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        runs = ", ".join(f"{s:.1f}" for s in r.seconds)
        lines.append(
            f"| {r.label} | {len(r.distributions)} | {_mib(r.download_bytes)} | "
            f"{_mib(r.installed_bytes)} | {r.median:.1f} s ({runs}) |"
        )
    for r in results:
        lines += ["", f"**{r.label}** ({len(r.distributions)}): " + ", ".join(r.distributions)]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Measure the working tree, and ``--ref`` when given."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", help="also measure this git revision (e.g. main)")
    parser.add_argument("--extra", action="append", default=[], help="also measure [EXTRA]")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="shipcheck-footprint-") as tmp:
        work = Path(tmp)
        if args.ref:
            old = _export(args.ref, work / "ref-src")
            results.append(
                measure(f"{args.ref}: pip install shipcheck", old, None, args.repeat, work)
            )
        # The committed tree, so that nothing the checkout holds besides it (a virtualenv,
        # caches) can slow the build.
        tree = _export("HEAD", work / "head-src")
        results.append(measure("HEAD: pip install shipcheck", tree, None, args.repeat, work))
        for extra in args.extra:
            label = f"HEAD: pip install 'shipcheck[{extra}]'"
            results.append(measure(label, tree, extra, args.repeat, work))
    if args.markdown:
        sys.stdout.write(markdown(results))
        return
    for r in results:
        print(
            f"{r.label}: {len(r.distributions)} distributions, download {_mib(r.download_bytes)}, "
            f"installed {_mib(r.installed_bytes)}, {r.median:.1f} s"
        )


if __name__ == "__main__":
    main()
