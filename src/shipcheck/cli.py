"""The command line: thin glue from options to the engine and the reporters. Exit codes:
0 gate passed, 1 gate failed, 2 usage or configuration error, 130 interrupted."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from shipcheck import __version__
from shipcheck.cli_options import (
    OUTPUT,
    SCOPE,
    Baseline,
    ConfigFile,
    Diff,
    ExtendSelect,
    FailOn,
    Ignore,
    IgnoreSuppressions,
    Isolated,
    Jobs,
    MinScore,
    NoCache,
    Offline,
    OptionError,
    Paths,
    Quiet,
    Select,
    scan_options,
    split_values,
)
from shipcheck.clihelp import MAX_HELP_WIDTH, SectionedCommand
from shipcheck.config import ConfigError

if TYPE_CHECKING:
    from shipcheck.outputs import Destination, Plan
    from shipcheck.progress import ScanProgress
    from shipcheck.report import Report
    from shipcheck.reporters.base import Reporter

app = typer.Typer(
    name="shipcheck",
    help="Deployment-readiness audit for Python web applications.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help (see shipcheck.clihelp): readable at 80 columns and in a pipe.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": MAX_HELP_WIDTH},
)

INTERRUPTED = 130


def _fail(message: str) -> typer.Exit:
    typer.echo(f"shipcheck: error: {message}", err=True)
    return typer.Exit(2)


def _note(message: str, quiet: bool) -> None:
    if not quiet:
        typer.echo(f"shipcheck: {message}", err=True)


@contextmanager
def _interruptible(display: ScanProgress | None = None) -> Iterator[None]:
    """Ctrl-C: erase the progress display, say so in one line, exit 130."""
    try:
        yield
    except KeyboardInterrupt:
        erased = display is not None and display.shown
        if display is not None:
            display.stop()
        # The terminal echoed "^C" where the cursor was: on the erased display, or on a line
        # of its own that this message must not continue.
        typer.echo(("" if erased else "\n") + "shipcheck: interrupted", err=True)
        raise typer.Exit(INTERRUPTED) from None


def _version(value: bool) -> None:
    if not value:
        return
    typer.echo(f"shipcheck {__version__}")
    try:
        # Named from the installed metadata, not loaded: --version answers at once.
        from shipcheck.packs import installed_packs

        for name, distribution, version in installed_packs():
            typer.echo(f"  pack {name}: {distribution} {version}")
        from shipcheck.banditpack import installed_version

        typer.echo(f"  BAN rules (bandit pack): {installed_version()}")
    except Exception as exc:  # --version must always answer
        typer.echo(f"  (rule packs not listed: {exc})")
    raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show version and packs."),
    ] = False,
) -> None:
    """Deployment-readiness audit for Python web applications."""


SCAN_EXAMPLE = """\b
Examples:
  shipcheck scan
  shipcheck scan . -o sarif:shipcheck.sarif -o summary.md --fail-on high"""


@app.command(
    cls=SectionedCommand,
    epilog=SCAN_EXAMPLE,
    short_help="Scan a project: findings, scores, the gate.",
)
def scan(
    paths: Paths = None,
    output_format: Annotated[
        Optional[str],
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            rich_help_panel=OUTPUT,
            help="What standard output shows: terminal (default), concise, json, sarif, "
            "markdown, html, gitlab, github, or a plug-in format.",
        ),
    ] = None,
    output: Annotated[
        Optional[list[str]],
        typer.Option(
            "--output",
            "-o",
            metavar="[FMT:]FILE",
            rich_help_panel=OUTPUT,
            help="Write a report to FILE, in FMT or in the format its extension names "
            "(.sarif .json .md .html .txt). Repeat it for several reports from one scan.",
        ),
    ] = None,
    statistics: Annotated[
        bool,
        typer.Option(
            "--statistics",
            rich_help_panel=OUTPUT,
            help="Print a count per rule (id, name, severity, count, fixable) instead of "
            "the findings.",
        ),
    ] = False,
    quiet: Quiet = False,
    color: Annotated[
        Optional[bool],
        typer.Option(
            "--color/--no-color",
            rich_help_panel=OUTPUT,
            help="Colour on or off (default: on in a terminal unless NO_COLOR is set).",
        ),
    ] = None,
    sarif_category: Annotated[
        Optional[str],
        typer.Option(
            "--sarif-category",
            metavar="NAME",
            rich_help_panel=OUTPUT,
            help="SARIF runAutomationDetails category (one per analysis of a commit).",
        ),
    ] = None,
    include_suppressed: Annotated[
        bool,
        typer.Option(
            "--include-suppressed",
            rich_help_panel=OUTPUT,
            help="SARIF: also emit suppressed findings, marked as suppressed.",
        ),
    ] = False,
    select: Select = None,
    extend_select: ExtendSelect = None,
    ignore: Ignore = None,
    fail_on: FailOn = None,
    min_score: MinScore = None,
    baseline: Baseline = None,
    diff: Diff = None,
    ignore_suppressions: IgnoreSuppressions = False,
    config: ConfigFile = None,
    isolated: Isolated = False,
    jobs: Jobs = None,
    offline: Offline = False,
    no_cache: NoCache = False,
) -> None:
    """Scan a project and print its scored deployment-readiness report. With files (what
    pre-commit passes) it reports their findings and the gate, without scores."""
    from shipcheck import outputs, reporters

    try:
        plan = outputs.plan(output, output_format, reporters.available())
        plan = _with_statistics(plan, statistics, output_format)
        _check_sarif_options(plan, sarif_category, include_suppressed)
        outputs.prepare(plan.files)
        stdin_text = _stdin(paths)
        options = scan_options(
            paths,
            select=select,
            extend_select=extend_select,
            ignore=ignore,
            fail_on=fail_on,
            min_score=min_score,
            config=config,
            isolated=isolated,
            offline=offline,
            jobs=jobs,
            ignore_suppressions=ignore_suppressions,
            baseline=baseline,
            diff=diff,
            stdin_text=stdin_text,
            cache=not no_cache,
        )
    except OptionError as exc:
        raise _fail(str(exc)) from None
    report = _run(options, quiet)
    where = _scope(paths, report, stdin_text is not None)
    settings = {
        "sarif_category": sarif_category,
        "include_suppressed": include_suppressed,
        "where": where,
    }
    with _interruptible():
        for dest in plan.files:
            _write_file(dest, report, settings, quiet)
        if plan.stdout is not None:
            use_color = color if color is not None else _color_default()
            human = plan.stdout.format in outputs.HUMAN  # machine formats need no width
            reporter = _reporter(
                plan.stdout.format,
                settings,
                color=use_color,
                width=_stdout_width() if human else None,
            )
            sys.stdout.write(reporter.render(report))
            _warnings(reporter)
        if plan.stdout is None or plan.stdout.format not in outputs.HUMAN | {"statistics"}:
            _note(gate_summary(report, where), quiet)
    raise typer.Exit(0 if report.gate.passed else 1)


def _with_statistics(plan: Plan, statistics: bool, output_format: str | None) -> Plan:
    """``--statistics`` takes standard output's place (terminal or concise only)."""
    if not statistics:
        return plan
    from dataclasses import replace

    from shipcheck.outputs import HUMAN, Destination

    if output_format is not None and output_format not in HUMAN:
        raise OptionError(
            f"--statistics prints a table on standard output, not --format {output_format} "
            "(write that report with --output)"
        )
    return replace(plan, stdout=Destination("statistics"))


