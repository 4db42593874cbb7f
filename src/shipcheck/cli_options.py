"""Command-line options shared by the commands that scan (``scan``, ``baseline``, and any
later command such as ``fix``): one ``Annotated`` alias per option, so every command spells,
documents and groups it the same way, and :func:`scan_options` to turn them into
:class:`~shipcheck.engine.ScanOptions`.

A command declares them as parameters::

    @app.command(cls=SectionedCommand, epilog=...)
    def fix(paths: Paths = None, select: Select = None, ignore: Ignore = None,
            config: ConfigFile = None, isolated: Isolated = False, offline: Offline = False,
            jobs: Jobs = None) -> None:
        options = scan_options(paths, select=select, ignore=ignore, config=config,
                               isolated=isolated, offline=offline, jobs=jobs)

The option names are part of the interface (README, pre-commit hooks, the action): keep them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from shipcheck.config import FAIL_ON_CHOICES

if TYPE_CHECKING:
    from shipcheck.engine import Progress, ScanOptions

# Sections of `--help` (typer's rich_help_panel, rendered by shipcheck.clihelp).
OUTPUT = "Output"
SELECTION = "Rule selection"
GATE = "Gate"
SCOPE = "What to judge"
CONFIGURATION = "Configuration"
PERFORMANCE = "Performance and network"

Paths = Annotated[
    Optional[list[Path]],
    typer.Argument(
        metavar="PATH",
        show_default=False,
        help="A directory (default: the current one), or files (what pre-commit passes); "
        "`-` reads Kubernetes manifests from standard input.",
    ),
]
Select = Annotated[
    Optional[list[str]],
    typer.Option(
        "--select",
        metavar="RULES",
        rich_help_panel=SELECTION,
        help="Run only these rules: ids, names, family prefixes (DKR), checklist keys or "
        "areas, comma-separated or repeated; ALL for every rule.",
    ),
]
ExtendSelect = Annotated[
    Optional[list[str]],
    typer.Option(
        "--extend-select",
        metavar="RULES",
        rich_help_panel=SELECTION,
        help="Add rules to the selection (e.g. DKR003, off by default).",
    ),
]
Ignore = Annotated[
    Optional[list[str]],
    typer.Option("--ignore", metavar="RULES", rich_help_panel=SELECTION, help="Skip these rules."),
]
FailOn = Annotated[
    Optional[str],
    typer.Option(
        "--fail-on",
        metavar="SEVERITY",
        rich_help_panel=GATE,
        help=f"Fail (exit 1) on a finding at or above: {', '.join(FAIL_ON_CHOICES)} "
        "(default: high).",
    ),
]
MinScore = Annotated[
    Optional[int],
    typer.Option(
        "--min-score",
        metavar="N",
        rich_help_panel=GATE,
        help="Also fail when the overall score is below N (0-100).",
    ),
]
Baseline = Annotated[
    Optional[Path],
    typer.Option(
        "--baseline",
        metavar="FILE",
        rich_help_panel=SCOPE,
        help="Report and gate only on findings not in this baseline file.",
    ),
]
Diff = Annotated[
    Optional[str],
    typer.Option(
        "--diff",
        metavar="REF",
        rich_help_panel=SCOPE,
        help="Report and gate only on lines changed since git REF.",
    ),
]
IgnoreSuppressions = Annotated[
    bool,
    typer.Option(
        "--ignore-suppressions",
        rich_help_panel=SCOPE,
        help="Disregard inline suppressions (audits).",
    ),
]
ConfigFile = Annotated[
    Optional[Path],
    typer.Option(
        "--config",
        "-c",
        metavar="FILE",
        rich_help_panel=CONFIGURATION,
        help="Read configuration from FILE instead of the project's pyproject.toml or "
        ".shipcheck.toml.",
    ),
]
Isolated = Annotated[
    bool,
    typer.Option("--isolated", rich_help_panel=CONFIGURATION, help="Read no configuration file."),
]
Jobs = Annotated[
    Optional[int],
    typer.Option(
        "--jobs",
        "-j",
        metavar="N",
        rich_help_panel=PERFORMANCE,
        help="Worker processes (default: one per core on large projects).",
    ),
]
Offline = Annotated[
    bool,
    typer.Option(
        "--offline",
        rich_help_panel=PERFORMANCE,
        help="Open no network connection; a check that needs one is reported as not checked.",
    ),
]
NoCache = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        rich_help_panel=PERFORMANCE,
        help="Neither read nor write the result cache (kept in $SHIPCHECK_CACHE_DIR, else "
        "the user's cache folder; never in the project).",
    ),
]
Quiet = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        rich_help_panel=OUTPUT,
        help="No progress display and no notes on standard error (errors still show).",
    ),
]


class OptionError(Exception):
    """A bad command-line value; the message starts with the option's name."""


def split_values(values: list[str] | None) -> list[str] | None:
    """Repeated and comma-separated values as one list (None when not given)."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def scan_options(
    paths: list[Path] | None,
    *,
    select: list[str] | None = None,
    extend_select: list[str] | None = None,
    ignore: list[str] | None = None,
    fail_on: str | None = None,
    min_score: int | None = None,
    config: Path | None = None,
    isolated: bool = False,
    offline: bool = False,
    jobs: int | None = None,
    ignore_suppressions: bool = False,
    baseline: Path | None = None,
    diff: str | None = None,
    stdin_text: str | None = None,
    progress: Progress | None = None,
    cache: bool = True,
) -> ScanOptions:
    """What the engine needs from the shared options. Raises :class:`OptionError` for values
    the engine would otherwise blame on a configuration file."""
    from shipcheck.engine import ScanOptions

    if jobs is not None and jobs < 1:
        raise OptionError(f"--jobs: must be at least 1, not {jobs}")
    if fail_on is not None and fail_on.lower() not in FAIL_ON_CHOICES:
        raise OptionError(
            f"--fail-on: {fail_on!r} is not one of {', '.join(FAIL_ON_CHOICES)}"
            + _suggest(fail_on.lower(), FAIL_ON_CHOICES)
        )
    if min_score is not None and not 0 <= min_score <= 100:
        raise OptionError(f"--min-score: must be from 0 to 100, not {min_score}")
    overrides: dict[str, Any] = {
        "fail-on": fail_on.lower() if fail_on else None,
        "min-score": min_score,
        "select": split_values(select),
        "extend-select": split_values(extend_select),
        "ignore": split_values(ignore),
        "offline": True if offline else None,
    }
    targets = list(paths) if paths else [Path(".")]
    return ScanOptions(
        targets=[] if stdin_text is not None else targets,
        config_file=config,
        isolated=isolated,
        overrides=overrides,
        jobs=jobs,
        no_inline_suppressions=ignore_suppressions,
        stdin_text=stdin_text,
        baseline=baseline,
        diff_ref=diff,
        progress=progress,
        cache=cache,
    )


def _suggest(word: str, choices: Any) -> str:
    from shipcheck.suggest import did_you_mean

    return did_you_mean(word, choices)
