#!/usr/bin/env python3
"""Parity of shipcheck's container rules with hadolint, at file + line level.

Runs hadolint (when installed) and shipcheck over the same Dockerfiles — the corpus in
``bench/corpus/dockerfiles`` plus every Dockerfile of the DKR rule fixtures — and prints, for
each hadolint rule that overlaps a shipcheck rule, how many findings both tools report
(same file, same instruction), how many only hadolint and how many only shipcheck report,
with each disagreement listed. It then times both tools over the corpus in the same run.

    python bench/parity_hadolint.py [--hadolint PATH] [--markdown] [--repeat N]

Without a hadolint binary the recorded corpus results (``hadolint-results.json``, see
``bench/corpus/TOOLS.md``) are used and the fixtures are left out of the comparison.
A finding on a continuation line is compared at its instruction's first line, which is
where hadolint reports.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "bench" / "corpus" / "dockerfiles"
RECORDED = REPO / "bench" / "corpus" / "hadolint-results.json"
FIXTURES = REPO / "tests" / "fixtures" / "rules"
DEFAULT_HADOLINT = Path("/tmp/tools-venv/bin/hadolint")

sys.path.insert(0, str(REPO / "src"))
from shipcheck.parsers.dockerfile import parse  # noqa: E402

Finding = dict[str, Any]


@dataclass(frozen=True)
class Pair:
    """A hadolint rule and the shipcheck rule (or part of it) that covers the same ground."""

    hadolint: str
    shipcheck: tuple[str, ...]
    topic: str
    keep: Callable[[Finding], bool] = lambda finding: True


PAIRS = [
    Pair("DL3002", ("DKR001",), "last USER is root", lambda f: "`USER " in f["message"]),
    Pair("DL3006", ("DKR002",), "base image without a tag", lambda f: "no tag" in f["message"]),
    Pair("DL3007", ("DKR002",), "base image on `latest`", lambda f: "`latest` tag" in f["message"]),
    Pair("DL3013", ("DKR011",), "pip install without versions"),
    Pair("DL3042", ("DKR010",), "pip cache kept in the layer"),
    Pair("DL3025", ("DKR020",), "shell-form CMD/ENTRYPOINT"),
    Pair("DL3020", ("DKR015",), "ADD for local files"),
    Pair("DL3009", ("DKR014",), "apt lists not removed"),
    Pair("DL3015", ("DKR013",), "apt recommends installed"),
    Pair("DL3064", ("DKR030", "DKR031"), "secrets in ENV/ARG"),
]
SHIPCHECK_RULES = sorted({rule for pair in PAIRS for rule in pair.shipcheck})


def dockerfiles(with_fixtures: bool) -> list[Path]:
    """The corpus, then the fixtures' Dockerfiles."""
    files = sorted(CORPUS.glob("*.Dockerfile"))
    if with_fixtures:
        files += sorted(
            p for p in FIXTURES.glob("DKR*/**/*") if p.is_file() and _is_dockerfile(p.name)
        )
    return files


def _is_dockerfile(name: str) -> bool:
    lowered = name.lower()
    return (lowered.startswith("dockerfile") or lowered.endswith(".dockerfile")) and not (
        lowered.endswith(".dockerignore")
    )


def rel(path: Path) -> str:
    return path.resolve().relative_to(REPO).as_posix()


