"""The file pass: read, parse and check one file, in whatever process runs it (the scan's own
or a worker). Never raises for anything a file contains: problems become diagnostics."""

from __future__ import annotations

import hashlib
import string
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from shipcheck import buildcontexts, fingerprint
from shipcheck import roles as roles_mod
from shipcheck.catalogue import Rule
from shipcheck.detectors import registry
from shipcheck.models.findings import Diagnostic, Finding, Hit
from shipcheck.models.kinds import Kind
from shipcheck.parsers import ParseError, decode, limits, parse
from shipcheck.suppress import Suppression, file_suppressions
from shipcheck.text import char_column

if TYPE_CHECKING:  # the parsed models are defined when a file is first parsed
    from shipcheck.models.artifacts import Artifact
    from shipcheck.models.facts import Fact


class BindError(Exception):
    """A rule's detector or params do not fit (the catalogue normally catches this first)."""


@dataclass
class FileResult:
    """What one file contributed: findings, facts, diagnostics and suppression comments."""

    path: str
    kind: Kind | None
    findings: list[Finding] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    digest: str = ""  # sha256 of the bytes read (`shipcheck fix` refuses files changed since)


@dataclass
class Bound:
    """A rule joined with its detector and built params."""

    rule: Rule
    detector: registry.Detector
    params: Any


@dataclass(frozen=True)
class WorkerSettings:
    """Everything a process needs to run the file pass: picklable, so a spawned worker can
    rebuild the same state as a forked one."""

    rules: tuple[Rule, ...]
    modules: tuple[str, ...]
    yaml_limits: limits.YamlLimits = field(default_factory=limits.YamlLimits)
    roles: Mapping[str, roles_mod.FileRole] = field(default_factory=dict)  # path → role
    # Dockerfile → the stages Compose and CI build it to (shipcheck.buildcontexts).
    targets: Mapping[str, tuple[str | None, ...]] = field(default_factory=dict)
    # Where the built-in detectors live (imported on demand), and the kinds of the files
    # this pass will read: only their detectors are bound (None: all, everything imported).
    index: registry.Index | None = None
    kinds: frozenset[Kind] | None = None


# The YAML parser tells a Kubernetes manifest from a Compose file by its content.
YAML_KINDS = frozenset(
    {Kind.YAML, Kind.KUBERNETES, Kind.COMPOSE, Kind.GITHUB_ACTIONS, Kind.GITLAB_CI}
)


def kinds_read(kinds: Iterable[Kind]) -> frozenset[Kind]:
    """Every kind an artifact classified as one of ``kinds`` can have once parsed, and ANY."""
    found = {Kind.ANY}
    for kind in kinds:
        found |= YAML_KINDS if kind in YAML_KINDS else {kind}
    return frozenset(found)


def bind(
    rules: Sequence[Rule],
    kinds: Collection[Kind] | None = None,
    present: Collection[Kind] | None = None,
) -> list[Bound]:
    """Join each rule with its registered detector and params; with ``kinds``, only the rules
    whose detectors read one of those kinds (importing just their modules); with ``present``
    (the kinds the project has), not the project rules that need files of a kind it lacks."""
    bound = []
    for rule in rules:
        read = registry.kinds_of(rule.detector)
        if kinds is not None and not read & set(kinds):
            continue
        needs = (read - {Kind.ANY, Kind.PROJECT}) | registry.needs_of(rule.detector)
        if present is not None and needs and not needs & set(present):
            continue
        spec = registry.get(rule.detector)
        if spec is None:  # pragma: no cover - the catalogue checked this
            raise BindError(f"rule {rule.id}: unknown detector {rule.detector}")
        try:
            params = registry.build_params(spec, rule.params)
        except registry.ParamsError as exc:
            raise BindError(f"rule {rule.id}: {exc}") from None
        bound.append(Bound(rule, spec, params))
    return bound


_RULES: list[Bound] = []
BUILTIN_DETECTORS = "shipcheck.detectors"


def init_worker(settings: WorkerSettings) -> None:
    """Prepare this process for :func:`process_file`."""
    registry.use_index(settings.index)
    for module in settings.modules:
        if settings.index is None or module != BUILTIN_DETECTORS:
            registry.import_modules(module)
    limits.set_limits(settings.yaml_limits)
    roles_mod.use(settings.roles)
    buildcontexts.use_targets(settings.targets)
    _RULES[:] = bind(settings.rules, settings.kinds)


class _Fields(dict):  # type: ignore[type-arg]
    """Leaves unknown ``{placeholders}`` visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def format_message(template: str, fields: dict[str, Any]) -> str:
    """Fill a rule's message template; never raises."""
    try:
        return string.Formatter().vformat(template, (), _Fields(fields))
    except (ValueError, IndexError, AttributeError):
        return template


