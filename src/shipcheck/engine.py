"""The scan pipeline: discover → classify → parse + file rules + facts (worker processes)
→ project rules → suppressions → score → :class:`~shipcheck.report.Report`."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shipcheck import (
    banditpack,
    buildcontexts,
    discover,
    filepass,
    fingerprint,
    gitdiff,
    projectmemo,
    roles,
    scoring,
    treememo,
    workers,
)
from shipcheck import baseline as baseline_mod
from shipcheck import cache as cache_mod
from shipcheck import config as config_mod
from shipcheck.catalogue import Catalogue, CatalogueError, Rule, load_rules, merge, user_rule_dirs
from shipcheck.checklist import load_checklist
from shipcheck.config import Config, ConfigError
from shipcheck.detectors import registry
from shipcheck.duplicates import merge_duplicates
from shipcheck.filepass import BindError, Bound, FileResult, WorkerSettings, bind, make_finding
from shipcheck.git import GitRepo
from shipcheck.models.findings import Diagnostic, Finding
from shipcheck.models.kinds import Kind
from shipcheck.packs import LoadedPack, PackLoadError, load_builtin, load_third_party
from shipcheck.parsers.limits import YamlLimits
from shipcheck.project import ProjectModel
from shipcheck.report import Report, build_report
from shipcheck.selection import select_rules
from shipcheck.suppress import Suppression, apply_suppressions

if TYPE_CHECKING:
    from shipcheck.models.facts import Fact

STDIN_PATH = "<stdin>"
# DEP005 reads advisories from this folder when it is set (detectors/deps/vulnerable.py).
ADVISORY_DB_ENV = "SHIPCHECK_ADVISORY_DB"

# progress(phase, done, total): called from the scanning thread at each phase and per file
# (total 0 when a phase has no count). The CLI draws it; it must be cheap and never raise.
Progress = Callable[[str, int, int], None]


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
    cache: bool = True  # reuse file results from earlier scans (see shipcheck.cache)
    progress: Progress | None = None


@dataclass
class LoadedCatalogue:
    """Every rule known for this scan and where they came from."""

    catalogue: Catalogue
    packs: list[LoadedPack]
    warnings: list[str]


def load_catalogue(
    root: Path | None, config: Config, cache_in: Path | None = None
) -> LoadedCatalogue:
    """Built-in rules, installed packs and the repository's own YAML rules (the built-in
    ones from the start-up cache in ``cache_in``, when given)."""
    try:
        builtin = load_builtin(cache_in)
        packs, warnings = load_third_party(config.require_packs, cache_in)
        groups = [builtin.rules, *(p.rules for p in packs)]
        if root is not None:
            for directory in user_rule_dirs(root, config.rules):
                label = discover.relpath(directory, root)
                groups.append(load_rules(directory, origin="user", label=label))
        rules = merge(groups)
    except (CatalogueError, PackLoadError) as exc:
        raise UsageError(str(exc)) from None
    return LoadedCatalogue(Catalogue(rules, load_checklist()), [builtin, *packs], warnings)


# --- the project pass --------------------------------------------------------------------


def run_project_rules(
    project: ProjectModel,
    bound: list[Bound],
    diagnostics: list[Diagnostic],
    progress: Progress | None = None,
) -> list[Finding]:
    """Cross-file rules over the merged facts."""
    findings: list[Finding] = []
    project_rules = [item for item in bound if Kind.PROJECT in item.detector.kinds]
    for done, item in enumerate(project_rules):
        if progress is not None:
            progress("checking the project as a whole", done, len(project_rules))
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
            # A project rule that names no file speaks about the project as a whole.
            if hit.path is None:
                hit = replace(hit, path=".", line=0)
            findings.append(make_finding(item.rule, hit, hit.path or ".", ""))
    return findings


def refine(
    project: ProjectModel,
    findings: list[Finding],
    rules: Iterable[Rule],
    diagnostics: list[Diagnostic],
    remember: dict[Finding, Finding] | None = None,
) -> list[Finding]:
    """Let project-wide facts adjust file findings (see ``registry.refiner``); each finding
    a refiner looked at is kept in ``remember`` (given) with what it became, unless one
    failed."""
    wanted = {f.rule_id for f in findings}
    by_rule = {r.id: registry.refiners(r.detector) for r in rules if r.id in wanted}
    result = []
    for finding in findings:
        original, failed = finding, False
        for func in by_rule.get(finding.rule_id, []):
            try:
                finding = func(project, finding)
            except Exception as exc:
                failed = True
                diagnostics.append(
                    Diagnostic(finding.path, f"refining {finding.rule_id} failed: {exc}")
                )
        if remember is not None and by_rule.get(original.rule_id) and not failed:
            remember[original] = finding
        result.append(finding)
    return result


def applicable(rule: Rule, spec: registry.Detector | None, project: ProjectModel) -> bool:
    """Whether a rule can be judged for this project (else its item is 'not applicable').
    ``spec`` is None for a rule left unbound: no file of its kinds was read."""
    if rule.id in project.skipped:
        return False
    needs = spec.needs if spec is not None else registry.needs_of(rule.detector)
    if needs and not project.has_kind(*needs):
        return False
    if spec is not None and spec.applies is not None:
        try:
            return bool(spec.applies(project))
        except Exception:
            return False
    all_kinds = spec.kinds if spec is not None else registry.kinds_of(rule.detector)
    kinds = set(all_kinds) - {Kind.ANY, Kind.PROJECT}
    if Kind.ANY in all_kinds:
        return bool(project.files)
    if Kind.PROJECT in all_kinds and not kinds:
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
    return run(options, memoise=True).report


@dataclass
class ScanOutcome:
    """A scan's report plus what `shipcheck fix` needs beyond it: the project model and the
    digest of every file as it was read."""

    report: Report
    project: ProjectModel
    digests: dict[str, str]


def run(options: ScanOptions, memoise: bool = False) -> ScanOutcome:
    """:func:`scan`, keeping the project model and the file digests. With ``memoise``, a
    project pass remembered for the same files is reused (the model then holds no facts
    and there are no digests: see :mod:`shipcheck.projectmemo`)."""
    today = options.today or dt.date.today()
    if options.stdin_text is not None:
        root, targets, explicit_files = Path.cwd(), [], True
    else:
        root, targets, explicit_files = resolve_root(options)
    git = GitRepo(root)
    if options.stdin_text is None:
        # git lists the files while the configuration and the catalogue load.
        git.prefetch_listing(root if explicit_files else targets[0])
    cfg = config_mod.load(root, options.config_file, options.isolated)
    config_mod.apply_cli(cfg, options.overrides)
    accepted, changes = _narrowing(options, root)
    diagnostics = [Diagnostic(".", problem, kind="config") for problem in cfg.problems]
    cache_in = _cache_dir(options, root, diagnostics)
    loaded = load_catalogue(root, cfg, cache_in)
    rules = select_rules(loaded.catalogue, cfg)
    rules = banditpack.prepare(rules, cfg, root, isolated=options.isolated, notes=loaded.warnings)
    settings = WorkerSettings(
        rules=tuple(rules),
        modules=tuple(sorted({m for pack in loaded.packs for m in pack.modules})),
        yaml_limits=YamlLimits(cfg.max_yaml_nodes, cfg.max_yaml_depth),
        index=registry.current_index(),
    )
    diagnostics.extend(Diagnostic(".", w, kind="note") for w in loaded.warnings)
    # What decides a file's results besides its bytes and what the scan knows of it (its role
    # and build targets, in each file's key): the rules and shipcheck's code. Every cache key
    # and record of this scan hangs on it, so it is taken once, here.
    settings_fp = (
        None
        if cache_in is None
        else cache_mod.settings_fingerprint(settings, cache_mod.code_fingerprint(settings.modules))
    )

    progress = options.progress
    if progress is not None:
        progress("finding files", 0, 0)
    # Only these files' findings are reported (None: all). Explicit files (pre-commit) are
    # still judged with the whole project's facts, so that a finding has the same severity
    # in the hook as in CI; the cache makes the rest of the project cheap.
    reported: set[str] | None = None
    memo: _Memo | None = None
    if options.stdin_text is not None:
        data = options.stdin_text.encode("utf-8")
        ref = discover.SourceRef(STDIN_PATH, options.stdin_name, Kind.YAML, len(data), data)
        settings = replace(settings, kinds=filepass.kinds_read([Kind.YAML]))
        results = workers.run([ref], settings, options.jobs, cfg.file_timeout, _reading(options))
    else:
        # What the listing of the whole root gives is remembered (see shipcheck.treememo).
        whole_root = explicit_files or targets == [root]
        tree = (
            _tree(cache_in, settings, settings_fp, root, diagnostics)
            if memoise and whole_root
            else None
        )
        found = discover.Discovery(files=[], diagnostics=[])
        if explicit_files:
            given = discover.explicit(targets, root, cfg.excludes, cfg.max_file_size)
            reported = {ref.path for ref in given.files} | {d.path for d in given.diagnostics}
            whole = discover.walk(
                root, root, cfg.excludes, cfg.max_file_size, git, tree and tree.listing
            )
            found.files = _merge_refs(whole.files, given.files)
            found.diagnostics = given.diagnostics
            found.listing = whole.listing
        else:
            for target in targets:
                part = discover.walk(
                    root, target, cfg.excludes, cfg.max_file_size, git, tree and tree.listing
                )
                found.files.extend(part.files)
                found.diagnostics.extend(part.diagnostics)
                found.listing = part.listing
        diagnostics.extend(found.diagnostics)
        if tree is not None:
            tree.use_listing(found.listing)
            decided = tree.decide(root, found.files, cfg.roles)
        else:
            decided = roles.decide(root, [ref.path for ref in found.files], cfg.roles)
        roles.use(decided)  # the pre-pass asks whether a Compose file is development material
        targets = buildcontexts.prepass_targets(found.files)
        buildcontexts.use_targets(targets)
        settings = replace(settings, roles=decided, targets=targets)
        memo = None
        if memoise and _memoisable(cfg, rules):
            listing = found.listing[0] if whole_root and found.listing else None
            memo = _Memo(root, git, today, cfg.offline, listing)
        results = _file_pass(
            found.files, settings, options, cfg, cache_in, settings_fp, diagnostics, reported,
            memo, tree,
        )  # fmt: skip

    if memo is not None and memo.hit is not None:
        done = memo.hit
        project = ProjectModel(root=root, files=done.scanned, _git=git)
    elif memo is not None and memo.own is not None:
        own = memo.own
        done = _assemble(
            own, results, reported, lambda found, _: [own.refined.get(f, f) for f in found]
        )
        project = ProjectModel(root=root, files=done.scanned, _git=git)
    else:
        done, project, own = _project_pass(results, root, git, cfg, rules, reported, options)
        if memo is not None and cache_in is not None and _repeatable(results):
            memo.store(cache_in, settings.modules, done, own, project)
    diagnostics.extend(done.diagnostics)
    suppressions = list(done.suppressions)
    scanned = done.scanned
    configured = frozenset(r.id for r in rules if r.severity_configured)
    findings = [roles.judge(finding, configured) for finding in done.findings]
    if reported is not None:
        findings = [f for f in findings if f.path in reported and not f.project_level]
        scanned = {p: k for p, k in scanned.items() if p in reported}
    if git.problem:
        diagnostics.append(Diagnostic(".", git.problem, kind="git"))

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
    if progress is not None:
        progress("scoring", 0, 0)
    scores = scoring.score(
        loaded.catalogue.checklist, rules, done.statuses, active, skipped=done.skipped
    )
    report = build_report(
        root=root,
        rules=rules,
        findings=active,
        suppressed=suppressed,
        unused_suppressions=split.unused,
        diagnostics=diagnostics,
        scores=scores,
        config=cfg,
        files_scanned=len(scanned),
        files=tuple(
            (path, kind.value, roles.of(path).role.value, roles.of(path).reason)
            for path, kind in scanned.items()
        ),
        packs=loaded.packs,
        baselined=baselined,
        outside_diff=outside_diff,
        diff_ref=options.diff_ref,
        # Explicit files (pre-commit): findings and the gate only, no scores of a part.
        partial=reported is not None,
        merged=merged,
        environment=done.environment,
    )
    return ScanOutcome(report, project, {r.path: r.digest for r in results if r.digest})


def _project_pass(
    results: list[FileResult],
    root: Path,
    git: GitRepo,
    cfg: Config,
    rules: list[Rule],
    reported: set[str] | None,
    options: ScanOptions,
) -> tuple[projectmemo.ProjectPass, ProjectModel, projectmemo.ProjectPass]:
    """The file results merged into the project model, and the project rules and refiners
    run over it (not for text from standard input: a part is not the whole). The whole pass,
    the model, and the project rules' own part of the pass."""
    facts: list[Fact] = []
    scanned: dict[str, Kind] = {}
    for result in results:
        facts.extend(result.facts)
        if result.kind is not None:
            scanned[result.path] = result.kind
    project = ProjectModel(
        root=root,
        files=scanned,
        facts=facts,
        complete=options.stdin_text is None,
        _git=git,
    )
    project.offline = cfg.offline
    try:
        # File rules ran in the file pass; here only the project's own (their modules alone
        # are imported when the catalogue came from the start-up cache).
        bound = bind(rules, kinds=(Kind.PROJECT,), present=set(scanned.values()))
    except BindError as exc:
        raise UsageError(str(exc)) from None
    findings: list[Finding] = []
    diagnostics: list[Diagnostic] = []
    if project.complete:
        findings = run_project_rules(project, bound, diagnostics, options.progress)
        findings = refine(project, findings, rules, diagnostics)
    specs = {b.rule.id: b.detector for b in bound}
    own = projectmemo.ProjectPass(
        findings=findings,
        suppressions=[],
        diagnostics=diagnostics,
        scanned=scanned,
        skipped=dict(project.skipped),
        statuses={rule.id: applicable(rule, specs.get(rule.id), project) for rule in rules},
        environment=_environment(project, reported),
    )

    def refined(found: list[Finding], notes: list[Diagnostic]) -> list[Finding]:
        if not project.complete:
            return found
        # Explicit files: what their findings became is kept for the facts memo.
        return refine(project, found, rules, notes, own.refined if reported else None)

    return _assemble(own, results, reported, refined), project, own


