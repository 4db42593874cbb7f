"""Passwords set by ``RUN`` lines: ``echo "user:pw" | chpasswd``, ``echo pw | passwd
--stdin user``, ``useradd -p <hash>``, ``htpasswd -b file user pw``. The literal is in the
Dockerfile and in the image history, and every container of the image shares the account.

Values that come from a build secret or a variable (``$(cat /run/secrets/pw)``, ``$PASSWORD``)
and locked or empty passwords (``useradd -p '*'``) are left alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from shipcheck import lazyre
from shipcheck.detectors.common import mask
from shipcheck.detectors.dockerfile.syntax import keyword_span
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Dockerfile, Instruction, Kind
from shipcheck.models.findings import Hit

_ECHO = r"(?:echo|printf)\s+(?:-[en]+\s+)?"
_PATTERNS = (
    (
        "chpasswd",
        lazyre.compile(
            _ECHO + r"([\"']?)[\w.-]+:(?P<pw>[^\s\"'|]+)\1\s*\|\s*(?:sudo\s+)?chpasswd\b"
        ),
    ),
    (
        "passwd --stdin",
        lazyre.compile(
            _ECHO + r"([\"']?)(?P<pw>[^\s\"'|]+)\1\s*\|\s*(?:sudo\s+)?passwd\b[^|;&]*--stdin"
        ),
    ),
    (
        "useradd -p",
        lazyre.compile(
            r"\b(?:useradd|usermod|adduser)\b[^;&|]*?\s(?:-p|--password)\s+"
            r"(?P<pw>\"[^\"]*\"|'[^']*'|\$\([^)]*\)|\S+)"
        ),
    ),
    (
        "htpasswd -b",
        lazyre.compile(
            r"\bhtpasswd\s+(?:-\w+\s+)*?-\w*b\w*\s+(?:-\w+\s+)*\S+\s+\S+\s+(?P<pw>[^\s;&|]+)"
        ),
    ),
)


def _literal(password: str) -> str | None:
    """The literal a password argument holds; None for variables, secrets and locks."""
    text = password.strip().strip("\"'")
    if text.startswith("$(") and "openssl passwd" in text:
        text = text.rstrip(")").split()[-1].strip("\"'")  # $(openssl passwd -1 hunter2)
    if not text or "$" in text or text in {"*", "!", "!!", "x"} or text.startswith("/run/secrets"):
        return None
    return text


def _line_of(doc: Dockerfile, instruction: Instruction, word: str) -> int:
    """The line of a (continued) instruction where ``word`` first appears."""
    for line in range(instruction.line, instruction.end_line + 1):
        if word in doc.line_text(line):
            return line
    return instruction.line


@detector("dockerfile.password-in-run", kind=Kind.DOCKERFILE)
def password_in_run(doc: Dockerfile, params: None) -> Iterator[Hit]:
    """A ``RUN`` that sets an account's password from a literal (chpasswd, passwd --stdin,
    useradd/usermod -p, htpasswd -b)."""
    for instruction in doc.instructions:
        if instruction.keyword != "RUN":
            continue
        text = instruction.value + "\n" + (instruction.heredoc or "")
        for command, pattern in _PATTERNS:
            for match in pattern.finditer(text):
                value = _literal(match.group("pw"))
                if value is None:
                    continue
                line = _line_of(doc, instruction, command.split()[0])
                if line == instruction.line:
                    span = keyword_span(doc, instruction)
                    column, end_column = span.column, span.end_column
                else:
                    text_line = doc.line_text(line)
                    column = len(text_line) - len(text_line.lstrip()) + 1
                    end_column = len(text_line) + 1
                yield Hit(
                    line=line,
                    column=column,
                    end_column=end_column,
                    fields={"command": command, "value": mask(value)},
                    context=f"password-in-run {command} {instruction.line}",
                )
                break
