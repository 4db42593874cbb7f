"""Bounds on what parsing one document may cost, apart from the parsers (the configuration
and the engine name them without importing a YAML parser)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class YamlLimits:
    """Bounds on what one YAML document may cost. Aliases let a 1 KB file describe billions of
    nodes ("billion laughs"); a document over a bound is skipped with a reason, the others
    are still read."""

    # Nodes reached through aliases (beyond the document's own nodes). Real manifests and
    # workflows reuse a few anchors (CI job templates): hundreds of nodes, not 100,000.
    max_alias_nodes: int = 100_000
    # Nesting depth after alias expansion. Kubernetes CRD schemas, the deepest real YAML we
    # read, stay under 40 levels; 200 keeps recursive readers far from Python's stack limit.
    max_depth: int = 200


# The bounds of this process's scan (``set_limits``; the parsers read them when called).
_CURRENT = [YamlLimits()]


def set_limits(limits: YamlLimits) -> None:
    """Use ``limits`` for the YAML read from now on in this process (the scan's config)."""
    _CURRENT[0] = limits


def current() -> YamlLimits:
    """The bounds set for this process."""
    return _CURRENT[0]