def _assemble(
    own: projectmemo.ProjectPass,
    results: list[FileResult],
    reported: set[str] | None,
    refined: Callable[[list[Finding], list[Diagnostic]], list[Finding]],
) -> projectmemo.ProjectPass:
    """The whole pass: the reported files' findings (``refined`` with the project's facts),
    diagnostics and suppressions, then the project rules' part ``own``."""
    findings: list[Finding] = []
    diagnostics: list[Diagnostic] = []
    suppressions: list[Suppression] = []
    for result in results:
        if reported is not None and result.path not in reported:
            continue
        findings.extend(result.findings)
        diagnostics.extend(result.diagnostics)
        suppressions.extend(result.suppressions)
    findings = refined(findings, diagnostics)
    return replace(
        own,
        findings=[*findings, *own.findings],
        suppressions=suppressions,
        diagnostics=[*diagnostics, *own.diagnostics],
    )


def _remembered(
    results: Iterable[FileResult], rules: Iterable[Rule], own: projectmemo.ProjectPass
) -> bool:
    """Whether every finding among ``results`` that the project's facts refine was refined
    when ``own`` was stored (the facts being the same, it would be refined alike)."""
    detectors = {rule.id: rule.detector for rule in rules}
    return all(
        finding in own.refined
        for result in results
        for finding in result.findings
        if registry.has_refiners(detectors.get(finding.rule_id, ""))
    )


