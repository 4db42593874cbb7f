"""Private key blocks in any text file."""

from __future__ import annotations

import re
from collections.abc import Iterator

from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Artifact, Kind
from shipcheck.models.findings import Hit, Severity

_BEGIN = re.compile(r"-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY)(?: BLOCK)?-----")
_BODY = re.compile(r"^[A-Za-z0-9+/=]{40,}$")


@detector("secrets.private-key", kind=Kind.ANY)
def private_key(doc: Artifact, params: None) -> Iterator[Hit]:
    """A PEM private key with a real body (a header alone, as in docs or code that parses
    keys, is not reported). In test directories the severity is lowered to medium."""
    lines = doc.lines
    for index, text in enumerate(lines):
        match = _BEGIN.search(text)
        if not match:
            continue
        body = [line.strip().strip("\"',\\n") for line in lines[index + 1 : index + 4]]
        if not any(_BODY.match(line) for line in body):
            continue
        yield Hit(
            line=index + 1,
            column=match.start() + 1,
            fields={"what": match.group(1).title()},
            severity=Severity.MEDIUM if doc.in_test_dir else None,
        )
