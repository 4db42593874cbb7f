"""Which rules run: ``select`` sets the base (default: every default-on rule), ``extend-select``
adds, ``ignore`` removes; the command line beats the file. A selector is ``ALL``, a rule id, a
family or pack prefix (``DKR``), a rule name, a checklist key or an area."""

from __future__ import annotations

from collections.abc import Iterable

from shipcheck.catalogue import Catalogue, Rule
from shipcheck.config import Config, ConfigError
from shipcheck.detectors import registry
from shipcheck.models.findings import Severity


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


def _check(selectors: Iterable[str], rules: Iterable[Rule], where: str) -> None:
    rules = list(rules)
    for selector in selectors:
        if not any(matches(selector, rule) for rule in rules):
            raise ConfigError(f"{where}: selector {selector!r} matches no rule")


def select_rules(catalogue: Catalogue, config: Config) -> list[Rule]:
    """The enabled rules, with configured severities and params applied, sorted by id."""
    rules = list(catalogue.rules.values())
    where = config.source or "configuration"
    _check(config.select or [], rules, where)
    _check(config.extend_select, rules, where)
    _check(config.ignore, rules, where)
    _check(config.severity, rules, where)
    for rule_id in config.params:
        if catalogue.find(rule_id) is None:
            raise ConfigError(f"{where}: `params.{rule_id}` names no rule")
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
            _check_params(rule, params, where)
        enabled.append(rule.with_overrides(severity, params))
    return sorted(enabled, key=lambda r: r.id)


def _check_params(rule: Rule, params: dict[str, object], where: str) -> None:
    spec = registry.get(rule.detector)
    if spec is None:  # pragma: no cover - the catalogue checked this
        return
    try:
        registry.build_params(spec, {**rule.params, **params})
    except registry.ParamsError as exc:
        raise ConfigError(f"{where}: `params.{rule.id}`: {exc}") from None


def _severity_for(rule: Rule, overrides: dict[str, Severity]) -> Severity | None:
    """The most specific matching override: id or name beats family, key or area."""
    specific = [s for sel, s in overrides.items() if sel.upper() == rule.id or sel == rule.name]
    if specific:
        return specific[-1]
    general = [s for sel, s in overrides.items() if matches(sel, rule)]
    return general[-1] if general else None
