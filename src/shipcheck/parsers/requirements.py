"""pip requirements files, one :class:`Requirement` per requirement line (via ``packaging``).

Handles what pip accepts: ``-r``/``-c`` includes (``--requirement=x``, ``-rx``), ``--hash``
options, environment markers, extras, ``-e``/``--editable`` installs, PEP 508 direct
references (``name @ url``), bare URLs and local paths, backslash continuations and global
options (``--index-url`` …). Lines that are none of these are kept as options, never fatal.
"""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PkgRequirement

from shipcheck import lazyre
from shipcheck.models.artifacts import Kind, Requirement, RequirementsFile
from shipcheck.parsers import decode
from shipcheck.text import split_lines

# pip's COMMENT_RE: with ``match`` a whole-line comment, with ``sub`` any trailing comment.
_COMMENT = lazyre.compile(r"(^|\s+)#.*$")
_HASH = lazyre.compile(r"--hash[=\s]+(\S+)")
_EGG = lazyre.compile(r"#(?:.*&)?egg=([A-Za-z0-9_.\-]+)(?:\[([A-Za-z0-9_.,\-\s]*)\])?")
_INCLUDE = lazyre.compile(r"^(-r|--requirement|-c|--constraint)(?:[=\s]+|(?=[^-\s]))(\S+)")
_EDITABLE = lazyre.compile(r"^(?:-e|--editable)(?:[=\s]+|(?=[^-\s]))(.+)$")
_URL = lazyre.compile(r"^[a-z][a-z0-9+.\-]*://", re.IGNORECASE)
_VCS_PREFIX = lazyre.compile(r"^(git|hg|svn|bzr)\+", re.IGNORECASE)
_PATH = lazyre.compile(r"^(\.{1,2}(/|\\|$)|/|~|[A-Za-z]:[\\/])")
# Wheel: name-version(-build)?-py-abi-platform.whl; sdist: name-version.tar.gz / .zip
_WHEEL = lazyre.compile(r"^([A-Za-z0-9_.]+)-([^-]+)(-[^-]+)?-[^-]+-[^-]+-[^-]+\.whl$")
_SDIST = lazyre.compile(r"^([A-Za-z0-9_.\-]+?)-(\d[^-]*)\.(tar\.gz|tar\.bz2|tgz|zip)$")
# Options that may trail a requirement on its line (pip's per-requirement options).
_TRAILING_OPTION = lazyre.compile(r"\s--?[a-z][a-z\-]*(?=[=\s]|$)")


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Join backslash continuations as pip's ``join_lines`` does; (first line number,
    content). A whole-line comment never continues, even when it ends in a backslash, and it
    ends a continuation that reaches it."""
    result: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    for number, line in enumerate(split_lines(text), start=1):
        comment = _COMMENT.match(line) is not None
        if comment or not line.endswith("\\"):
            if comment:
                line = " " + line
            if buffer:
                buffer.append(line)
                result.append((start, "".join(buffer)))
                buffer = []
            else:
                result.append((number, line))
            continue
        if not buffer:
            start = number
        buffer.append(line.strip("\\"))
    if buffer:
        result.append((start, "".join(buffer)))
    return result


def parse(path: str, data: bytes) -> RequirementsFile:
    """Parse a requirements file. Unparseable lines are kept as options, never fatal."""
    text = decode(data)
    artifact = RequirementsFile(path=path, kind=Kind.REQUIREMENTS, text=text)
    for number, content in _logical_lines(text):
        line = _COMMENT.sub("", content).strip()
        if not line:
            continue
        hashes = tuple(_HASH.findall(line))
        line = _HASH.sub("", line).strip()
        include = _INCLUDE.match(line)
        if include:
            artifact.includes.append((include.group(2), number))
            if include.group(1) in ("-c", "--constraint"):
                artifact.constraints.append((include.group(2), number))
            continue
        editable = _EDITABLE.match(line)
        if editable:
            requirement = _direct(editable.group(1).strip(), number, content, hashes, True)
        elif line.startswith("-"):
            artifact.options.append((line, number))
            continue
        else:
            requirement = _requirement(line, number, content, hashes)
        if requirement is not None:
            artifact.requirements.append(requirement)
        else:
            artifact.options.append((line, number))
    return artifact


def _is_direct(line: str) -> bool:
    """A bare URL, VCS reference or local path (not ``name @ url``)."""
    head = line.split(";", 1)[0].strip()
    return bool(_URL.match(head) or _VCS_PREFIX.match(head) or _PATH.match(head))


def _requirement(line: str, number: int, raw: str, hashes: tuple[str, ...]) -> Requirement | None:
    if _is_direct(line):
        return _direct(line, number, raw, hashes, False)
    # Options such as --install-option may trail a requirement; packaging rejects them.
    spec_text = _TRAILING_OPTION.split(line, maxsplit=1)[0].strip()
    return _pep508(spec_text, number, raw, hashes, editable=False)


def _pep508(
    text: str, number: int, raw: str, hashes: tuple[str, ...], editable: bool
) -> Requirement | None:
    """A PEP 508 requirement (``name[extras] specifier ; marker`` or ``name @ url``)."""
    try:
        parsed = PkgRequirement(text)
    except InvalidRequirement:
        return None
    return Requirement(
        name=parsed.name,
        specifier=str(parsed.specifier),
        line=number,
        raw=raw,
        marker=str(parsed.marker) if parsed.marker else None,
        url=parsed.url,
        extras=tuple(sorted(parsed.extras)),
        hashes=hashes,
        editable=editable,
    )


def _direct(
    target: str, number: int, raw: str, hashes: tuple[str, ...], editable: bool
) -> Requirement | None:
    """A URL, VCS reference or path, with or without ``-e``; ``name @ url`` after ``-e`` too."""
    target = _TRAILING_OPTION.split(" " + target, maxsplit=1)[0].strip()
    if not target:
        return None
    if not _is_direct(target):
        # `-e name @ url` or `-e name[extra]` is unusual but legal when it parses.
        return _pep508(target, number, raw, hashes, editable)
    url, marker = target, None
    if ";" in target:
        head, _, tail = target.partition(";")
        if tail.strip() and (" ;" in target or "; " in target):
            url, marker = head.strip(), tail.strip()
    name, extras = guess_name(url)
    return Requirement(
        name=name,
        specifier="",
        line=number,
        raw=raw,
        marker=marker,
        url=url,
        extras=extras,
        hashes=hashes,
        editable=editable,
    )


def guess_name(url: str) -> tuple[str, tuple[str, ...]]:
    """The project name a URL or path installs: ``#egg=``, a wheel or sdist file name, or
    the last path segment (a VCS repository or a directory). '' when nothing fits."""
    egg = _EGG.search(url)
    if egg:
        extras = tuple(sorted(e.strip() for e in (egg.group(2) or "").split(",") if e.strip()))
        return egg.group(1), extras
    path = re.split(r"[#?]", url, maxsplit=1)[0].rstrip("/\\")
    last = re.split(r"[/\\]", path)[-1] if path else ""
    wheel = _WHEEL.match(last)
    if wheel:
        return wheel.group(1), ()
    sdist = _SDIST.match(last)
    if sdist:
        return sdist.group(1), ()
    if _VCS_PREFIX.match(url):
        last = last.split("@", 1)[0]
        last = last[:-4] if last.endswith(".git") else last
    last = re.sub(r"\.(tar\.gz|tar\.bz2|tgz|zip|whl)$", "", last)
    if last in {"", ".", ".."} or ":" in last:
        return "", ()
    return last, ()
