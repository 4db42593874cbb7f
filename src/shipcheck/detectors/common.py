"""Helpers shared by detectors of several families: what names a secret, what is only a
stand-in for one, how a secret may be shown, which commands start a development server."""

from __future__ import annotations

import re

from shipcheck import lazyre

# A name is split into lower-case words: ``AWS_SECRET_ACCESS_KEY`` → aws secret access key,
# ``apiToken`` → api token, ``DB_PASSWORD2`` → db password.
_WORD_BREAK = lazyre.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

# Words that are the secret itself when they end the name (``db_password``, ``GITHUB_TOKEN``).
SECRET_WORDS = frozenset(
    {
        "password", "passwd", "passphrase", "pwd", "pass", "pw", "secret", "token", "apikey",
        "credential", "credentials", "creds", "dsn", "privatekey", "secretkey", "accesskey",
        "authkey", "signingkey", "encryptionkey", "masterkey", "clientsecret", "apisecret",
    }
)  # fmt: skip
# Run-together names (``dbpassword``, ``accesstoken``) end in one of these.
SECRET_SUFFIXES = ("password", "passwd", "passphrase", "secret", "token", "apikey")
# ``<word> key`` pairs that name a secret (``api key``, ``SECRET_KEY``); ``cache key`` does not.
KEY_QUALIFIERS = frozenset(
    {"api", "secret", "private", "access", "auth", "signing", "encryption", "master", "app",
     "client", "consumer", "hmac", "jwt", "webhook", "license", "sign", "crypt", "cipher"}
)  # fmt: skip
# Words that may follow the secret word without changing what the name holds
# (``SECRET_KEY_PROD``, ``password_b64``).
NEUTRAL_TAIL = frozenset(
    {"value", "raw", "plain", "plaintext", "b64", "base64", "hex", "str", "string", "bytes",
     "prod", "production", "live", "staging", "stage", "dev", "default", "env", "encoded",
     "v", "new", "old", "current", "previous", "fallback", "override"}
)  # fmt: skip
# Names that start like this describe a property of a secret, not the secret
# (``MIN_PASSWORD_LENGTH`` is caught by its tail; ``USE_TOKEN`` by its head).
NEGATING_HEAD = frozenset(
    {"min", "max", "num", "count", "len", "length", "is", "has", "use", "enable", "enabled",
     "disable", "disabled", "require", "required", "show", "hide", "allow", "no", "skip",
     "validate", "check", "verify", "get", "set", "reset", "forgot", "invalid", "wrong", "bad",
     "missing", "expired", "empty"}
)  # fmt: skip


def name_words(name: str) -> list[str]:
    """Lower-case words of an identifier, trailing digits dropped (``password2`` → password)."""
    words = [w.lower().rstrip("0123456789") for w in _WORD_BREAK.split(name)]
    return [w for w in words if w]


def secret_word_index(words: list[str]) -> int | None:
    """Index of the last word that names a secret (a two-word ``api key`` counts at ``key``)."""
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        if word in SECRET_WORDS:
            return index
        if word == "key" and index > 0 and words[index - 1] in KEY_QUALIFIERS:
            return index
        if any(word.endswith(s) and len(word) > len(s) for s in SECRET_SUFFIXES):
            return index
    return None


def is_secret_name(name: str) -> bool:
    """Whether a variable or key name says it holds a secret: the secret word must be the
    name's head noun, so ``db_password`` and ``STRIPE_API_KEY`` count while ``TOKEN_HEADER``,
    ``PASSWORD_RESET_TIMEOUT``, ``SECRET_KEY_FILE`` and ``min_password_length`` do not."""
    words = name_words(name)
    index = secret_word_index(words)
    if index is None:
        return False
    if any(w not in NEUTRAL_TAIL for w in words[index + 1 :]):
        return False
    return words[0] not in NEGATING_HEAD or index == 0


# Stand-ins people write where a secret will go, compared case-insensitively.
_PLACEHOLDER_WORDS = frozenset(
    {
        "", "none", "null", "nil", "undefined", "true", "false", "todo", "tbd", "fixme", "n/a",
        "na", "secret", "secrets", "password", "passwd", "pass", "pwd", "token", "key", "apikey",
        "api_key", "api-key", "default", "notset", "unset", "empty", "redacted", "hidden",
        "masked", "dummy", "fake", "mock", "test", "testing", "example", "sample", "foo", "bar",
        "baz", "foobar", "qux", "dev", "development", "local", "admin", "root", "user",
        "guest", "postgres", "mysql", "redis", "rabbitmq", "mongo", "letmein", "qwerty",
        "hunter2", "abc123", "123456", "1234", "12345678", "123456789", "password1", "passw0rd",
        "p@ssw0rd", "p@ssword", "pa55word", "s3cr3t", "s3cret", "secret123", "password123",
        "admin123", "mypassword", "mysecret", "supersecret", "topsecret", "changeit",
    }
)  # fmt: skip
# Substrings that mark a value as a stand-in or as explicitly not meant for production.
_PLACEHOLDER_MARKERS = (
    "changeme", "change_me", "change-me", "change me", "changethis", "change_this",
    "change-this", "replace", "your_", "your-", "yourkey", "yoursecret", "yourtoken", "xxxx",
    "****", "…", "...", "example", "sample", "dummy", "placeholder", "insecure", "not-a-secret",
    "not_a_secret", "notasecret", "not-secret", "not_secret", "fake", "redacted", "lorem",
    "fill-in", "fill_in", "fillme", "put-your", "put_your", "enter-your", "enter_your",
    "<", ">", "set-me", "set_me", "setme", "todo", "fixme", "0000000", "not a secret",
    "change this", "change it",
)  # fmt: skip
# References to a value kept elsewhere: environment, templates, secret managers.
_REFERENCE = lazyre.compile(
    r"\$\{\{.*\}\}|\$\{[^}]*\}|\$\([^)]*\)|^\$[A-Za-z_][A-Za-z0-9_]*$|\{\{.*\}\}|\{%.*%\}"
    r"|%\([A-Za-z_]+\)s|^%[A-Za-z_]+%$|^#\{.*\}$|^@[A-Za-z_][A-Za-z0-9_]*@$"
    r"|^(os\.environ|os\.getenv|env\(|process\.env|secrets\.|vault:|op://|ssm:|sm://|arn:aws:"
    r"|projects/[^/]+/secrets/|azurekeyvault|keyvault:|ENC\[|sops:|!vault)",
    re.IGNORECASE,
)
_REPEATED = lazyre.compile(r"^(.)\1{3,}$|^(.{2,4})\2{3,}$")


