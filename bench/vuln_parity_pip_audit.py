#!/usr/bin/env python3
"""shipcheck's vulnerability results (DEP005) against pip-audit's, on the same pins and the
same OSV records.

pip-audit asks an OSV service which advisories affect each pin (``/v1/query``; the service
does the version matching). This script serves a directory of OSV records through a local,
OSV-API-shaped HTTP server — matching versions with its own small implementation of the OSV
rules, independent of shipcheck's — and points both tools at the same records:

- pip-audit: ``-s osv --osv-url http://127.0.0.1:PORT/v1/query``, on the requirements file
  (``--no-deps --disable-pip``: only the listed pins, no resolution) and on ``pylock.toml``
  (``--locked``);
- shipcheck online: DEP005 with ``osv_url`` set to the same server (``/v1/querybatch`` then
  ``/v1/vulns/{id}``);
- shipcheck offline: DEP005 reading the records directly (``advisory_db``), matching
  versions itself.

It compares, per pinned package, the vulnerabilities reported (GitHub and PyPI advisories
for one CVE count as one) and the fix each tool names, for the requirements file, a
``pylock.toml``, a ``uv.lock`` and a ``poetry.lock`` holding the same pins.

    python bench/vuln_parity_pip_audit.py [--pip-audit PATH] [--records DIR] [--markdown]

pip-audit is not a shipcheck dependency: install it anywhere (``pip install pip-audit`` in
another virtualenv) and pass its path.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "bench" / "corpus" / "vulns"
RECORDS = REPO / "tests" / "fixtures" / "advisories"
IDS = re.compile(r"\b(GHSA(?:-[0-9a-z]{4}){3}|PYSEC-\d{4}-\d+|CVE-\d{4}-\d+|OSV-\d{4}-[\w-]+)\b")


def canonical(name: str) -> str:
    """PEP 503 name."""
    return re.sub(r"[-_.]+", "-", name).lower()


# --- a local OSV service ------------------------------------------------------------------


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def affects(record: dict[str, Any], name: str, version: str) -> bool:
    """OSV's rule for PyPI, written here from the schema: a listed version, or a version
    inside an ECOSYSTEM range (introduced ≤ v < fixed, or ≤ last_affected)."""
    if record.get("withdrawn"):
        return False
    wanted = _version(version)
    for affected in record.get("affected", []):
        package = affected.get("package", {})
        if package.get("ecosystem") != "PyPI" or canonical(package.get("name", "")) != name:
            continue
        if version in affected.get("versions", []):
            return True
        if wanted is None:
            continue
        for span in affected.get("ranges", []):
            if span.get("type") != "ECOSYSTEM":
                continue
            inside = False
            for event in span.get("events", []):
                if "introduced" in event:
                    start = event["introduced"]
                    inside = start == "0" or (_version(start) or wanted) <= wanted
                elif "fixed" in event and inside:
                    if wanted < (_version(event["fixed"]) or wanted):
                        return True
                    inside = False
                elif "last_affected" in event and inside:
                    if wanted <= (_version(event["last_affected"]) or wanted):
                        return True
                    inside = False
            if inside:
                return True
    return False


class OsvRecords:
    """OSV records from a directory, answering like api.osv.dev."""

    def __init__(self, directory: Path) -> None:
        self.records = {}
        for path in sorted(directory.rglob("*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            self.records[record["id"]] = record
        self.queries = 0

    def matching(self, name: str, version: str) -> list[dict[str, Any]]:
        self.queries += 1
        return [r for r in self.records.values() if affects(r, canonical(name), version)]

    def groups(self) -> dict[str, frozenset[str]]:
        """Each id and alias → the ids of the one vulnerability it names (a GHSA and a PYSEC
        record that share a CVE are one)."""
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            while parent.setdefault(x, x) != x:
                x = parent[x]
            return x

        for record in self.records.values():
            for alias in record.get("aliases", []):
                parent[find(alias)] = find(record["id"])
        members: dict[str, set[str]] = {}
        for key in list(parent) + list(self.records):
            members.setdefault(find(key), set()).add(key)
        return {key: frozenset(ids) for ids in members.values() for key in ids}


def serve(records: OsvRecords) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, payload: Any, status: int = 200) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path == "/v1/query":
                found = records.matching(data["package"]["name"], data["version"])
                self._send({"vulns": found} if found else {})
            elif self.path == "/v1/querybatch":
                results = []
                for query in data["queries"]:
                    found = records.matching(query["package"]["name"], query["version"])
                    results.append(
                        {"vulns": [{"id": r["id"], "modified": r.get("modified")} for r in found]}
                    )
                self._send({"results": results})
            else:
                self._send({"message": "not found"}, 404)

        def do_GET(self) -> None:
            identifier = self.path.rsplit("/", 1)[-1]
            record = records.records.get(identifier)
            self._send(record if record else {"message": "not found"}, 200 if record else 404)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- the tools ---------------------------------------------------------------------------


@dataclass
class Result:
    """What one tool reported for one input."""

    tool: str
    seconds: float
    # canonical package name -> (version, ids named, fix named)
    packages: dict[str, tuple[str, set[str], str]] = field(default_factory=dict)
    error: str = ""


def run_pip_audit(binary: str, source: Path, url: str, locked: bool) -> Result:
    cache = tempfile.mkdtemp(prefix="pip-audit-cache-")
    args = [binary, "-s", "osv", "--osv-url", url, "-f", "json", "--progress-spinner", "off",
            "--cache-dir", cache]  # fmt: skip
    args += (
        ["--locked", str(source.parent)]
        if locked
        else ["-r", str(source), "--no-deps", "--disable-pip"]
    )
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    shutil.rmtree(cache, ignore_errors=True)
    result = Result("pip-audit", seconds)
    try:
        data = json.loads(done.stdout)
    except json.JSONDecodeError:
        result.error = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return result
    for dependency in data.get("dependencies", []):
        ids: set[str] = set()
        fixes: list[str] = []
        for vuln in dependency.get("vulns", []):
            ids.update([vuln["id"], *vuln.get("aliases", [])])
            fixes.extend(vuln.get("fix_versions", []))
        # pip-audit lists every fixed release of the advisories' ranges (one per branch);
        # shipcheck names the first release at or above the pin that fixes them all.
        fix = ", ".join(sorted(set(fixes), key=Version))
        result.packages[canonical(dependency["name"])] = (dependency["version"], ids, fix)
    return result


def run_shipcheck(project: Path, offline_db: Path | None, url: str) -> Result:
    config = Path(tempfile.mkdtemp(prefix="shipcheck-cfg-")) / ".shipcheck.toml"
    param = (
        f'advisory_db = "{offline_db}"'
        if offline_db
        else f'osv_url = "{url.removesuffix("/v1/query")}"'
    )
    config.write_text(f"[params.DEP005]\n{param}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SHIPCHECK_ADVISORY_DB"}
    args = [sys.executable, "-m", "shipcheck", "scan", str(project), "--select", "DEP005",
            "--config", str(config), "--format", "json", "--fail-on", "never"]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    result = Result("shipcheck offline" if offline_db else "shipcheck online", seconds)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        result.error = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return result
    for finding in report["findings"]:
        head = re.match(r"`([^`]+)` (\S+) has", finding["message"])
        if head is None:
            continue
        fix = re.search(r"upgrade to (\S+) or later", finding["message"])
        ids = set(IDS.findall(finding["message"]))
        result.packages[canonical(head[1])] = (head[2], ids, fix[1] if fix else "")
    problems = [
        d["reason"] for d in report["diagnostics"] if d["kind"] in ("network", "parse-error")
    ]
    if problems:
        result.error = "; ".join(problems)
    return result


# --- comparison ---------------------------------------------------------------------------


def _vulns(ids: Iterable[str], groups: dict[str, frozenset[str]]) -> set[frozenset[str]]:
    return {groups.get(i, frozenset({i})) for i in ids if i in groups or not i.startswith("CVE")}


def _label(vulns: set[frozenset[str]]) -> str:
    names = sorted(min(v, key=lambda i: (not i.startswith("CVE"), i)) for v in vulns)
    return ", ".join(names) or "–"


def compare(
    pins: dict[str, str], results: list[Result], groups: dict[str, frozenset[str]]
) -> tuple[list[str], int]:
    """Markdown rows and the number of packages where the tools disagree on the vulns."""
    rows = []
    disagree = 0
    for name, version in pins.items():
        cells = []
        seen = []
        for result in results:
            if result.error and not result.packages:
                cells.append("(no result)")
                continue
            _, ids, fix = result.packages.get(name, (version, set(), ""))
            vulns = _vulns(ids, groups)
            seen.append(vulns)
            cells.append(f"{_label(vulns)}{f' → {fix}' if fix else ''}")
        agree = all(v == seen[0] for v in seen) if seen else True
        disagree += not agree
        rows.append(
            f"| {name} {version} | " + " | ".join(cells) + f" | {'yes' if agree else '**no**'} |"
        )
    return rows, disagree


def pins_of(requirements: Path) -> dict[str, str]:
    pins = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.split("==")
            pins[canonical(name.strip())] = version.strip()
    return pins


def main() -> None:
    """Run both tools on every input and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pip-audit", default=shutil.which("pip-audit") or "/tmp/tools-venv/bin/pip-audit"
    )
    parser.add_argument("--records", type=Path, default=RECORDS / "PyPI")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    records = OsvRecords(args.records)
    server = serve(records)
    url = f"http://127.0.0.1:{server.server_port}/v1/query"
    version = subprocess.run(
        [args.pip_audit, "--version"], capture_output=True, text=True
    ).stdout.strip()
    pins = pins_of(CORPUS / "requirements" / "requirements.txt")
    groups = records.groups()
    inputs = [
        ("requirements.txt", CORPUS / "requirements" / "requirements.txt", False),
        ("pylock.toml", CORPUS / "pylock" / "pylock.toml", True),
        ("uv.lock", CORPUS / "uv" / "uv.lock", None),
        ("poetry.lock", CORPUS / "poetry" / "poetry.lock", None),
    ]
    out = [
        "# shipcheck (DEP005) against pip-audit, same pins, same OSV records",
        "",
        "Generated by `python bench/vuln_parity_pip_audit.py --markdown`. Both tools read the"
        " same OSV records: pip-audit through a local OSV-API-shaped service (`--osv-url`, the"
        " service matches versions), shipcheck online through the same service and offline from"
        " the records themselves (its own matching). Each cell: the vulnerabilities reported"
        " (GitHub and PyPI advisories for one CVE count once, named by the CVE) → the fix named.",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}; {version or 'pip-audit ?'};"
        f" {len(records.records)} OSV records from `{args.records.relative_to(REPO) if args.records.is_relative_to(REPO) else args.records}`.",
        "",
    ]
    total_disagree = 0
    for label, path, locked in inputs:
        results = []
        if locked is not None:
            results.append(run_pip_audit(args.pip_audit, path, url, locked))
        results.append(run_shipcheck(path.parent, None, url))
        results.append(run_shipcheck(path.parent, args.records, url))
        rows, disagree = compare(pins, results, groups)
        total_disagree += disagree
        header = " | ".join(f"{r.tool} ({r.seconds:.1f} s)" for r in results)
        out += [f"### {label}", ""]
        if locked is None:
            out += [
                f"pip-audit cannot read `{label}` (it reads requirements files, `pyproject.toml` by installing, and `pylock.toml`).",
                "",
            ]
        out += [
            f"| pin | {header} | same vulnerabilities |",
            "| --- |" + " --- |" * (len(results) + 1),
            *rows,
            "",
        ]
        for r in results:
            if r.error:
                out.append(f"- {r.tool}: {r.error}")
        out.append("")
    out.append(f"Packages where the tools disagree on the vulnerabilities: {total_disagree}.")
    out += [
        "",
        "Not measured here: the full OSV database (this machine reaches no advisory service, so"
        " the records are the test fixtures, modelled on published GHSA/PYSEC records plus"
        " withdrawn, other-ecosystem and GIT-only edge cases); pip-audit's default PyPI"
        " service; pip-audit's dependency resolution (`--no-deps` audits the listed pins, as"
        " shipcheck does).",
    ]
    server.shutdown()
    text = "\n".join(out) + "\n"
    sys.stdout.write(text if args.markdown else re.sub(r"[|*`]", " ", text))


if __name__ == "__main__":
    main()
