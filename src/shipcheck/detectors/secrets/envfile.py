"""Secret values in dotenv files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from shipcheck.detectors.common import mask
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.context import ValueParams, name_has_dev_word
from shipcheck.detectors.secrets.values import (
    WEAK_DEFAULT,
    in_dev_tooling,
    named_secret,
    weak_credential,
)
from shipcheck.models.artifacts import EnvFile, Kind
from shipcheck.models.findings import Hit, Severity

TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".tmpl", ".defaults", ".tpl")
TEMPLATE_WORDS = ("example", "sample", "template", "dist", "tmpl", "defaults")
TEST_ENV_SUFFIXES = (".test", ".testing", ".ci", ".tests")


def is_template_env(path: str) -> bool:
    """``.env.example`` and friends document variables; they are not real settings."""
    name = PurePosixPath(path).name.lower()
    return name.endswith(TEMPLATE_SUFFIXES) or any(f".{w}" in name for w in TEMPLATE_WORDS)


def is_env_file_name(name: str) -> bool:
    """``.env``, ``.env.production``, ``prod.env``: dotenv files by name."""
    lower = name.lower()
    return lower == ".env" or lower.startswith(".env.") or lower.endswith(".env")


@detector("secrets.env-file-values", kind=Kind.ENV, params=ValueParams)
def env_file_secrets(doc: EnvFile, params: ValueParams) -> Iterator[Hit]:
    """Real-looking values of secret-named keys in .env files that are not templates
    (``.env.example``) or test settings (``.env.test``). URLs with a password and known
    credential formats are left to the rules that own them."""
    report, floor = params.verdict(doc.path)
    if not report or is_template_env(doc.path):
        return
    if PurePosixPath(doc.path).name.lower().endswith(TEST_ENV_SUFFIXES):
        report, floor = params.verdict("tests/" + doc.path)
        if not report:
            return
    defaults = not _development_env(doc.path) and not in_dev_tooling(doc.path)
    for entry in doc.entries:
        kind = named_secret(entry.key, entry.value, params.min_length, params.min_entropy)
        severity = floor
        if kind is None and defaults and weak_credential(entry.key, entry.value):
            kind, severity = WEAK_DEFAULT, floor or Severity.MEDIUM
        if kind is None:
            continue
        yield Hit(
            line=entry.line,
            column=entry.column,
            end_column=entry.column + len(entry.value),
            fields={"name": entry.key, "kind": kind, "masked": mask(entry.value)},
            severity=severity,
        )


def _development_env(path: str) -> bool:
    """``.env.development``, ``.env.local``, ``dev.env``: one developer's machine, where a
    weak default is expected."""
    parts = PurePosixPath(path).name.lower().replace("-", ".").replace("_", ".").split(".")
    return any(name_has_dev_word(p) for p in parts if p and p != "env")
