"""Reading Compose services: port and volume syntaxes, databases and their data."""

from __future__ import annotations

import textwrap

import pytest

from shipcheck.detectors.compose.databases import database
from shipcheck.detectors.compose.services import (
    dependencies,
    is_override_file,
    is_throwaway_file,
    mounts,
    ports,
    services,
)
from shipcheck.parsers.yamlfiles import parse


def service(text: str):
    doc = parse("compose.yaml", textwrap.dedent(text).encode())
    return dict(services(doc))["svc"]


@pytest.mark.parametrize(
    ("entry", "host_ip", "target", "everywhere"),
    [
        ('"5432:5432"', None, 5432, True),
        ('"127.0.0.1:5432:5432"', "127.0.0.1", 5432, False),
        ('"[::1]:5432:5432"', "[::1]", 5432, False),
        ('"0.0.0.0:8000:8000/tcp"', "0.0.0.0", 8000, True),
        ('"8000-8002:8000-8002"', None, 8000, True),
        ('"9000"', None, 9000, True),
        ("{target: 6379, published: 6379, host_ip: 127.0.0.1}", "127.0.0.1", 6379, False),
        ("{target: 6379}", None, 6379, True),
    ],
)
def test_port_syntaxes(entry, host_ip, target, everywhere):
    found = ports(service(f"services:\n  svc:\n    image: x:1\n    ports:\n      - {entry}\n"))
    assert [(p.host_ip, p.target, p.all_interfaces) for p in found] == [
        (host_ip, target, everywhere)
    ]


def test_mount_kinds():
    found = mounts(
        service(
            """
            services:
              svc:
                image: x:1
                volumes:
                  - data:/var/lib/data
                  - ./conf:/etc/app:ro
                  - /var/cache/app
                  - {type: volume, target: /srv}
                  - {type: bind, source: /opt, target: /opt}
                tmpfs: [/tmp:size=64m]
            """
        )
    )
    assert [(m.type, m.target) for m in found] == [
        ("volume", "/var/lib/data"),
        ("bind", "/etc/app"),
        ("anonymous", "/var/cache/app"),
        ("anonymous", "/srv"),
        ("bind", "/opt"),
        ("tmpfs", "/tmp"),
    ]


def test_dependencies_in_both_forms():
    short = service("services:\n  svc:\n    image: x:1\n    depends_on: [db, cache]\n")
    long = service(
        "services:\n  svc:\n    image: x:1\n    depends_on:\n"
        "      db: {condition: service_healthy}\n      cache: {}\n"
    )
    assert [(d.service, d.condition) for d in dependencies(short)] == [
        ("db", "service_started"),
        ("cache", "service_started"),
    ]
    assert [(d.service, d.condition) for d in dependencies(long)] == [
        ("db", "service_healthy"),
        ("cache", "service_started"),
    ]


@pytest.mark.parametrize(
    ("image", "command", "engine", "persistent"),
    [
        ("postgres:16.3", None, "postgres", True),
        ("docker.io/library/mysql:8.4", None, "mysql", True),
        ("bitnami/postgresql:16", None, "postgresql", True),
        ("mcr.microsoft.com/mssql/server:2022-latest", None, "mssql/server", True),
        ("redis:7.2.5", None, "redis", False),
        ("redis:7.2.5", "redis-server --appendonly yes", "redis", True),
        ("redis:7.2.5", 'redis-server --save ""', "redis", False),
        ("memcached:1.6", None, "memcached", False),
    ],
)
def test_databases(image, command, engine, persistent):
    text = f"services:\n  svc:\n    image: {image}\n"
    if command:
        text += f"    command: {command!r}\n"
    found = database(service(text))
    assert found is not None
    assert (found.engine, found.persistent) == (engine, persistent)


@pytest.mark.parametrize("image", ["nginx:1.27", "registry.example.com/shop:1.4.2", "python:3.12"])
def test_not_databases(image):
    assert database(service(f"services:\n  svc:\n    image: {image}\n")) is None


def test_pgdata_moves_the_data_directory():
    found = database(
        service(
            "services:\n  svc:\n    image: postgres:16\n    environment:\n"
            "      PGDATA: /pgdata/16\n"
        )
    )
    assert found is not None and found.data_dirs == ["/pgdata/16"]


@pytest.mark.parametrize(
    ("path", "throwaway", "override"),
    [
        ("docker-compose.yml", False, False),
        ("docker-compose.test.yml", True, False),
        ("ci/compose.ci.yaml", True, False),
        ("docker-compose.override.yml", False, True),
        ("compose.circle.yaml", False, False),
    ],
)
def test_file_roles(path, throwaway, override):
    assert is_throwaway_file(path) is throwaway
    assert is_override_file(path) is override


def test_one_finding_per_service_lists_every_dependency_not_awaited():
    from shipcheck.detectors.compose.hardening import depends_on_not_healthy

    doc = parse(
        "compose.yaml",
        textwrap.dedent(
            """\
            services:
              web:
                image: shop:1
                depends_on:
                  db: {condition: service_started}
                  cache: {}
                  migrate: {condition: service_completed_successfully}
                  queue: {condition: service_healthy}
              db:
                image: postgres:16.3
                healthcheck: {test: ["CMD", "pg_isready"]}
              cache:
                image: redis:7.2.5
            """
        ).encode(),
    )
    hits = list(depends_on_not_healthy(doc, None))
    assert [(h.line, h.fields["count"], h.context) for h in hits] == [(5, 2, "web depends_on db")]
    assert hits[0].fields["dependencies"] == "`db`, `cache` (line 6)"
    assert hits[0].fields["advice"] == (
        "add `condition: service_healthy` for `db`; give `cache` a healthcheck and wait "
        "with `condition: service_healthy`"
    )
