"""Secret-named environment variables that do not come from a Secret.

The split with ``secrets.hardcoded``: a literal that looks like a real secret is that rule's
finding (the value has leaked), decided by the secrets rules' own test so that one line is
reported once. This module reports every other literal under a secret name: placeholders and
empty values (the real value will be typed into the manifest or substituted at deploy time,
and then sits in the pod spec for anyone who may read Deployments), weak literals the
secrets rules do not call real (``admin``), and values read from a ConfigMap."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from shipcheck import lazyre
from shipcheck.detectors.common import is_placeholder, is_secret_name, mask
from shipcheck.detectors.kubernetes.workloads import Container, all_containers
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.values import looks_like_secret, owned_by_format_rules
from shipcheck.models.artifacts import Kind, KubernetesFile
from shipcheck.models.findings import Hit

# Flags and numbers under a secret-ish name (USE_PASSWORD_AUTH: "true") hold no secret.
_NOT_A_SECRET = lazyre.compile(
    r"^(true|false|yes|no|on|off|enabled?|disabled?|-?\d+(\.\d+)?)$", re.I
)
# Kubernetes' own dependent-variable syntax: the value comes from another env entry.
_DEPENDENT = lazyre.compile(r"^\$\([A-Za-z_][A-Za-z0-9_]*\)$")


def _env_entries(container: Container) -> Iterator[Any]:
    env = container.spec.get("env")
    for entry in env if isinstance(env, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            yield entry


def _literal_kind(value: Any) -> str | None:
    """How a literal under a secret name is a stand-in for the secret, or None."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool | int | float):
        return None
    text = str(value).strip()
    if _NOT_A_SECRET.match(text) or _DEPENDENT.match(text):
        return None
    if not text:
        return "an empty value"
    if looks_like_secret(text) or owned_by_format_rules(text):
        return None  # a leaked secret: the hard-coded secret rules report it
    if text.startswith("$"):
        return f"`{text}`, substituted at deploy time,"
    if is_placeholder(text):
        return f"the placeholder `{text}`"
    return f"the literal `{mask(text)}`"


@detector("kubernetes.secret-env-literal", kind=Kind.KUBERNETES)
def secret_env_literal(doc: KubernetesFile, params: None) -> Iterator[Hit]:
    """Secret-named env entries set with ``value:`` to a literal instead of
    ``valueFrom.secretKeyRef``: empty, placeholder, substituted or weak values (real-looking
    secrets are ``secrets.hardcoded`` findings; flags and numbers are no secrets)."""
    for container in all_containers(doc.objects):
        for entry in _env_entries(container):
            name = entry["name"]
            if "value" not in entry or "valueFrom" in entry or not is_secret_name(name):
                continue
            kind = _literal_kind(entry.get("value"))
            if kind is None:
                continue
            yield Hit(
                line=entry.key_line("value"),
                column=entry.value_column("value")
                if entry.get("value") is not None
                else entry.key_pos["value"][1],
                fields={"container": container.label, "name": name, "literal": kind},
                context=f"{container.context_key} env {name}",
            )


@detector("kubernetes.secret-from-configmap", kind=Kind.KUBERNETES)
def secret_from_configmap(doc: KubernetesFile, params: None) -> Iterator[Hit]:
    """Secret-named env entries read from a ConfigMap (``configMapKeyRef``)."""
    for container in all_containers(doc.objects):
        for entry in _env_entries(container):
            name = entry["name"]
            source = entry.get("valueFrom")
            ref = source.get("configMapKeyRef") if isinstance(source, dict) else None
            if not isinstance(ref, dict) or not is_secret_name(name):
                continue
            yield Hit(
                line=source.key_line("configMapKeyRef"),
                column=source.key_pos["configMapKeyRef"][1],
                fields={
                    "container": container.label,
                    "name": name,
                    "configmap": str(ref.get("name", "?")),
                },
                context=f"{container.context_key} env {name} configmap",
            )
