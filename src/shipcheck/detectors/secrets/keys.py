"""Private key blocks in any text file."""

from __future__ import annotations

from collections.abc import Iterator

from shipcheck import lazyre
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.context import ContextParams
from shipcheck.detectors.secrets.text import docstring_lines, is_generated
from shipcheck.models.artifacts import Artifact, Kind
from shipcheck.models.findings import Hit

_BEGIN = lazyre.compile(
    r"-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY)(?: BLOCK)?-----"
)
# Key material: a long base64 run, on the next lines or after a "\n" escape in a string.
_BODY = lazyre.compile(r"[A-Za-z0-9+/=]{40,}")


_ACRONYMS = {"RSA": "RSA", "EC": "EC", "DSA": "DSA", "OPENSSH": "OpenSSH", "PGP": "PGP"}


def _label(header: str) -> str:
    """``RSA PRIVATE KEY`` → ``an RSA private key``."""
    words = [_ACRONYMS.get(word, word.lower()) for word in header.split()]
    article = "an" if words[0] in {"RSA", "EC", "OpenSSH", "encrypted"} else "a"
    return " ".join([article, *words])


def _has_body(lines: list[str], index: int, after: int) -> bool:
    rest = lines[index][after:].replace("\\n", "\n")
    candidates = [*rest.splitlines(), *lines[index + 1 : index + 4]]
    for candidate in candidates:
        stripped = candidate.strip().strip("\"',").replace("\\n", "")
        if _BODY.fullmatch(stripped) and len(set(stripped)) > 16:
            return True
    return False


@detector("secrets.private-key", kind=Kind.ANY, params=ContextParams)
def private_key(doc: Artifact, params: ContextParams) -> Iterator[Hit]:
    """A PEM private key with a real body (a header alone, as in docs or code that parses
    keys, is not reported), outside docstrings."""
    report, floor = params.verdict(doc.path)
    if not report or "PRIVATE KEY" not in doc.text or is_generated(doc):
        return
    lines = doc.lines
    documented = docstring_lines(doc)
    for index, text in enumerate(lines):
        match = _BEGIN.search(text)
        if not match or index + 1 in documented or not _has_body(lines, index, match.end()):
            continue
        yield Hit(
            line=index + 1,
            column=match.start() + 1,
            end_column=match.end() + 1,
            fields={"what": _label(match.group(1))},
            severity=floor,
        )
