"""Command help that reads well in an 80-column terminal and in a pipe.

typer's boxed help gives each option five columns (long name, short name, negative name,
type, text), so at 80 columns names get cut (``--ignore-suppres…``) and the text is left
with a dozen characters; it also prints a type for every option (``<list[Path]>``). Here the
help is click's plain two-column layout: names with a metavar (never a type) on the left,
text wrapped with a hanging indent on the right, options grouped into sections by their
``rich_help_panel`` (Output, Rule selection, Gate, …), and each command's example last.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand

DEFAULT_PANEL = "Options"
MAX_HELP_WIDTH = 100


def _join(opts: list[str]) -> str:
    """``-f, --format``: short names first, as click writes them."""
    return ", ".join(sorted(opts, key=lambda o: (o.startswith("--"), o)))


def help_record(param: Any) -> tuple[str, str] | None:
    """``(names, text)`` for one parameter, or None when it is hidden."""
    if getattr(param, "hidden", False):
        return None
    text = " ".join((getattr(param, "help", None) or "").split())
    if param.param_type_name == "argument":
        name = param.metavar or (param.name or "").upper()
        if param.nargs != 1:
            name += "..."
        return name, text
    names = _join(list(param.opts))
    if param.secondary_opts:
        names += " / " + _join(list(param.secondary_opts))
    if not param.is_flag and not getattr(param, "count", False):
        names += " " + (param.metavar or "VALUE")
    return names, text


class SectionedCommand(TyperCommand):
    """A command whose help lists options in sections, without type metavars."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """Arguments, then one section per panel in first-seen order, ``--help`` last."""
        arguments: list[tuple[str, str]] = []
        sections: dict[str, list[tuple[str, str]]] = {}
        for param in self.get_params(ctx):
            record = help_record(param)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append(record)
                continue
            panel = getattr(param, "rich_help_panel", None) or DEFAULT_PANEL
            sections.setdefault(panel, []).append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if DEFAULT_PANEL in sections:  # --help and the ungrouped go last
            sections[DEFAULT_PANEL] = sections.pop(DEFAULT_PANEL)
        for panel, records in sections.items():
            with formatter.section(panel):
                formatter.write_dl(records)
