"""Known credential formats, found in any text, and URLs with an inline password.

Every pattern is a run of bounded character classes after a fixed prefix, so matching is
linear in the text; a format's regex runs only when one of its literal anchors occurs in the
text at all (a substring test), which keeps the cost on ordinary files near zero.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from shipcheck import lazyre
from shipcheck.detectors.common import is_placeholder

_B = r"(?<![A-Za-z0-9_\-])"  # start boundary: not inside a longer token
_E = r"(?![A-Za-z0-9_\-])"  # end boundary


@dataclass(frozen=True)
class CredentialFormat:
    """One provider's credential format. ``severity`` overrides the rule's when set."""

    key: str
    label: str  # "a GitHub personal access token"
    anchors: tuple[str, ...]
    regex: re.Pattern[str]
    severity: str | None = None
    check: Callable[[str], bool] | None = None  # extra validation of a match


@dataclass(frozen=True)
class Credential:
    """A credential found in a text: its format, value and character offsets."""

    format: CredentialFormat
    value: str
    start: int
    end: int


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in counts.values())


def _random_tail(prefix_len: int, min_bits: float = 3.0) -> Callable[[str], bool]:
    """The part after the fixed prefix must look random (not ``ghp_000…`` or ``xxxx``)."""

    def check(value: str) -> bool:
        tail = value[prefix_len:]
        return not is_placeholder(value) and not is_placeholder(tail) and entropy(tail) >= min_bits

    return check


def _b64json(segment: str) -> object:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        return json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


# Sample tokens from jwt.io and the JWT RFCs appear in countless docs and tests.
_SAMPLE_JWT_CLAIMS = ({"sub": "1234567890"}, {"name": "John Doe"}, {"iss": "joe"})


def _real_jwt(value: str) -> bool:
    header_b64, payload_b64, _signature = value.split(".", 2)
    header, payload = _b64json(header_b64), _b64json(payload_b64)
    if not isinstance(header, dict) or "alg" not in header or not isinstance(payload, dict):
        return False
    if str(header.get("alg", "")).lower() == "none":
        return False
    samples = (all(payload.get(k) == v for k, v in c.items()) for c in _SAMPLE_JWT_CLAIMS)
    return not any(samples)


def _fmt(
    key: str,
    label: str,
    anchors: tuple[str, ...],
    pattern: str,
    severity: str | None = None,
    check: Callable[[str], bool] | None = None,
    prefix_len: int | None = None,
) -> CredentialFormat:
    if check is None:
        check = _random_tail(prefix_len if prefix_len is not None else len(anchors[0]))
    return CredentialFormat(key, label, anchors, lazyre.compile(_B + pattern + _E), severity, check)


FORMATS: tuple[CredentialFormat, ...] = (
    _fmt("aws-access-key-id", "an AWS access key ID", ("AKIA", "ASIA", "ABIA", "ACCA"),
         r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}", check=_random_tail(4, 2.5)),
    _fmt("github-pat", "a GitHub personal access token", ("ghp_",), r"ghp_[A-Za-z0-9]{36}"),
    _fmt("github-oauth", "a GitHub OAuth access token", ("gho_",), r"gho_[A-Za-z0-9]{36}"),
    _fmt("github-app", "a GitHub App token", ("ghu_", "ghs_"), r"gh[us]_[A-Za-z0-9]{36}"),
    _fmt("github-refresh", "a GitHub refresh token", ("ghr_",), r"ghr_[A-Za-z0-9]{36,76}"),
    _fmt("github-fine-grained", "a GitHub fine-grained personal access token",
         ("github_pat_",), r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}"),
    _fmt("gitlab-pat", "a GitLab personal access token", ("glpat-",),
         r"glpat-[A-Za-z0-9_\-]{20,64}(?:\.[0-9a-z]{2}\.[0-9a-z]{9})?"),
    _fmt("gitlab-runner", "a GitLab runner token", ("glrt-", "GR1348941"),
         r"(?:glrt-|GR1348941)[A-Za-z0-9_\-]{20,64}", prefix_len=5),
    _fmt("gitlab-deploy", "a GitLab deploy token", ("gldt-",), r"gldt-[A-Za-z0-9_\-]{20,64}"),
    _fmt("gitlab-trigger", "a GitLab pipeline trigger token", ("glptt-",), r"glptt-[0-9a-f]{40}"),
    _fmt("slack-token", "a Slack token", ("xoxb-", "xoxp-", "xoxa-", "xoxo-", "xoxs-", "xoxr-"),
         r"xox[abposr]-[0-9]{6,20}(?:-[0-9]{6,20}){0,2}-[0-9A-Za-z]{16,64}"),
    _fmt("slack-app-token", "a Slack app-level token", ("xapp-",),
         r"xapp-[0-9]-[A-Z0-9]{8,16}-[0-9]{8,20}-[a-f0-9]{32,80}"),
    _fmt("slack-webhook", "a Slack incoming webhook URL", ("hooks.slack.com",),
         r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/\-]{20,160}",
         prefix_len=len("https://hooks.slack.com/services/")),
    _fmt("stripe-live", "a Stripe live secret key", ("sk_live_",), r"sk_live_[0-9A-Za-z]{20,247}"),
    _fmt("stripe-restricted", "a Stripe live restricted key", ("rk_live_",),
         r"rk_live_[0-9A-Za-z]{20,247}"),
    _fmt("stripe-webhook", "a Stripe webhook signing secret", ("whsec_",),
         r"whsec_[A-Za-z0-9+/]{32,88}"),
    _fmt("google-api-key", "a Google API key", ("AIza",), r"AIza[0-9A-Za-z_\-]{35}",
         severity="high"),
    _fmt("pypi-token", "a PyPI API token", ("pypi-AgE",), r"pypi-AgE[A-Za-z0-9_\-]{50,400}",
         prefix_len=8),
    _fmt("npm-token", "an npm access token", ("npm_",), r"npm_[A-Za-z0-9]{36}"),
    _fmt("sendgrid", "a SendGrid API key", ("SG.",), r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}"),
    _fmt("openai", "an OpenAI API key", ("T3BlbkFJ",),
         r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,200}T3BlbkFJ[A-Za-z0-9_\-]{20,200}",
         prefix_len=3),
    _fmt("anthropic", "an Anthropic API key", ("sk-ant-",),
         r"sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_\-]{80,120}", prefix_len=14),
    _fmt("shopify", "a Shopify access token", ("shpat_", "shpss_", "shpca_", "shppa_"),
         r"shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}", prefix_len=6),
    _fmt("azure-storage", "an Azure storage account key", ("AccountKey=",),
         r"AccountKey=[A-Za-z0-9+/]{86}==", prefix_len=11),
    _fmt("jwt", "a JSON Web Token", ("eyJ",),
         r"eyJ[A-Za-z0-9_\-]{8,2048}\.eyJ[A-Za-z0-9_\-]{8,8192}\.[A-Za-z0-9_\-]{16,1024}",
         severity="medium", check=_real_jwt),
)  # fmt: skip


def find_credentials(text: str) -> list[Credential]:
    """Every credential of a known format in ``text``, in order of position."""
    found: list[Credential] = []
    for fmt in FORMATS:
        if not any(anchor in text for anchor in fmt.anchors):
            continue
        for match in fmt.regex.finditer(text):
            value = match.group(0)
            if fmt.check is None or fmt.check(value):
                found.append(Credential(fmt, value, match.start(), match.end()))
    found.sort(key=lambda c: c.start)
    return found


# After "://": user:password@host. The user may be empty (redis://:pw@host); the password
# stops at the first character a URL cannot hold unescaped there.
_SCHEME_BEFORE = lazyre.compile(r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{1,30}$")
_CREDENTIALS_AFTER = lazyre.compile(
    r"(?P<user>[^\s:/@\"'`<>()\[\]{}]{0,128}):(?P<password>[^\s@/\"'`<>]{1,256})"
    r"@(?P<host>[^\s/:\"'`<>?#@\\,;)]{1,253})"
)
LOCAL_HOSTS = frozenset(
    {"localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]", "host.docker.internal"}
)
EXAMPLE_HOSTS = frozenset(
    {"host", "hostname", "myhost", "yourhost", "server", "servername", "domain", "example",
     "dbhost", "db-host", "host.com", "hostname.com", "localhost.localdomain", "ip", "address"}
)  # fmt: skip
# The sample credentials of database documentation (Oracle's scott/tiger and friends).
SAMPLE_PASSWORDS = frozenset({"tiger", "pass", "pwd", "pw", "passwd", "secret", "password"})


@dataclass(frozen=True)
class UrlPassword:
    """A URL's inline password and where it sits in the text that was searched."""

    scheme: str
    user: str
    password: str
    host: str
    start: int  # of the URL
    password_start: int
    password_end: int