def _repeatable(results: list[FileResult]) -> bool:
    """Whether the next scan of the same files would find the same: not when a file was
    abandoned for time or a crash (the next scan tries it again)."""
    return not any(
        d.kind in cache_mod.TRANSIENT_KINDS for result in results for d in result.diagnostics
    )


def _memoisable(cfg: Config, rules: list[Rule]) -> bool:
    """Whether the project pass may be remembered: not when a rule reads advisories that
    change without the project changing (online, or a local database outside the tree)."""
    if os.environ.get(ADVISORY_DB_ENV):  # the same variable as DEP005's detector reads
        return False
    return not any(
        rule.detector == "deps.vulnerable-dependency"
        and (rule.params.get("advisory_db") or not cfg.offline)
        for rule in rules
    )


class _Memo:
    """The project pass of one scan: looked up by the file pass once every file has its
    key (and, for explicit files, its facts), stored after the pass when it was not found
    (see :mod:`shipcheck.projectmemo`)."""

    def __init__(
        self, root: Path, git: GitRepo, today: dt.date, offline: bool, listing: str | None
    ) -> None:
        self.root, self.git, self.today, self.offline = root, git, today.isoformat(), offline
        # What git tracks: the digest of its listing of the root (each path, tracked or not,
        # from discovery); without one, git's index is probed instead.
        self.listing = listing
        self.key: str | None = None
        self.facts_key: str | None = None
        self.hit: projectmemo.ProjectPass | None = None  # the whole pass
        self.own: projectmemo.ProjectPass | None = None  # the project rules' part
        self.keys: dict[str, str] = {}
        self.before: dict[str, projectmemo.Probe] = {}

    def lookup(
        self,
        cache: cache_mod.ResultCache,
        settings_fp: str,
        keys: dict[str, str],
        reported: set[str] | None,
    ) -> projectmemo.ProjectPass | None:
        """The remembered pass for these file keys, if the tree around them is unchanged;
        notes what the tree looks like for :meth:`store` either way."""
        self.keys = keys
        self.key = projectmemo.key(
            settings_fp, self.root, keys, reported, self.today, self.offline, self.listing
        )
        found = cache.get_memo(self.key, projectmemo.ProjectPass)
        if found is not None and projectmemo.still_valid(self.root, found):
            self.hit = found
            return found
        index = self.git.git_dir if self.listing is None else None
        around = projectmemo.surroundings(self.root, keys, self.git.top, index)
        self.before = projectmemo.probe(self.root, around)
        return None

    def lookup_own(
        self,
        cache: cache_mod.ResultCache,
        settings_fp: str,
        files: list[tuple[str, str, str | None, str]],
    ) -> projectmemo.ProjectPass | None:
        """The project rules' part remembered for these facts (``files``: path, what is
        known of it, kind, facts digest), if the tree and the files they read are as they
        were (after :meth:`lookup`)."""
        self.facts_key = projectmemo.facts_key(
            settings_fp, self.root, files, self.today, self.offline, self.listing
        )
        found = cache.get_memo(self.facts_key, projectmemo.ProjectPass)
        if found is not None and projectmemo.still_valid(self.root, found, self.keys, self.before):
            self.own = found
        return self.own

    def store(
        self,
        cache_in: Path,
        modules: tuple[str, ...],
        done: projectmemo.ProjectPass,
        own: projectmemo.ProjectPass,
        project: ProjectModel,
    ) -> None:
        """Remember ``done`` (and ``own``, when the facts were looked up) with what the tree
        looked like before the pass and the paths its rules asked about."""
        if self.key is None:
            return
        seen = {**self.before, **projectmemo.probe(self.root, project.asked)}
        cache = cache_mod.ResultCache(cache_in, modules)
        try:
            cache.put_memo(self.key, replace(done, seen=seen))
            if self.facts_key is not None:
                read = {path: self.keys[path] for path in project.read if path in self.keys}
                cache.put_memo(self.facts_key, replace(own, seen=seen, read=read))
        finally:
            cache.close()


