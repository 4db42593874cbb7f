"""``pip`` in ``RUN``: the download cache left in a layer, and packages installed unpinned
(container.build-hygiene)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck import lazyre
from shipcheck.detectors.deps.common import vcs_unpinned
from shipcheck.detectors.dockerfile.servers import program
from shipcheck.detectors.dockerfile.shell import SimpleCommand
from shipcheck.detectors.dockerfile.stages import build_variables, label, shipped
from shipcheck.detectors.dockerfile.syntax import (
    Span,
    located_commands,
    mount_targets,
    split_flags,
)
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Dockerfile, Instruction, Kind, Stage
from shipcheck.models.findings import Hit

_PIP = lazyre.compile(r"^pip(\d+(\.\d+)?)?$")
# pip's general options that take a value (they may come before the subcommand).
_GENERAL_VALUE = frozenset(
    {"--python", "--cache-dir", "--log", "--proxy", "--retries", "--timeout", "--exists-action",
     "--trusted-host", "--cert", "--client-cert", "--use-feature", "--use-deprecated",
     "--keyring-provider", "--log-file", "--local-log"}
)  # fmt: skip
# ``pip install`` / ``pip wheel`` options that take a value.
_INSTALL_VALUE = _GENERAL_VALUE | frozenset(
    {"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-t", "--target",
     "--prefix", "--root", "-i", "--index-url", "--extra-index-url", "-f", "--find-links",
     "--src", "--upgrade-strategy", "--platform", "--python-version", "--implementation",
     "--abi", "--only-binary", "--no-binary", "--progress-bar", "--global-option",
     "--install-option", "-C", "--config-settings", "--report", "-w", "--wheel-dir",
     "--build-option", "--group", "-b", "--build"}
)  # fmt: skip
_ARCHIVES = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz", ".tar")


@dataclass(frozen=True)
class PipCall:
    """``pip <subcommand> …`` with its arguments after the subcommand."""

    subcommand: str
    args: list[str]
    all_args: list[str]
    env: dict[str, str]


def pip_call(command: SimpleCommand, include_uv: bool = False) -> PipCall | None:
    """A pip invocation (``pip``, ``pip3.12``, ``python -m pip``, optionally ``uv pip``)."""
    args: list[str] | None = None
    if _PIP.match(command.name):
        args = command.argv[1:]
    elif include_uv and command.name == "uv" and command.argv[1:2] == ["pip"]:
        args = command.argv[2:]
    else:
        prog = program(command)
        if prog is not None and prog.module == "pip":
            args = prog.args
    if args is None:
        return None
    index = 0
    while index < len(args) and args[index].startswith("-"):
        index += 2 if args[index] in _GENERAL_VALUE else 1
    if index >= len(args):
        return None
    return PipCall(args[index], args[index + 1 :], args, command.env)


def _pip_commands(
    doc: Dockerfile, stages: list[Stage], include_uv: bool = False
) -> Iterator[tuple[Stage, Instruction, PipCall, Span]]:
    for stage in stages:
        for instruction in stage.instructions:
            if instruction.keyword != "RUN":
                continue
            for command, span in located_commands(doc, instruction):
                call = pip_call(command, include_uv)
                if call is not None:
                    yield stage, instruction, call, span


def _cache_cleaned(doc: Dockerfile, instruction: Instruction) -> bool:
    """The same RUN purges pip's cache or mounts a cache over it."""
    flags, _ = split_flags(instruction.value)
    for target in mount_targets(flags, "cache") + mount_targets(flags, "tmpfs"):
        if target.rstrip("/").endswith((".cache", ".cache/pip")) or "pip" in target:
            return True
    for command, _ in located_commands(doc, instruction):
        call = pip_call(command)
        if call is not None and call.subcommand == "cache" and call.args[:1] == ["purge"]:
            return True
        if command.name == "rm" and any(
            a.rstrip("/").endswith((".cache", ".cache/pip")) for a in command.argv[1:]
        ):
            return True
    return False


@detector("dockerfile.pip-cache", kind=Kind.DOCKERFILE)
def pip_cache(doc: Dockerfile, params: None) -> Iterator[Hit]:
    """``pip install`` without ``--no-cache-dir`` in a stage whose layers ship (the final
    stage and the stages it is built from), unless ``PIP_NO_CACHE_DIR`` is set (ENV, ARG
    or on the command) or the same RUN mounts or removes the cache."""
    for stage, instruction, call, span in _pip_commands(doc, shipped(doc)):
        if call.subcommand != "install" or "--no-cache-dir" in call.all_args:
            continue
        if call.env.get("PIP_NO_CACHE_DIR"):
            continue
        if build_variables(doc, stage, instruction).get("PIP_NO_CACHE_DIR"):
            continue
        if _cache_cleaned(doc, instruction):
            continue
        yield Hit(
            line=span.line,
            column=span.column,
            end_column=span.end_column,
            fields={"stage": label(stage, doc), "line": instruction.line},
            context=f"pip-cache {label(stage, doc)} {' '.join(call.all_args)}",
        )


def unpinned_packages(call: PipCall) -> list[str]:
    """Package arguments of ``pip install``/``pip wheel`` that do not pin one version.
    Paths, URLs, archives and values still holding ``$VARIABLES`` are not judged, and a
    ``-c`` constraints file may pin everything."""
    if call.subcommand not in ("install", "wheel", "download"):
        return []
    found = []
    index = 0
    args = call.args
    while index < len(args):
        arg = args[index]
        if arg in ("-c", "--constraint") or arg.startswith(("--constraint=", "-c")):
            return []
        if arg.startswith("-"):
            index += 2 if arg in _INSTALL_VALUE else 1
            continue
        index += 1
        if not _pinned(arg):
            found.append(arg)
    return found


# A VCS requirement (``git+https://…@ref``, ``pkg @ git+ssh://…``): pinned only at a commit.
_VCS_URL = lazyre.compile(r"\b(git|hg|svn|bzr)\+\S+")


def _pinned(spec: str) -> bool:
    text = spec.strip()
    vcs = _VCS_URL.search(text)
    if vcs is not None and "$" not in text:
        return not vcs_unpinned(vcs.group(0))
    if not text or "$" in text or "://" in text or text.startswith((".", "/", "~", "git+")):
        return True
    if "/" in text.split(";")[0] or text.lower().endswith(_ARCHIVES) or "@" in text:
        return True
    # Imported here (markers and platform tags): the module is loaded for its facts' sake by
    # runs that never read a Dockerfile's pip lines.
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return True
    specifiers = list(requirement.specifier)
    return len(specifiers) == 1 and (
        specifiers[0].operator == "==="
        or (specifiers[0].operator == "==" and not specifiers[0].version.endswith("*"))
    )


@detector("dockerfile.pip-unpinned", kind=Kind.DOCKERFILE)
def pip_unpinned(doc: Dockerfile, params: None) -> Iterator[Hit]:
    """``pip install pkg`` / ``pip wheel pkg`` in a RUN without an exact ``==`` version (in
    any stage: a builder's unpinned wheel ends up in the image just the same)."""
    for stage, _, call, span in _pip_commands(doc, doc.stages, include_uv=True):
        packages = unpinned_packages(call)
        if not packages:
            continue
        listed = ", ".join(f"`{p}`" for p in packages[:4]) + (" …" if len(packages) > 4 else "")
        yield Hit(
            line=span.line,
            column=span.column,
            end_column=span.end_column,
            fields={
                "stage": label(stage, doc),
                "subcommand": call.subcommand,
                "packages": listed,
            },
            context=f"pip-unpinned {label(stage, doc)} {' '.join(packages)}",
        )
