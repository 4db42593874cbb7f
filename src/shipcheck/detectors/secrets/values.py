"""Is a literal under a secret name a real secret? Shape and entropy together decide, after
the known credential formats (:mod:`.formats`) have had their say."""

from __future__ import annotations

import re
from itertools import pairwise

from shipcheck import lazyre
from shipcheck.detectors.common import (
    is_placeholder,
    is_secret_name,
    is_template_placeholder,
    name_words,
    secret_word_index,
)
from shipcheck.detectors.secrets.formats import entropy, find_credentials, url_password

# Letters joined by separators: identifiers, header names, MIME types, constant values
# (``invalid_password``, ``X-Token``, ``application/json``, ``client_credentials``).
_WORDS_ONLY = lazyre.compile(r"[_\-.:]*[A-Za-z]+(?:[_\-./:]+[A-Za-z]+)*[_\-.:]*")
# Identifiers whose parts are words or short numbers (``_sa_default``, ``user_2``, ``v1-token``).
_SEPARATORS = lazyre.compile(r"[_\-./:]+")
# Regular expressions and escape sequences are code, not secrets.
_REGEX_HINT = lazyre.compile(r"\(\?[:=!<P]|\\[dswDSWbBAZntr.]|\[\^|\.\*|\.\+|\[[a-z0-9]-[a-z0-9]")
_NUMBERISH = lazyre.compile(
    r"[\d.,:;\-+_/ ]+|v?\d+(?:\.\d+){1,3}[A-Za-z0-9]*(?:[-+.][A-Za-z0-9]+)*"
)
_FILE_NAME = lazyre.compile(
    r".*\.(pem|key|crt|cer|p12|pfx|jks|json|ya?ml|toml|ini|cfg|conf|txt|env|gpg|asc|der|pub)$",
    re.IGNORECASE,
)
# Words a generated secret does not contain; a value that does is a label or a stand-in.
_VALUE_WORDS = ("password", "passwd", "secret", "token", "apikey", "api_key", "api-key",
                "credential", "private")  # fmt: skip
_FORMAT_STRING = lazyre.compile(r"%[-#0 +]*\d*[sdrixf]|%\(\w+\)|\{\w*\}|\{\d+\}")


def char_classes(value: str) -> int:
    """How many of lower case, upper case, digits and other characters ``value`` mixes."""
    return sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
            any(not c.isalnum() for c in value),
        )
    )


_WORDISH = lazyre.compile(r"[A-Za-z]+\d{0,2}|\d{1,3}")
# Stored password hashes (Django, passlib, crypt): a hash is not the password.
_PASSWORD_HASH = lazyre.compile(
    r"^(?:pbkdf2_sha\d+|argon2|bcrypt(?:_sha256)?|scrypt|sha1|md5|unsalted_\w+|crypt)\$"
    r"|^\$(?:2[abxy]?|5|6|argon2(?:id|i|d)?|scrypt|pbkdf2[-\w]*|apr1)\$"
)
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


_PATH_SEGMENT = lazyre.compile(r"[\w.\-@]+")


def _is_path(text: str) -> bool:
    """``/run/secrets/db``, ``./certs/key.pem``, ``C:\\keys``; not base64 that happens to
    start with a slash (``/m5SRe/xQ+55Ya…``), whose segments are long and random."""
    if re.match(r"^[A-Za-z]:[\\/]", text) or text.startswith(("\\\\", "~/")):
        return True
    if not text.startswith(("/", "./", "../")):
        return False
    segments = [s for s in text.split("/") if s not in {"", ".", ".."}]
    return all(_PATH_SEGMENT.fullmatch(s) and (len(s) < 16 or entropy(s) < 3.5) for s in segments)


def _case_changes(text: str) -> int:
    """Lower-to-upper changes: words and camelCase have a few, random letters many."""
    return sum(1 for a, b in pairwise(text) if a.islower() and b.isupper())


def _is_identifier(text: str) -> bool:
    """``_sa_default``, ``user_2``, ``FORBIDDEN_VALUE2``: words joined by separators."""
    parts = [p for p in _SEPARATORS.split(text) if p]
    return len(parts) > 1 and all(_WORDISH.fullmatch(p) for p in parts)


def _has_sequence(text: str, run: int = 6) -> bool:
    """A run such as ``abcdef`` or ``123456``: typed by a person, never drawn at random."""
    lower = text.lower()
    for alphabet in (_ALPHABET, "0123456789"):
        for start in range(len(alphabet) - run + 1):
            if alphabet[start : start + run] in lower:
                return True
    return False


def looks_like_secret(value: str, min_length: int = 8, min_entropy: float = 3.0) -> bool:
    """Whether a literal found under a secret name is worth reporting as a real secret.

    Not: placeholders, anything with whitespace (prose, commands), URLs, paths and file
    names, identifiers and other letters-only values, values that spell out a secret word
    (``invalid_password``), numbers, dates and versions, format strings. Then it must mix
    character classes and be random enough (long values by entropy alone)."""
    text = value.strip()
    if len(text) < min_length or is_placeholder(text):
        return False
    if any(c.isspace() for c in text) or "://" in text:
        return False
    if _is_path(text):
        return False
    if _FILE_NAME.match(text) or _NUMBERISH.fullmatch(text):
        return False
    if _WORDS_ONLY.fullmatch(text) and _case_changes(text) <= 3:
        return False
    if _is_identifier(text) or _REGEX_HINT.search(text) or _PASSWORD_HASH.match(text):
        return False
    if _has_sequence(text):
        return False
    lower = text.lower()
    if any(word in lower for word in _VALUE_WORDS) or _FORMAT_STRING.search(text):
        return False
    bits = entropy(text)
    if len(text) >= 20 and bits >= 3.5:
        return True
    return char_classes(text) >= 2 and bits >= min_entropy


