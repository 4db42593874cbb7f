"""No output format prints a secret in full: a project full of freshly generated,
real-looking secrets is scanned and rendered in every available format."""

from __future__ import annotations

import base64
import json
import secrets
import string
from pathlib import Path

import pytest

from shipcheck.reporters import available, get_reporter
from shipcheck.reporters.terminal import TerminalReporter

from conftest import run_scan

ALNUM = string.ascii_letters + string.digits


def _random(size: int, alphabet: str = ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(size))


def _jwt() -> str:
    def part(data: dict[str, str]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return ".".join(
        [
            part({"alg": "HS256", "typ": "JWT"}),
            part({"sub": _random(12)}),
            _random(43, ALNUM + "-_"),
        ]
    )


def _values() -> dict[str, str]:
    """Fresh secrets for every run, so no output can contain them by accident."""
    return {
        "secret_key": _random(40, ALNUM + "!#%*+"),
        "db_password": "Pw" + _random(14) + "9!",
        "url_password": "Up" + _random(14) + "7",
        "github": "ghp_" + _random(36),
        "aws_id": "AKIA" + _random(16, string.ascii_uppercase + "234567"),
        "aws_secret": _random(40, ALNUM + "/+"),
        "stripe": "sk_live_" + _random(24),
        "slack": f"https://hooks.slack.com/services/T{_random(8)}/B{_random(10)}/{_random(24)}",
        "jwt": _jwt(),
        "compose": _random(24),
        "k8s": _random(24),
        "ini": _random(20),
        "fallback": "fb-" + _random(20),
        "interp": "ip-" + _random(20),
    }


def _project(root: Path, v: dict[str, str]) -> None:
    b64 = base64.b64encode(v["k8s"].encode()).decode()
    files = {
        ".env": f"SECRET_KEY={v['secret_key']}\nDB_PASSWORD={v['db_password']}\n"
        f"STRIPE_SECRET_KEY={v['stripe']}\n",
        "app/settings.py": (
            "import os\n\n"
            f"AWS_SECRET_ACCESS_KEY = {v['aws_secret']!r}\n"
            f"GITHUB_TOKEN = {v['github']!r}\n"
            f"SLACK_WEBHOOK = {v['slack']!r}\n"
            f"SERVICE_JWT = {v['jwt']!r}\n"
            f"DATABASE_URL = 'postgres://app:{v['url_password']}@db.internal/app'\n"
            f"API_KEY = os.environ.get('API_KEY', {v['fallback']!r})\n"
            f"boto = dict(aws_access_key_id={v['aws_id']!r})\n"
        ),
        "compose.yaml": (
            "services:\n  web:\n    image: shop:1.0\n    environment:\n"
            f"      STRIPE_API_KEY: {v['compose']}\n"
            f"      SECRET_KEY: ${{SECRET_KEY:-{v['interp']}}}\n"
        ),
        "k8s/secret.yaml": (
            f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  api-key: {b64}\n"
        ),
        "config/app.ini": f"[database]\npassword = {v['ini']}\n",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _render(name: str, report) -> str:
    reporter = TerminalReporter(color=False) if name == "terminal" else get_reporter(name)
    return reporter.render(report)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    root = tmp_path_factory.mktemp("leaky")
    values = _values()
    _project(root, values)
    report = run_scan(root, select=["secrets"], fail_on="never")
    return values, report


def test_every_planted_secret_is_found(scanned):
    values, report = scanned
    rules = {f.rule_id for f in report.findings}
    # One rule per way the secrets were planted; the scan must not pass vacuously.
    assert {"SEC001", "SEC003", "SEC004", "SEC005", "SEC006", "SEC007", "SEC010", "SEC011"} <= rules
    assert len(report.findings) >= len(values) - 1


def _windows(value: str, size: int = 8) -> set[str]:
    """Every stretch of ``size`` characters of the random part of a value (a fixed prefix
    such as ``ghp_`` or ``https://hooks.slack.com/`` is public)."""
    core = value.rsplit("/", 1)[-1].rsplit(".", 1)[-1]
    core = core.split("_")[-1] if core.startswith(("ghp_", "sk_live_")) else core
    return {core[i : i + size] for i in range(len(core) - size + 1)}


@pytest.mark.parametrize("fmt", available())
def test_no_format_prints_a_full_secret(scanned, fmt):
    values, report = scanned
    output = _render(fmt, report)
    assert output.strip(), f"{fmt} rendered nothing"
    leaked = sorted(name for name, value in values.items() if value in output)
    assert not leaked, f"{fmt} output contains full secret values: {leaked}"
    partial = sorted(n for n, v in values.items() if any(w in output for w in _windows(v)))
    assert not partial, f"{fmt} output contains 8+ characters of: {partial}"


def test_messages_show_only_a_masked_prefix(scanned):
    values, report = scanned
    messages = "\n".join(f.message for f in report.findings)
    assert values["github"][:4] + "…" in messages
    assert values["db_password"][:4] + "…" in messages
    shown = sorted(name for name, value in values.items() if value[:5] in messages)
    assert not shown, f"messages show more than four characters of: {shown}"
