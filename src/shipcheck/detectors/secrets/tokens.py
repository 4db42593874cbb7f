"""Credentials recognisable by their format, and URLs with an inline password, in any file.

These detectors own every value of a known format wherever it appears (.env, YAML,
Python, Dockerfiles, docs); the name-based detectors skip such values so that each secret
is reported once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck.detectors.common import mask
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.context import ContextParams
from shipcheck.detectors.secrets.formats import find_credentials, find_url_passwords, url_kind
from shipcheck.detectors.secrets.text import (
    LineIndex,
    docstring_lines,
    is_generated,
    lower_to,
    subject,
)
from shipcheck.models.artifacts import Artifact, Kind
from shipcheck.models.findings import Hit, Severity


@detector("secrets.credential-format", kind=Kind.ANY, params=ContextParams)
def credential_format(doc: Artifact, params: ContextParams) -> Iterator[Hit]:
    """Credentials of a known provider format (AWS access key IDs, GitHub/GitLab/Slack/
    Stripe/PyPI/npm/SendGrid/OpenAI tokens, Google API keys, Slack webhooks, JWTs) outside
    docstrings, lock files and minified bundles."""
    report, floor = params.verdict(doc.path)
    if not report or is_generated(doc):
        return
    found = find_credentials(doc.text)
    if not found:
        return
    index = LineIndex(doc.text)
    documented = docstring_lines(doc)
    for credential in found:
        line, column = index.position(credential.start)
        if line in documented:
            continue
        end_line, end_column = index.position(credential.end)
        fmt = credential.format
        own = Severity.parse(fmt.severity) if fmt.severity else None
        yield Hit(
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            fields={
                "subject": subject(doc.line_text(line), column),
                "kind": fmt.label,
                "masked": mask(credential.value),
            },
            severity=lower_to(own, floor),
        )


@dataclass(frozen=True)
class UrlPasswordParams(ContextParams):
    """Plus ``allow_local``: leave out URLs to localhost and other local-only hosts, whose
    credentials open nothing outside a developer machine or a CI service container."""

    allow_local: bool = True


@detector("secrets.url-password", kind=Kind.ANY, params=UrlPasswordParams)
def url_with_password(doc: Artifact, params: UrlPasswordParams) -> Iterator[Hit]:
    """URLs of the form ``scheme://user:password@host`` whose password is a literal (not a
    placeholder, an interpolation, the user name again or a sample such as scott/tiger) and
    whose host is not an example or, by default, local."""
    report, floor = params.verdict(doc.path)
    if not report or is_generated(doc):
        return
    found = find_url_passwords(doc.text, allow_local=params.allow_local)
    if not found:
        return
    index = LineIndex(doc.text)
    documented = docstring_lines(doc)
    for url in found:
        line, column = index.position(url.password_start)
        if line in documented:
            continue
        url_line, url_column = index.position(url.start)
        end_line, end_column = index.position(url.password_end)
        yield Hit(
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            fields={
                "subject": subject(doc.line_text(url_line), url_column),
                "kind": url_kind(url.scheme),
                "masked": mask(url.password),
                "host": url.host,
            },
            severity=floor,
        )
