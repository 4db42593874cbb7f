"""The optional BAN rule pack: bandit's tests as catalogue rules (``rules/bandit/``), off by
default, run in-process by the ``bandit.test`` detector when ``shipcheck[bandit]`` is
installed. :func:`prepare` is the scan's one hook: it checks that bandit is there, applies
the project's bandit configuration and tells every BAN rule which tests run together.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from shipcheck.catalogue import Rule
from shipcheck.config import Config, ConfigError

FAMILY = "BAN"
DETECTOR = "bandit.test"
INSTALL_HINT = "pip install 'shipcheck[bandit]'"


def load_bandit() -> None:
    """Import bandit's engine. Its plug-in loader builds the list of tests on import, and the
    stevedore versions it runs with warn about an argument bandit still passes: noise that
    is neither the user's nor shipcheck's to act on."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from bandit.core import extension_loader, node_visitor, test_set  # noqa: F401


def missing_reason() -> str | None:
    """Why bandit cannot run in this environment, or None when it can."""
    try:
        load_bandit()
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] == "bandit":
            return f"bandit is not installed; install the extra: {INSTALL_HINT}"
        return f"bandit cannot be loaded ({exc}); reinstall it: {INSTALL_HINT}"
    except Exception as exc:  # a broken install must read as one, not as a traceback
        return (
            f"bandit cannot be loaded ({type(exc).__name__}: {exc}); reinstall it: {INSTALL_HINT}"
        )
    return None


def engine_version() -> str:
    """``bandit 1.9.4``, or what is missing to run the BAN rules."""
    reason = missing_reason()
    if reason is not None:
        return reason
    from importlib.metadata import version

    return f"bandit {version('bandit')}"


def installed_version() -> str:
    """``bandit 1.9.4`` from the installed metadata (bandit is not imported), or the hint."""
    from importlib.metadata import PackageNotFoundError, version
    from importlib.util import find_spec

    try:
        if find_spec("bandit") is not None:
            return f"bandit {version('bandit')}"
    except (PackageNotFoundError, ValueError):
        pass
    return f"bandit is not installed; install the extra: {INSTALL_HINT}"


def names_rule(selector: str, rule: Rule) -> bool:
    """Whether ``selector`` picks ``rule`` out by id, name or family (not ALL, key or area)."""
    upper = selector.upper()
    return upper == rule.id or selector == rule.name or (upper.isalpha() and upper == rule.family)


def prepare(
    rules: list[Rule], config: Config, root: Path, *, isolated: bool, notes: list[str]
) -> list[Rule]:
    """The selected rules, ready to run: BAN rules get the set of bandit tests selected
    together, the project's bandit exclusions and plugin options; rules bandit cannot run
    are dropped with a note. Naming a BAN rule (``--extend-select BAN``, ``BAN602``)
    without bandit installed is a usage error; reaching BAN rules through ``ALL``, a
    checklist key or an area only leaves them out, with a note."""
    engine = [r for r in rules if r.detector == DETECTOR]
    if not engine:
        return rules
    reason = missing_reason()
    if reason is not None:
        chosen = [*(config.select or []), *config.extend_select]
        named = sorted({s for s in chosen for r in engine if names_rule(s, r)})
        if named:
            raise ConfigError(f"{', '.join(named)}: the BAN rules run bandit, and {reason}")
        notes.append(f"{len(engine)} BAN rule(s) not run: {reason}")
        return [r for r in rules if r.detector != DETECTOR]
    return _configure(rules, engine, root, isolated, notes)


def _configure(
    rules: list[Rule], engine: list[Rule], root: Path, isolated: bool, notes: list[str]
) -> list[Rule]:
    from bandit.core.extension_loader import MANAGER

    from shipcheck.banditpack import settings as settings_mod

    settings = settings_mod.BanditSettings() if isolated else settings_mod.read(root)
    notes.extend(settings.notes)
    skips = _ids(settings.skips, MANAGER)
    only = _ids(settings.tests, MANAGER)
    installed = set(MANAGER.plugins_by_id) | set(MANAGER.blacklist_by_id)
    dropped: dict[str, list[str]] = {}
    kept: list[Rule] = []
    for rule in engine:
        test = str(rule.params.get("test", ""))
        if test not in installed:
            why = "the installed bandit has no such test (upgrade bandit)"
        elif test in skips or (only and test not in only):
            why = f"skipped by {' and '.join(settings.sources)}"
        else:
            kept.append(rule)
            continue
        dropped.setdefault(why, []).append(rule.id)
    for why, ids in dropped.items():
        notes.append(f"{', '.join(ids)} not run: {why}")
    tests = tuple(sorted({str(r.params["test"]) for r in kept}))
    extra = {
        "tests": tests,
        "exclude": tuple(settings.exclude),
        "plugin_config": settings.plugin_config,
        # Part of the rule's identity, so a result cache keyed by rules and params does not
        # hand one bandit's results to another.
        "engine": engine_version(),
    }
    ready = {r.id: replace(r, params={**r.params, **extra}) for r in kept}
    return [ready.get(r.id, r) for r in rules if r.detector != DETECTOR or r.id in ready]


def _ids(values: Iterable[str], manager: object) -> set[str]:
    """Test ids for ids or names as bandit accepts them (``B101`` or ``assert_used``)."""
    found = set()
    for value in values:
        test_id = value.upper() if value.upper().startswith("B") and value[1:].isdigit() else None
        found.add(test_id or manager.get_test_id(value) or value)  # type: ignore[attr-defined]
    return found
