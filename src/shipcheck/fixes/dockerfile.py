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

_APT_LISTS_CLEANUP = "rm -rf /var/lib/apt/lists/*"


def _dockerfile(ctx: FixContext) -> Dockerfile | None:
    artifact = ctx.artifact
    return artifact if isinstance(artifact, Dockerfile) else None


def _instruction(doc: Dockerfile, line: int) -> Instruction | None:
    return next((i for i in doc.instructions if i.line <= line <= i.end_line), None)


_WS = r"(?:[ \t]|[\\`]\r?\n)+"  # blanks, or a line continuation (either escape character)
_PIP = rf"(?:\S*/)?(?:python[\d.]*{_WS}-m{_WS}pip|pip[\d.]*)"
_PIP_EXEC = r'"(?:\S*/)?(?:python[\d.]*"\s*,\s*"-m"\s*,\s*"pip|pip[\d.]*)"'
_APT = r"(?:\S*/)?apt(?:-get)?"
_APT_EXEC = r'"(?:\S*/)?apt(?:-get)?"'


def _installs(head: str, exec_head: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """``<head> [-options] install`` in shell form and in an exec-form JSON array."""
    shell = re.compile(
        rf"(?<![\w.\-/])(?P<head>{head})(?:{_WS}-[^\s\"';&|]+)*{_WS}install(?![\w-])"
    )
    exec_form = re.compile(rf"(?P<head>{exec_head})\s*,\s*(?:\"-[^\"]*\"\s*,\s*)*\"install\"")
    return shell, exec_form


def _command_end(text: str, start: int, limit: int) -> int:
    """Where the simple command starting at ``start`` ends (a separator or a line break
    that is not a continuation)."""
    for match in re.finditer(r"&&|\|\||[;|&]|(?<!\\)\r?\n", text[start:limit]):
        return start + match.start()
    return limit


def _option_after_install(
    ctx: FixContext,
    findings: list[Finding],
    patterns: tuple[re.Pattern[str], re.Pattern[str]],
    option: str,
    present: re.Pattern[str],
) -> Iterator[Edit]:
    """Insert ``option`` after ``install`` in each reported command. Commands are found in
    the instruction's text; each finding takes a command that starts on its line (the
    suppression unit) and lacks the option."""
    doc = _dockerfile(ctx)
    if doc is None:
        return
    pending: dict[int, list[Finding]] = {}
    for finding in sorted(findings, key=lambda f: (f.line, f.column)):
        pending.setdefault(finding.line, []).append(finding)
    instructions = {i.line: i for f in findings if (i := _instruction(doc, f.line))}
    shell, exec_form = patterns
    for instruction in instructions.values():
        start = ctx.lines.line_start(instruction.line)
        end = ctx.lines.line_end(instruction.end_line)
        found = [(m, False) for m in shell.finditer(ctx.text, start, end)]
        found += [(m, True) for m in exec_form.finditer(ctx.text, start, end)]
        for match, in_exec in sorted(found, key=lambda item: item[0].start()):
            segment = ctx.text[match.start() : _command_end(ctx.text, match.end(), end)]
            if in_exec:
                segment = ctx.text[match.start() : ctx.text.find("]", match.end(), end)]
            if present.search(segment):
                continue
            line = ctx.lines.position(match.start("head"))[0]
            waiting = pending.get(line)
            if not waiting:
                continue
            finding = waiting.pop(0)
            if in_exec:
                yield ctx.insert(finding, match.end(), f', "{option}"', f"add `{option}`")
            else:
                yield ctx.insert(finding, match.end(), f" {option}", f"add `{option}`")


@fixer(
    "DKR010",
    SAFE,
    "add `--no-cache-dir` to `pip install`",
)
def pip_no_cache_dir(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit]:
    """``pip install`` → ``pip install --no-cache-dir``."""
    present = re.compile(r"--no-cache-dir|PIP_NO_CACHE_DIR")
    yield from _option_after_install(
        ctx, findings, _installs(_PIP, _PIP_EXEC), "--no-cache-dir", present
    )


@fixer(
    "DKR013",
    UNSAFE,  # packages that came only as recommendations are no longer installed
    "add `--no-install-recommends` to `apt-get install`",
)
def apt_no_recommends(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit]:
    """``apt-get install`` → ``apt-get install --no-install-recommends``."""
    present = re.compile(r"install-recommends", re.IGNORECASE)
    yield from _option_after_install(
        ctx, findings, _installs(_APT, _APT_EXEC), "--no-install-recommends", present
    )


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
        if re.search(r"(^|\s)#", last) or body.endswith((";", "&", "|", "(", "{", doc.escape)):
            continue
        end = ctx.lines.line_start(instruction.end_line) + len(body)
        addition = _cleanup_in_style(ctx, instruction, doc.escape)
        yield ctx.insert(finding, end, addition, "remove the apt package lists")


def _indent(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


def _cleanup_in_style(ctx: FixContext, instruction: Instruction, escape: str) -> str:
    """``&& rm -rf …`` written as the RUN chains its commands: on a new ``&& …`` line,
    after a trailing ``&& \\``, or on the same line."""
    lines = [ctx.lines.line_text(n) for n in range(instruction.line, instruction.end_line + 1)]
    leading = [text for text in lines[1:] if text.lstrip().startswith("&&")]
    if leading:
        return f" {escape}{ctx.newline}{_indent(leading[-1])}&& {_APT_LISTS_CLEANUP}"
    ending = re.compile(rf"&&\s*{re.escape(escape)}\s*$")
    trailing = [i for i, text in enumerate(lines[:-1]) if ending.search(text)]
    if trailing:
        indent = _indent(lines[trailing[-1] + 1])
        return f" && {escape}{ctx.newline}{indent}{_APT_LISTS_CLEANUP}"
    return f" && {_APT_LISTS_CLEANUP}"


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


def _plain_words(command: str) -> list[str] | None:
    """The words of a command line made of nothing but words and plain quotes, or None
    when the shell would do something with it (variables, globs, operators, escapes)."""
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
        return shlex.split(command)
    except ValueError:
        return None


def exec_words(command: str) -> list[str] | None:
    """The argument list a shell-form command line means, or None when it needs a shell
    (see :func:`_plain_words`; also assignments and shell builtins as the command)."""
    words = _plain_words(command)
    if not words or words[0] in _SHELL_WORDS or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        return None
    return words


def _exec_form_text(
    ctx: FixContext, doc: Dockerfile, instruction: Instruction, start: int
) -> str | None:
    """The instruction's arguments as a JSON array, keeping its line breaks: each source
    line's words stay on their line, continued with the file's escape character."""
    words = exec_words(instruction.value.strip())
    if words is None:
        return None
    single = json.dumps(words, ensure_ascii=False)
    if instruction.end_line == instruction.line:
        return single
    rows: list[tuple[str, list[str]]] = []
    for number in range(instruction.line, instruction.end_line + 1):
        text = ctx.lines.line_text(number)
        if number == instruction.line:
            text = text[start - ctx.lines.line_start(number) :]
        body = text.rstrip()
        if number < instruction.end_line:
            if not body.endswith(doc.escape):
                return single
            body = body[: -len(doc.escape)]
        part = _plain_words(body.strip())
        if not part:
            return single
        rows.append((_indent(text) if number > instruction.line else "", part))
    if [w for _, part in rows for w in part] != words:
        return single
    out = []
    for index, (indent, part) in enumerate(rows):
        items = ", ".join(json.dumps(w, ensure_ascii=False) for w in part)
        opening = "[" if index == 0 else indent
        closing = "]" if index == len(rows) - 1 else f", {doc.escape}"
        out.append(f"{opening}{items}{closing}")
    return ctx.newline.join(out)


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
        first = ctx.lines.line_text(instruction.line)
        keyword = re.match(r"\s*\S+\s+", first)
        if keyword is None:
            continue
        start = ctx.lines.line_start(instruction.line) + keyword.end()
        end = ctx.lines.line_start(instruction.end_line) + len(
            ctx.lines.line_text(instruction.end_line).rstrip()
        )
        replacement = _exec_form_text(ctx, doc, instruction, start)
        if replacement is not None:
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
