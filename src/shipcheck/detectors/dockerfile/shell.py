"""Just enough POSIX shell to see which commands a ``RUN``, ``CMD`` or Compose ``command``
runs: words and quotes, ``&&``/``||``/``;``/``|``/newlines, comments, redirections, subshells,
leading ``VAR=value`` assignments, wrappers (``sudo``, ``env``, ``exec``, ``tini --``…) and
``sh -c "…"`` scripts. It never evaluates anything: ``$VAR`` stays as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shipcheck import lazyre

_ASSIGNMENT = lazyre.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", "\n", "(", ")", ";;", "|&"})
_KEYWORDS = frozenset({"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!",
                       "{", "}", "time"})  # fmt: skip
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh"})
# Wrappers that run the rest of the line as the command: name → options that take a value.
_WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"}),
    "env": frozenset({"-u", "-C", "-S"}),
    "exec": frozenset({"-a"}),
    "nohup": frozenset(),
    "command": frozenset(),
    "nice": frozenset({"-n"}),
    "tini": frozenset({"-s", "-p", "-e", "-l"}),
    "dumb-init": frozenset({"-r", "--rewrite"}),
    "catatonit": frozenset(),
}
# Wrappers whose first operand is a user, not the command (``gosu app gunicorn …``).
_USER_WRAPPERS = frozenset({"gosu", "su-exec", "setpriv"})


@dataclass
class SimpleCommand:
    """One simple command: its words after unwrapping, and leading assignments."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The command's base name (``/usr/local/bin/pip3`` → ``pip3``)."""
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""


def tokenize(script: str) -> list[str]:
    """Words and separators of ``script`` (quotes removed, redirections dropped)."""
    tokens: list[str] = []
    word: list[str] = []
    in_word = False
    i = 0
    n = len(script)

    def flush() -> None:
        nonlocal in_word
        if in_word:
            tokens.append("".join(word))
        word.clear()
        in_word = False

    while i < n:
        char = script[i]
        if char == "\\":
            if i + 1 < n and script[i + 1] == "\n":
                i += 2
                continue
            if i + 1 < n:
                word.append(script[i + 1])
                in_word = True
            i += 2
            continue
        if char == "'":
            end = script.find("'", i + 1)
            end = n if end == -1 else end
            word.append(script[i + 1 : end])
            in_word = True
            i = end + 1
            continue
        if char == '"':
            i += 1
            while i < n and script[i] != '"':
                if script[i] == "\\" and i + 1 < n and script[i + 1] in '"\\$`':
                    word.append(script[i + 1])
                    i += 2
                    continue
                word.append(script[i])
                i += 1
            in_word = True
            i += 1
            continue
        if char == "$" and i + 1 < n and script[i + 1] == "(":
            end = _matching_paren(script, i + 1)
            word.append(script[i:end])
            in_word = True
            i = end
            continue
        if char == "`":
            end = script.find("`", i + 1)
            end = n if end == -1 else end + 1
            word.append(script[i:end])
            in_word = True
            i = end
            continue
        if char == "#" and not in_word:
            while i < n and script[i] != "\n":
                i += 1
            continue
        if char in " \t\r":
            flush()
            i += 1
            continue
        if char in "<>":
            # A redirection: drop a bare fd number before it, the operator and its target.
            if in_word and "".join(word).isdigit():
                word.clear()
                in_word = False
            flush()
            j = i
            while j < n and script[j] in "<>&|-":
                j += 1
            while j < n and script[j] in " \t":
                j += 1
            if j < n and script[j] not in "\n;&|()":
                j = _skip_word(script, j)
            i = j
            continue
        if char in "&|;\n()":
            flush()
            two = script[i : i + 2]
            if two in ("&&", "||", ";;", "|&"):
                tokens.append(two)
                i += 2
            else:
                tokens.append(char)
                i += 1
            continue
        word.append(char)
        in_word = True
        i += 1
    flush()
    return tokens


def _matching_paren(text: str, start: int) -> int:
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


def _skip_word(text: str, start: int) -> int:
    index = start
    while index < len(text) and text[index] not in " \t\n;&|()":
        if text[index] in "'\"":
            close = text.find(text[index], index + 1)
            index = len(text) if close == -1 else close + 1
            continue
        index += 1
    return index


def split_commands(script: str, depth: int = 0) -> list[SimpleCommand]:
    """Every simple command in ``script``, unwrapped; ``sh -c`` scripts are descended into."""
    commands: list[SimpleCommand] = []
    current: list[str] = []
    for token in [*tokenize(script), ";"]:
        if token in _SEPARATORS:
            if current:
                commands.extend(unwrap(current, depth))
            current = []
        else:
            current.append(token)
    return commands


def unwrap(words: list[str], depth: int = 0) -> list[SimpleCommand]:
    """Strip keywords, assignments and wrappers from one command's words."""
    env: dict[str, str] = {}
    index = 0
    while index < len(words):
        word = words[index]
        base = word.rsplit("/", 1)[-1]
        if word in _KEYWORDS:
            index += 1
        elif _ASSIGNMENT.match(word):
            name, _, value = word.partition("=")
            env[name] = value
            index += 1
        elif base in _WRAPPERS:
            index = _skip_options(words, index + 1, _WRAPPERS[base])
        elif base in _USER_WRAPPERS:
            index = _skip_options(words, index + 1, frozenset()) + 1
        else:
            break
    argv = words[index:]
    if not argv:
        return [SimpleCommand([], env)] if env else []
    if depth < 3 and argv[0].rsplit("/", 1)[-1] in _SHELLS:
        script = _shell_c_script(argv)
        if script is not None:
            inner = split_commands(script, depth + 1)
            for command in inner:
                command.env = {**env, **command.env}
            return inner
    return [SimpleCommand(argv, env)]


def _skip_options(words: list[str], index: int, with_value: frozenset[str]) -> int:
    while index < len(words) and words[index].startswith("-"):
        if words[index] == "--":
            return index + 1
        index += 2 if words[index] in with_value else 1
    return index


def _shell_c_script(argv: list[str]) -> str | None:
    """The script of ``sh -c 'script'`` (options such as ``-ec`` or ``-lc`` allowed)."""
    for index, word in enumerate(argv[1:], start=1):
        if not word.startswith("-"):
            return None
        if "c" in word.lstrip("-") and not word.startswith("--"):
            return argv[index + 1] if index + 1 < len(argv) else None
    return None