def _check_sarif_options(plan: Plan, category: str | None, include_suppressed: bool) -> None:
    if (category is not None or include_suppressed) and "sarif" not in plan.formats():
        raise OptionError(
            "--sarif-category and --include-suppressed apply only to a SARIF report "
            "(--format sarif or --output sarif:FILE)"
        )
    if category is not None and not category.strip(" /"):
        raise OptionError("--sarif-category: must not be empty")


def _stdin(paths: list[Path] | None) -> str | None:
    if not any(str(p) == "-" for p in paths or []):
        return None
    if len(paths or []) > 1:
        raise OptionError("PATH: `-` (standard input) cannot be combined with other paths")
    return sys.stdin.read()


def _run(options: Any, quiet: bool) -> Report:
    """The scan, with a progress display when standard error is a terminal."""
    from shipcheck.engine import UsageError
    from shipcheck.engine import scan as run_scan

    display = None
    if not quiet and _is_terminal(sys.stderr):
        from shipcheck.progress import ScanProgress  # rich's live display: only when shown

        display = ScanProgress(sys.stderr)
    options.progress = display
    try:
        with _interruptible(display), display or nullcontext():
            return run_scan(options)
    except (UsageError, ConfigError) as exc:
        raise _fail(str(exc)) from None


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _scope(paths: list[Path] | None, report: Report, stdin: bool) -> str:
    """What the user asked to scan, for "nothing … was found in WHERE"."""
    if stdin:
        return "standard input"
    given = [str(p) for p in paths or []]
    if given and all(Path(p).is_file() for p in given):
        return "the files given"
    return ", ".join(given) or "."


def _color_default() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _stdout_width() -> int:
    """The terminal's real width (rich asks the terminal; $COLUMNS wins; 80 in a pipe)."""
    from rich.console import Console

    return Console(file=sys.stdout).width