def _environment(project: ProjectModel, reported: set[str] | None) -> tuple[dict, ...]:
    """The variables the shipped code reads (not for explicit files: a part of the project
    would list a part of its environment)."""
    if reported is not None or not project.has_kind(Kind.PYTHON):
        return ()
    from shipcheck.detectors.python.env_reads import ModuleEnv, environment_list

    return tuple(environment_list(project.facts_of(ModuleEnv), lambda p: roles.of(p).role.ships))


def _tree(
    cache_in: Path | None,
    settings: WorkerSettings,
    settings_fp: str | None,
    root: Path,
    diagnostics: list[Diagnostic],
) -> treememo.Tree | None:
    """What the last scan of ``root`` with these rules derived from its listing, or a blank
    record to fill (None without a cache)."""
    if cache_in is None or settings_fp is None:
        return None
    record = treememo.record_key(settings_fp, root)
    cache = cache_mod.ResultCache(cache_in, settings.modules)
    try:
        tree = cache.get_memo(record, treememo.Tree) or treememo.Tree()
    finally:
        cache.close()
        diagnostics.extend(Diagnostic(".", p, kind="note") for p in cache.problems)
    tree.record, tree.changed = record, False
    return tree


def _merge_refs(
    project: list[discover.SourceRef], given: list[discover.SourceRef]
) -> list[discover.SourceRef]:
    """The project's files plus the given ones it lacks (a file git ignores, named anyway)."""
    known = {ref.path for ref in project}
    return sorted([*project, *(r for r in given if r.path not in known)], key=lambda r: r.path)