def _is_sample_login(user: str, password: str) -> bool:
    """scott/tiger (Oracle's sample schema) and its variants are documentation logins."""
    return user.lower() == "scott" or password.lower().startswith("tiger")


def _is_local(host: str) -> bool:
    host = host.lower().strip("[]")
    return host in LOCAL_HOSTS or host.endswith((".localhost", ".local", ".test", ".invalid"))


# host, host1, h1, hostspec, some_host, other.host: hosts made up for docs and tests.
_MADE_UP_HOST = lazyre.compile(
    r"^(?:hosts?\d*|h\d*|hostspec|[a-z]|(?:some|other|my|your)[._\-].*)$"
)


def _is_example_host(host: str) -> bool:
    host = host.lower()
    parts = host.split(".")
    return (
        host in EXAMPLE_HOSTS
        or "example" in parts
        or any(p.startswith("example") for p in parts[:-1])
        or host.startswith(("your", "my-", "<"))
        or bool(_MADE_UP_HOST.match(host))
        or any(ch in host for ch in "{}$%")
        or is_placeholder(host)
    )


# word, word1, some_pass, aws_secret_access_key: labels and test values, not passwords.
_SIMPLE_PASSWORD = lazyre.compile(r"^[A-Za-z]+\d{0,2}$|^[A-Za-z]+(?:[_\-.][A-Za-z]+)+\d{0,2}$")


