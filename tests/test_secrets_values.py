"""The building blocks of the secrets and config rules: secret names, placeholders, the
shape of a real secret, credential formats, unset-environment evaluation, path context,
and the rule params that bring test suites back in."""

from __future__ import annotations

import ast
import time

import pytest

from shipcheck.detectors.common import is_placeholder, is_secret_name, mask
from shipcheck.detectors.config.pyeval import UNKNOWN, evaluate_unset
from shipcheck.detectors.secrets.context import is_dev_config, is_dev_module, path_context
from shipcheck.detectors.secrets.formats import find_credentials, find_url_passwords
from shipcheck.detectors.secrets.pyast import EnvReads
from shipcheck.detectors.secrets.text import holder_name
from shipcheck.detectors.secrets.values import kind_of_secret, looks_like_secret

from conftest import run_scan


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("apiKey", True),
        ("STRIPE_API_KEY_PROD", True),
        ("GITHUB_TOKEN", True),
        ("csrftoken", True),
        ("client_secret", True),
        ("SENTRY_DSN", True),
        ("REDIS_PASS", True),
        ("TOKEN_HEADER", False),
        ("PASSWORD_RESET_TIMEOUT", False),
        ("SECRET_KEY_FILE", False),
        ("min_password_length", False),
        ("INVALID_PASSWORD", False),
        ("bypass_cache", False),
        ("max_tokens", False),
        ("tokenizer", False),
        ("CACHE_KEY", False),
        ("password_confirm", False),
    ],
)
def test_secret_names(name, secret):
    assert is_secret_name(name) is secret


@pytest.mark.parametrize(
    "value",
    ["", "changeme", "change-me", "xxxxxxxx", "<your-api-key>", "${SECRET_KEY}", "$SECRET",
     "{{ .Values.password }}", "${{ secrets.TOKEN }}", "%(password)s", "op://vault/item/pw",
     "arn:aws:secretsmanager:eu-west-1:1:secret:x", "your_key_here", "dummy-value",
     "django-insecure-abc", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "hunter2", "postgres"],
)  # fmt: skip
def test_placeholders(value):
    assert is_placeholder(value)


@pytest.mark.parametrize(
    ("value", "secret"),
    [
        ("k3J9x!vP2qLm8Zr4Tt6Yw0Bn5Hc7Df1G", True),
        ("9f8a7c6e5d4b3a2f1e0d9c8b7a6f5e4d", True),
        ("Sup3rS3cretPw", True),
        ("/m5SRe/xQ+55YaDtp41eZ3fRbNzbsGUqbjcqUDVh", True),  # base64 may start with "/"
        ("ZBAsKDbzNaqxQdGqGRnFZidC", True),  # random letters, not a word
        ("BenutzerName", False),
        ("hunter22", False),  # too plain
        ("invalid_password", False),  # names a secret, is not one
        ("X-Auth-Token", False),
        ("application/json", False),
        ("/run/secrets/db", False),
        ("id_rsa.pem", False),
        ("Enter your password", False),
        ("%(password)s", False),
        ("1.4.2-beta3", False),
        ("(?:[^@]+)@", False),
        ("pbkdf2_sha256$600000$abc$def", False),
        ("abcdef123456XYZ", False),  # alphabet run
    ],
)
def test_looks_like_secret(value, secret):
    assert looks_like_secret(value) is secret


def test_kind_of_secret_names_the_secret():
    assert kind_of_secret("AWS_SECRET_ACCESS_KEY") == "an AWS secret access key"
    assert kind_of_secret("STRIPE_WEBHOOK_SECRET") == "a webhook signing secret"
    assert kind_of_secret("db_password") == "a password"
    assert kind_of_secret("apiKey") == "an API key"


def test_mask_shows_four_characters_at_most():
    assert mask("ghp_abcdefghijklmnop") == "ghp_…"
    assert mask("short1") == "sh…"


def test_credential_formats_and_their_stand_ins():
    text = (
        'a = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"\n'
        'b = "AKIAIOSFODNN7EXAMPLE"\n'
        'c = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"\n'
        'd = "sk_test_hGAkWvj7FAc9QeWJKY40uvSw"\n'
        'e = "xsk_live_hGAkWvj7FAc9QeWJKY40uvSw"\n'
    )
    found = find_credentials(text)
    assert [c.format.key for c in found] == ["github-pat"]


