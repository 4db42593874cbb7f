"""Literal credentials handed to the code that uses them: clients and drivers, JWT and
signing libraries, Flask's secret key, users created with a known password.

A literal that reaches such a *sink* is a hardcoded credential whatever it looks like: a
random-looking value has leaked, and a weak one (``"secret"``, ``"changeme"``, ``"admin"``)
is also guessable. The name-based rule (``secrets.python-literal``) already reports random-
looking values bound to secret names (``password="Xr7…"``); this module reports what it
cannot see — positional arguments, values under neutral names (``key=``), literals that reach
the sink through a module-level constant — and the weak values it deliberately passes over.
Template stand-ins (``<password>``, ``${DB_PASSWORD}``, ``xxxx``) are never reported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from shipcheck.detectors.common import is_secret_name, mask
from shipcheck.detectors.config.django_settings import is_settings_module
from shipcheck.detectors.python.astutil import Imports, imports_of
from shipcheck.detectors.python.index import PyIndex, index_of
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.context import ValueParams, is_dev_module, name_has_dev_word
from shipcheck.detectors.secrets.pyast import (
    dotted,
    literal_hit,
    literal_string,
    overridden_in_production,
    target_name,
)
from shipcheck.detectors.secrets.values import (
    WEAK,
    credential_strength,
    named_secret,
    owned_by_format_rules,
)
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.findings import Hit, Severity


@dataclass(frozen=True)
class Sink:
    """Where a callable takes a credential: positional indexes and keyword names."""

    kind: str  # "signing key", "password"...
    positions: tuple[int, ...] = ()
    keywords: tuple[str, ...] = ()
    seeds: bool = False  # creates or updates a user account


_JWT_SIGN = Sink("JWT signing key", (1,), ("key",))
_JWT_VERIFY = Sink("JWT verification key", (1,), ("key",))
_SIGNER = Sink("signing key", (0,), ("secret_key", "key"))
_BASIC_AUTH = Sink("password", (1,), ("password",))
# Callables resolved through the module's imports.
CALL_SINKS: dict[str, Sink] = {
    "jwt.encode": _JWT_SIGN,
    "jwt.decode": _JWT_VERIFY,
    "jwt.api_jwt.encode": _JWT_SIGN,
    "jwt.api_jwt.decode": _JWT_VERIFY,
    "jose.jwt.encode": _JWT_SIGN,
    "jose.jwt.decode": _JWT_VERIFY,
    "authlib.jose.jwt.encode": Sink("JWT signing key", (2,), ("key",)),
    "authlib.jose.jwt.decode": _JWT_VERIFY,
    "itsdangerous.Signer": _SIGNER,
    "itsdangerous.TimestampSigner": _SIGNER,
    "itsdangerous.Serializer": _SIGNER,
    "itsdangerous.URLSafeSerializer": _SIGNER,
    "itsdangerous.TimedSerializer": _SIGNER,
    "itsdangerous.URLSafeTimedSerializer": _SIGNER,
    "itsdangerous.serializer.Serializer": _SIGNER,
    "itsdangerous.url_safe.URLSafeTimedSerializer": _SIGNER,
    "django.core.signing.Signer": Sink("signing key", (), ("key",)),
    "django.core.signing.TimestampSigner": Sink("signing key", (), ("key",)),
    "django.core.signing.dumps": Sink("signing key", (), ("key",)),
    "django.core.signing.loads": Sink("signing key", (), ("key",)),
    "cryptography.fernet.Fernet": Sink("Fernet key", (0,), ("key",)),
    "hmac.new": Sink("HMAC key", (0,), ("key",)),
    "hmac.digest": Sink("HMAC key", (0,), ("key",)),
    "requests.auth.HTTPBasicAuth": _BASIC_AUTH,
    "requests.auth.HTTPDigestAuth": _BASIC_AUTH,
    "requests.auth.HTTPProxyAuth": _BASIC_AUTH,
    "httpx.BasicAuth": _BASIC_AUTH,
    "httpx.DigestAuth": _BASIC_AUTH,
    "aiohttp.BasicAuth": _BASIC_AUTH,
    "aiohttp.helpers.BasicAuth": _BASIC_AUTH,
    "ftplib.FTP": Sink("password", (2,), ("passwd",)),
    "ftplib.FTP_TLS": Sink("password", (2,), ("passwd",)),
    "oracledb.connect": Sink("password", (1,), ("password",)),
    "cx_Oracle.connect": Sink("password", (1,), ("password",)),
    "pika.PlainCredentials": Sink("password", (1,), ("password",)),
    "django.contrib.auth.hashers.make_password": Sink("password", (0,), ("password",), True),
    "werkzeug.security.generate_password_hash": Sink("password", (0,), ("password",), True),
    "werkzeug.generate_password_hash": Sink("password", (0,), ("password",), True),
    "flask_security.hash_password": Sink("password", (0,), ("password",), True),
    "flask_security.utils.hash_password": Sink("password", (0,), ("password",), True),
    "flask_bcrypt.generate_password_hash": Sink("password", (0,), ("password",), True),
    "bcrypt.hashpw": Sink("password", (0,), ("password",), True),
}
# Methods whatever their receiver: user creation and password setting.
METHOD_SINKS: dict[str, Sink] = {
    "set_password": Sink("password", (0,), ("raw_password", "password"), True),
    "create_user": Sink("password", (2,), ("password",), True),
    "create_superuser": Sink("password", (2,), ("password",), True),
    "_create_user": Sink("password", (2,), ("password",), True),
}
# Methods that log in, on a module that imports the protocol's client library.
LOGIN_METHODS: dict[str, tuple[Sink, frozenset[str]]] = {
    "login": (
        Sink("password", (1,), ("password", "passwd")),
        frozenset({"smtplib", "ftplib", "imaplib", "aiosmtplib", "imapclient", "nntplib"}),
    ),
    "pass_": (Sink("password", (0,), ()), frozenset({"poplib"})),
    "simple_bind_s": (Sink("password", (1,), ("cred",)), frozenset({"ldap"})),
    "bind_s": (Sink("password", (1,), ("cred",)), frozenset({"ldap"})),
}
# Client libraries whose calls take credentials as keyword arguments (``password=``,
# ``aws_secret_access_key=``, ``api_key=``).
CLIENT_LIBRARIES = frozenset(
    {"psycopg2", "psycopg", "psycopg_pool", "asyncpg", "aiopg", "pymysql", "MySQLdb", "mysql",
     "aiomysql", "pymssql", "pyodbc", "oracledb", "cx_Oracle", "pymongo", "motor", "mongoengine",
     "redis", "aioredis", "sqlalchemy", "databases", "peewee", "ldap3", "paramiko", "fabric",
     "pika", "aio_pika", "kombu", "celery", "elasticsearch", "opensearchpy", "boto3", "botocore",
     "aioboto3", "smtplib", "aiosmtplib", "ftplib", "imaplib", "requests", "httpx", "aiohttp",
     "urllib3", "openai", "anthropic", "stripe", "twilio", "slack_sdk", "sendgrid", "github",
     "gitlab", "hvac", "minio", "clickhouse_driver", "clickhouse_connect", "snowflake",
     "influxdb_client", "neo4j", "cassandra", "pysftp", "jira", "tweepy", "itsdangerous",
     "flask", "starlette", "fastapi", "authlib", "flask_jwt_extended"}
)  # fmt: skip
# Calls of these libraries take ``auth=(user, password)``.
AUTH_TUPLE_LIBRARIES = frozenset({"requests", "httpx", "aiohttp", "urllib3", "elasticsearch",
                                  "opensearchpy"})  # fmt: skip
# Values that are not secrets even in a key's place.
_PUBLIC_MARKERS = ("BEGIN PUBLIC KEY", "BEGIN CERTIFICATE", "BEGIN RSA PUBLIC KEY", "ssh-rsa ",
                   "ssh-ed25519 ")  # fmt: skip


# Loading configuration from elsewhere after a literal was set replaces it when that source
# sets the same key (Flask's tutorial: ``from_mapping(SECRET_KEY="dev")`` then
# ``from_pyfile("config.py", silent=True)``).
_LATER_CONFIG = frozenset(
    {"from_pyfile", "from_envvar", "from_prefixed_env", "from_object", "from_file", "from_json"}
)


@dataclass(frozen=True)
class Use:
    """A literal reaching a sink: the literal node, the name it is bound to (keyword or
    constant; None for a positional literal), how the message names the sink, the kind of
    credential and, when it came through a constant, the constant's name."""

    literal: ast.AST
    holder: str | None
    sink: str
    kind: str
    seeds: bool = False
    constant: str | None = None
    line: int = 0  # of the use, when it is not the literal's own line
    config: bool = False  # set in an application's configuration


