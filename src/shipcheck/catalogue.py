"""The rule catalogue: YAML rule files (built-in, from packs, from the user's repository),
validated on load and bound to registered detectors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from shipcheck import lazyre
from shipcheck.checklist import Checklist, load_checklist
from shipcheck.detectors import registry
from shipcheck.models.findings import Severity

RULE_ID = lazyre.compile(r"^[A-Z]{2,5}[0-9]{3}$")
RULE_NAME = lazyre.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
REQUIRED = ("id", "name", "checklist", "severity", "detector", "message", "summary",
            "rationale", "remediation", "example", "references")  # fmt: skip
OPTIONAL = ("params", "default", "since", "tags", "precision", "fix")
# How `shipcheck fix` treats a rule's findings: `safe` fixes are applied by default, `unsafe`
# ones change behaviour and need --unsafe-fixes, `none` means no automatic fix.
FIX_KINDS = ("safe", "unsafe", "none")
FIELDS = frozenset(REQUIRED + OPTIONAL)


class CatalogueError(Exception):
    """A rule file is malformed; the message names the file and the rule."""


@dataclass(frozen=True)
class Rule:
    """One catalogue entry, bound to its detector."""

    id: str
    name: str
    checklist: str
    area: str
    severity: Severity
    detector: str
    message: str
    summary: str
    rationale: str
    remediation: str
    example_bad: str
    example_good: str
    references: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    default: bool = True
    since: str = ""
    tags: tuple[str, ...] = ()
    precision: str = "high"
    fix: str = "none"  # safe | unsafe | none (see FIX_KINDS)
    source: str = ""  # rule file
    origin: str = "builtin"  # builtin | pack:<PREFIX> | user
    # True when the user configured this rule's severity: it then beats a detector's own
    # per-finding severity (e.g. an advisory's rating).
    severity_configured: bool = False

    @property
    def family(self) -> str:
        """The id's letter prefix (``DKR`` for ``DKR001``)."""
        return self.id.rstrip("0123456789")

    @property
    def cwes(self) -> tuple[str, ...]:
        """CWE references (``CWE-798``)."""
        return tuple(r for r in self.references if r.upper().startswith("CWE-"))

    @property
    def urls(self) -> tuple[str, ...]:
        """Web references."""
        return tuple(r for r in self.references if r.startswith(("http://", "https://")))

    def with_overrides(self, severity: Severity | None, params: dict[str, Any] | None) -> Rule:
        """A copy with a configured severity and/or extra params."""
        merged = {**self.params, **(params or {})}
        return replace(
            self,
            severity=severity or self.severity,
            params=merged,
            severity_configured=severity is not None,
        )


def _fail(source: str, rule_id: str | None, problem: str) -> CatalogueError:
    who = f" rule {rule_id}" if rule_id else ""
    return CatalogueError(f"{source}:{who}: {problem}")


def parse_rule(raw: Any, source: str, checklist: Checklist, origin: str) -> Rule:
    """Validate one rule mapping; raise :class:`CatalogueError` naming file and rule."""
    if not isinstance(raw, dict):
        raise _fail(source, None, "a rule file must hold a mapping")
    rule_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    missing = [key for key in REQUIRED if key not in raw]
    if missing:
        raise _fail(source, rule_id, f"missing required field(s): {', '.join(missing)}")
    unknown = sorted(set(raw) - FIELDS)
    if unknown:
        raise _fail(source, rule_id, f"unknown field(s): {', '.join(map(str, unknown))}")
    if not isinstance(raw["id"], str) or not RULE_ID.match(raw["id"]):
        raise _fail(source, rule_id, f"id {raw['id']!r} must be 2-5 capitals and 3 digits")
    if not isinstance(raw["name"], str) or not RULE_NAME.match(raw["name"]):
        raise _fail(source, rule_id, f"name {raw['name']!r} must be kebab-case")
    key = raw["checklist"]
    if key not in checklist.items:
        raise _fail(source, rule_id, f"checklist key {key!r} is not in the checklist")
    try:
        severity = Severity.parse(str(raw["severity"]))
    except ValueError as exc:
        raise _fail(source, rule_id, str(exc)) from None
    for text_field in ("message", "summary", "rationale", "remediation", "detector"):
        if not isinstance(raw[text_field], str) or not raw[text_field].strip():
            raise _fail(source, rule_id, f"`{text_field}` must be a non-empty string")
    example = raw["example"]
    if not isinstance(example, dict) or not {"bad", "good"} <= set(example):
        raise _fail(source, rule_id, "`example` must have `bad` and `good`")
    references = raw["references"]
    if not isinstance(references, list) or not references:
        raise _fail(source, rule_id, "`references` must be a non-empty list")
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        raise _fail(source, rule_id, "`params` must be a mapping")
    spec = registry.get(raw["detector"])
    if spec is None:
        raise _fail(source, rule_id, f"unknown detector {raw['detector']!r}")
    try:
        registry.build_params(spec, params)
    except registry.ParamsError as exc:
        raise _fail(source, rule_id, str(exc)) from None
    default = raw.get("default", True)
    if not isinstance(default, bool):
        raise _fail(source, rule_id, "`default` must be true or false")
    fix = raw.get("fix", "none")
    if fix not in FIX_KINDS:
        raise _fail(source, rule_id, f"`fix` must be one of {', '.join(FIX_KINDS)}")
    if fix != "none" and origin != "builtin":
        # Fixers are code registered by rule id inside shipcheck; a YAML rule cannot bring one.
        raise _fail(source, rule_id, "only built-in rules have automatic fixes (`fix: none`)")
    return Rule(
        id=raw["id"],
        name=raw["name"],
        checklist=key,
        area=checklist.items[key].area,
        severity=severity,
        detector=raw["detector"],
        message=raw["message"].strip(),
        summary=raw["summary"].strip(),
        rationale=" ".join(raw["rationale"].split()),
        remediation=" ".join(raw["remediation"].split()),
        example_bad=str(example["bad"]),
        example_good=str(example["good"]),
        references=tuple(str(r) for r in references),
        params=dict(params),
        default=default,
        since=str(raw.get("since", "")),
        tags=tuple(str(t) for t in raw.get("tags") or ()),
        precision=str(raw.get("precision", "high")),
        fix=fix,
        source=source,
        origin=origin,
    )


