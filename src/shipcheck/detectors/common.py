"""Helpers shared by detectors of several families."""

from __future__ import annotations

import re

# Names that say "this holds a secret" (SECRET_KEY, db_password, apiToken, PRIVATE_KEY...).
SECRET_NAME = re.compile(
    r"(pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|"
    r"access[_-]?key|credential|auth[_-]?key|client[_-]?secret|signing[_-]?key|dsn)",
    re.IGNORECASE,
)
# Names that contain a secret word but name something else (TOKEN_HEADER, PASSWORD_FIELD...).
NOT_SECRET_NAME = re.compile(
    r"(header|field|label|prompt|length|len|min|max|url|uri|endpoint|path|file|dir|name|"
    r"type|id|pattern|regex|re|format|hint|placeholder|message|msg|error|expir|ttl|timeout|"
    r"policy|reset|validator|required|enabled|count|size|param|env|var|key_?name|hash|algorithm|"
    r"prefix|suffix|scheme|mode|class|version|cookie|ref|arn|backend|provider|store|manager)$",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(
    r"^(|x+|\*+|\.+|-+|none|null|nil|true|false|todo|tbd|fixme|secret|password|passwd|token|"
    r"change[-_ ]?(me|this|it)|replace[-_ ]?me|your[-_ ].*|my[-_ ].*|example.*|sample.*|dummy.*|"
    r"fake.*|test.*|placeholder.*|redacted|notset|unset|default|<.*>|\[.*\]|\{.*\}|"
    r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$\(.*\)|.*\$\{\{.*\}\}.*|\{\{.*\}\}|%\(.*\)s|"
    r"env\(.*\)|os\.environ.*)$",
    re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    """Whether a variable or key name signals a secret value."""
    normalized = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return bool(SECRET_NAME.search(normalized)) and not NOT_SECRET_NAME.search(normalized)


def is_placeholder(value: str) -> bool:
    """Empty values, ``changeme``, ``xxx``, ``<your-key>``, ``${VAR}``, ``{{ .Values.x }}``..."""
    return bool(_PLACEHOLDER.match(value.strip().strip("\"'")))


def mask(value: str) -> str:
    """A secret as it may appear in output: the first four characters, then an ellipsis."""
    value = value.strip()
    return (value[:4] if len(value) > 8 else value[:2]) + "…"


DEV_SERVERS = (
    (re.compile(r"\bflask\b.*\brun\b"), "flask run (Flask development server)"),
    (re.compile(r"\bmanage\.py\s+runserver\b"), "manage.py runserver (Django development server)"),
    (re.compile(r"\b(uvicorn|gunicorn|hypercorn)\b.*\s--reload\b"), "a server with --reload"),
    (re.compile(r"\bpython[0-9.]*\s+-m\s+http\.server\b"), "python -m http.server"),
)


def dev_server(command: str) -> str | None:
    """What development server ``command`` starts, or None."""
    for pattern, label in DEV_SERVERS:
        if pattern.search(command):
            return label
    return None