def _reporter(fmt: str, settings: dict[str, Any], color: bool, width: int | None) -> Reporter:
    from shipcheck import reporters

    if fmt == "sarif":
        from shipcheck.reporters.sarif import SarifReporter

        return SarifReporter(
            category=settings["sarif_category"], include_suppressed=settings["include_suppressed"]
        )
    if fmt == "terminal":
        from shipcheck.reporters.terminal import TerminalReporter

        return TerminalReporter(color=color, width=width, where=settings["where"])
    if fmt == "concise":
        from shipcheck.reporters.concise import ConciseReporter

        return ConciseReporter(where=settings["where"])
    if fmt == "statistics":
        from shipcheck.reporters.statistics import StatisticsReporter

        return StatisticsReporter()
    return reporters.get_reporter(fmt)


def _write_file(dest: Destination, report: Report, settings: dict[str, Any], quiet: bool) -> None:
    from shipcheck.outputs import write

    # A text report in a file: plain, at $COLUMNS or 80 columns (rich's rule for a file).
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() and int(columns) > 0 else 80
    reporter = _reporter(dest.format, settings, color=False, width=width)
    try:
        write(dest, reporter.render(report))
    except OSError as exc:
        raise _fail(f"--output {dest.path}: cannot write: {exc.strerror or exc}") from None
    _warnings(reporter)
    _note(f"wrote {dest.format} report to {dest.path}", quiet)


def _warnings(reporter: Reporter) -> None:
    for warning in getattr(reporter, "warnings", ()):
        typer.echo(f"shipcheck: warning: {warning}", err=True)


def gate_summary(report: Report, where: str) -> str:
    """One log line: what was found and the gate's verdict with its reason."""
    if report.files_scanned == 0 and not report.findings:
        found = f"nothing shipcheck reads was found in {where}"
    else:
        found = f"{len(report.findings)} open finding(s)"
        if not report.partial and report.scores.overall is not None:
            found += f", score {report.scores.overall} (grade {report.scores.grade})"
        elif report.partial:
            found += " in the files given"
    gate = report.gate
    if gate.passed:
        return f"{found}; gate passed (fail-on {gate.fail_on})"
    return f"{found}; gate failed: {'; '.join(gate.reasons)}"


BASELINE_EXAMPLE = """\b
Example:
  shipcheck baseline && git add .shipcheck-baseline.json"""


@app.command(
    "baseline",
    cls=SectionedCommand,
    epilog=BASELINE_EXAMPLE,
    short_help="Accept today's findings, so scans gate on new ones only.",
)
def write_baseline(
    path: Annotated[
        Optional[Path],
        typer.Argument(metavar="PATH", show_default=False, help="Project directory (default: .)."),
    ] = None,
    output: Annotated[
        Optional[Path],
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            rich_help_panel=OUTPUT,
            help="Baseline file (default: .shipcheck-baseline.json in the project root).",
        ),
    ] = None,
    quiet: Quiet = False,
    config: ConfigFile = None,
    isolated: Isolated = False,
    jobs: Jobs = None,
    offline: Offline = False,
) -> None:
    """Accept the current findings: write their fingerprints to a baseline file, so that
    `shipcheck scan --baseline FILE` reports and gates only on new ones."""
    from shipcheck.baseline import BASELINE_FILE, dumps

    target = path or Path(".")
    if target.exists() and not target.is_dir():
        raise _fail(f"PATH: {target} is not a directory (a baseline covers a whole project)")
    try:
        if output is not None:
            from shipcheck.outputs import Destination, prepare

            prepare((Destination("json", output),))
        options = scan_options(
            [target], config=config, isolated=isolated, offline=offline, jobs=jobs
        )
    except OptionError as exc:
        raise _fail(str(exc)) from None
    report = _run(options, quiet)
    destination = output or report.root / BASELINE_FILE
    try:
        destination.write_text(dumps(report.findings, __version__), encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot write {destination}: {exc.strerror or exc}") from None
    _note(
        f"wrote a baseline of {len(report.findings)} finding(s) to {destination}; "
        f"scan with --baseline {destination} to report only new ones",
        quiet,
    )


FIX_EXAMPLE = """\b
Examples:
  shipcheck fix --diff            what the safe fixes would change
  shipcheck fix --unsafe-fixes    also fixes that change behaviour"""


@app.command(
    "fix",
    cls=SectionedCommand,
    epilog=FIX_EXAMPLE,
    short_help="Apply the automatic fixes, scan again, show what is left.",
)
def fix(
    paths: Paths = None,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            rich_help_panel=OUTPUT,
            help="Print a unified diff of the fixes; write nothing.",
        ),
    ] = False,
    unsafe_fixes: Annotated[
        bool,
        typer.Option(
            "--unsafe-fixes",
            rich_help_panel=SCOPE,
            help="Also apply fixes that change behaviour (review them).",
        ),
    ] = False,
    exit_non_zero_on_fix: Annotated[
        bool,
        typer.Option(
            "--exit-non-zero-on-fix",
            rich_help_panel=OUTPUT,
            help="Exit 1 when files were (or, with --diff, would be) changed (pre-commit).",
        ),
    ] = False,
    select: Select = None,
    extend_select: ExtendSelect = None,
    ignore: Ignore = None,
    config: ConfigFile = None,
    isolated: Isolated = False,
    jobs: Jobs = None,
    offline: Offline = False,
) -> None:
    """Apply the safe fixes of the findings in place, scan again, and say what changed
    (suppressed findings are not fixed)."""
    from shipcheck.fixes.command import FixRequest, main

    targets = list(paths or [Path(".")])
    if any(str(t) == "-" for t in targets):
        raise _fail("PATHS: `shipcheck fix` works on files, not standard input")
    request = FixRequest(
        targets=targets,
        select=split_values(select),
        extend_select=split_values(extend_select),
        ignore=split_values(ignore),
        config_file=config,
        isolated=isolated,
        offline=offline,
        jobs=jobs,
        diff=diff,
        unsafe=unsafe_fixes,
    )
    raise typer.Exit(main(request, exit_non_zero_on_fix=exit_non_zero_on_fix))


