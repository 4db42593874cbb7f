"""Secret literals in Python: assignments, class attributes, keyword arguments, dict
entries and parameter defaults whose name says they hold a secret."""

from __future__ import annotations

from collections.abc import Iterator

from shipcheck.detectors.common import mask
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.context import ValueParams
from shipcheck.detectors.secrets.fallbacks import settings_classes
from shipcheck.detectors.secrets.pyast import bindings, literal_string, value_span
from shipcheck.detectors.secrets.values import named_secret
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.findings import Hit


@detector("secrets.python-literal", kind=Kind.PYTHON, params=ValueParams)
def python_secret_literal(doc: PythonFile, params: ValueParams) -> Iterator[Hit]:
    """String literals bound to secret-named variables, attributes, keys, keyword arguments
    and parameter defaults that look like real secrets (shape and entropy), except known
    credential formats and URLs (other rules report those) and defaults of pydantic settings
    classes (secrets.default-fallback reports those)."""
    report, floor = params.verdict(doc.path)
    if not report:
        return
    settings = settings_classes(index_of(doc))
    for binding in bindings(doc):
        if binding.owner is not None and binding.owner.name in settings:
            continue
        value = literal_string(binding.value) or ""
        kind = named_secret(binding.name, value, params.min_length, params.min_entropy)
        if kind is None:
            continue
        line, column, end_line, end_column = value_span(doc, binding.value)
        yield Hit(
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            fields={"name": binding.name, "kind": kind, "masked": mask(value)},
            severity=floor,
        )
