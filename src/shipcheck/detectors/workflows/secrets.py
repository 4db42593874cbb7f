"""CI steps that print secrets into logs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from shipcheck import lazyre
from shipcheck.detectors.common import is_secret_name
from shipcheck.detectors.registry import detector
from shipcheck.detectors.workflows.common import run_lines
from shipcheck.models.artifacts import Kind, WorkflowFile
from shipcheck.models.findings import Hit

_PRINT = lazyre.compile(r"(^|[;&|]\s*|\s)(echo|printf|cat\s+<<<)\s+(?P<args>.*)$")
_VARS = lazyre.compile(r"\$\{\{\s*secrets\.(\w+)\s*\}\}|\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


@detector("workflows.secret-echoed", kind=(Kind.GITHUB_ACTIONS, Kind.GITLAB_CI))
def secret_echoed(doc: WorkflowFile, params: None) -> Iterator[Hit]:
    """``echo``/``printf`` of ``${{ secrets.X }}`` or of a variable whose name signals a
    secret, unless the output goes to a file or another program (``>``, ``|``)."""
    for job, line, text in run_lines(doc):
        match = _PRINT.search(text)
        if not match:
            continue
        args = match.group("args")
        # Written to a file or piped to a command (docker login --password-stdin): not logged.
        if re.search(r"(^|[^>])>{1,2}\s*\S|\|", args):
            continue
        for var in _VARS.finditer(args):
            name = var.group(1) or var.group(2)
            if var.group(1) or is_secret_name(name):
                column = text.find(var.group(0)) + 1
                yield Hit(line=line, column=column, fields={"job": job, "variable": name})
                break
