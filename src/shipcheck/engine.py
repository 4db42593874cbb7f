"""The scan pipeline: discover → classify → parse + file rules + facts (worker processes)
→ project rules → suppressions → score → :class:`~shipcheck.report.Report`."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import string
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shipcheck import banditpack, discover, fingerprint, gitdiff, scoring
from shipcheck import baseline as baseline_mod
from shipcheck import config as config_mod
from shipcheck.catalogue import Catalogue, CatalogueError, Rule, load_rules, merge, user_rule_dirs
from shipcheck.checklist import load_checklist
from shipcheck.config import Config, ConfigError
from shipcheck.detectors import registry
from shipcheck.duplicates import merge_duplicates
from shipcheck.models.artifacts import Artifact, Kind
from shipcheck.models.facts import Fact
from shipcheck.models.findings import Diagnostic, Finding, Hit
from shipcheck.packs import LoadedPack, PackLoadError, load_builtin, load_third_party
from shipcheck.parsers import ParseError, decode, parse
from shipcheck.project import ProjectModel
from shipcheck.report import Report, build_report
from shipcheck.selection import select_rules
from shipcheck.suppress import Suppression, apply_suppressions, file_suppressions

# Below this many files a process pool costs more than it saves (when --jobs is not given).
PARALLEL_THRESHOLD = 64
STDIN_PATH = "<stdin>"


class UsageError(Exception):
    """Bad input on the command line or in configuration (exit code 2)."""


@dataclass
class ScanOptions:
    """What the command line asked for."""

    targets: list[Path] = field(default_factory=lambda: [Path(".")])
    config_file: Path | None = None
    isolated: bool = False
    overrides: dict[str, Any] = field(default_factory=dict)  # config keys from the CLI
    jobs: int | None = None
    no_inline_suppressions: bool = False
    stdin_text: str | None = None  # scan this text as a YAML manifest stream
    stdin_name: str = STDIN_PATH
    today: dt.date | None = None
    baseline: Path | None = None  # report and gate only on findings not in this baseline
    diff_ref: str | None = None  # report and gate only on lines changed since this git ref


@dataclass
class LoadedCatalogue:
    """Every rule known for this scan and where they came from."""

    catalogue: Catalogue
    packs: list[LoadedPack]
    warnings: list[str]


def load_catalogue(root: Path | None, config: Config) -> LoadedCatalogue:
    """Built-in rules, installed packs and the repository's own YAML rules."""
    try:
        builtin = load_builtin()
        packs, warnings = load_third_party(config.require_packs)
        groups = [builtin.rules, *(p.rules for p in packs)]
        if root is not None:
            for directory in user_rule_dirs(root, config.rules):
                label = discover.relpath(directory, root)
                groups.append(load_rules(directory, origin="user", label=label))
        rules = merge(groups)
    except (CatalogueError, PackLoadError) as exc:
        raise UsageError(str(exc)) from None
    return LoadedCatalogue(Catalogue(rules, load_checklist()), [builtin, *packs], warnings)


# --- the file pass (runs in worker processes) ------------------------------------------


@dataclass
class FileResult:
    """What one file contributed: findings, facts, diagnostics and suppression comments."""

    path: str
    kind: Kind | None
    findings: list[Finding] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)


@dataclass
class _Bound:
    rule: Rule
    detector: registry.Detector
    params: Any


_WORKER_RULES: list[_Bound] = []


def _bind(rules: Sequence[Rule]) -> list[_Bound]:
    bound = []
    for rule in rules:
        spec = registry.get(rule.detector)
        if spec is None:  # pragma: no cover - the catalogue checked this
            raise UsageError(f"rule {rule.id}: unknown detector {rule.detector}")
        try:
            params = registry.build_params(spec, rule.params)
        except registry.ParamsError as exc:
            raise UsageError(f"rule {rule.id}: {exc}") from None
        bound.append(_Bound(rule, spec, params))
    return bound


