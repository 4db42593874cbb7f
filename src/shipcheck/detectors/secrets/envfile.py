"""Secret values in dotenv files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from shipcheck.detectors.common import is_placeholder, is_secret_name, mask
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import EnvFile, Kind
from shipcheck.models.findings import Hit

TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".tmpl", ".defaults")
_URL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.\-]*://[^:/@\s]+:([^@\s]+)@", re.IGNORECASE)


def is_template_env(path: str) -> bool:
    """``.env.example`` and friends document variables; they are not real settings."""
    name = PurePosixPath(path).name.lower()
    return name.endswith(TEMPLATE_SUFFIXES) or ".example" in name or ".sample" in name


@detector("secrets.env-file-values", kind=Kind.ENV)
def env_file_secrets(doc: EnvFile, params: None) -> Iterator[Hit]:
    """Non-placeholder values of secret-named keys, and URLs with an inline password, in
    .env files that are not templates."""
    if is_template_env(doc.path):
        return
    for entry in doc.entries:
        value = entry.value
        url = _URL_PASSWORD.match(value)
        if url and not is_placeholder(url.group(1)):
            yield Hit(
                line=entry.line,
                column=entry.column,
                fields={"name": entry.key, "kind": "URL with a password", "masked": mask(value)},
            )
        elif is_secret_name(entry.key) and not is_placeholder(value) and len(value) >= 6:
            yield Hit(
                line=entry.line,
                column=entry.column,
                fields={"name": entry.key, "kind": "secret value", "masked": mask(value)},
            )
