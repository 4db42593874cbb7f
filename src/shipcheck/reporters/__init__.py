"""Output formats by name. Third-party formats may register through the
``shipcheck.reporters`` entry point group."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from importlib import import_module

from shipcheck.reporters.base import Reporter

# name → "module:Class"; imported lazily so a terminal scan never loads jinja2.
BUILTIN: dict[str, str] = {
    "terminal": "shipcheck.reporters.terminal:TerminalReporter",
    "concise": "shipcheck.reporters.concise:ConciseReporter",
    "json": "shipcheck.reporters.json:JsonReporter",
    "sarif": "shipcheck.reporters.sarif:SarifReporter",
    "markdown": "shipcheck.reporters.markdown:MarkdownReporter",
    "html": "shipcheck.reporters.html:HtmlReporter",
    "gitlab": "shipcheck.reporters.gitlab:GitlabReporter",
    "github": "shipcheck.reporters.github:GithubReporter",
}


class Formats(Sequence[str]):
    """Every format name, built-in first. Installed plug-ins are looked up only when a name
    is not built in or the whole list is wanted: reading entry points scans every installed
    distribution, a cost a scan in the built-in formats should not pay."""

    def __contains__(self, name: object) -> bool:
        return name in BUILTIN or name in self._all()

    def __getitem__(self, index):  # type: ignore[no-untyped-def,override]
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    @staticmethod
    @cache
    def _all() -> list[str]:
        from importlib import metadata

        extra = sorted(e.name for e in metadata.entry_points(group="shipcheck.reporters"))
        return [*BUILTIN, *(n for n in extra if n not in BUILTIN)]


def available() -> Formats:
    """Every format name, built-in first (see :class:`Formats`)."""
    return Formats()


def get_reporter(name: str) -> Reporter:
    """Instantiate the reporter called ``name``; raises KeyError for unknown names."""
    target = BUILTIN.get(name)
    if target is not None:
        module, _, cls = target.partition(":")
        return getattr(import_module(module), cls)()  # type: ignore[no-any-return]
    from importlib import metadata

    for entry in metadata.entry_points(group="shipcheck.reporters"):
        if entry.name == name:
            return entry.load()()  # type: ignore[no-any-return]
    raise KeyError(name)
