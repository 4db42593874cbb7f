"""Development servers started by process definitions (Procfile)."""

from __future__ import annotations

from collections.abc import Iterator

from shipcheck.detectors.common import dev_server
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, Procfile
from shipcheck.models.findings import Hit


@detector("procfile.dev-server", kind=Kind.PROCFILE)
def procfile_dev_server(doc: Procfile, params: None) -> Iterator[Hit]:
    """Procfile processes that run ``flask run``, ``manage.py runserver`` or ``--reload``."""
    for entry in doc.entries:
        label = dev_server(entry.command)
        if label:
            column = doc.line_text(entry.line).find(entry.command) + 1 or 1
            yield Hit(
                line=entry.line, column=column, fields={"process": entry.process, "server": label}
            )
