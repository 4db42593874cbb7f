"""Where the reports of one scan go: several files from a single scan, plus standard output.

``--output FMT:FILE`` names the format; ``--output FILE`` takes it from the extension
(``.sarif``, ``.json``, ``.md``, ``.html``, ``.txt``); ``--format`` is what standard output
shows. The one exception keeps the old form working: a single ``--output FILE`` with a
machine format, ``--format gitlab --output gl-code-quality-report.json``, writes that format
to the file as it always did (``terminal`` and ``concise`` are for people: with them,
``--format`` stays standard output's). Every destination is checked, and its folder
created, before the scan starts, so a typo in a path costs no scan time.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shipcheck.cli_options import OptionError
from shipcheck.suggest import did_you_mean

EXTENSIONS = {
    ".sarif": "sarif",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "terminal",
}
# Formats that describe the scan for people; the gate line is in them already.
HUMAN = frozenset({"terminal", "concise"})


@dataclass(frozen=True)
class Destination:
    """One report: a format and a file (None: standard output)."""

    format: str
    path: Path | None = None

    @property
    def label(self) -> str:
        """How messages name it."""
        return str(self.path) if self.path is not None else "standard output"


@dataclass(frozen=True)
class Plan:
    """Every report one scan writes."""

    files: tuple[Destination, ...]
    stdout: Destination | None

    @property
    def all(self) -> tuple[Destination, ...]:
        """Files first, then standard output."""
        return self.files + ((self.stdout,) if self.stdout else ())

    def formats(self) -> set[str]:
        """Every format asked for."""
        return {d.format for d in self.all}


def parse_output(spec: str, formats: Sequence[str]) -> Destination:
    """``FMT:FILE`` or ``FILE`` (format from the extension). Raises :class:`OptionError`."""
    head, sep, tail = spec.partition(":")
    # A one-letter head is a Windows drive (C:\\reports\\x.sarif), not a format.
    if sep and len(head) > 1 and (head in formats or ("/" not in head and "\\" not in head)):
        if head not in formats:
            raise OptionError(
                f"--output {spec}: unknown format {head!r} (choose from {', '.join(formats)})"
                + did_you_mean(head, formats)
            )
        if not tail:
            raise OptionError(f"--output {spec}: no file after `{head}:`")
        return Destination(head, Path(tail))
    path = Path(spec)
    inferred = EXTENSIONS.get(path.suffix.lower())
    if inferred is None:
        known = ", ".join(sorted(EXTENSIONS))
        raise OptionError(
            f"--output {spec}: cannot tell the format from the file name (known extensions: "
            f"{known}); write FMT:FILE, e.g. --output json:{spec}"
        )
    return Destination(inferred, path)


def plan(outputs: list[str] | None, stdout_format: str | None, formats: Sequence[str]) -> Plan:
    """The reports asked for. ``stdout_format`` is ``--format`` (None when not given)."""
    if stdout_format is not None and stdout_format not in formats:
        raise OptionError(
            f"--format: unknown format {stdout_format!r} (choose from {', '.join(formats)})"
            + did_you_mean(stdout_format, formats)
        )
    specs = outputs or []
    machine = stdout_format is not None and stdout_format not in HUMAN
    if len(specs) == 1 and machine and not _has_format(specs[0], formats):
        # The long-standing form: `--format gitlab --output gl-code-quality-report.json`.
        return Plan((Destination(stdout_format, Path(specs[0])),), None)
    files = tuple(parse_output(spec, formats) for spec in specs)
    if stdout_format is None and not files:
        stdout_format = "terminal"
    stdout = Destination(stdout_format) if stdout_format is not None else None
    return Plan(files, stdout)


def _has_format(spec: str, formats: Sequence[str]) -> bool:
    head, sep, _ = spec.partition(":")
    return bool(sep) and head in formats


def prepare(destinations: tuple[Destination, ...]) -> None:
    """Create each file's folder and make sure the file can be written, before scanning.
    Raises :class:`OptionError` naming the file."""
    seen: dict[Path, Destination] = {}
    for dest in destinations:
        if dest.path is None:
            continue
        resolved = dest.path.resolve()
        if resolved in seen:
            raise OptionError(f"--output {dest.path}: named twice")
        seen[resolved] = dest
        if dest.path.is_dir():
            raise OptionError(f"--output {dest.path}: is a directory")
        parent = resolved.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OptionError(
                f"--output {dest.path}: cannot create folder {parent}: {exc.strerror or exc}"
            ) from None
        target = resolved if resolved.exists() else parent
        if not os.access(target, os.W_OK):
            what = "file" if target == resolved else "folder"
            raise OptionError(f"--output {dest.path}: the {what} {target} is not writable")


def write(dest: Destination, text: str) -> None:
    """Write one report file. Raises OSError."""
    assert dest.path is not None
    dest.path.write_text(text, encoding="utf-8")