def is_placeholder(value: str) -> bool:
    """Empty values, ``changeme``, ``xxx``, ``<your-key>``, ``${VAR}``, ``{{ .Values.x }}``,
    secret-manager references, well-known dummy passwords and explicit examples."""
    text = value.strip().strip("\"'").strip()
    lower = text.lower()
    if lower in _PLACEHOLDER_WORDS or _REPEATED.match(lower):
        return True
    if _REFERENCE.search(text):
        return True
    if any(marker in lower for marker in _PLACEHOLDER_MARKERS):
        return True
    return lower.startswith(("test-", "test_", "dummy", "fake", "mock", "sample", "example"))


def mask(value: str) -> str:
    """A secret as it may appear in output: the first four characters, then an ellipsis
    (two characters for short values, so that little of them is revealed)."""
    value = value.strip()
    return (value[:4] if len(value) > 8 else value[:2]) + "…"


DEV_SERVERS = (
    (lazyre.compile(r"\bflask\b.*\brun\b"), "flask run (Flask development server)"),
    (
        lazyre.compile(r"\bmanage\.py\s+runserver\b"),
        "manage.py runserver (Django development server)",
    ),
    (lazyre.compile(r"\b(uvicorn|gunicorn|hypercorn)\b.*\s--reload\b"), "a server with --reload"),
    (lazyre.compile(r"\bpython[0-9.]*\s+-m\s+http\.server\b"), "python -m http.server"),
)


def dev_server(command: str) -> str | None:
    """What development server ``command`` starts, or None."""
    for pattern, label in DEV_SERVERS:
        if pattern.search(command):
            return label
    return None


# Stand-ins that say "fill this in" or "not here": references to a value kept elsewhere,
# template syntax, masks and fill-in instructions. Unlike the weak defaults ``is_placeholder``
# also accepts (``changeme``, ``admin``, ``secret123``), no deployment can run with these.
_TEMPLATE_WORDS = frozenset(
    {"", "none", "null", "nil", "undefined", "true", "false", "n/a", "na", "tbd", "todo",
     "fixme", "notset", "unset", "empty", "redacted", "hidden", "masked", "placeholder",
     "dummy", "fake", "mock", "example", "sample", "lorem"}
)  # fmt: skip
_TEMPLATE_MARKERS = (
    "<", ">", "xxxx", "****", "…", "...", "your_", "your-", "yourkey", "yoursecret",
    "yourtoken", "yourpassword", "replace", "fill-in", "fill_in", "fillme", "put-your",
    "put_your", "enter-your", "enter_your", "set-me", "set_me", "setme", "placeholder",
    "redacted", "dummy", "fake", "example", "sample", "lorem",
)  # fmt: skip
_FORMAT_FIELD = lazyre.compile(r"\{[A-Za-z_][A-Za-z0-9_.]*\}|%\(?[A-Za-z_]*\)?s\b|^%s$")


def is_template_placeholder(value: str) -> bool:
    """A value no deployment runs with: empty, ``${VAR}``, ``{{ password }}``, ``<password>``,
    ``xxxx``, ``****``, ``your-api-key``, ``REPLACE_ME``, ``{password}``, ``dummy``,
    secret-manager references. (``changeme``, ``admin`` or ``secret123`` are not: they are
    weak defaults a deployment does run with when nobody overrides them.)"""
    text = value.strip().strip("\"'").strip()
    lower = text.lower()
    if lower in _TEMPLATE_WORDS or _REPEATED.match(lower) or not any(c.isalnum() for c in text):
        return True
    if _REFERENCE.search(text) or _FORMAT_FIELD.search(text):
        return True
    return any(marker in lower for marker in _TEMPLATE_MARKERS)


# A CPython minor version as CI, Dockerfiles and noxfiles write it.
_MINOR = lazyre.compile(r"^(?:cpython-?|python)?(3)\.(\d+)(?:\.\d+)?(?:-dev|[abc]\d+|rc\d+)?$")


def minor(text: str) -> str | None:
    """``3.12`` from ``3.12``, ``3.12.4``, ``python3.12``, ``3.13-dev``; None otherwise."""
    match = _MINOR.match(text.strip().strip("\"'"))
    return f"{match.group(1)}.{match.group(2)}" if match else None
