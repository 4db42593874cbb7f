"""Configuration: ``[tool.shipcheck]`` in pyproject.toml or a ``.shipcheck.toml``, found from
the project root, merged with command-line options. Unknown keys and bad values are errors
that name the key and the file (exit code 2)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shipcheck.models.findings import Severity
from shipcheck.parsers import ParseError
from shipcheck.parsers.tomlfiles import load_toml

CONFIG_FILE = ".shipcheck.toml"
FAIL_ON_CHOICES = ("critical", "high", "medium", "low", "info", "never")
DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024


class ConfigError(Exception):
    """A configuration problem; the message names the file and the key."""


@dataclass
class Config:
    """Settings after merging the config file with command-line options."""

    source: str | None = None  # the file the settings came from
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    extend_exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    fail_on: str = "high"
    min_score: int | None = None
    require_suppression_reason: bool = False
    rules: list[str] = field(default_factory=lambda: [".shipcheck/rules"])
    require_packs: list[str] = field(default_factory=list)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    offline: bool = False
    # `[tool.shipcheck.fix]`: settings of `shipcheck fix` (see shipcheck.fixes.context).
    fix_http_timeout: int | float = 10

    @property
    def excludes(self) -> list[str]:
        """All exclude globs."""
        return [*self.exclude, *self.extend_exclude]


def _strings(value: Any, key: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of strings")
    return list(value)


def _check_fail_on(value: Any, key: str, where: str) -> str:
    if not isinstance(value, str) or value.lower() not in FAIL_ON_CHOICES:
        raise ConfigError(f"{where}: `{key}` must be one of {', '.join(FAIL_ON_CHOICES)}")
    return value.lower()


def _apply(config: Config, table: dict[str, Any], where: str) -> None:
    """Validate ``table`` and set its values on ``config``."""
    for key, value in table.items():
        if key in {"select", "extend-select", "ignore", "exclude", "extend-exclude", "rules",
                   "require-packs"}:  # fmt: skip
            setattr(config, key.replace("-", "_"), _strings(value, key, where))
        elif key == "severity":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `severity` must be a table of selector = severity")
            for selector, level in value.items():
                try:
                    config.severity[selector] = Severity.parse(str(level))
                except ValueError as exc:
                    raise ConfigError(f"{where}: `severity.{selector}`: {exc}") from None
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `per-file-ignores` must be a table of glob = [rules]")
            config.per_file_ignores = {
                glob: _strings(rules, f"per-file-ignores.{glob}", where)
                for glob, rules in value.items()
            }
        elif key == "fail-on":
            config.fail_on = _check_fail_on(value, key, where)
        elif key == "min-score":
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
                raise ConfigError(f"{where}: `min-score` must be an integer from 0 to 100")
            config.min_score = value
        elif key in {"require-suppression-reason", "offline"}:
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: `{key}` must be true or false")
            setattr(config, key.replace("-", "_"), value)
        elif key == "max-file-size":
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"{where}: `max-file-size` must be a positive integer (bytes)")
            config.max_file_size = value
        elif key == "fix":
            _apply_fix(config, value, where)
        elif key == "params":
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise ConfigError(f"{where}: `params` must be a table of RULE = {{param = value}}")
            config.params = {rule: dict(p) for rule, p in value.items()}
        else:
            raise ConfigError(f"{where}: unknown key `{key}` in shipcheck configuration")


def _apply_fix(config: Config, table: Any, where: str) -> None:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: `fix` must be a table")
    for key, value in table.items():
        if key == "http-timeout":
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not math.isfinite(value) or value <= 0:
                raise ConfigError(
                    f"{where}: `fix.http-timeout` must be a positive number (seconds)"
                )
            config.fix_http_timeout = value
        else:
            raise ConfigError(f"{where}: unknown key `fix.{key}` in shipcheck configuration")


def find_root(start: Path) -> Path:
    """The project root for ``start``: the nearest directory (``start`` included) holding a
    ``.shipcheck.toml``, a ``pyproject.toml`` or a ``.git``; else ``start`` itself."""
    start = start.resolve()
    for directory in [start, *start.parents]:
        if any((directory / name).exists() for name in (CONFIG_FILE, "pyproject.toml", ".git")):
            return directory
    return start


def config_file(root: Path) -> tuple[Path, dict[str, Any]] | None:
    """The config file at ``root`` and its shipcheck table, if there is one."""
    dedicated = root / CONFIG_FILE
    if dedicated.is_file():
        data = _read(dedicated)
        table = data.get("tool", {}).get("shipcheck", data) if "tool" in data else data
        return dedicated, table
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        data = _read(pyproject)
        table = data.get("tool", {}).get("shipcheck")
        if isinstance(table, dict):
            return pyproject, table
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None
    try:
        return load_toml(text, str(path))
    except ParseError as exc:
        raise ConfigError(str(exc)) from None


def load(root: Path, explicit: Path | None = None, isolated: bool = False) -> Config:
    """Read the configuration for ``root`` (or from ``explicit``); ``isolated`` reads none."""
    config = Config()
    if isolated:
        return config
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        data = _read(explicit)
        table = data.get("tool", {}).get("shipcheck", {}) if "tool" in data else data
        found: tuple[Path, dict[str, Any]] | None = (explicit, table)
    else:
        found = config_file(root)
    if found is None:
        return config
    path, table = found
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: the shipcheck configuration must be a table")
    config.source = str(path)
    where = str(path) if path.name == CONFIG_FILE else f"{path} [tool.shipcheck]"
    _apply(config, table, where)
    return config


def apply_cli(config: Config, overrides: dict[str, Any]) -> None:
    """Command-line values beat the file; ``None`` means 'not given'."""
    table = {k: v for k, v in overrides.items() if v is not None}
    _apply(config, table, "command line")
