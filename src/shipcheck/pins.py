"""Package names and exact pins, one implementation for every rule (through ``packaging``)."""

from __future__ import annotations

# ``packaging`` is imported where it is used: the models import this module, and a scan of
# Python files alone never asks about a pin.


def canonical_name(name: str) -> str:
    """The PEP 503 normalised name (``Flask_SQLAlchemy`` → ``flask-sqlalchemy``)."""
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def exact_version(specifier: str) -> str | None:
    """The version an exact pin allows (``==1.2.3``, ``=== 1.2.3``), else None: ranges,
    wildcards (``==1.2.*``), several clauses and invalid specifiers pin nothing."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        clauses = list(SpecifierSet(specifier.strip()))
    except InvalidSpecifier:
        return None
    if len(clauses) != 1:
        return None
    clause = clauses[0]
    if clause.operator == "===" or (clause.operator == "==" and not clause.version.endswith("*")):
        return clause.version
    return None


def is_exact_pin(specifier: str) -> bool:
    """Whether ``specifier`` allows exactly one version."""
    return exact_version(specifier) is not None