def _file_pass(
    files: list[discover.SourceRef],
    settings: WorkerSettings,
    options: ScanOptions,
    cfg: Config,
    cache_in: Path | None,
    settings_fp: str | None,
    diagnostics: list[Diagnostic],
    reported: set[str] | None = None,
    memo: _Memo | None = None,
    tree: treememo.Tree | None = None,
) -> list[FileResult]:
    """Results for every file: from the cache where the file, its rules and shipcheck are
    unchanged, from the workers for the rest (which are then remembered). Files outside
    ``reported`` (when given) only need their facts. None at all when ``memo`` finds the
    project pass remembered for these files; only the reported files' when it finds the
    project rules' part remembered for these facts. ``tree``: the keys remembered for the
    whole root, updated and stored with this scan's. ``settings_fp``: the settings'
    fingerprint (given with ``cache_in``)."""
    if cache_in is None or settings_fp is None:
        settings = replace(settings, kinds=filepass.kinds_read(r.kind for r in files))
        return workers.run(files, settings, options.jobs, cfg.file_timeout, _reading(options))
    cache = cache_mod.ResultCache(cache_in, settings.modules)
    try:
        # What the file pass knows of a file besides its bytes: its role and, for a
        # Dockerfile, the stages it is built to (asked of Dockerfiles only: they alone have
        # stages, and a listing has thousands of other files).
        known = [
            f"{roles.of(r.path).role.value}|"
            f"{buildcontexts.targets_of(r.path) if r.kind is Kind.DOCKERFILE else (None,)}"
            for r in files
        ]
        keys: list[str | None] = [
            None if tree is None else tree.key_of(r, k) for r, k in zip(files, known, strict=True)
        ]
        ids = {
            i: cache_mod.file_id(r.abspath, r.path, settings_fp, known[i])
            for i, r in enumerate(files)
            if keys[i] is None
        }
        unchanged = cache.known_keys(
            {fid: (files[i].size, files[i].mtime_ns) for i, fid in ids.items() if files[i].mtime_ns}
        )
        stats: dict[str, tuple[int, int, str]] = {}
        for i, fid in ids.items():
            if fid in unchanged:
                keys[i] = unchanged[fid]
                continue
            ref = files[i]
            try:
                key = cache_mod.file_key(settings_fp, ref.path, known[i], filepass.read(ref))
            except OSError:
                continue  # the file pass reports it
            keys[i] = key
            if ref.mtime_ns:
                stats[fid] = (ref.size, ref.mtime_ns, key)
        if tree is not None:
            tree.use_keys({
                r.path: (what, r.size, r.mtime_ns, key)
                for r, what, key in zip(files, known, keys, strict=True)
                if key is not None and r.mtime_ns
            })  # fmt: skip
            if tree.changed:
                cache.put_memo(tree.record, tree)
        if memo is not None and None not in keys:
            by_path = {r.path: k for r, k in zip(files, keys, strict=True) if k is not None}
            if memo.lookup(cache, settings_fp, by_path, reported) is not None:
                cache.put_many((), stats)  # files touched but unchanged: not read next time
                return []
        if memo is not None and reported is not None and None not in keys:
            return _explicit_pass(
                files, [k for k in keys if k is not None], known, reported, settings,
                settings_fp, options, cfg, cache, stats, memo,
            )  # fmt: skip
        light = set() if reported is None else {
            k for r, k in zip(files, keys, strict=True) if k and r.path not in reported
        }  # fmt: skip
        hits = cache.get_many([k for k in keys if k is not None], facts_only=light)
        missing = [i for i, key in enumerate(keys) if key not in hits]
        fresh = _fresh(files, keys, missing, settings, options, cfg, cache, stats)
        results = [fresh[i] if i in fresh else hits[k] for i, k in enumerate(keys)]
    finally:
        cache.close()
        diagnostics.extend(Diagnostic(".", p, kind="note") for p in cache.problems)
    return results