class Constants:
    """Module-level names bound exactly once to a string literal."""

    def __init__(self, tree: ast.Module) -> None:
        counts: dict[str, int] = {}
        values: dict[str, ast.AST] = {}
        for statement in tree.body:
            targets: list[ast.AST] = []
            value: ast.AST | None = None
            if isinstance(statement, ast.Assign):
                targets, value = statement.targets, statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                targets, value = [statement.target], statement.value
            for target in targets:
                if isinstance(target, ast.Name):
                    counts[target.id] = counts.get(target.id, 0) + 1
                    if value is not None:
                        values[target.id] = value
        self.values = {
            n: v for n, v in values.items() if counts[n] == 1 and _literal_node(v) is not None
        }

    def resolve(self, node: ast.AST) -> tuple[ast.AST, str | None] | None:
        """The literal node behind ``node`` and the constant's name (None for a literal)."""
        direct = _literal_node(node)
        if direct is not None:
            return direct, None
        if isinstance(node, ast.Name) and node.id in self.values:
            found = _literal_node(self.values[node.id])
            if found is not None:
                return found, node.id
        return None


def _literal_node(node: ast.AST) -> ast.AST | None:
    """The string literal in ``"…"``, ``b"…"``, ``"…".encode()`` and ``bytes("…", enc)``."""
    if literal_string(node) is not None:
        return node
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "encode" and not node.args[1:]:
            return node.func.value if literal_string(func.value) is not None else None
        if isinstance(func, ast.Name) and func.id in {"bytes", "bytearray"} and node.args:
            return node.args[0] if literal_string(node.args[0]) is not None else None
    return None


