"""Output formats by name. Third-party formats may register through the
``shipcheck.reporters`` entry point group."""

from __future__ import annotations

from importlib import import_module, metadata

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


def available() -> list[str]:
    """Every format name, built-in first."""
    extra = sorted(e.name for e in metadata.entry_points(group="shipcheck.reporters"))
    return [*BUILTIN, *(n for n in extra if n not in BUILTIN)]


def get_reporter(name: str) -> Reporter:
    """Instantiate the reporter called ``name``; raises KeyError for unknown names."""
    target = BUILTIN.get(name)
    if target is not None:
        module, _, cls = target.partition(":")
        return getattr(import_module(module), cls)()  # type: ignore[no-any-return]
    for entry in metadata.entry_points(group="shipcheck.reporters"):
        if entry.name == name:
            return entry.load()()  # type: ignore[no-any-return]
    raise KeyError(name)