def _weak_url_password(password: str) -> bool:
    """Too short or too plain to be a real credential (``p``, ``secret1``, ``***``)."""
    plain = bool(_SIMPLE_PASSWORD.match(password)) and (len(password) <= 12 or password.islower())
    return len(password) < 6 or plain or "*" in password


def find_url_passwords(text: str, allow_local: bool = True) -> list[UrlPassword]:
    """URLs with an inline password in ``text``: placeholders, interpolated passwords,
    passwords equal to the user, example hosts and (``allow_local``) local hosts are left out,
    as are passwords that are themselves a known credential format (reported as such)."""
    if "://" not in text or "@" not in text:
        return []
    found = []
    index = text.find("://")
    while index >= 0:
        after = index + 3
        index = text.find("://", after)
        scheme_match = _SCHEME_BEFORE.search(text, max(after - 34, 0), after - 3)
        match = _CREDENTIALS_AFTER.match(text, after) if scheme_match else None
        if match is None or scheme_match is None:
            continue
        password = match.group("password")
        user, host = match.group("user"), match.group("host")
        if (
            is_placeholder(password)
            or _weak_url_password(password)
            or password.lower() in SAMPLE_PASSWORDS
            or _is_sample_login(user, password)
            or any(ch in password for ch in "${}%")
            or password == user
            or _is_example_host(host)
            or (allow_local and _is_local(host))
            or find_credentials(password)
        ):
            continue
        found.append(
            UrlPassword(
                scheme=scheme_match.group(0),
                user=user,
                password=password,
                host=host,
                start=scheme_match.start(),
                password_start=match.start("password"),
                password_end=match.end("password"),
            )
        )
    return found


def url_password(value: str) -> UrlPassword | None:
    """The inline password of a URL ``value`` (see :func:`find_url_passwords`), or None."""
    found = find_url_passwords(value)
    return found[0] if found else None


_SCHEMES = {
    "postgres": "a PostgreSQL URL", "postgresql": "a PostgreSQL URL", "mysql": "a MySQL URL",
    "mariadb": "a MariaDB URL", "mongodb": "a MongoDB URL", "mongodb+srv": "a MongoDB URL",
    "redis": "a Redis URL", "rediss": "a Redis URL", "amqp": "an AMQP URL",
    "amqps": "an AMQP URL", "mssql": "a SQL Server URL", "oracle": "an Oracle URL",
    "http": "an HTTP URL", "https": "an HTTPS URL", "ftp": "an FTP URL", "sftp": "an SFTP URL",
    "smtp": "an SMTP URL", "ldap": "an LDAP URL", "ldaps": "an LDAP URL",
}  # fmt: skip


def url_kind(scheme: str) -> str:
    """``a PostgreSQL URL`` for ``postgresql+psycopg``."""
    base = scheme.lower().split("+")[0] if not scheme.lower().startswith("mongodb+") else "mongodb"
    return _SCHEMES.get(base, f"a {scheme} URL")