def _argument(call: ast.Call, sink: Sink) -> Iterator[tuple[ast.AST, str | None]]:
    """The arguments of ``call`` that ``sink`` takes a credential in (with keyword names)."""
    for position in sink.positions:
        if position < len(call.args) and not any(
            isinstance(a, ast.Starred) for a in call.args[: position + 1]
        ):
            yield call.args[position], None
    for keyword in call.keywords:
        if keyword.arg in sink.keywords:
            yield keyword.value, keyword.arg


def _label(call: ast.Call) -> str:
    name = dotted(call.func)
    if not name or "()" in name:
        method = call.func.attr if isinstance(call.func, ast.Attribute) else "call"
        name = f"….{method}"
    return f"`{name}()`"


def _call_uses(call: ast.Call, imports: Imports, libraries: set[str]) -> Iterator[Use]:
    resolved = imports.resolve(call.func) or ""
    method = call.func.attr if isinstance(call.func, ast.Attribute) else None
    sink = CALL_SINKS.get(resolved)
    if sink is None and method is not None:
        sink = METHOD_SINKS.get(method)
        login = LOGIN_METHODS.get(method)
        if sink is None and login is not None and login[1] & libraries:
            sink = login[0]
    if sink is not None:
        for node, holder in _argument(call, sink):
            yield Use(node, holder, _label(call), sink.kind, sink.seeds)
        return
    library = resolved.split(".")[0] if resolved else None
    receiver_lib = library in CLIENT_LIBRARIES or (
        library is None and method is not None and bool(libraries & CLIENT_LIBRARIES)
        and method in _CLIENT_METHODS
    )  # fmt: skip
    if not receiver_lib:
        return
    for keyword in call.keywords:
        if keyword.arg and is_secret_name(keyword.arg):
            yield Use(keyword.value, keyword.arg, _label(call), _kind(keyword.arg))
        elif keyword.arg == "auth" and (library in AUTH_TUPLE_LIBRARIES or library is None):
            value = keyword.value
            if isinstance(value, ast.Tuple) and len(value.elts) == 2:
                yield Use(value.elts[1], None, _label(call), "password")


# Methods of client objects (``client = redis.Redis(...)``, ``session = requests.Session()``)
# that take credentials.
_CLIENT_METHODS = frozenset(
    {"connect", "login", "auth", "authenticate", "bind", "open", "create_pool", "client",
     "resource", "Session", "request", "get", "post", "put", "patch", "delete", "head",
     "create_engine", "from_url", "Client", "Redis", "add_middleware"}
)  # fmt: skip


def _kind(name: str) -> str:
    words = name.lower()
    if "aws" in words and "secret" in words:
        return "AWS secret access key"
    if "pass" in words or "pwd" in words:
        return "password"
    if "token" in words:
        return "token"
    if "jwt" in words:
        return "JWT signing key"
    if words in {"secret_key", "secretkey"}:
        return "session signing key"
    return "secret key" if "secret" in words else "key"