def _init_worker(rules: list[Rule], modules: list[str]) -> None:
    for module in modules:
        registry.import_modules(module)
    _WORKER_RULES[:] = _bind(rules)


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


def make_finding(rule: Rule, hit: Hit, path: str, line_text: str) -> Finding:
    """Join a detector hit with its rule. ``fingerprint`` holds the context hash for now."""
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


def _read(ref: discover.SourceRef) -> bytes:
    with open(ref.abspath, "rb") as handle:
        return handle.read(ref.size + 1)


def process_file(ref: discover.SourceRef, data: bytes | None = None) -> FileResult:
    """Read, parse and check one file. Never raises: problems become diagnostics."""
    result = FileResult(path=ref.path, kind=ref.kind)
    try:
        if data is None:
            data = _read(ref)
    except OSError as exc:
        result.diagnostics.append(Diagnostic(ref.path, f"not readable: {exc.strerror or exc}"))
        result.kind = None
        return result
    if b"\x00" in data[:8192]:
        result.diagnostics.append(Diagnostic(ref.path, "binary file, skipped"))
        result.kind = None
        return result
    try:
        artifact = parse(ref.path, ref.kind, data)
    except ParseError as exc:
        result.diagnostics.append(Diagnostic(ref.path, str(exc), kind="parse-error"))
        # Credential formats are still worth finding in a file that does not parse.
        artifact = Artifact(path=ref.path, kind=Kind.TEXT, text=decode(data))
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
    result.suppressions = file_suppressions(ref.path, artifact.text, artifact.lines, artifact.kind)
    for bound in _WORKER_RULES:
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
                    ref.path,
                    f"rule {bound.rule.id} failed: {type(exc).__name__}: {exc}",
                    kind="parse-error",
                )
            )
            continue
        for hit in hits:
            result.findings.append(
                make_finding(bound.rule, hit, ref.path, artifact.line_text(hit.line))
            )
    if result.kind is not None:
        for extract in registry.fact_extractors(artifact.kind):
            try:
                result.facts.extend(extract(artifact))
            except Exception as exc:
                result.diagnostics.append(
                    Diagnostic(ref.path, f"fact extraction failed: {type(exc).__name__}: {exc}")
                )
    return result


