"""The fixer registry: rule id → the function that fixes its findings.

A fixer receives a :class:`~shipcheck.fixes.context.FixContext` (one file's current text,
its parsed artifact, the project model) and the open findings of its rule in that file,
and returns :class:`~shipcheck.fixes.edits.Edit` objects. It edits only what those findings
point at, and returns nothing for a finding it cannot fix with certainty. Fixers of one
``group`` are called together (the Python fixers share one libcst pass per file).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from shipcheck.models.findings import Finding

SAFE = "safe"
UNSAFE = "unsafe"
# Modules that register fixers; importing them must stay cheap (no libcst at import time).
FIXER_MODULES = (
    "shipcheck.fixes.dockerfile",
    "shipcheck.fixes.ignorefiles",
    "shipcheck.fixes.compose",
    "shipcheck.fixes.kubernetes",
    "shipcheck.fixes.workflows",
    "shipcheck.fixes.python",
    "shipcheck.fixes.requirements",
)

FixFunc = Callable[..., Iterable[Any]]


@dataclass(frozen=True)
class Fixer:
    """How one rule's findings are fixed.

    ``offers`` answers, from a finding alone (no file read), whether this fixer handles
    that kind of finding; reports use it to mark findings as fixable, unless ``marked`` is
    False (whether the fix applies depends on other files, e.g. a lock file).
    ``needs_project`` fixers read the project model (build contexts, lock files) and are
    skipped where there is none (SARIF output of a scan)."""

    rule_id: str
    safety: str
    func: FixFunc
    description: str
    offers: Callable[[Finding], bool] | None = None
    group: str = ""
    needs_project: bool = False
    marked: bool = True

    def handles(self, finding: Finding) -> bool:
        """Whether the fixer can be expected to fix ``finding``."""
        return self.offers is None or bool(self.offers(finding))


_FIXERS: dict[str, Fixer] = {}
_loaded = False


def fixer(
    rule_id: str,
    safety: str,
    description: str,
    offers: Callable[[Finding], bool] | None = None,
    group: str = "",
    needs_project: bool = False,
    marked: bool = True,
) -> Callable[[FixFunc], FixFunc]:
    """Register ``func(ctx, findings) -> Iterable[Edit]`` as the fixer of ``rule_id``."""
    if safety not in (SAFE, UNSAFE):
        raise ValueError(f"fixer {rule_id}: safety must be {SAFE!r} or {UNSAFE!r}")

    def register(func: FixFunc) -> FixFunc:
        if rule_id in _FIXERS:
            raise ValueError(f"two fixers for {rule_id}")
        _FIXERS[rule_id] = Fixer(
            rule_id, safety, func, description, offers, group or rule_id, needs_project, marked
        )
        return func

    return register


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in FIXER_MODULES:
            importlib.import_module(module)


def get(rule_id: str) -> Fixer | None:
    """The fixer of a rule, if it has one."""
    _load()
    return _FIXERS.get(rule_id)


def all_fixers() -> dict[str, Fixer]:
    """Every registered fixer by rule id."""
    _load()
    return dict(_FIXERS)