_CONFIG_METHODS = frozenset({"update", "from_mapping", "setdefault"})


def _config_target(node: ast.AST) -> bool:
    """``app.config`` / ``config`` / ``settings`` style receivers."""
    name = dotted(node)
    return bool(name) and name.rsplit(".", 1)[-1] in {"config", "app_config", "flask_config"}


def _assignment_uses(node: ast.Assign) -> Iterator[Use]:
    """``app.secret_key = …``, ``app.config["SECRET_KEY"] = …``, ``session.auth = (u, …)``."""
    for target in node.targets:
        name = target_name(target)
        if isinstance(target, ast.Attribute) and target.attr == "secret_key":
            yield Use(node.value, name, f"`{dotted(target)}`", "session signing key", config=True)
        elif (
            isinstance(target, ast.Subscript)
            and name
            and is_secret_name(name)
            and _config_target(target.value)
        ):
            label = f'`{dotted(target.value)}["{name}"]`'
            yield Use(node.value, name, label, _kind(name), config=True)
        elif isinstance(target, ast.Attribute) and target.attr == "auth":
            value = node.value
            if isinstance(value, ast.Tuple) and len(value.elts) == 2:
                yield Use(value.elts[1], None, f"`{dotted(target)}`", "password")


def _config_call_uses(call: ast.Call) -> Iterator[Use]:
    """``app.config.update(SECRET_KEY=…)`` / ``from_mapping({"SECRET_KEY": …})``."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in _CONFIG_METHODS):
        return
    if not _config_target(func.value):
        return
    label = f"`{dotted(func)}()`"
    for keyword in call.keywords:
        if keyword.arg and is_secret_name(keyword.arg):
            yield Use(keyword.value, keyword.arg, label, _kind(keyword.arg), config=True)
    for arg in call.args:
        if isinstance(arg, ast.Dict):
            for key, value in zip(arg.keys, arg.values, strict=False):
                name = literal_string(key)
                if name and is_secret_name(name):
                    yield Use(value, name, label, _kind(name), config=True)


# Setting names that hold an application's signing key in Flask/Starlette-style
# configuration modules and classes (loaded with ``from_object``/``from_pyfile``).
CONFIG_KEYS = frozenset({"SECRET_KEY", "JWT_SECRET_KEY", "SESSION_SECRET", "SESSION_SECRET_KEY"})
_CONFIG_CLASS_SUFFIXES = ("Config", "Configuration", "Settings")


def _config_module(path: str) -> bool:
    stem = PurePosixPath(path).stem.lower()
    return "config" in stem or "settings" in stem


def _configuration_uses(doc: PythonFile) -> Iterator[Use]:
    """``SECRET_KEY = "…"`` in a configuration class (``class ProductionConfig``), unless a
    development class or overridden by every production subclass, or at the top of a
    configuration module that is not a Django settings module (Django's own rule, CFG015,
    judges those)."""
    tree = doc.tree
    if not isinstance(tree, ast.Module) or not any(k in doc.text for k in CONFIG_KEYS):
        return
    for owner in index_of(doc).of(ast.ClassDef):
        if not owner.name.endswith(_CONFIG_CLASS_SUFFIXES) or name_has_dev_word(owner.name):
            continue
        for statement in owner.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                name = target_name(statement.targets[0])
                if name in CONFIG_KEYS and not overridden_in_production(tree, owner, name):
                    label = f"`{owner.name}.{name}`"
                    yield Use(statement.value, name, label, _kind(name), config=True)
    if not _config_module(doc.path) or is_settings_module(doc):
        return
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            name = target_name(statement.targets[0])
            if name in CONFIG_KEYS and isinstance(statement.targets[0], ast.Name):
                yield Use(statement.value, name, f"`{name}`", _kind(name), config=True)


def sink_uses(doc: PythonFile) -> Iterator[Use]:
    """Every literal (direct or through a module constant) that reaches a credential sink."""
    yield from (u for u in _configuration_uses(doc) if _literal_node(u.literal) is not None)
    imports = imports_of(doc)
    libraries = {v.split(".")[0] for v in imports.names.values()}
    constants = Constants(doc.tree)
    index = index_of(doc)
    for node in index.of(ast.Call, ast.Assign):
        if _discarded_hash(node, index):
            continue
        uses = (
            [*_call_uses(node, imports, libraries), *_config_call_uses(node)]
            if isinstance(node, ast.Call)
            else list(_assignment_uses(node))
        )
        for use in uses:
            resolved = constants.resolve(use.literal)
            if resolved is None:
                continue
            literal, constant = resolved
            yield Use(
                literal,
                constant or use.holder,
                use.sink,
                use.kind,
                use.seeds,
                constant,
                getattr(node, "lineno", 0),
                use.config,
            )


# Password hash functions: their literal is a credential only when the hash is kept.
_HASHERS = frozenset({"make_password", "generate_password_hash", "hash_password", "hashpw"})


def _discarded_hash(node: ast.AST, index: PyIndex) -> bool:
    """``make_password("waste-time")`` as a statement: a hash computed to even out response
    times (no account gets that password)."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in _HASHERS and isinstance(index.parent(node), ast.Expr)