def _catalogue():  # type: ignore[no-untyped-def]
    from shipcheck import config as config_mod
    from shipcheck.engine import UsageError, load_catalogue

    root = config_mod.find_root(Path.cwd())
    try:
        return load_catalogue(root, config_mod.load(root)).catalogue
    except (UsageError, ConfigError) as exc:
        raise _fail(str(exc)) from None


RULES_FORMATS = ("table", "json", "markdown")


@app.command(
    "rules",
    cls=SectionedCommand,
    epilog="\b\nExample:\n  shipcheck rules | grep DKR",
    short_help="List the rule catalogue.",
)
def list_rules(
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="table (default; plain rows in a pipe), json or markdown.",
        ),
    ] = "table",
) -> None:
    """List every rule in the catalogue (built-in, packs, this repository's own)."""
    from shipcheck.ruledocs import rules_markdown
    from shipcheck.suggest import did_you_mean

    if output_format not in RULES_FORMATS:
        raise _fail(
            f"--format: unknown format {output_format!r} (choose from {', '.join(RULES_FORMATS)})"
            + did_you_mean(output_format, RULES_FORMATS)
        )
    catalogue = _catalogue()
    rules = list(catalogue.rules.values())
    if output_format == "json":
        data = [
            {
                "id": r.id,
                "name": r.name,
                "checklist": r.checklist,
                "area": r.area,
                "severity": r.severity.value,
                "default": r.default,
                "detector": r.detector,
                "fix": r.fix,
                "summary": r.summary,
                "origin": r.origin,
            }
            for r in rules
        ]
        typer.echo(json.dumps(data, indent=2))
    elif output_format == "markdown":
        typer.echo(rules_markdown(rules, catalogue.checklist), nl=False)
    else:
        from shipcheck.rulelist import plain_rows, terminal_rows

        if sys.stdout.isatty():
            sys.stdout.write(terminal_rows(rules, color=_color_default(), width=_stdout_width()))
        else:
            sys.stdout.write(plain_rows(rules))


@app.command(
    cls=SectionedCommand,
    epilog="\b\nExample:\n  shipcheck explain DKR001",
    short_help="Explain a rule: why it matters, how to fix it.",
)
def explain(
    rule: Annotated[str, typer.Argument(metavar="RULE", help="Rule id or name, e.g. DKR001.")],
) -> None:
    """Explain a rule: why it matters, how to fix it, an example."""
    from shipcheck.ruledocs import explain_text
    from shipcheck.suggest import did_you_mean

    catalogue = _catalogue()
    found = catalogue.find(rule)
    if found is None:
        names = [n for r in catalogue.rules.values() for n in (r.id, r.name)]
        raise _fail(f"no rule {rule!r} (see `shipcheck rules`){did_you_mean(rule, names)}")
    typer.echo(explain_text(found), nl=False)


def main() -> None:
    """Console-script entry point; no traceback reaches the user unless SHIPCHECK_DEBUG is set."""
    try:
        app(prog_name="shipcheck")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        typer.echo("\nshipcheck: interrupted", err=True)
        sys.exit(INTERRUPTED)
    except Exception as exc:
        if os.environ.get("SHIPCHECK_DEBUG"):
            raise
        typer.echo(
            f"shipcheck: internal error: {type(exc).__name__}: {exc} "
            "(set SHIPCHECK_DEBUG=1 for a traceback and please report it)",
            err=True,
        )
        sys.exit(2)
