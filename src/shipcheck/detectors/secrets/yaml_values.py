"""Secret literals in YAML: Compose ``environment``, Kubernetes env ``value`` and container
args, Kubernetes ``Secret`` manifests, CI ``env``/``variables``, and any configuration YAML.

The split with ``k8s.secret-refs`` (kubernetes.secret-env-literal): a secret-named env entry
whose literal looks like a real secret is reported here, once, as a leaked value; the
Kubernetes rule reports the placeholders and empty values this rule passes over.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shipcheck import lazyre
from shipcheck.detectors.common import is_secret_name, mask
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.context import ValueParams, is_dev_config
from shipcheck.detectors.secrets.values import (
    WEAK_DEFAULT,
    in_dev_tooling,
    kind_of_secret,
    looks_like_secret,
    named_secret,
    owned_by_format_rules,
    weak_credential,
)
from shipcheck.models.artifacts import Kind, YamlFile
from shipcheck.models.findings import Hit, Severity
from shipcheck.parsers.yaml_values import LMap, walk
from shipcheck.roles import Role

YAML_KINDS = (Kind.YAML, Kind.COMPOSE, Kind.KUBERNETES, Kind.GITHUB_ACTIONS, Kind.GITLAB_CI)
# KEY=value in Compose list-form environment, --flag=value in container args.
_ASSIGNMENT = lazyre.compile(r"^(?:--?)?(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)=(?P<value>.+)$")
# Objects that hold encrypted or referenced values, never plain secrets.
_ENCRYPTED_KINDS = frozenset({"SealedSecret", "ExternalSecret", "SecretProviderClass"})


@dataclass(frozen=True)
class _Literal:
    name: str
    value: str
    line: int
    column: int  # of the scalar, quote included
    offset: int = 0  # of the value inside the scalar (list items: after KEY=)
    kind: str | None = None  # overrides the kind derived from the name


def _entries(root: Any) -> Iterator[_Literal]:
    """Named string literals: map entries, ``{name: X, value: Y}`` pairs and ``KEY=value``
    list items, at any depth (each node once, however many aliases reach it)."""
    for node in walk(root):
        if isinstance(node, LMap):
            name, value = node.get("name"), node.get("value")
            if isinstance(name, str) and isinstance(value, str) and "value" in node.value_pos:
                yield _Literal(name, value, node.value_line("value"), node.value_column("value"))
            for key, item in node.items():
                if isinstance(key, str) and isinstance(item, str) and key not in {"name", "value"}:
                    yield _Literal(key, item, node.value_line(key), node.value_column(key))
            continue
        for index, item in enumerate(node):
            if isinstance(item, str) and index < len(node.item_pos):
                match = _ASSIGNMENT.match(item)
                if match:
                    line, column = node.item_pos[index]
                    yield _Literal(
                        match.group("name"), match.group("value"), line, column,
                        offset=match.start("value"),
                    )  # fmt: skip


def _secret_object_entries(doc: LMap) -> Iterator[_Literal]:
    """Every value of a Kubernetes Secret's ``stringData`` and (decoded) ``data``."""
    string_data = doc.get("stringData")
    if isinstance(string_data, LMap):
        for key, value in string_data.items():
            if not isinstance(key, str) or not isinstance(value, str):
                continue
            if looks_like_secret(value) and not owned_by_format_rules(value):
                kind = kind_of_secret(key) if is_secret_name(key) else "a Secret value"
                line, column = string_data.value_line(key), string_data.value_column(key)
                yield _Literal(key, value, line, column, kind=kind)
    data = doc.get("data")
    if isinstance(data, LMap):
        for key, value in data.items():
            if not isinstance(key, str) or not isinstance(value, str):
                continue
            kind = _decoded_kind(value)
            if kind:
                yield _Literal(key, value, data.value_line(key), data.value_column(key), kind=kind)