def _explicit_pass(
    files: list[discover.SourceRef],
    keys: list[str],
    known: list[str],
    reported: set[str],
    settings: WorkerSettings,
    settings_fp: str,
    options: ScanOptions,
    cfg: Config,
    cache: cache_mod.ResultCache,
    stats: dict[str, tuple[int, int, str]],
    memo: _Memo,
) -> list[FileResult]:
    """:func:`_file_pass` for explicit files (pre-commit) when the whole pass was not found
    remembered: the reported files' results, and every file's facts digest (from the cache
    without loading the facts, or from what the workers found) to look up the project
    rules' part. Only the reported files' results when that is found and each of their
    findings that the project's facts refine was refined when it was stored; every file's
    otherwise."""
    rows = cache.facts_digests(keys)
    mine = [i for i, ref in enumerate(files) if ref.path in reported]
    asked = [keys[i] for i in mine if keys[i] in rows]
    hits = cache.get_many(asked, without_facts=asked)  # their facts only if the memo misses
    missing = [
        i for i, key in enumerate(keys)
        if key not in rows or (files[i].path in reported and key not in hits)
    ]  # fmt: skip
    fresh = _fresh(files, keys, missing, settings, options, cfg, cache, stats)
    facts = []
    for i, (ref, key, what) in enumerate(zip(files, keys, known, strict=True)):
        if i in fresh:
            kind = None if fresh[i].kind is None else fresh[i].kind.value
            digest = cache_mod.facts_digest(fresh[i])
        else:
            kind, digest = rows[key]
        facts.append((ref.path, what, kind, digest))
    own = memo.lookup_own(cache, settings_fp, facts)
    results = [fresh[i] if i in fresh else hits[keys[i]] for i in mine]
    if own is not None and _remembered(results, settings.rules, own):
        return results
    memo.own = None
    rest = [key for i, key in enumerate(keys) if i not in fresh]
    light = cache.get_many(rest, facts_only=set(rest))
    gone = [i for i, key in enumerate(keys) if i not in fresh and key not in light]
    if gone:  # the cache failed meanwhile
        fresh.update(_fresh(files, keys, gone, settings, options, cfg, cache, stats))
    for key, result in hits.items():
        if key in light:
            result.facts = light[key].facts
    found = {**light, **hits}
    return [fresh[i] if i in fresh else found[key] for i, key in enumerate(keys)]