def test_url_passwords_skip_placeholders_and_local_hosts():
    text = (
        "postgres://app:Hq8vN3zX6pRt@db.internal/app "
        "postgres://user:password@db.internal/app "
        "redis://:Hq8vN3zX6pRt@localhost:6379 "
        "mysql://scott:tiger@db.internal/test "
        "amqp://guest:${RABBIT_PASSWORD}@rabbit/"
    )
    assert [u.password for u in find_url_passwords(text)] == ["Hq8vN3zX6pRt"]
    assert len(find_url_passwords(text, allow_local=False)) == 2


@pytest.mark.parametrize(
    "text",
    [
        "ghp_" + "a" * 200_000,
        "eyJ" + "A" * 100_000 + ".eyJ" + "B" * 100_000,
        "x://" + "u" * 50_000 + ":" + "p" * 50_000,
        "a://b:" * 20_000,
        "AKIA" * 50_000,
    ],
)
def test_scanning_stays_linear_on_hostile_input(text):
    start = time.perf_counter()
    find_credentials(text)
    find_url_passwords(text)
    looks_like_secret(text[:5000])
    assert time.perf_counter() - start < 2.0


def test_holder_name_reads_the_assignment():
    assert holder_name('GITHUB_TOKEN = "ghp_x"', 17) == "GITHUB_TOKEN"
    assert holder_name('  "apiKey": "AIza', 14) == "apiKey"
    assert holder_name("ENV URL=https://__token__:pypi-x", 27) == "URL"
    assert holder_name("just some prose ghp_x", 17) is None


def _unset(expression: str, prelude: str = "import os\nimport environ\nenv = environ.Env()\n"):
    tree = ast.parse(prelude + f"X = {expression}\n")
    value = tree.body[-1].value  # type: ignore[attr-defined]
    return evaluate_unset(value, EnvReads(tree))[0]


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ('os.environ.get("DEBUG", "True") == "True"', True),
        ('os.environ.get("DEBUG", "False") == "True"', False),
        ('os.environ.get("DEBUG", "False")', "False"),
        ('os.getenv("DEBUG", "1").lower() in ("1", "true")', True),
        ('bool(int(os.getenv("DEBUG", 0)))', False),
        ('env.bool("DEBUG", default=True)', True),
        ('env("DEBUG", default="off", cast=bool)', False),
        ('os.environ.get("DEBUG")', None),
        ('os.environ.get("HOSTS", "*").split(",")', ("*",)),
    ],
)
def test_unset_environment_evaluation(expression, value):
    assert _unset(expression) == value


def test_unknown_expressions_stay_unknown():
    assert _unset('os.environ.get("DEBUG", "1") == read_flag()') is UNKNOWN


@pytest.mark.parametrize(
    ("path", "context"),
    [
        ("tests/test_app.py", "test"),
        ("t/unit/app/test_utils.py", "test"),
        ("src/app/conftest.py", "test"),
        ("tox.ini", "test"),
        ("docs/deploy.md", "example"),
        ("examples/django/proj/settings.py", "example"),
        ("README.rst", "example"),
        ("src/app/settings.py", None),
        ("deploy/k8s/app.yaml", None),
    ],
)
def test_path_context(path, context):
    assert path_context(path) == context


def test_development_files_by_name():
    assert is_dev_module("config/settings/dev.py")
    assert is_dev_module("mysite/local_settings.py")
    assert not is_dev_module("config/settings/production.py")
    assert is_dev_config("docker-compose.dev.yml")
    assert is_dev_config("compose.override.yaml")
    assert not is_dev_config(".gitlab-ci.yml")
    assert not is_dev_config("docker-compose.yml")


def test_include_tests_param_brings_test_suites_back_at_low_severity(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_client.py").write_text(
        'API_KEY = "f3Kq9Zr2Lx7Vb4Nw8Tc1Hy6P"\n', encoding="utf-8"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.shipcheck.params.SEC003]\ninclude_tests = true\n',
        encoding="utf-8",
    )
    assert not run_scan(tmp_path, select=["SEC003"], fail_on="never").findings
    report = run_scan(tmp_path, isolated=False, select=["SEC003"], fail_on="never")
    [finding] = report.findings
    assert (finding.path, finding.line, finding.column) == ("tests/test_client.py", 1, 12)
    assert finding.severity.value == "low"


def test_credential_formats_are_found_in_files_that_do_not_parse(tmp_path):
    token = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"
    (tmp_path / "deploy.yaml").write_text(f"env: [\n  TOKEN: {token}\n", encoding="utf-8")
    report = run_scan(tmp_path, select=["SEC004"], fail_on="never")
    assert [(f.path, f.line, f.column) for f in report.findings] == [("deploy.yaml", 2, 10)]
    assert any(d.kind == "parse-error" for d in report.diagnostics)
