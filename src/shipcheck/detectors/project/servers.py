"""Development servers started by process definitions (Procfile)."""

from __future__ import annotations

from collections.abc import Iterator

from shipcheck.detectors.dockerfile.servers import dev_server_in_text
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, Procfile
from shipcheck.models.findings import Hit


@detector("procfile.dev-server", kind=Kind.PROCFILE)
def procfile_dev_server(doc: Procfile, params: None) -> Iterator[Hit]:
    """Procfile processes that run ``flask run``, ``manage.py runserver``, a server with
    ``--reload``…"""
    for entry in doc.entries:
        found = dev_server_in_text(entry.command)
        if found:
            column = doc.line_text(entry.line).find(entry.command) + 1 or 1
            yield Hit(
                line=entry.line,
                column=column,
                fields={"process": entry.process, "server": found.label},
            )
