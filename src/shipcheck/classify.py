"""Decide what kind of artifact a file is from its name; YAML is refined by content
when parsed (see :mod:`shipcheck.parsers.yamlfiles`)."""

from __future__ import annotations

import re

from shipcheck import lazyre
from shipcheck.models.kinds import Kind

_REQUIREMENTS = lazyre.compile(
    r"^(?:.*[-_.])?(requirements|reqs|constraints)(?:[-_.].*)?\.(txt|in|pip)$", re.IGNORECASE
)
_DOCKERFILE = lazyre.compile(
    r"^(?:(docker|container)file(?:[.\-_].+)?|.+\.(docker|container)file)$", re.IGNORECASE
)
_LOCKFILES = frozenset({"pipfile.lock", "poetry.lock", "uv.lock", "pdm.lock", "pylock.toml"})
_TEXT_SUFFIXES = frozenset(
    {
        ".txt", ".md", ".rst", ".ini", ".cfg", ".conf", ".json", ".toml", ".properties",
        ".sh", ".bash", ".zsh", ".ps1", ".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx",
        ".html", ".htm", ".xml", ".tf", ".tfvars", ".sql", ".j2", ".jinja", ".tpl",
        ".pem", ".key", ".cer", ".crt", ".p8", ".netrc", ".npmrc", ".pypirc", ".envrc",
    }
)  # fmt: skip
_TEXT_NAMES = frozenset(
    {".netrc", ".npmrc", ".pypirc", ".envrc", "makefile", "id_rsa", "id_ed25519"}
)


def classify(path: str) -> Kind | None:
    """The artifact kind of repo-relative ``path``, or None when shipcheck does not read it."""
    # String operations, not PurePosixPath: this runs for every file of the tree.
    folders, _, name = path.rpartition("/")
    lower = name.lower()
    dot = lower.rfind(".")
    suffix = lower[dot:] if 0 < dot < len(lower) - 1 else ""
    if suffix in {".py", ".pyw"}:
        return Kind.PYTHON
    if lower == "pyproject.toml":
        return Kind.PYPROJECT
    if name == "Pipfile":
        return Kind.PIPFILE
    if lower in _LOCKFILES:
        return Kind.LOCKFILE
    if _REQUIREMENTS.match(name) or (
        suffix in {".txt", ".in"} and "requirements" in folders.lower().split("/")
    ):
        return Kind.REQUIREMENTS
    if lower == ".dockerignore" or lower.endswith(".dockerignore"):
        return Kind.DOCKERIGNORE
    if _DOCKERFILE.match(name) and suffix not in {".md", ".txt", ".py", ".sh", ".yml", ".yaml"}:
        return Kind.DOCKERFILE
    if suffix in {".yml", ".yaml"}:
        return Kind.YAML
    if lower == ".env" or lower.startswith(".env.") or suffix == ".env":
        return Kind.ENV
    if lower == "procfile" or lower.startswith("procfile."):
        return Kind.PROCFILE
    if suffix in _TEXT_SUFFIXES or lower in _TEXT_NAMES:
        return Kind.TEXT
    return None