def find_hadolint(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    if DEFAULT_HADOLINT.exists():
        return str(DEFAULT_HADOLINT)
    return shutil.which("hadolint")


def run_hadolint(binary: str, files: list[Path]) -> list[Finding]:
    """One hadolint process over every file, defaults only (no .hadolint.yaml)."""
    result = subprocess.run(
        [binary, "--format", "json", "--no-fail", "--no-color", *[rel(f) for f in files]],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"hadolint failed: {result.stderr.strip()}")
    return [
        {"path": item["file"], "line": int(item["line"]), "code": item["code"]}
        for item in json.loads(result.stdout or "[]")
    ]


def recorded_hadolint() -> list[Finding]:
    """The corpus results recorded in bench/corpus/hadolint-results.json."""
    data = json.loads(RECORDED.read_text(encoding="utf-8"))
    return [
        {"path": rel(CORPUS / name), "line": int(item["line"]), "code": item["code"]}
        for name, items in data.items()
        for item in items
    ]


def run_shipcheck(files: list[Path], rules: list[str]) -> list[Finding]:
    """One shipcheck process over the files, only the given rules, no configuration."""
    command = [
        sys.executable, "-m", "shipcheck", "scan", *[rel(f) for f in files],
        "--isolated", "--format", "json", "--fail-on", "never",
        "--select", ",".join(rules),
    ]  # fmt: skip
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if result.returncode not in (0, 1):
        raise SystemExit(f"shipcheck failed: {result.stderr.strip()}")
    report = json.loads(result.stdout)
    return [
        {"path": f["path"], "line": f["line"], "code": f["rule_id"], "message": f["message"]}
        for f in report["findings"]
    ]


_STARTS: dict[str, list[tuple[int, int]]] = {}


def instruction_line(path: str, line: int) -> int:
    """The first line of the instruction that holds ``line`` (hadolint's convention)."""
    if path not in _STARTS:
        doc = parse(path, (REPO / path).read_bytes())
        _STARTS[path] = [(i.line, i.end_line) for i in doc.instructions]
    for start, end in _STARTS[path]:
        if start <= line <= end:
            return start
    return line


@dataclass
class Row:
    pair: Pair
    both: list[tuple[str, int]]
    hadolint_only: list[tuple[str, int]]
    shipcheck_only: list[tuple[str, int]]


def compare(hadolint: list[Finding], shipcheck: list[Finding], paths: set[str]) -> list[Row]:
    rows = []
    for pair in PAIRS:
        ours = {
            (f["path"], instruction_line(f["path"], f["line"]))
            for f in shipcheck
            if f["code"] in pair.shipcheck and f["path"] in paths and pair.keep(f)
        }
        theirs = {
            (f["path"], f["line"])
            for f in hadolint
            if f["code"] == pair.hadolint and f["path"] in paths
        }
        rows.append(Row(pair, sorted(ours & theirs), sorted(theirs - ours), sorted(ours - theirs)))
    return rows


def best_of(repeat: int, action: Callable[[], object]) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def detect_in_process(files: list[Path]) -> int:
    """Parse each file and run every Dockerfile detector of the DKR rules, without the
    CLI's start-up (imports, rule catalogue): the per-file cost of shipcheck itself."""
    from shipcheck.detectors import registry
    from shipcheck.models.artifacts import Kind
    from shipcheck.packs import load_builtin

    bound = []
    for rule in load_builtin().rules:
        spec = registry.get(rule.detector)
        if rule.id.startswith("DKR") and spec is not None and Kind.DOCKERFILE in spec.kinds:
            bound.append((spec, registry.build_params(spec, rule.params)))

    def run() -> int:
        hits = 0
        for path in files:
            doc = parse(path.name, path.read_bytes())
            for spec, params in bound:
                hits += len(list(spec.func(doc, params)))
            for extract in registry.fact_extractors(Kind.DOCKERFILE):
                list(extract(doc))
        return hits

    run()  # warm-up: imports and the catalogue are start-up, not per-file work
    start = time.perf_counter()
    run()
    return int((time.perf_counter() - start) * 1000)


def print_table(rows: list[Row], markdown: bool) -> None:
    header = ("hadolint", "shipcheck", "topic", "both", "hadolint only", "shipcheck only")
    lines = [header]
    for row in rows:
        lines.append(
            (
                row.pair.hadolint,
                "+".join(row.pair.shipcheck),
                row.pair.topic,
                str(len(row.both)),
                str(len(row.hadolint_only)),
                str(len(row.shipcheck_only)),
            )
        )
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + " --- |" * len(header))
        for line in lines[1:]:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        for line in lines:
            print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    print()
    for row in rows:
        for label, items in (("hadolint only", row.hadolint_only),
                             ("shipcheck only", row.shipcheck_only)):  # fmt: skip
            for path, line in items:
                print(f"- {row.pair.hadolint}/{'+'.join(row.pair.shipcheck)} {label}: "
                      f"{path}:{line}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hadolint", help="hadolint binary (default: the tools venv or PATH)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs (best is kept)")
    args = parser.parse_args(argv)

    binary = find_hadolint(args.hadolint)
    files = dockerfiles(with_fixtures=binary is not None)
    paths = {rel(f) for f in files}
    if binary:
        version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
        print(f"hadolint: {version.strip()} ({binary})")
        theirs = run_hadolint(binary, files)
    else:
        print("hadolint: not installed; using bench/corpus/hadolint-results.json (corpus only)")
        theirs = recorded_hadolint()
    corpus = [f for f in files if f.parent == CORPUS]
    print(f"Dockerfiles: {len(files)} ({len(corpus)} corpus, {len(files) - len(corpus)} fixtures)")
    parse_errors = sorted({f["path"] for f in theirs if f["code"] == "DL1000"})
    for path in parse_errors:
        print(f"hadolint could not parse {path} (DL1000)")
    ours = run_shipcheck(files, SHIPCHECK_RULES)
    print()
    rows = compare(theirs, ours, paths)
    print_table(rows, args.markdown)
    print()
    corpus_paths = {rel(f) for f in corpus}
    for label, subset in (("all files", paths), ("corpus only", corpus_paths)):
        part = compare(theirs, ours, subset)
        agreed = sum(len(r.both) for r in part)
        total = sum(len(r.both) + len(r.hadolint_only) + len(r.shipcheck_only) for r in part)
        print(f"agreement ({label}): {agreed}/{total} findings "
              f"({100 * agreed / max(total, 1):.0f} %)")  # fmt: skip
    no_user = [f for f in ours if f["code"] == "DKR001" and "no USER" in f["message"]]
    print(f"beyond DL3002: DKR001 also reports {len(no_user)} final stages with no USER at all")

    print(f"\ntiming over the corpus ({len(corpus)} files, best of {args.repeat}):")
    ship = best_of(args.repeat, lambda: run_shipcheck(corpus, SHIPCHECK_RULES))
    ship_all = best_of(args.repeat, lambda: run_shipcheck(corpus, ["DKR"]))
    print(f"  shipcheck, the {len(SHIPCHECK_RULES)} paired rules: {ship:.2f} s")
    print(f"  shipcheck, every DKR rule:        {ship_all:.2f} s")
    print(f"  shipcheck in-process, parsing + every DKR file detector (no start-up): "
          f"{detect_in_process(corpus) / 1000:.2f} s")  # fmt: skip
    if binary:
        hado = best_of(args.repeat, lambda: run_hadolint(binary, corpus))
        print(f"  hadolint, all rules:              {hado:.2f} s")
        print(f"  ratio shipcheck / hadolint:       {ship / hado:.1f}x (paired rules), "
              f"{ship_all / hado:.1f}x (every DKR rule)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
