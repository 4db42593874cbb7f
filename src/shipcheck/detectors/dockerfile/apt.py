"""``apt-get`` in ``RUN``: recommended packages and package lists left in the image
(container.build-hygiene). Only stages whose layers ship are judged."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck.detectors.dockerfile.shell import SimpleCommand
from shipcheck.detectors.dockerfile.stages import label, shipped
from shipcheck.detectors.dockerfile.syntax import Span, located_commands, mount_targets, split_flags
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Dockerfile, Instruction, Kind, Stage
from shipcheck.models.findings import Hit

_APT = frozenset({"apt-get", "apt"})
_VALUE_OPTIONS = frozenset({"-o", "-c", "-t", "--target-release", "--option", "--config-file"})
_LISTS = "/var/lib/apt/lists"


@dataclass(frozen=True)
class AptCall:
    """``apt-get <action> …``: the action, its package arguments and every option."""

    action: str
    packages: list[str]
    options: list[str]


def apt_call(command: SimpleCommand) -> AptCall | None:
    """An ``apt-get`` / ``apt`` invocation."""
    if command.name not in _APT:
        return None
    action: str | None = None
    packages: list[str] = []
    options: list[str] = []
    args = command.argv[1:]
    index = 0
    while index < len(args):
        arg = args[index]
        if arg.startswith("-"):
            options.append(arg)
            if arg in _VALUE_OPTIONS and index + 1 < len(args):
                options.append(args[index + 1])
                index += 1
        elif action is None:
            action = arg
        else:
            packages.append(arg)
        index += 1
    return AptCall(action, packages, options) if action else None


def _apt_runs(
    doc: Dockerfile,
) -> Iterator[tuple[Stage, Instruction, list[tuple[SimpleCommand, Span]]]]:
    for stage in shipped(doc):
        for instruction in stage.instructions:
            if instruction.keyword == "RUN":
                commands = located_commands(doc, instruction)
                if any(apt_call(c) for c, _ in commands):
                    yield stage, instruction, commands


def _recommends_off(options: list[str]) -> bool:
    if "--no-install-recommends" in options:
        return True
    return any(
        "install-recommends" in o.lower() and o.lower().endswith(("=false", "=0", "=no"))
        for o in options
    )


@detector("dockerfile.apt-install-recommends", kind=Kind.DOCKERFILE)
def apt_install_recommends(doc: Dockerfile, params: None) -> Iterator[Hit]:
    """``apt-get install`` of packages without ``--no-install-recommends`` (or ``-o
    APT::Install-Recommends=false``), unless an earlier RUN of the image wrote an apt.conf
    setting ``APT::Install-Recommends``."""
    configured = False
    for stage, instruction, commands in _apt_runs_all(doc):
        for command, span in commands:
            call = apt_call(command)
            if call is None or call.action != "install" or not call.packages:
                continue
            if configured or _recommends_off(call.options):
                continue
            yield Hit(
                line=span.line,
                column=span.column,
                end_column=span.end_column,
                fields={"stage": label(stage, doc), "command": command.name},
                context=f"apt-recommends {label(stage, doc)} {' '.join(call.packages)}",
            )
        text = (instruction.value + (instruction.heredoc or "")).lower()
        if "install-recommends" in text and "apt.conf" in text:
            configured = True


def _apt_runs_all(
    doc: Dockerfile,
) -> Iterator[tuple[Stage, Instruction, list[tuple[SimpleCommand, Span]]]]:
    """Every RUN of the shipped stages (config written by one RUN affects the later ones)."""
    for stage in shipped(doc):
        for instruction in stage.instructions:
            if instruction.keyword == "RUN":
                yield stage, instruction, located_commands(doc, instruction)


def _removes_lists(commands: list[tuple[SimpleCommand, Span]]) -> bool:
    return any(
        command.name == "rm" and any(a.startswith(_LISTS) for a in command.argv[1:])
        for command, _ in commands
    )


@detector("dockerfile.apt-lists-kept", kind=Kind.DOCKERFILE)
def apt_lists_kept(doc: Dockerfile, params: None) -> Iterator[Hit]:
    """A RUN that runs ``apt-get update`` but does not remove ``/var/lib/apt/lists`` in the
    same layer (a later RUN that removes them does not shrink the image). A cache or tmpfs
    mount on the lists directory passes."""
    for stage, instruction, commands in _apt_runs(doc):
        updates = [(c, s) for c, s in commands if (call := apt_call(c)) and call.action == "update"]
        if not updates or _removes_lists(commands):
            continue
        flags, _ = split_flags(instruction.value)
        mounted = mount_targets(flags, "cache") + mount_targets(flags, "tmpfs")
        if any(t.rstrip("/") == _LISTS for t in mounted):
            continue
        later = _later_removal(doc, instruction)
        note = "; removing them in a later `RUN` does not shrink the image" if later else ""
        span = updates[0][1]
        yield Hit(
            line=span.line,
            column=span.column,
            end_column=span.end_column,
            fields={"stage": label(stage, doc), "note": note},
        )


def _later_removal(doc: Dockerfile, instruction: Instruction) -> Instruction | None:
    seen = False
    for stage in shipped(doc):
        for other in stage.instructions:
            if other is instruction:
                seen = True
            elif seen and other.keyword == "RUN" and _removes_lists(located_commands(doc, other)):
                return other
    return None