def rule_files(directory: Any) -> Iterable[Any]:
    """YAML files below ``directory`` (a Path or an importlib Traversable), sorted."""
    found: list[Any] = []
    stack = [directory]
    while stack:
        current = stack.pop()
        for entry in current.iterdir():
            if entry.is_dir():
                stack.append(entry)
            elif entry.name.endswith((".yaml", ".yml")) and entry.name != "planned.yaml":
                found.append(entry)
    return sorted(found, key=lambda e: str(e))


def load_rules(directory: Any, origin: str, label: str | None = None) -> list[Rule]:
    """Every rule in the YAML files below ``directory``."""
    import yaml  # not needed when the catalogue comes from the start-up cache

    # The C loader parses the ~100 rule files in a fraction of the pure-Python loader's time.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    checklist = load_checklist()
    rules: list[Rule] = []
    for entry in rule_files(directory):
        source = _label(entry, directory, label)
        try:
            text = entry.read_text("utf-8")
            documents = [d for d in yaml.load_all(text, Loader=loader) if d is not None]
        except yaml.YAMLError as exc:
            raise _fail(source, None, f"invalid YAML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise _fail(source, None, f"cannot read: {exc}") from None
        for raw in documents:
            items = raw if isinstance(raw, list) else [raw]
            rules.extend(parse_rule(item, source, checklist, origin) for item in items)
    return rules


def _label(entry: Any, directory: Any, label: str | None) -> str:
    name = str(entry)
    base = str(directory)
    rel = name[len(base) :].lstrip("/\\") if name.startswith(base) else entry.name
    return f"{label}/{rel}" if label else name


@dataclass(frozen=True)
class Catalogue:
    """All known rules by id, plus the checklist they map to."""

    rules: dict[str, Rule]
    checklist: Checklist

    def find(self, ref: str) -> Rule | None:
        """A rule by id (any case) or by name."""
        upper = ref.upper()
        if upper in self.rules:
            return self.rules[upper]
        return next((r for r in self.rules.values() if r.name == ref), None)


def merge(groups: Iterable[list[Rule]]) -> dict[str, Rule]:
    """Combine rule lists; a duplicate id or name is an error naming both files."""
    rules: dict[str, Rule] = {}
    names: dict[str, Rule] = {}
    for group in groups:
        for rule in group:
            if rule.id in rules:
                raise _fail(rule.source, rule.id, f"duplicate id, also in {rules[rule.id].source}")
            if rule.name in names:
                other = names[rule.name]
                raise _fail(rule.source, rule.id, f"duplicate name {rule.name!r}, also {other.id}")
            rules[rule.id] = rule
            names[rule.name] = rule
    return dict(sorted(rules.items()))


def user_rule_dirs(root: Path, dirs: list[str]) -> list[Path]:
    """Existing user rule directories, resolved inside ``root``."""
    found = []
    real_root = root.resolve()
    for name in dirs:
        path = (root / name).resolve()
        if path.is_dir() and (path == real_root or real_root in path.parents):
            found.append(path)
    return found
