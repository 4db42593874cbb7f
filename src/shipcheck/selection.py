"""Which rules run: ``select`` sets the base (default: every default-on rule), ``extend-select``
adds, ``ignore`` removes; the command line beats the file. A selector is ``ALL``, a rule id, a
family or pack prefix (``DKR``), a rule name, a checklist key or an area."""

from __future__ import annotations

from collections.abc import Iterable

from shipcheck.catalogue import Catalogue, Rule
from shipcheck.config import Config, ConfigError
from shipcheck.detectors import registry
from shipcheck.models.findings import Severity
from shipcheck.suggest import did_you_mean


def matches(selector: str, rule: Rule) -> bool:
    """Whether ``selector`` names ``rule``."""
    if selector == "ALL":
        return True
    upper = selector.upper()
    return (
        upper == rule.id
        or (upper.isalpha() and rule.family == upper)
        or selector == rule.name
        or selector == rule.checklist
        or selector == rule.area
    )


def selector_names(rules: Iterable[Rule]) -> set[str]:
    """Every selector that names something: ids, names, families, checklist keys, areas."""
    names = {"ALL"}
    for rule in rules:
        names.update((rule.id, rule.name, rule.family, rule.checklist, rule.area))
    return names


def _check(selectors: Iterable[str], rules: list[Rule], subject: str) -> None:
    for selector in selectors:
        if not any(matches(selector, rule) for rule in rules):
            hint = did_you_mean(selector, selector_names(rules))
            raise ConfigError(f"{subject}: selector {selector!r} matches no rule{hint}")


def check_selectors(catalogue: Catalogue, config: Config) -> None:
    """Every key that takes rule selectors names rules that exist (else exit 2, naming the
    key and where it was set: the option on the command line, or the file)."""
    rules = list(catalogue.rules.values())
    _check(config.select or [], rules, config.describe("select"))
    _check(config.extend_select, rules, config.describe("extend-select"))
    _check(config.ignore, rules, config.describe("ignore"))
    for glob, selectors in config.per_file_ignores.items():
        _check(selectors, rules, config.describe("per-file-ignores", f'."{glob}"'))
    for selector in config.severity:
        _check([selector], rules, config.describe("severity", f".{selector}"))
    for rule_id in config.params:
        if catalogue.find(rule_id) is None:
            hint = did_you_mean(rule_id, [n for r in rules for n in (r.id, r.name)])
            raise ConfigError(f"{config.describe('params', f'.{rule_id}')} names no rule{hint}")


def select_rules(catalogue: Catalogue, config: Config) -> list[Rule]:
    """The enabled rules, with configured severities and params applied, sorted by id."""
    rules = list(catalogue.rules.values())
    check_selectors(catalogue, config)
    if config.select is None:
        chosen = {r.id for r in rules if r.default}
    else:
        chosen = {r.id for r in rules if any(matches(s, r) for s in config.select)}
    chosen |= {r.id for r in rules if any(matches(s, r) for s in config.extend_select)}
    chosen -= {r.id for r in rules if any(matches(s, r) for s in config.ignore)}
    enabled = []
    for rule in rules:
        if rule.id not in chosen:
            continue
        severity = _severity_for(rule, config.severity)
        params = config.params.get(rule.id) or config.params.get(rule.name)
        if params:
            _check_params(rule, params, config.describe("params", f".{rule.id}"))
        enabled.append(rule.with_overrides(severity, params))
    return sorted(enabled, key=lambda r: r.id)


def _check_params(rule: Rule, params: dict[str, object], subject: str) -> None:
    spec = registry.get(rule.detector)
    if spec is None:  # pragma: no cover - the catalogue checked this
        return
    try:
        registry.build_params(spec, {**rule.params, **params})
    except registry.ParamsError as exc:
        raise ConfigError(f"{subject}: {exc}") from None


def _severity_for(rule: Rule, overrides: dict[str, Severity]) -> Severity | None:
    """The most specific matching override: id or name beats family, key or area."""
    specific = [s for sel, s in overrides.items() if sel.upper() == rule.id or sel == rule.name]
    if specific:
        return specific[-1]
    general = [s for sel, s in overrides.items() if matches(sel, rule)]
    return general[-1] if general else None
