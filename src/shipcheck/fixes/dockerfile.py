"""Dockerfile fixes: minimal text edits at the positions the parsed instructions give.

DKR010 ``--no-cache-dir`` after ``pip install``; DKR013 ``--no-install-recommends`` after
``apt-get install``; DKR014 removes the apt lists in the RUN that downloaded them; DKR020
turns a shell-form CMD/ENTRYPOINT that uses no shell feature into exec form; DKR021 adds
``ENV PYTHONUNBUFFERED=1`` to the final stage.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator

from shipcheck.fixes.context import FixContext
from shipcheck.fixes.edits import Edit
from shipcheck.fixes.registry import SAFE, UNSAFE, fixer
from shipcheck.models.artifacts import Dockerfile, Instruction
from shipcheck.models.findings import Finding

_SEPARATOR = re.compile(r"&&|\|\||[;|&()]")
_APT_LISTS_CLEANUP = "rm -rf /var/lib/apt/lists/*"


def _dockerfile(ctx: FixContext) -> Dockerfile | None:
    artifact = ctx.artifact
    return artifact if isinstance(artifact, Dockerfile) else None


def _instruction(doc: Dockerfile, line: int) -> Instruction | None:
    return next((i for i in doc.instructions if i.line <= line <= i.end_line), None)


def _after_subcommand(ctx: FixContext, finding: Finding, word: str, option: str) -> Edit | None:
    """Insert ``option`` after the ``word`` subcommand of the command the finding points
    at (``pip`` … ``install``), in shell form or in an exec-form JSON array."""
    doc = _dockerfile(ctx)
    instruction = _instruction(doc, finding.line) if doc is not None else None
    if instruction is None:
        return None
    start = ctx.lines.offset(finding.line, finding.column)
    end = ctx.lines.line_end(instruction.end_line)
    pattern = re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])")
    match = pattern.search(ctx.text, start, end)
    if match is None:
        return None
    between = ctx.text[start : match.start()]
    if _SEPARATOR.search(between.replace("\\\n", "").replace("\\\r\n", "")):
        return None  # the word belongs to a later command
    if re.search(r"(?<!\\)(\r\n|\n)", between):
        return None
    quote = ctx.text[match.end() : match.end() + 1]
    if quote == '"' and ctx.text[match.start() - 1 : match.start()] == '"':
        return ctx.insert(finding, match.end() + 1, f', "{option}"', f"add `{option}`")
    return ctx.insert(finding, match.end(), f" {option}", f"add `{option}`")


@fixer(
    "DKR010",
    SAFE,
    "add `--no-cache-dir` to `pip install`",
)
def pip_no_cache_dir(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit]:
    """``pip install`` → ``pip install --no-cache-dir``."""
    for finding in findings:
        edit = _after_subcommand(ctx, finding, "install", "--no-cache-dir")
        if edit is not None:
            yield edit


@fixer(
    "DKR013",
    UNSAFE,  # packages that came only as recommendations are no longer installed
    "add `--no-install-recommends` to `apt-get install`",
)
def apt_no_recommends(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit]:
    """``apt-get install`` → ``apt-get install --no-install-recommends``."""
    for finding in findings:
        edit = _after_subcommand(ctx, finding, "install", "--no-install-recommends")
        if edit is not None:
            yield edit


@fixer(
    "DKR014",
    SAFE,
    "remove `/var/lib/apt/lists` in the `RUN` that runs `apt-get update`",
)
def apt_lists_cleanup(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit]:
    """Append ``&& rm -rf /var/lib/apt/lists/*`` to the RUN that runs ``apt-get update``,
    unless a later RUN (of any stage) installs packages without updating the lists again
    (it needs them), or the RUN ends in a way a command cannot follow (heredoc, exec form,
    a trailing shell comment or operator)."""
    doc = _dockerfile(ctx)
    if doc is None:
        return
    for finding in findings:
        instruction = _instruction(doc, finding.line)
        if instruction is None or instruction.keyword != "RUN" or instruction.heredoc:
            continue
        if instruction.value.lstrip().startswith("[") or _later_install(doc, instruction):
            continue
        last = ctx.lines.line_text(instruction.end_line)
        body = last.rstrip()
        if re.search(r"(^|\s)#", last) or body.endswith((";", "&", "|", "(", "{", "\\")):
            continue
        end = ctx.lines.line_start(instruction.end_line) + len(body)
        previous = ctx.lines.line_text(instruction.end_line - 1).rstrip()
        indent = last[: len(last) - len(last.lstrip())]
        multi = instruction.end_line > instruction.line
        if multi and last.lstrip().startswith("&&"):
            addition = f" \\{ctx.newline}{indent}&& {_APT_LISTS_CLEANUP}"
        elif multi and previous.endswith("\\") and previous[:-1].rstrip().endswith("&&"):
            addition = f" && \\{ctx.newline}{indent}{_APT_LISTS_CLEANUP}"
        else:
            addition = f" && {_APT_LISTS_CLEANUP}"
        yield ctx.insert(finding, end, addition, "remove the apt package lists")


def _later_install(doc: Dockerfile, instruction: Instruction) -> bool:
    """A later RUN installs with apt without updating first (stages built from this one
    inherit the removal, so every later RUN counts)."""
    from shipcheck.detectors.dockerfile.apt import apt_call
    from shipcheck.detectors.dockerfile.syntax import run_commands

    later = doc.instructions[doc.instructions.index(instruction) + 1 :]
    for other in later:
        if other.keyword != "RUN":
            continue
        actions = [c.action for cmd in run_commands(other) if (c := apt_call(cmd))]
        if "install" in actions and "update" not in actions[: actions.index("install")]:
            return True
    return False


# Characters that make a shell command line more than words (outside quotes).
_SHELL_SYNTAX = frozenset("$`\\;&|<>(){}*?[]~#!\n\r\t")
_SHELL_WORDS = frozenset(
    {"cd", "source", ".", "export", "set", "ulimit", "umask", "eval", "trap", "exec", "if",
     "for", "while", "until", "case", "sh", "bash", "dash", "ash", "zsh", "env"}
)  # fmt: skip


def exec_words(command: str) -> list[str] | None:
    """The words of a shell command line that uses nothing but words and plain quotes, or
    None when the shell would do something with it (variables, globs, operators, escapes,
    assignments, builtins)."""
    quote = None
    for char in command:
        if quote == "'":
            if char == "'":
                quote = None
        elif quote == '"':
            if char in "$`\\!":
                return None
            if char == '"':
                quote = None
        elif char in "'\"":
            quote = char
        elif char in _SHELL_SYNTAX:
            return None
    if quote is not None:
        return None
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words or words[0] in _SHELL_WORDS or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        return None
    return words


@fixer(
    "DKR020",
    SAFE,
    "write the command in exec (JSON) form",
)
def exec_form(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit]:
    """``CMD gunicorn app:app`` → ``CMD ["gunicorn", "app:app"]`` when the command uses no
    shell feature; a shell-form ENTRYPOINT is left alone when a CMD follows it (in exec form
    the CMD would become its arguments)."""
    from shipcheck.detectors.dockerfile.command import image_command

    doc = _dockerfile(ctx)
    if doc is None:
        return
    command = image_command(doc)
    for finding in findings:
        instruction = _instruction(doc, finding.line)
        if instruction is None or instruction.keyword not in ("CMD", "ENTRYPOINT"):
            continue
        if instruction.keyword == "ENTRYPOINT" and command.cmd is not None:
            continue
        lines = range(instruction.line, instruction.end_line + 1)
        if any(ctx.lines.line_text(n).lstrip().startswith("#") for n in lines):
            continue
        words = exec_words(instruction.value.strip())
        if words is None:
            continue
        first = ctx.lines.line_text(instruction.line)
        keyword = re.match(r"\s*\S+\s+", first)
        if keyword is None:
            continue
        start = ctx.lines.line_start(instruction.line) + keyword.end()
        end = ctx.lines.line_start(instruction.end_line) + len(
            ctx.lines.line_text(instruction.end_line).rstrip()
        )
        replacement = json.dumps(words, ensure_ascii=False)
        yield ctx.edit(finding, start, end, replacement, "use the exec form")


@fixer(
    "DKR021",
    SAFE,
    "add `ENV PYTHONUNBUFFERED=1` to the final stage",
)
def python_unbuffered(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit]:
    """A new ``ENV PYTHONUNBUFFERED=1`` line right after the final stage's ``FROM``."""
    doc = _dockerfile(ctx)
    final = doc.final_stage if doc is not None else None
    if final is None or final.instruction is None:
        return
    for finding in findings:
        at = ctx.lines.line_end(final.instruction.end_line)
        indent = re.match(r"\s*", ctx.lines.line_text(final.instruction.line))
        pad = indent.group(0) if indent else ""
        yield ctx.insert(finding, at, f"{ctx.newline}{pad}ENV PYTHONUNBUFFERED=1", "set it")