def _deployment_settings(doc: YamlFile, document: LMap) -> Iterator[_Literal]:
    """Settings a deployment runs with as written: Compose services' ``environment`` and a
    Kubernetes ``ConfigMap``'s ``data`` (Kubernetes container ``env`` values are the
    k8s.secret-refs rule's, CI ``env`` feeds throwaway test services)."""
    if doc.kind is Kind.COMPOSE:
        services = document.get("services")
        if local_development(doc):
            return
        for service in services.values() if isinstance(services, LMap) else []:
            if isinstance(service, LMap) and service.get("environment") is not None:
                yield from _entries(service.get("environment"))
    elif document.get("kind") == "ConfigMap" and isinstance(document.get("data"), LMap):
        yield from _entries(document.get("data"))


def local_development(doc: YamlFile) -> bool:
    """Whether a Compose file is how developers run the project: the file's role, decided once
    per scan (``roles``: a development variant, or one whose services run a reloading server
    or mount the working tree)."""
    return doc.role.role is Role.DEVELOPMENT


def _weak_defaults(doc: YamlFile, document: LMap, floor: Severity | None) -> Iterator[Hit]:
    """Guessable values under secret names in deployment settings (``POSTGRES_PASSWORD:
    postgres``, ``ADMIN_PASSWORD: changeme``), at medium: deployments run with them."""
    configmap = document.get("kind") == "ConfigMap"
    for literal in _deployment_settings(doc, document):
        if not weak_credential(literal.name, literal.value):
            continue
        column = _column(doc, literal)
        kind = WEAK_DEFAULT + (", in a ConfigMap rather than a Secret" if configmap else "")
        yield Hit(
            line=literal.line,
            column=column,
            end_column=column + len(literal.value),
            fields={"name": literal.name, "kind": kind, "masked": mask(literal.value)},
            severity=floor or Severity.MEDIUM,
        )


def _decoded_kind(encoded: str) -> str | None:
    try:
        raw = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    text = raw.decode("utf-8", errors="replace")
    if "PRIVATE KEY-----" in text:
        return "a base64-encoded private key"
    if looks_like_secret(text) or owned_by_format_rules(text):
        return "a base64-encoded secret value"
    return None


def _column(doc: YamlFile, literal: _Literal) -> int:
    text = doc.line_text(literal.line)
    column = literal.column
    if 0 < column <= len(text) and text[column - 1] in "'\"":
        column += 1
    return column + literal.offset


@detector("secrets.yaml-literal", kind=YAML_KINDS, params=ValueParams)
def yaml_secret_literal(doc: YamlFile, params: ValueParams) -> Iterator[Hit]:
    """Real-looking literals under secret-named keys (map keys, ``name``/``value`` env
    pairs, ``KEY=value`` items), and the values of Kubernetes ``Secret`` manifests. Known
    credential formats and URLs are left to their own rules; development Compose files
    (``compose.override.yaml``, ``docker-compose.dev.yml``) get the context severity."""
    report, floor = params.verdict(doc.path)
    if not report:
        return
    development = doc.kind is Kind.COMPOSE and is_dev_config(doc.path)
    if floor is None and development:
        floor = Severity.parse(params.context_severity)
    seen: set[tuple[int, int]] = set()
    for document in doc.documents:
        if not isinstance(document, LMap) or "sops" in document:
            continue
        literals: Iterator[_Literal]
        kind = document.get("kind")
        if kind in _ENCRYPTED_KINDS:
            continue
        if kind == "Secret" and isinstance(document.get("apiVersion"), str):
            literals = _secret_object_entries(document)
        else:
            literals = _entries(document)
            if not development and not in_dev_tooling(doc.path):  # guessable values
                yield from _weak_defaults(doc, document, floor)
        for literal in literals:
            what = literal.kind or named_secret(
                literal.name, literal.value, params.min_length, params.min_entropy
            )
            if what is None or (literal.line, literal.column) in seen:
                continue
            seen.add((literal.line, literal.column))
            column = _column(doc, literal)
            yield Hit(
                line=literal.line,
                column=column,
                end_column=column + len(literal.value) if "\n" not in literal.value else None,
                fields={"name": literal.name, "kind": what, "masked": mask(literal.value)},
                severity=floor,
            )
