"""``COPY`` and ``ADD``: the whole context copied before dependencies are installed, and
``ADD`` used for plain local files (container.build-hygiene)."""

from __future__ import annotations

from collections.abc import Iterator

from shipcheck.detectors.dockerfile.pip import pip_call
from shipcheck.detectors.dockerfile.shell import SimpleCommand
from shipcheck.detectors.dockerfile.stages import image_instructions, label
from shipcheck.detectors.dockerfile.syntax import (
    find,
    keyword_span,
    located_commands,
    transfer,
    whole_context,
)
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Dockerfile, Instruction, Kind
from shipcheck.models.findings import Hit

# Tools that install a project's dependencies from a manifest (subcommands that do it).
_MANIFEST_INSTALLERS = {
    "poetry": ("install", "sync"),
    "pipenv": ("install", "sync"),
    "pdm": ("install", "sync"),
    "uv": ("sync",),
    "pip-sync": ("",),
    "conda": ("env",),
    "mamba": ("env",),
    "micromamba": ("install", "create"),
}
_FROM_FILE = frozenset({"conda", "mamba", "micromamba"})
# ADD extracts these local archives, which COPY cannot do.
_ARCHIVES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst")


def dependency_install(command: SimpleCommand) -> str | None:
    """How ``command`` installs dependencies from a manifest (``pip install -r …``)."""
    call = pip_call(command, include_uv=True)
    if call is not None:
        if call.subcommand == "install":
            for index, arg in enumerate(call.args):
                if arg in ("-r", "--requirement") and index + 1 < len(call.args):
                    return f"pip install -r {call.args[index + 1]}"
                if arg.startswith(("--requirement=", "-r")) and arg not in ("-r",):
                    return f"pip install {arg}"
        return None
    subcommands = _MANIFEST_INSTALLERS.get(command.name)
    if subcommands is None:
        return None
    sub = next((a for a in command.argv[1:] if not a.startswith("-")), "")
    if command.name in _FROM_FILE and not any(
        a in ("-f", "--file") or a.startswith("--file=") for a in command.argv[1:]
    ):
        return None  # `conda install numpy` names packages, not a manifest
    if sub in subcommands or subcommands == ("",):
        return " ".join([command.name, sub]).strip()
    return None


@detector("dockerfile.copy-context-before-deps", kind=Kind.DOCKERFILE)
def copy_context_before_deps(doc: Dockerfile, params: None) -> Iterator[Hit]:
    """A stage copies the whole build context and only then installs dependencies from a
    manifest, with no dependency install before the copy: every source change invalidates
    the dependency layer."""
    for stage in doc.stages:
        inherited = image_instructions(doc, stage)[: -len(stage.instructions) or None]
        installed = any(_installs(doc, i) for i in inherited if i.keyword == "RUN")
        pending: Instruction | None = None
        for instruction in stage.instructions:
            if instruction.keyword == "RUN":
                how = _installs(doc, instruction)
                if how and pending is not None:
                    span = keyword_span(doc, pending)
                    yield Hit(
                        line=pending.line,
                        column=span.column,
                        end_column=span.end_column,
                        fields={
                            "stage": label(stage, doc),
                            "copy": " ".join(pending.value.split()),
                            "install": how,
                            "install_line": instruction.line,
                        },
                    )
                    pending = None
                    installed = True
                elif how:
                    installed = True
            elif instruction.keyword in ("COPY", "ADD") and not installed and pending is None:
                moved = transfer(instruction, doc.escape)
                if moved and moved.from_stage is None and any(map(whole_context, moved.sources)):
                    pending = instruction


def _installs(doc: Dockerfile, instruction: Instruction) -> str | None:
    for command, _ in located_commands(doc, instruction):
        how = dependency_install(command)
        if how:
            return how
    return None


@detector("dockerfile.add-local-files", kind=Kind.DOCKERFILE)
def add_local_files(doc: Dockerfile, params: None) -> Iterator[Hit]:
    """``ADD`` of local files or folders that are not archives to extract: ``COPY`` says what
    it does, ``ADD`` also unpacks archives and fetches URLs."""
    for stage in doc.stages:
        for instruction in stage.instructions:
            if instruction.keyword != "ADD" or instruction.heredoc is not None:
                continue
            moved = transfer(instruction, doc.escape)
            if moved is None or moved.from_stage is not None:
                continue
            local = [
                s
                for s in moved.sources
                if "://" not in s
                and not s.startswith("git@")
                and not s.lower().endswith(_ARCHIVES)
                and "$" not in s
            ]
            if not local:
                continue
            span = find(doc, instruction, local[0], after=3) or keyword_span(doc, instruction)
            yield Hit(
                line=instruction.line,
                column=keyword_span(doc, instruction).column,
                end_column=span.end_column if span.line == instruction.line else None,
                fields={
                    "stage": label(stage, doc),
                    "sources": ", ".join(f"`{s}`" for s in local[:3]),
                },
            )