def make_finding(
    rule: Rule, hit: Hit, path: str, line_text: str, text_of: Callable[[int], str] | None = None
) -> Finding:
    """Join a detector hit with its rule. ``fingerprint`` holds the context hash for now.
    A hit on line 0 stays project-level (no position at all). ``text_of`` gives the text of
    a line of the file (for byte columns of ``ast`` hits)."""
    if hit.line == 0:
        return _project_finding(rule, hit, path)
    if hit.utf8:
        hit = _code_point_columns(hit, text_of or (lambda _: line_text))
    end_line = hit.end_line or hit.line
    end_column = hit.end_column or (len(line_text) + 1 if end_line == hit.line else 1)
    end_column = max(end_column, hit.column if end_line == hit.line else 1)
    context = hit.context if hit.context is not None else line_text
    if hit.context is None and not line_text.strip():
        context = format_message(rule.message, dict(hit.fields))
    return Finding(
        rule_id=rule.id,
        rule_name=rule.name,
        checklist_key=rule.checklist,
        area=rule.area,
        severity=rule.severity if rule.severity_configured else (hit.severity or rule.severity),
        path=hit.path or path,
        line=max(hit.line, 1),
        column=max(hit.column, 1),
        end_line=max(end_line, hit.line, 1),
        end_column=end_column,
        message=format_message(rule.message, dict(hit.fields)),
        remediation=rule.remediation,
        fingerprint=fingerprint.context_hash(rule.id, hit.path or path, context),
    )


def _code_point_columns(hit: Hit, text_of: Callable[[int], str]) -> Hit:
    column = char_column(text_of(hit.line), hit.column - 1)
    end_column = hit.end_column
    if end_column is not None:
        end_column = char_column(text_of(hit.end_line or hit.line), end_column - 1)
    return replace(hit, column=column, end_column=end_column, utf8=False)


def _project_finding(rule: Rule, hit: Hit, path: str) -> Finding:
    message = format_message(rule.message, dict(hit.fields))
    return Finding(
        rule_id=rule.id,
        rule_name=rule.name,
        checklist_key=rule.checklist,
        area=rule.area,
        severity=rule.severity if rule.severity_configured else (hit.severity or rule.severity),
        path=hit.path or path,
        line=0,
        column=0,
        end_line=0,
        end_column=0,
        message=message,
        remediation=rule.remediation,
        fingerprint=fingerprint.context_hash(rule.id, hit.path or path, hit.context or message),
    )


def _read(abspath: str, size: int) -> bytes:
    with open(abspath, "rb") as handle:
        return handle.read(size + 1)


def read(ref: Any) -> bytes:
    """The bytes of a ``discover.SourceRef`` (what :func:`process_file` will read)."""
    return ref.data if ref.data is not None else _read(ref.abspath, ref.size)


def process_file(ref: Any) -> FileResult:
    """Read, parse and check one file (a ``discover.SourceRef``). Never raises for what the
    file contains: problems become diagnostics."""
    result = FileResult(path=ref.path, kind=ref.kind)
    try:
        data = read(ref)
    except OSError as exc:
        result.diagnostics.append(Diagnostic(ref.path, f"not readable: {exc.strerror or exc}"))
        result.kind = None
        return result
    result.digest = hashlib.sha256(data).hexdigest()
    if b"\x00" in data[:8192]:
        result.diagnostics.append(Diagnostic(ref.path, "binary file, skipped"))
        result.kind = None
        return result
    try:
        artifact = parse(ref.path, ref.kind, data)
    except ParseError as exc:
        from shipcheck.models.artifacts import Artifact, ParseFailure

        result.diagnostics.append(Diagnostic(ref.path, str(exc), kind="parse-error"))
        # Credential formats are still worth finding in a file that does not parse, and a
        # manifest that does not parse is itself a finding (deps.invalid-manifest).
        artifact = Artifact(path=ref.path, kind=Kind.TEXT, text=decode(data))
        artifact.parse_failure = ParseFailure(ref.kind, str(exc), exc.line)
        result.kind = None
    except Exception as exc:  # a parser bug must not end the scan
        result.diagnostics.append(
            Diagnostic(
                ref.path, f"internal parser error: {type(exc).__name__}: {exc}", "parse-error"
            )
        )
        return result
    else:
        result.kind = artifact.kind
    for note in artifact.notes:
        result.diagnostics.append(Diagnostic(ref.path, note, kind="limit"))
    result.suppressions = file_suppressions(ref.path, artifact.text, artifact.lines, artifact.kind)
    _run_detectors(artifact, result)
    if result.kind is not None:
        for extract in registry.fact_extractors(artifact.kind):
            try:
                result.facts.extend(extract(artifact))
            except Exception as exc:
                result.diagnostics.append(
                    Diagnostic(ref.path, f"fact extraction failed: {type(exc).__name__}: {exc}")
                )
    return result


def _run_detectors(artifact: Artifact, result: FileResult) -> None:
    for bound in _RULES:
        kinds = bound.detector.kinds
        if artifact.kind not in kinds and not (Kind.ANY in kinds and artifact.kind != Kind.PROJECT):
            continue
        if result.kind is None and Kind.ANY not in kinds:
            continue
        try:
            hits = list(bound.detector.func(artifact, bound.params))
        except Exception as exc:  # one broken detector must not hide the others' findings
            result.diagnostics.append(
                Diagnostic(
                    result.path,
                    f"rule {bound.rule.id} failed: {type(exc).__name__}: {exc}",
                    kind="parse-error",
                )
            )
            continue
        for hit in hits:
            result.findings.append(
                make_finding(
                    bound.rule, hit, result.path, artifact.line_text(hit.line), artifact.line_text
                )
            )