def _scope_end(doc: PythonFile, node: ast.AST) -> int:
    """The last line of the function holding ``node`` (the module's end outside functions)."""
    for parent in index_of(doc).ancestors(node):
        if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef):
            return parent.end_lineno or parent.lineno
    return len(doc.lines)


def _config_loads(doc: PythonFile) -> list[int]:
    """Lines that load configuration from a file, an object or the environment."""
    return [
        call.lineno
        for call in index_of(doc).calls
        if isinstance(call.func, ast.Attribute) and call.func.attr in _LATER_CONFIG
    ]


_SIGNING_KINDS = ("JWT", "signing", "HMAC", "session signing")


def _detail(use: Use, weak: bool, default: bool) -> str:
    parts = []
    if use.constant:
        parts.append(f" through `{use.constant}` (line {use.line})")
    if default:
        return "".join(
            [*parts, ", a guessable default that stays unless the configuration loaded after it"
             " sets another"]
        )  # fmt: skip
    if weak:
        parts.append(", and a guessable one")
    if use.seeds:
        parts.append(": every installation that skips changing it can be logged into")
    elif weak and use.kind.startswith(_SIGNING_KINDS):
        parts.append(": anyone can forge what it signs")
    elif weak and use.kind == "Fernet key":
        parts.append(": anyone can decrypt what it protects")
    elif weak:
        parts.append(": anyone can try it")
    return "".join(parts)


@detector("secrets.python-sink", kind=Kind.PYTHON, params=ValueParams)
def python_credential_sink(doc: PythonFile, params: ValueParams) -> Iterator[Hit]:
    """Literal credentials passed to the code that uses them: JWT encode/decode keys,
    itsdangerous/Django signers, Fernet and HMAC keys, HTTP basic auth (``auth=(user, pw)``,
    ``HTTPBasicAuth``), ``smtplib``/``ftplib``/``imaplib`` logins, keyword credentials of
    database drivers, Redis, boto3 and other client libraries, Flask's ``secret_key`` and
    ``config["SECRET_KEY"]``/``config.update(...)``, and users created or given a password
    with a literal (``create_user``, ``create_superuser``, ``set_password``, password hash
    helpers). Keyword or positional, directly or through a module-level constant. Weak
    values are reported too (outside development modules); template stand-ins are not, nor
    are values the name-based or format rules already report, nor public keys."""
    report, floor = params.verdict(doc.path)
    if not report:
        return
    development = is_dev_module(doc.path)
    loads: list[int] | None = None
    seen: set[int] = set()
    for use in sink_uses(doc):
        value = literal_string(use.literal)
        if value is None or id(use.literal) in seen:
            continue
        if any(marker in value for marker in _PUBLIC_MARKERS) or owned_by_format_rules(value):
            continue
        strength = credential_strength(value, params.min_length, params.min_entropy)
        if strength is None:
            continue
        weak = strength == WEAK
        if weak and development:
            continue
        if use.holder and named_secret(use.holder, value, params.min_length, params.min_entropy):
            continue  # secrets.python-literal reports it under its name
        seen.add(id(use.literal))
        default = False
        if weak and use.config:
            loads = _config_loads(doc) if loads is None else loads
            end = _scope_end(doc, use.literal)
            default = any(use.line < at <= end for at in loads)
        yield literal_hit(
            doc,
            use.literal,
            fields={
                "sink": use.sink,
                "kind": use.kind,
                "masked": mask(value),
                "detail": _detail(use, weak, default),
            },
            severity=floor or (Severity.MEDIUM if default else None),
            context=f"sink {use.sink} {use.constant or ''}",
        )
