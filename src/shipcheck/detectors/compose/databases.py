"""Which Compose services are databases, and where each keeps its data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shipcheck.detectors.compose.services import command_tokens, environment, image_of

# Image name (last path segment, or a longer ``owner/name`` suffix) → data directories; a
# volume on any one of them (or on a parent) keeps the data.
DATA_DIRS: dict[str, list[str]] = {
    "postgres": ["/var/lib/postgresql/data", "/var/lib/postgresql"],
    "postgis": ["/var/lib/postgresql/data", "/var/lib/postgresql"],
    "timescaledb": ["/var/lib/postgresql/data", "/var/lib/postgresql"],
    "pgvector": ["/var/lib/postgresql/data", "/var/lib/postgresql"],
    "mysql": ["/var/lib/mysql"],
    "mariadb": ["/var/lib/mysql"],
    "percona": ["/var/lib/mysql"],
    "percona-server": ["/var/lib/mysql"],
    "mongo": ["/data/db"],
    "mongodb-community-server": ["/data/db"],
    "redis": ["/data"],
    "valkey": ["/data"],
    "elasticsearch": ["/usr/share/elasticsearch/data"],
    "opensearch": ["/usr/share/opensearch/data"],
    "rabbitmq": ["/var/lib/rabbitmq"],
    "influxdb": ["/var/lib/influxdb2", "/var/lib/influxdb"],
    "cassandra": ["/var/lib/cassandra"],
    "couchdb": ["/opt/couchdb/data"],
    "neo4j": ["/data"],
    "clickhouse-server": ["/var/lib/clickhouse"],
    "qdrant": ["/qdrant/storage"],
    "mssql/server": ["/var/opt/mssql"],
}
BITNAMI = frozenset(
    {"postgresql", "mysql", "mariadb", "mongodb", "redis", "valkey", "elasticsearch",
     "opensearch", "rabbitmq", "cassandra", "influxdb", "clickhouse", "couchdb", "neo4j"}
)  # fmt: skip
# Databases that keep data only in memory unless persistence is switched on.
OPT_IN_PERSISTENCE = frozenset({"redis", "valkey"})
# Servers worth a finding when published, though they hold no durable data.
NETWORK_ONLY = frozenset({"memcached"})


@dataclass(frozen=True)
class Database:
    """A database service: its engine name and where its data lives."""

    engine: str
    data_dirs: list[str] = field(default_factory=list)
    persistent: bool = True  # False: keeps data in memory only (redis without --appendonly)


def _redis_persistent(service: Any) -> bool:
    tokens = command_tokens(service.get("command")) or []
    for index, token in enumerate(tokens):
        value = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token == "--appendonly" and value.lower() == "yes":
            return True
        if token == "--save" and value.strip() not in {"", '""', "''"}:
            return True
        if token.endswith(".conf"):  # a config file can switch persistence on
            return True
    return False


def database(service: Any, table: dict[str, Any] | None = None) -> Database | None:
    """The database a service runs, judged by its image, or None."""
    ref = image_of(service)
    if ref is None:
        return None
    table = table if table is not None else DATA_DIRS
    repository = ref.repository.lower()
    owner = repository.rsplit("/", 2)[-2] if repository.count("/") else ""
    name = ref.basename.lower()
    if name in NETWORK_ONLY:
        return Database(name, [], persistent=False)
    if owner == "bitnami":
        # Bitnami images keep everything under /bitnami/<product>.
        if name not in BITNAMI:
            return None
        # Bitnami's redis and valkey turn append-only persistence on by default.
        return Database(name, [f"/bitnami/{name}"], True)
    key = next((k for k in table if "/" in k and repository.endswith(k)), None) or (
        name if name in table else None
    )
    if key is None:
        return None
    dirs = [str(d) for d in table[key]] if isinstance(table[key], list) else []
    if key in {"postgres", "postgis", "timescaledb", "pgvector"}:
        pgdata = environment(service).get("PGDATA")
        if pgdata and pgdata.startswith("/"):
            dirs = [pgdata.rstrip("/")]
    persistent = key not in OPT_IN_PERSISTENCE or _redis_persistent(service)
    return Database(key, dirs, persistent)