def _fresh(
    files: list[discover.SourceRef],
    keys: list[str | None],
    missing: list[int],
    settings: WorkerSettings,
    options: ScanOptions,
    cfg: Config,
    cache: cache_mod.ResultCache,
    stats: dict[str, tuple[int, int, str]],
) -> dict[int, FileResult]:
    """The results of ``files[i]`` for each ``i`` in ``missing``, from the workers, stored
    in the cache (with ``stats``, the size and time of every file read for its key)."""
    progress = _reading(options, already=len(files) - len(missing), total=len(files))
    todo = [files[i] for i in missing]
    settings = replace(settings, kinds=filepass.kinds_read(r.kind for r in todo))
    fresh = workers.run(todo, settings, options.jobs, cfg.file_timeout, progress)
    cache.put_many(((keys[i], r) for i, r in zip(missing, fresh, strict=True) if keys[i]), stats)
    return dict(zip(missing, fresh, strict=True))


def _reading(
    options: ScanOptions, already: int = 0, total: int | None = None
) -> workers.Progress | None:
    """The file pass's progress as the "reading files" phase (``already``: files answered
    by the cache, counted as done)."""
    progress = options.progress
    if progress is None:
        return None
    return lambda done, count: progress("reading files", already + done, total or count)


def _cache_dir(options: ScanOptions, root: Path, diagnostics: list[Diagnostic]) -> Path | None:
    """The cache directory this scan may use: none with --no-cache, and never one inside the
    scanned project (nothing is written into the tree unless asked)."""
    if not options.cache:
        return None
    directory = cache_mod.cache_dir().resolve()
    real_root = root.resolve()
    if directory == real_root or real_root in directory.parents:
        diagnostics.append(
            Diagnostic(".", f"result cache not used: {directory} is inside the scanned project")
        )
        return None
    return directory


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
