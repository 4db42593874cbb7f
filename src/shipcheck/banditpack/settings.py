"""The project's own bandit configuration, honoured for BAN rules: ``.bandit`` (INI, section
``[bandit]``: ``skips``, ``tests``, ``exclude``) and ``[tool.bandit]`` in ``pyproject.toml``
(``skips``, ``tests``, ``exclude_dirs`` and plugin sections such as ``[tool.bandit.
shell_injection]``). Read from the project root only, never under ``--isolated``.

Bandit tolerates a configuration it cannot read (it warns and goes on); so does shipcheck,
with a note in the report naming the file.
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shipcheck.parsers import ParseError
from shipcheck.parsers.tomltext import load_toml


@dataclass
class BanditSettings:
    """Skips, include-only tests, excluded paths and plugin options, with their sources."""

    skips: set[str] = field(default_factory=set)
    tests: set[str] = field(default_factory=set)  # empty: every test
    exclude: list[str] = field(default_factory=list)
    plugin_config: dict[str, Any] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _read_ini(path: Path, settings: BanditSettings) -> None:
    parser = configparser.ConfigParser()
    try:
        parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
        section = dict(parser.items("bandit"))
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        settings.notes.append(f"{path.name} not read for BAN rules: {exc}".replace("\n", " "))
        return
    settings.sources.append(path.name)
    settings.skips.update(_split(section.get("skips", "")))
    settings.tests.update(_split(section.get("tests", "")))
    settings.exclude.extend(_split(section.get("exclude", "")))


def _strings(table: dict[str, Any], key: str, where: str, notes: list[str]) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        return _split(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    notes.append(f"{where}: `{key}` is not a list of strings; ignored for BAN rules")
    return []


def _read_pyproject(path: Path, settings: BanditSettings) -> None:
    try:
        data = load_toml(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError, ParseError) as exc:
        settings.notes.append(f"{path.name} not read for BAN rules: {exc}")
        return
    table = data.get("tool", {}).get("bandit")
    if not isinstance(table, dict):
        return
    where = f"{path.name} [tool.bandit]"
    settings.sources.append(where)
    settings.skips.update(_strings(table, "skips", where, settings.notes))
    settings.tests.update(_strings(table, "tests", where, settings.notes))
    settings.exclude.extend(_strings(table, "exclude_dirs", where, settings.notes))
    # Sections named after a plugin's configuration (shell_injection, assert_used, ...).
    settings.plugin_config.update({k: v for k, v in table.items() if isinstance(v, dict)})


def read(root: Path) -> BanditSettings:
    """The bandit configuration at ``root`` (both files when both exist)."""
    settings = BanditSettings()
    ini = root / ".bandit"
    if ini.is_file():
        _read_ini(ini, settings)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        _read_pyproject(pyproject, settings)
    return settings