def _pool_context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def run_file_pass(
    files: list[discover.SourceRef], rules: list[Rule], modules: list[str], jobs: int | None
) -> list[FileResult]:
    """Process every file, in parallel when it pays; results in ``files`` order."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs is None and len(files) < PARALLEL_THRESHOLD:
        workers = 1
    if workers <= 1 or len(files) <= 1:
        _init_worker(rules, modules)
        return [process_file(ref) for ref in files]
    chunk = max(1, min(32, len(files) // (workers * 4) or 1))
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_pool_context(),
        initializer=_init_worker,
        initargs=(rules, modules),
    ) as pool:
        return list(pool.map(process_file, files, chunksize=chunk))


# --- the project pass --------------------------------------------------------------------


def run_project_rules(
    project: ProjectModel, bound: list[_Bound], diagnostics: list[Diagnostic]
) -> list[Finding]:
    """Cross-file rules over the merged facts."""
    findings: list[Finding] = []
    for item in bound:
        if Kind.PROJECT not in item.detector.kinds:
            continue
        # A rule that cannot be judged for this project (its `applies` says so) stays silent.
        if item.detector.applies is not None and not applicable(item.rule, item.detector, project):
            continue
        try:
            hits = list(item.detector.func(project, item.params))
        except registry.RuleSkipped as exc:
            project.skipped[item.rule.id] = exc.reason
            reason = f"{item.rule.checklist} skipped ({item.rule.id}): {exc.reason}"
            diagnostics.append(Diagnostic(".", reason, kind=exc.kind))
            continue
        except Exception as exc:
            diagnostics.append(
                Diagnostic(".", f"rule {item.rule.id} failed: {type(exc).__name__}: {exc}")
            )
            continue
        for hit in hits:
            path = hit.path or _anchor(project)
            findings.append(make_finding(item.rule, hit, path, ""))
    return findings


def refine(
    project: ProjectModel,
    findings: list[Finding],
    bound: list[_Bound],
    diagnostics: list[Diagnostic],
) -> list[Finding]:
    """Let project-wide facts adjust file findings (see ``registry.refiner``)."""
    by_rule = {b.rule.id: registry.refiners(b.detector.name) for b in bound}
    result = []
    for finding in findings:
        for func in by_rule.get(finding.rule_id, []):
            try:
                finding = func(project, finding)
            except Exception as exc:
                diagnostics.append(
                    Diagnostic(finding.path, f"refining {finding.rule_id} failed: {exc}")
                )
        result.append(finding)
    return result


def _anchor(project: ProjectModel) -> str:
    for candidate in ("pyproject.toml", "setup.py", "requirements.txt", "Dockerfile", "README.md"):
        if candidate in project.files or project.exists(candidate):
            return candidate
    return next(iter(sorted(project.files)), ".")


def applicable(rule: Rule, spec: registry.Detector, project: ProjectModel) -> bool:
    """Whether a rule can be judged for this project (else its item is 'not applicable')."""
    if rule.id in project.skipped:
        return False
    if spec.applies is not None:
        try:
            return bool(spec.applies(project))
        except Exception:
            return False
    kinds = set(spec.kinds) - {Kind.ANY, Kind.PROJECT}
    if Kind.ANY in spec.kinds:
        return bool(project.files)
    if Kind.PROJECT in spec.kinds and not kinds:
        return project.complete and bool(project.files)
    return project.has_kind(*kinds)


# --- orchestration -----------------------------------------------------------------------


def resolve_root(options: ScanOptions) -> tuple[Path, list[Path], bool]:
    """The project root, the directories to walk and the explicit files to scan."""
    targets = [t.resolve() for t in options.targets] if options.targets else [Path.cwd()]
    missing = [str(t) for t in targets if not t.exists()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    explicit_files = any(t.is_file() for t in targets)
    if explicit_files and any(t.is_dir() for t in targets):
        raise UsageError("give either directories or files, not both")
    start = Path(os.path.commonpath([t if t.is_dir() else t.parent for t in targets]))
    if options.isolated:
        root = start if not explicit_files else config_mod.find_root(start)
    else:
        root = config_mod.find_root(start)
    return root, targets, explicit_files


def scan(options: ScanOptions) -> Report:
    """Run a whole scan and return its report. Raises :class:`UsageError` or ``ConfigError``."""
    today = options.today or dt.date.today()
    if options.stdin_text is not None:
        root, targets, explicit_files = Path.cwd(), [], True
    else:
        root, targets, explicit_files = resolve_root(options)
    cfg = config_mod.load(root, options.config_file, options.isolated)
    config_mod.apply_cli(cfg, options.overrides)
    accepted, changes = _narrowing(options, root)
    loaded = load_catalogue(root, cfg)
    rules = select_rules(loaded.catalogue, cfg)
    rules = banditpack.prepare(rules, cfg, root, isolated=options.isolated, notes=loaded.warnings)
    bound = _bind(rules)
    modules = sorted({m for pack in loaded.packs for m in pack.modules})
    diagnostics = [Diagnostic(".", w, kind="note") for w in loaded.warnings]

    if options.stdin_text is not None:
        ref = discover.SourceRef(STDIN_PATH, options.stdin_name, Kind.YAML, len(options.stdin_text))
        _init_worker(rules, modules)
        results = [process_file(ref, options.stdin_text.encode("utf-8"))]
    else:
        if explicit_files:
            found = discover.explicit(targets, root, cfg.excludes, cfg.max_file_size)
        else:
            found = discover.Discovery(files=[], diagnostics=[])
            for target in targets:
                part = discover.walk(root, target, cfg.excludes, cfg.max_file_size)
                found.files.extend(part.files)
                found.diagnostics.extend(part.diagnostics)
        diagnostics.extend(found.diagnostics)
        results = run_file_pass(found.files, rules, modules, options.jobs)

    findings: list[Finding] = []
    suppressions: list[Suppression] = []
    facts: list[Fact] = []
    scanned: dict[str, Kind] = {}
    for result in results:
        findings.extend(result.findings)
        diagnostics.extend(result.diagnostics)
        suppressions.extend(result.suppressions)
        facts.extend(result.facts)
        if result.kind is not None:
            scanned[result.path] = result.kind
    project = ProjectModel(root=root, files=scanned, facts=facts, complete=not explicit_files)
    project.offline = cfg.offline
    if project.complete:
        findings.extend(run_project_rules(project, bound, diagnostics))
        findings = refine(project, findings, bound, diagnostics)

    findings = _per_file_ignores(findings, cfg.per_file_ignores)
    findings, merged = merge_duplicates(findings, rules)
    known = {r.id: r.id for r in rules} | {r.name: r.id for r in rules}
    if options.no_inline_suppressions:
        suppressions = []
    split = apply_suppressions(
        fingerprint.finalise(findings),
        suppressions,
        known=known,
        today=today,
        require_reason=cfg.require_suppression_reason,
    )
    diagnostics.extend(split.diagnostics)
    active, suppressed = split.active, split.suppressed
    baselined = outside_diff = None
    if accepted is not None:
        active, known = accepted.partition(active)
        baselined = len(known)
    if changes is not None:
        active, elsewhere = changes.partition(active)
        suppressed, _ = changes.partition(suppressed)
        outside_diff = len(elsewhere)
    statuses = {
        rule.id: applicable(rule, b.detector, project) for rule, b in zip(rules, bound, strict=True)
    }
    scores = scoring.score(loaded.catalogue.checklist, rules, statuses, active)
    return build_report(
        root=root,
        rules=rules,
        findings=active,
        suppressed=suppressed,
        unused_suppressions=split.unused,
        diagnostics=diagnostics,
        scores=scores,
        config=cfg,
        files_scanned=len(scanned),
        packs=loaded.packs,
        baselined=baselined,
        outside_diff=outside_diff,
        diff_ref=options.diff_ref,
        merged=merged,
    )


def _narrowing(
    options: ScanOptions, root: Path
) -> tuple[baseline_mod.Baseline | None, gitdiff.ChangedLines | None]:
    """The baseline and the changed lines asked for, read before the (slower) scan so a bad
    file or ref fails fast."""
    accepted = changes = None
    try:
        if options.baseline is not None:
            accepted = baseline_mod.load(options.baseline)
        if options.diff_ref is not None:
            if options.stdin_text is not None:
                raise UsageError("--diff cannot be used with standard input")
            changes = gitdiff.changed_lines(root, options.diff_ref)
    except (baseline_mod.BaselineError, gitdiff.GitDiffError) as exc:
        raise UsageError(str(exc)) from None
    return accepted, changes


def _per_file_ignores(findings: Iterable[Finding], table: dict[str, list[str]]) -> list[Finding]:
    if not table:
        return list(findings)
    from shipcheck.patterns import glob_match

    kept = []
    for finding in findings:
        selectors = [
            s for glob, sel in table.items() if glob_match(glob, finding.path) for s in sel
        ]
        if not any(_selector_names(s, finding) for s in selectors):
            kept.append(finding)
    return kept


def _selector_names(selector: str, finding: Finding) -> bool:
    upper = selector.upper()
    return (
        selector == "ALL"
        or upper == finding.rule_id
        or (upper.isalpha() and finding.rule_id.rstrip("0123456789") == upper)
        or selector in (finding.rule_name, finding.checklist_key, finding.area)
    )


__all__ = ["ConfigError", "ScanOptions", "UsageError", "scan"]
