"""Compare shipcheck's Kubernetes rules with checkov on the same manifests.

Runs checkov (``--framework kubernetes``, offline flags from bench/corpus/TOOLS.md) and
shipcheck over one directory of manifests, maps checkov's check ids and shipcheck's rules to
shared aspects (probes, resources, security context, image tags), and reports agreement per
workload and aspect, every disagreement, and both tools' wall-clock times.

    python bench/parity_checkov.py                       # bench/corpus/k8s, checkov if installed
    python bench/parity_checkov.py --checkov-json bench/corpus/checkov-results.json
    python bench/parity_checkov.py --markdown            # tables for docs/parity-checkov.md

Without a checkov executable, the stored results (``--checkov-json``) stand in and no ratio
is printed. Nothing here needs the network.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from shipcheck.models.artifacts import KubernetesFile  # noqa: E402
from shipcheck.parsers import ParseError  # noqa: E402
from shipcheck.parsers.yamlfiles import parse  # noqa: E402

DEFAULT_CORPUS = REPO / "bench" / "corpus" / "k8s"
DEFAULT_CHECKOV = Path("/tmp/tools-venv/bin/checkov")
STORED_RESULTS = REPO / "bench" / "corpus" / "checkov-results.json"

# checkov check id → aspect. Checks with no shipcheck counterpart by design map to an aspect
# that only checkov has; they are reported, not scored.
CHECKOV_ASPECTS: dict[str, tuple[str, str]] = {
    "CKV_K8S_8": ("probes", "liveness probe"),
    "CKV_K8S_9": ("probes", "readiness probe"),
    "CKV_K8S_10": ("resources", "CPU request"),
    "CKV_K8S_12": ("resources", "memory request"),
    "CKV_K8S_13": ("resources", "memory limit"),
    "CKV_K8S_16": ("security context", "privileged"),
    "CKV_K8S_17": ("security context", "host PID"),
    "CKV_K8S_18": ("security context", "host IPC"),
    "CKV_K8S_19": ("security context", "host network"),
    "CKV_K8S_20": ("security context", "privilege escalation"),
    "CKV_K8S_22": ("security context", "read-only root filesystem"),
    "CKV_K8S_23": ("security context", "non-root"),
    "CKV_K8S_25": ("security context", "added capabilities"),
    "CKV_K8S_39": ("security context", "added capabilities"),
    "CKV_K8S_27": ("security context", "container runtime socket"),
    "CKV_K8S_14": ("image tags", "latest or untagged"),
}
# Checks shipcheck deliberately does not mirror (see docs/parity-checkov.md).
NOT_MIRRORED = {
    "CKV_K8S_11": "CPU limits: throttling, not a safety net; only memory limits are required",
    "CKV_K8S_43": "image digests: a fixed version tag is enough for runtime.image-pinned",
}


def shipcheck_aspects(rule_id: str, message: str) -> list[tuple[str, str]]:
    """The aspects one shipcheck finding stands for."""
    if rule_id == "KUB001":
        found = []
        if "livenessProbe" in message:
            found.append(("probes", "liveness probe"))
        if "readinessProbe" in message:
            found.append(("probes", "readiness probe"))
        return found
    if rule_id == "KUB003":
        found = []
        if "CPU" in message:
            found.append(("resources", "CPU request"))
        if "memory" in message:
            found.append(("resources", "memory request"))
        return found
    if rule_id == "KUB015":
        for key, aspect in (
            ("hostPID", "host PID"),
            ("hostIPC", "host IPC"),
            ("hostNetwork", "host network"),
        ):
            if key in message:
                return [("security context", aspect)]
        return []
    if rule_id == "KUB016":
        if "runtime socket" in message:
            return [("security context", "container runtime socket")]
        return [("security context", "host path (not socket)")]
    simple = {
        "KUB004": ("resources", "memory limit"),
        "KUB010": ("security context", "non-root"),
        "KUB011": ("security context", "privilege escalation"),
        "KUB012": ("security context", "privileged"),
        "KUB013": ("security context", "added capabilities"),
        "KUB014": ("security context", "read-only root filesystem"),
        "KUB020": ("image tags", "latest or untagged"),
    }
    return [simple[rule_id]] if rule_id in simple else []


@dataclass(frozen=True)
class Resource:
    """A Kubernetes object as checkov names it (``Deployment.namespace.name``)."""

    file: str
    key: str
    first_line: int
    last_line: int


def resources(corpus: Path) -> list[Resource]:
    """Pod-carrying objects of every manifest, with their line ranges (kind: List expanded)."""
    found = []
    for path in sorted(corpus.glob("*.y*ml")):
        try:
            doc = parse(path.name, path.read_bytes())
        except ParseError:
            continue
        if not isinstance(doc, KubernetesFile):
            continue
        for obj in doc.objects:
            namespace = obj.namespace if isinstance(obj.namespace, str) else "default"
            key = f"{obj.kind}.{namespace}.{obj.name}"
            found.append(Resource(path.name, key, obj.doc.line, obj.doc.end_line))
    return found


def run_checkov(executable: Path, corpus: Path) -> tuple[dict[str, Any], float]:
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE"}
    command = [
        str(executable),
        "--framework",
        "kubernetes",
        "-d",
        str(corpus),
        "-o",
        "json",
        "--quiet",
        "--compact",
        "--skip-download",
    ]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"checkov failed ({result.returncode}): {result.stderr[-2000:]}")
    data = json.loads(result.stdout)
    return (data[0] if isinstance(data, list) else data), elapsed


def run_shipcheck(corpus: Path) -> tuple[dict[str, Any], float]:
    command = [
        sys.executable,
        "-m",
        "shipcheck",
        "scan",
        str(corpus),
        "--select",
        "KUB",
        "--format",
        "json",
        "--isolated",
        "--offline",
        "--fail-on",
        "never",
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"shipcheck failed ({result.returncode}): {result.stderr[-2000:]}")
    return json.loads(result.stdout), elapsed


def checkov_flags(report: dict[str, Any]) -> tuple[dict[tuple[str, str], set[str]], set[str]]:
    """(file, resource) → aspects checkov fails; and the not-mirrored checks that failed."""
    flags: dict[tuple[str, str], set[str]] = defaultdict(set)
    other: set[str] = set()
    for failed in report["results"]["failed_checks"]:
        check = failed["check_id"]
        key = (Path(failed["file_path"]).name, failed["resource"])
        if check in CHECKOV_ASPECTS:
            flags[key].add(" / ".join(CHECKOV_ASPECTS[check]))
        elif check in NOT_MIRRORED:
            other.add(check)
    return flags, other


def shipcheck_flags(
    report: dict[str, Any], objects: list[Resource]
) -> dict[tuple[str, str], set[str]]:
    """(file, resource) → aspects shipcheck reports, each finding placed by its line."""
    flags: dict[tuple[str, str], set[str]] = defaultdict(set)
    for finding in report["findings"]:
        name = Path(finding["path"]).name
        owner = next(
            (
                o
                for o in objects
                if o.file == name and o.first_line <= finding["line"] <= o.last_line
            ),
            None,
        )
        if owner is None:
            continue
        for aspect in shipcheck_aspects(finding["rule_id"], finding["message"]):
            flags[(name, owner.key)].add(" / ".join(aspect))
    return flags


def compare(
    objects: list[Resource],
    checkov: dict[tuple[str, str], set[str]],
    shipcheck: dict[tuple[str, str], set[str]],
) -> tuple[dict[str, dict[str, int]], list[tuple[str, str, str, str]]]:
    """Per aspect: both / checkov only / shipcheck only / neither; and the disagreements."""
    aspects = sorted({" / ".join(a) for a in CHECKOV_ASPECTS.values()})
    table: dict[str, dict[str, int]] = {
        a: {"both": 0, "checkov only": 0, "shipcheck only": 0, "neither": 0} for a in aspects
    }
    disagreements = []
    for obj in objects:
        key = (obj.file, obj.key)
        for aspect in aspects:
            c, s = aspect in checkov.get(key, set()), aspect in shipcheck.get(key, set())
            cell = (
                "both" if c and s else "checkov only" if c else "shipcheck only" if s else "neither"
            )
            table[aspect][cell] += 1
            if c != s:
                disagreements.append((obj.file, obj.key, aspect, cell))
    return table, disagreements


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--checkov", type=Path, default=None, help="checkov executable")
    parser.add_argument(
        "--checkov-json",
        type=Path,
        default=None,
        help="stored checkov JSON, used when checkov is not installed",
    )
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument(
        "--repeat", type=int, default=1, help="time each tool this many times, keep the fastest"
    )
    args = parser.parse_args()

    executable = args.checkov or (DEFAULT_CHECKOV if DEFAULT_CHECKOV.exists() else None)
    if executable is None and shutil.which("checkov"):
        executable = Path(str(shutil.which("checkov")))
    manifests = sorted(args.corpus.glob("*.y*ml"))
    objects = resources(args.corpus)
    checkov_time: float | None = None
    if executable is not None and args.checkov_json is None:
        runs = [run_checkov(executable, args.corpus) for _ in range(max(1, args.repeat))]
        checkov_report, checkov_time = runs[0][0], min(t for _, t in runs)
    else:
        stored = args.checkov_json or STORED_RESULTS
        checkov_report = json.loads(stored.read_text())
    runs = [run_shipcheck(args.corpus) for _ in range(max(1, args.repeat))]
    shipcheck_report, shipcheck_time = runs[0][0], min(t for _, t in runs)

    c_flags, not_mirrored = checkov_flags(checkov_report)
    s_flags = shipcheck_flags(shipcheck_report, objects)
    table, disagreements = compare(objects, c_flags, s_flags)

    cells = sum(sum(row.values()) for row in table.values())
    agreeing = sum(row["both"] + row["neither"] for row in table.values())
    print(f"{len(manifests)} manifests, {len(objects)} workloads, {len(table)} aspects")
    print(f"agreement: {agreeing}/{cells} workload-aspect pairs ({100 * agreeing / cells:.1f}%)")
    split = {(file, key) for file, key, _, _ in disagreements}
    print(
        f"workloads on which the tools agree on every aspect: {len(objects) - len(split)}"
        f"/{len(objects)}"
    )
    if args.markdown:
        print("\n| aspect | both | neither | checkov only | shipcheck only | agreement |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for aspect, row in table.items():
        total = sum(row.values())
        share = 100 * (row["both"] + row["neither"]) / total
        if args.markdown:
            print(
                f"| {aspect} | {row['both']} | {row['neither']} | {row['checkov only']} | "
                f"{row['shipcheck only']} | {share:.0f}% |"
            )
        else:
            print(
                f"  {aspect:50} both {row['both']:2}  neither {row['neither']:2}  "
                f"checkov-only {row['checkov only']:2}  shipcheck-only {row['shipcheck only']:2}"
                f"  {share:5.1f}%"
            )
    print(f"\ndisagreements ({len(disagreements)}):")
    for file, key, aspect, cell in disagreements:
        print(f"  {file:48} {key:40} {aspect:45} {cell}")
    print("\nnot mirrored by design (failed in checkov, no shipcheck rule):")
    for check in sorted(not_mirrored):
        print(f"  {check}: {NOT_MIRRORED[check]}")
    if checkov_time is not None:
        print(
            f"\ntime: checkov {checkov_time:.2f} s, shipcheck {shipcheck_time:.2f} s, "
            f"checkov/shipcheck = {checkov_time / shipcheck_time:.1f}x"
        )
    else:
        print(f"\ntime: shipcheck {shipcheck_time:.2f} s (checkov not installed: stored results)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