def owned_by_format_rules(value: str) -> bool:
    """Whether a credential-format rule (SEC004) or the URL-password rule (SEC005) reports
    this value already; name-based rules leave it to them so a value is reported once."""
    return bool(find_credentials(value)) or url_password(value) is not None


# What a name says the value is, for messages ("`DB_PASSWORD` holds a password (Sup3…)").
_KIND_BY_WORD = {
    "password": "a password", "passwd": "a password", "pwd": "a password", "pass": "a password",
    "pw": "a password", "passphrase": "a passphrase", "secret": "a secret",
    "token": "a token", "apikey": "an API key", "credential": "a credential",
    "credentials": "credentials", "creds": "credentials", "dsn": "a DSN",
    "privatekey": "a private key", "secretkey": "a secret key", "accesskey": "an access key",
    "clientsecret": "an OAuth client secret", "apisecret": "an API secret",
}  # fmt: skip
_SECRET_BY_PAIR = {
    "client": "an OAuth client secret", "webhook": "a webhook signing secret",
    "jwt": "a JWT signing secret", "api": "an API secret", "app": "an application secret",
    "session": "a session secret", "signing": "a signing secret",
}  # fmt: skip
_KIND_BY_PAIR = {
    "api": "an API key", "secret": "a secret key", "private": "a private key",
    "access": "an access key", "signing": "a signing key", "encryption": "an encryption key",
    "master": "a master key", "jwt": "a JWT signing key", "hmac": "an HMAC key",
    "webhook": "a webhook key", "license": "a license key",
}  # fmt: skip


def kind_of_secret(name: str) -> str:
    """A phrase naming the kind of secret ``name`` holds (``an AWS secret access key``)."""
    words = name_words(name)
    if words[-3:] == ["secret", "access", "key"] and "aws" in words:
        return "an AWS secret access key"
    if "aws" in words and words[-2:] == ["session", "token"]:
        return "an AWS session token"
    index = secret_word_index(words)
    if index is None:
        return "a secret"
    word = words[index]
    if word == "key" and index > 0:
        pair = words[index - 1]
        if pair == "client" or pair == "app":
            return "an application key"
        return _KIND_BY_PAIR.get(pair, "a key")
    if word in _KIND_BY_WORD:
        if word == "secret" and index > 0 and words[index - 1] in _SECRET_BY_PAIR:
            return _SECRET_BY_PAIR[words[index - 1]]
        return _KIND_BY_WORD[word]
    for suffix in ("password", "passwd", "passphrase", "secret", "token", "apikey"):
        if word.endswith(suffix):
            return _KIND_BY_WORD[suffix]
    return "a secret"


def named_secret(
    name: str, value: object, min_length: int = 8, min_entropy: float = 3.0
) -> str | None:
    """The kind of secret (for the message) when ``value`` is a real-looking secret literal
    under the secret name ``name``; None when there is nothing for a name-based rule to
    report (not a secret name, not a string, a stand-in, or a format another rule owns)."""
    if not isinstance(value, str) or not isinstance(name, str) or not is_secret_name(name):
        return None
    if owned_by_format_rules(value) or not looks_like_secret(value, min_length, min_entropy):
        return None
    return kind_of_secret(name)


REAL = "real"
WEAK = "weak"


def credential_strength(value: str, min_length: int = 8, min_entropy: float = 3.0) -> str | None:
    """How a literal in a credential's place reads: ``"real"`` when it looks like a generated
    secret, ``"weak"`` for a guessable one a deployment still runs with (``changeme``,
    ``admin``, ``secret123``, a short word), None for a template stand-in (``<password>``,
    ``${DB_PASSWORD}``, ``{{ password }}``, ``xxxx``) or something too short to be one."""
    text = value.strip()
    if is_template_placeholder(text) or len(text) < 3 or "\n" in text:
        return None
    if looks_like_secret(text, min_length, min_entropy):
        return REAL
    return WEAK


# Values of secret-named keys that are switches, numbers, URLs or comments, not credentials
# (``USE_TOKEN_AUTH=true``, ``TOKEN_TTL=3600``; URLs with a password belong to SEC005).
_NOT_CREDENTIAL = lazyre.compile(
    r"^(#.*|true|false|yes|no|on|off|none|null|enabled?|disabled?|-?\d+(\.\d+)?[smhd]?|\w+://.*)$",
    re.I,
)
WEAK_DEFAULT = "a guessable default value that deployments run with unless they override it"


# Folders of developer tooling whose files never configure a deployment.
_DEV_TOOL_DIRS = frozenset({".devcontainer", ".worktree-container", ".vscode", ".idea", ".gitpod"})


def in_dev_tooling(path: str) -> bool:
    """Whether ``path`` lies in a developer-tooling folder (``.devcontainer/backend.env``)."""
    return any(part in _DEV_TOOL_DIRS for part in path.split("/")[:-1])


def weak_credential(name: str, value: str) -> bool:
    """A secret-named setting (``SECRET_KEY``, ``ADMIN_PASSWORD``) holding a guessable
    credential (``changethis``, ``admin``, ``postgres``) rather than a placeholder, a switch,
    a number or a real-looking secret."""
    text = value.strip()
    return (
        is_secret_name(name)
        and not _NOT_CREDENTIAL.match(text)
        and credential_strength(text) == WEAK
    )
