"""The command line: thin glue from options to the engine and a reporter. Exit codes:
0 gate passed, 1 gate failed, 2 usage or configuration error."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from shipcheck import __version__
from shipcheck.config import FAIL_ON_CHOICES, ConfigError

app = typer.Typer(
    name="shipcheck",
    help="Deployment-readiness audit for Python web applications.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"shipcheck: error: {message}", err=True)
    return typer.Exit(2)


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _version(value: bool) -> None:
    if not value:
        return
    typer.echo(f"shipcheck {__version__}")
    try:
        from shipcheck.packs import load_third_party

        packs, warnings = load_third_party([])
        for pack in packs:
            typer.echo(f"  pack {pack.prefix}: {pack.distribution} {pack.version}")
        for warning in warnings:
            typer.echo(f"  {warning}")
        from shipcheck.banditpack import engine_version

        typer.echo(f"  BAN rules (bandit pack): {engine_version()}")
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


@app.command()
def scan(
    paths: Annotated[
        Optional[list[Path]],
        typer.Argument(
            help="Directory or files to scan (default: .). `-` reads manifests from stdin."
        ),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="terminal, json, sarif, markdown, html, gitlab, github (and plug-in formats).",
        ),
    ] = "terminal",
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    fail_on: Annotated[
        Optional[str],
        typer.Option(help=f"Fail (exit 1) on findings at or above: {', '.join(FAIL_ON_CHOICES)}."),
    ] = None,
    min_score: Annotated[
        Optional[int], typer.Option(help="Fail when the overall score is below this.")
    ] = None,
    select: Annotated[
        Optional[list[str]], typer.Option(help="Only these rules (ids, names, keys, areas).")
    ] = None,
    extend_select: Annotated[
        Optional[list[str]], typer.Option(help="Add rules to the selection.")
    ] = None,
    ignore: Annotated[Optional[list[str]], typer.Option(help="Skip these rules.")] = None,
    config: Annotated[
        Optional[Path], typer.Option(help="Read configuration from this file.")
    ] = None,
    isolated: Annotated[bool, typer.Option(help="Ignore configuration files.")] = False,
    jobs: Annotated[
        Optional[int],
        typer.Option("--jobs", "-j", min=1, help="Worker processes (default: all cores)."),
    ] = None,
    offline: Annotated[
        bool, typer.Option(help="Open no network connection; network checks report as skipped.")
    ] = False,
    ignore_suppressions: Annotated[
        bool, typer.Option(help="Disregard inline suppressions (audits).")
    ] = False,
    color: Annotated[
        Optional[bool], typer.Option("--color/--no-color", help="Force colour on or off.")
    ] = None,
    baseline: Annotated[
        Optional[Path],
        typer.Option(help="Report and gate only on findings not in this baseline file."),
    ] = None,
    diff: Annotated[
        Optional[str],
        typer.Option(
            "--diff", metavar="REF", help="Report and gate only on lines changed since git REF."
        ),
    ] = None,
    sarif_category: Annotated[
        Optional[str],
        typer.Option(help="SARIF: automationDetails category (one per analysis of a commit)."),
    ] = None,
    include_suppressed: Annotated[
        bool, typer.Option(help="SARIF: also emit suppressed findings, marked as suppressed.")
    ] = False,
) -> None:
    """Scan a project and print its scored deployment-readiness report."""
    from shipcheck import reporters
    from shipcheck.engine import ScanOptions, UsageError
    from shipcheck.engine import scan as run_scan

    if output_format not in reporters.available():
        raise _fail(
            f"unknown format {output_format!r} (choose from {', '.join(reporters.available())})"
        )
    if output_format != "sarif" and (sarif_category is not None or include_suppressed):
        raise _fail("--sarif-category and --include-suppressed apply only to --format sarif")
    if sarif_category is not None and not sarif_category.strip(" /"):
        raise _fail("--sarif-category must not be empty")
    targets = list(paths or [Path(".")])
    stdin_text = None
    if any(str(t) == "-" for t in targets):
        if len(targets) > 1:
            raise _fail("`-` (standard input) cannot be combined with paths")
        stdin_text = sys.stdin.read()
        targets = []
    overrides = {
        "fail-on": fail_on,
        "min-score": min_score,
        "select": _split(select),
        "extend-select": _split(extend_select),
        "ignore": _split(ignore),
        "offline": True if offline else None,
    }
    options = ScanOptions(
        targets=targets,
        config_file=config,
        isolated=isolated,
        overrides=overrides,
        jobs=jobs,
        no_inline_suppressions=ignore_suppressions,
        stdin_text=stdin_text,
        baseline=baseline,
        diff_ref=diff,
    )
    try:
        report = run_scan(options)
    except (UsageError, ConfigError) as exc:
        raise _fail(str(exc)) from None
    reporter = reporters.get_reporter(output_format)
    if output_format == "sarif":
        from shipcheck.reporters.sarif import SarifReporter

        reporter = SarifReporter(category=sarif_category, include_suppressed=include_suppressed)
    if output_format == "terminal":
        use_color = color if color is not None else (output is None and sys.stdout.isatty())
        from shipcheck.reporters.terminal import TerminalReporter

        reporter = TerminalReporter(color=use_color and not os.environ.get("NO_COLOR"))
    text = reporter.render(report)
    for warning in getattr(reporter, "warnings", ()):
        typer.echo(f"shipcheck: warning: {warning}", err=True)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise _fail(f"cannot write {output}: {exc.strerror}") from None
        typer.echo(
            f"shipcheck: wrote {output_format} report to {output} "
            f"({len(report.findings)} findings, score {report.scores.overall}, "
            f"grade {report.scores.grade})",
            err=True,
        )
    else:
        sys.stdout.write(text)
    raise typer.Exit(0 if report.gate.passed else 1)


@app.command("baseline")
def write_baseline(
    path: Annotated[Optional[Path], typer.Argument(help="Project directory (default: .).")] = None,
    output: Annotated[
        Optional[Path],
        typer.Option(
            "--output",
            "-o",
            help="Baseline file (default: .shipcheck-baseline.json in the project root).",
        ),
    ] = None,
    config: Annotated[
        Optional[Path], typer.Option(help="Read configuration from this file.")
    ] = None,
    isolated: Annotated[bool, typer.Option(help="Ignore configuration files.")] = False,
) -> None:
    """Accept the current findings: write their fingerprints to a baseline file, so that
    `shipcheck scan --baseline FILE` reports and gates only on new ones."""
    from shipcheck.baseline import BASELINE_FILE, dumps
    from shipcheck.engine import ScanOptions, UsageError
    from shipcheck.engine import scan as run_scan

    target = path or Path(".")
    if target.exists() and not target.is_dir():
        raise _fail(f"{target} is not a directory (a baseline covers a whole project)")
    options = ScanOptions(targets=[target], config_file=config, isolated=isolated)
    try:
        report = run_scan(options)
    except (UsageError, ConfigError) as exc:
        raise _fail(str(exc)) from None
    destination = output or report.root / BASELINE_FILE
    try:
        destination.write_text(dumps(report.findings, __version__), encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot write {destination}: {exc.strerror or exc}") from None
    typer.echo(
        f"shipcheck: wrote a baseline of {len(report.findings)} finding(s) to {destination}; "
        f"scan with --baseline {destination} to report only new ones",
        err=True,
    )


def _catalogue():  # type: ignore[no-untyped-def]
    from shipcheck import config as config_mod
    from shipcheck.engine import UsageError, load_catalogue

    root = config_mod.find_root(Path.cwd())
    try:
        return load_catalogue(root, config_mod.load(root)).catalogue
    except (UsageError, ConfigError) as exc:
        raise _fail(str(exc)) from None


@app.command("rules")
def list_rules(
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="table, json or markdown.")
    ] = "table",
) -> None:
    """List every rule in the catalogue (built-in, packs, this repository's own)."""
    from shipcheck.ruledocs import rules_markdown

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
                "summary": r.summary,
                "origin": r.origin,
            }
            for r in rules
        ]
        typer.echo(json.dumps(data, indent=2))
    elif output_format == "markdown":
        typer.echo(rules_markdown(rules, catalogue.checklist), nl=False)
    elif output_format == "table":
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{len(rules)} rules")
        for column in ("ID", "Name", "Severity", "Checklist"):
            table.add_column(column, no_wrap=True)
        table.add_column("Summary")
        for r in rules:
            table.add_row(r.id, r.name, r.severity.value, r.checklist, r.summary)
        Console(highlight=False).print(table)
    else:
        raise _fail(f"unknown format {output_format!r} (choose from table, json, markdown)")


@app.command()
def explain(rule: Annotated[str, typer.Argument(help="Rule id or name, e.g. DKR001.")]) -> None:
    """Explain a rule: why it matters, how to fix it, an example."""
    from shipcheck.ruledocs import explain_text

    found = _catalogue().find(rule)
    if found is None:
        raise _fail(f"no rule {rule!r} (see `shipcheck rules`)")
    typer.echo(explain_text(found), nl=False)


def main() -> None:
    """Console-script entry point; no traceback reaches the user unless SHIPCHECK_DEBUG is set."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        typer.echo("shipcheck: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("SHIPCHECK_DEBUG"):
            raise
        typer.echo(
            f"shipcheck: internal error: {type(exc).__name__}: {exc} "
            "(set SHIPCHECK_DEBUG=1 for a traceback and please report it)",
            err=True,
        )
        sys.exit(2)
