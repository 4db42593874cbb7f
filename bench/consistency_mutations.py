#!/usr/bin/env python3
"""Recall of the consistency rules (PRJ012-PRJ016) on real code: each case copies a real
application (``/work/realapps`` by default) to a temporary folder, makes one realistic edit
that breaks the deployment (the image's Python outside ``requires-python``, the release
phase removed, a required variable no service sets, limits too small for the server's
workers), scans the copy with the one rule, and says whether the rule reports it where
expected — and, for the paired control edit, that it stays silent.

    python bench/consistency_mutations.py [--apps DIR]

The checkouts themselves are only read.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

_SKIP = shutil.ignore_patterns(".git", "node_modules", ".venv", "__pycache__", "*.pyc")

_SALEOR_K8S = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: saleor-api
spec:
  selector:
    matchLabels: {app: saleor-api}
  template:
    metadata:
      labels: {app: saleor-api}
    spec:
      terminationGracePeriodSeconds: %(grace)s
      containers:
        - name: api
          image: ghcr.io/saleor/saleor:3.20.0
          resources:
            limits: {cpu: 500m, memory: %(memory)s}
"""


@dataclass
class Case:
    """One edit of one application, and what the rule should say about it."""

    name: str
    app: str
    rule: str
    replace: list[tuple[str, str, str]] = field(default_factory=list)  # path, old, new
    create: dict[str, str] = field(default_factory=dict)
    expect: list[str] = field(default_factory=list)  # paths reported; [] = silent


CASES = [
    Case("image Python below requires-python", "djangoproject.com", "PRJ013",
         replace=[("Dockerfile", "python:3.12-slim", "python:3.11-slim")], expect=["Dockerfile"]),
    Case("control: image Python unchanged", "djangoproject.com", "PRJ013"),
    Case("final stage on 3.10 (requires >=3.11)", "dispatch", "PRJ013",
         replace=[("docker/Dockerfile", "python:3.11", "python:3.10")],
         expect=["docker/Dockerfile"]),
    Case("release phase removed (Django)", "pythondotorg", "PRJ016",
         replace=[("Procfile", "release: python manage.py migrate --noinput\n", "")],
         expect=["Procfile"]),
    Case("control: release phase kept", "pythondotorg", "PRJ016"),
    Case("release phase removed (Alembic)", "warehouse", "PRJ016",
         replace=[("Procfile", "release: bin/release\n", "")], expect=["Procfile"]),
    Case("required variable no service sets", "bakerydemo", "PRJ012",
         create={"bakerydemo/settings/payments.py":
                 'import os\n\nPAYMENTS_TOKEN = os.environ["PAYMENTS_TOKEN"]\n'},
         replace=[("bakerydemo/settings/dev.py", "from .base import *  # noqa: F403\n",
                   "from .base import *  # noqa: F403\nfrom .payments import *  # noqa\n")],
         expect=["docker-compose.yml"]),
    Case("control: required variable the service sets", "bakerydemo", "PRJ012",
         create={"bakerydemo/settings/payments.py":
                 'import os\n\nDATABASE = os.environ["DATABASE_URL"]\n'},
         replace=[("bakerydemo/settings/dev.py", "from .base import *  # noqa: F403\n",
                   "from .base import *  # noqa: F403\nfrom .payments import *  # noqa\n")]),
    Case("2 uvicorn workers under 100Mi", "saleor", "PRJ014",
         create={"k8s/api.yaml": _SALEOR_K8S % {"grace": 60, "memory": "100Mi"}},
         expect=["k8s/api.yaml"]),
    Case("control: 2 uvicorn workers in 512Mi", "saleor", "PRJ014",
         create={"k8s/api.yaml": _SALEOR_K8S % {"grace": 60, "memory": "512Mi"}}),
    Case("grace 20 s under uvicorn's 30 s graceful shutdown", "saleor", "PRJ015",
         create={"k8s/api.yaml": _SALEOR_K8S % {"grace": 20, "memory": "512Mi"}},
         expect=["k8s/api.yaml"]),
    Case("control: grace 60 s", "saleor", "PRJ015",
         create={"k8s/api.yaml": _SALEOR_K8S % {"grace": 60, "memory": "512Mi"}}),
]  # fmt: skip


def run(case: Case, apps: Path, work: Path) -> tuple[bool, list[str]]:
    """Apply the case to a copy of its app and scan it: (as expected, findings)."""
    copy = work / f"{case.app}-{CASES.index(case)}"
    shutil.copytree(apps / case.app, copy, ignore=_SKIP, symlinks=True)
    for rel, old, new in case.replace:
        path = copy / rel
        text = path.read_text(encoding="utf-8")
        if old not in text:
            raise SystemExit(f"{case.name}: `{old}` not in {rel}")
        path.write_text(text.replace(old, new), encoding="utf-8")
    for rel, text in case.create.items():
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "shipcheck", "scan", str(copy), "--offline", "--no-cache",
         "--isolated", "--format", "json", "--fail-on", "never", "--select", case.rule],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    findings = json.loads(done.stdout)["findings"]
    shown = [f"{f['path']}:{f['line']} {f['severity']} {f['message']}" for f in findings]
    return sorted({f["path"] for f in findings}) == sorted(set(case.expect)), shown


def main() -> None:
    """Run every case and print the verdicts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=Path, default=Path("/work/realapps"))
    args = parser.parse_args()
    right = 0
    with tempfile.TemporaryDirectory(prefix="shipcheck-mutations-") as tmp:
        for case in CASES:
            ok, shown = run(case, args.apps, Path(tmp))
            right += ok
            print(f"{'ok  ' if ok else 'MISS'} {case.rule} {case.app}: {case.name}")
            for line in shown:
                print(f"       {line}")
    print(f"\n{right}/{len(CASES)} cases as expected")


if __name__ == "__main__":
    main()
