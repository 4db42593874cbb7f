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
from shipcheck.parsers.limits import YamlLimits
from shipcheck.parsers.tomltext import load_toml
from shipcheck.suggest import did_you_mean

CONFIG_FILE = ".shipcheck.toml"
COMMAND_LINE = "command line"
KEYS = (
    "select", "extend-select", "ignore", "exclude", "extend-exclude", "rules", "require-packs",
    "severity", "per-file-ignores", "fail-on", "min-score", "require-suppression-reason",
    "offline", "max-file-size", "params", "file-timeout", "max-yaml-nodes", "max-yaml-depth",
    "fix", "roles",
)  # fmt: skip
FAIL_ON_CHOICES = ("critical", "high", "medium", "low", "info", "never")
DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
# Seconds one file may take to parse and check. The slowest real file measured (a 250 KB
# module on the saleor code base) takes well under a second; a file that needs more than
# this is hostile or hits a bug, and must not stall a CI gate.
DEFAULT_FILE_TIMEOUT = 10.0


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
    file_timeout: float = DEFAULT_FILE_TIMEOUT  # 0: no budget
    max_yaml_nodes: int = YamlLimits.max_alias_nodes
    max_yaml_depth: int = YamlLimits.max_depth
    # Why the project's own configuration could not be read (the scan then uses defaults).
    problems: list[str] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)  # key → where its value came from
    roles: dict[str, str] = field(default_factory=dict)  # glob → role (shipcheck.roles)
    # `[tool.shipcheck.fix]`: settings of `shipcheck fix` (see shipcheck.fixes.context).
    fix_http_timeout: int | float = 10

    @property
    def excludes(self) -> list[str]:
        """All exclude globs."""
        return [*self.exclude, *self.extend_exclude]

    def describe(self, key: str, detail: str = "") -> str:
        """Where a key's value came from, for messages: ``--select`` for the command line,
        else the file and the key (``pyproject.toml [tool.shipcheck]: `ignore```)."""
        where = self.origins.get(key, self.source or "configuration")
        return at(where, key + detail)


def at(where: str, key: str) -> str:
    """A message's subject: the option on the command line, else the file and the key."""
    if where == COMMAND_LINE:
        return f"--{key}"
    return f"{where}: `{key}`"


def _strings(value: Any, key: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{at(where, key)} must be a list of strings")
    return list(value)


def _check_fail_on(value: Any, key: str, where: str) -> str:
    if not isinstance(value, str) or value.lower() not in FAIL_ON_CHOICES:
        hint = did_you_mean(value.lower(), FAIL_ON_CHOICES) if isinstance(value, str) else ""
        raise ConfigError(f"{at(where, key)} must be one of {', '.join(FAIL_ON_CHOICES)}{hint}")
    return value.lower()


def _apply(config: Config, table: dict[str, Any], where: str) -> None:
    """Validate ``table`` and set its values on ``config``."""
    for key, value in table.items():
        config.origins[key] = where
        if key in {"select", "extend-select", "ignore", "exclude", "extend-exclude", "rules",
                   "require-packs"}:  # fmt: skip
            setattr(config, key.replace("-", "_"), _strings(value, key, where))
        elif key == "severity":
            if not isinstance(value, dict):
                raise ConfigError(f"{at(where, key)} must be a table of selector = severity")
            for selector, level in value.items():
                try:
                    config.severity[selector] = Severity.parse(str(level))
                except ValueError as exc:
                    raise ConfigError(f"{at(where, f'severity.{selector}')}: {exc}") from None
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{at(where, key)} must be a table of glob = [rules]")
            config.per_file_ignores = {
                glob: _strings(rules, f"per-file-ignores.{glob}", where)
                for glob, rules in value.items()
            }
        elif key == "fail-on":
            config.fail_on = _check_fail_on(value, key, where)
        elif key == "min-score":
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
                raise ConfigError(f"{at(where, key)} must be an integer from 0 to 100")
            config.min_score = value
        elif key in {"require-suppression-reason", "offline"}:
            if not isinstance(value, bool):
                raise ConfigError(f"{at(where, key)} must be true or false")
            setattr(config, key.replace("-", "_"), value)
        elif key in {"max-file-size", "max-yaml-nodes", "max-yaml-depth"}:
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"{at(where, key)} must be a positive integer")
            setattr(config, key.replace("-", "_"), value)
        elif key == "file-timeout":
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"{at(where, key)} must be a number of seconds (0: none)")
            config.file_timeout = float(value)
        elif key == "fix":
            _apply_fix(config, value, where)
        elif key == "roles":
            config.roles = _roles(value, at(where, key))
        elif key == "params":
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise ConfigError(f"{at(where, key)} must be a table of RULE = {{param = value}}")
            config.params = {rule: dict(p) for rule, p in value.items()}
        else:
            hint = did_you_mean(key, KEYS, quote="`")
            raise ConfigError(f"{where}: unknown key `{key}` in shipcheck configuration{hint}")


def _roles(table: Any, where: str) -> dict[str, str]:
    """``roles = { "docs/install/**" = "ships" }``: a role per glob, checked by name."""
    from shipcheck.roles import ROLE_NAMES

    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table of glob = role")
    for glob, role in table.items():
        if role not in ROLE_NAMES:
            hint = did_you_mean(str(role), ROLE_NAMES, quote="`")
            raise ConfigError(
                f"{where}.{glob!r}: unknown role {role!r} (one of {', '.join(ROLE_NAMES)}){hint}"
            )
    return dict(table)


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


class UnreadableConfig(ConfigError):
    """A configuration file that is not valid TOML (or not text)."""


def _shipcheck_table(data: dict[str, Any], whole_file_default: bool) -> Any:
    """``[tool.shipcheck]`` of a TOML document; a dedicated file may also hold the keys at its
    top level."""
    tool = data.get("tool")
    if isinstance(tool, dict):
        return tool.get("shipcheck", data if whole_file_default else None)
    return data if whole_file_default else None


def config_file(root: Path) -> tuple[Path, dict[str, Any]] | None:
    """The config file at ``root`` and its shipcheck table, if there is one."""
    dedicated = root / CONFIG_FILE
    if dedicated.is_file():
        data = _read(dedicated, CONFIG_FILE)
        return dedicated, _shipcheck_table(data, whole_file_default=True)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        table = _shipcheck_table(_read(pyproject, "pyproject.toml"), whole_file_default=False)
        if table is not None:
            return pyproject, table
    return None


def _read(path: Path, label: str | None = None) -> dict[str, Any]:
    name = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or exc
        raise UnreadableConfig(f"{name}: cannot read configuration: {reason}") from None
    except UnicodeDecodeError:
        raise UnreadableConfig(f"{name}: cannot read configuration: not UTF-8 text") from None
    try:
        return load_toml(text, name)
    except ParseError as exc:
        raise UnreadableConfig(str(exc)) from None


def load(root: Path, explicit: Path | None = None, isolated: bool = False) -> Config:
    """Read the configuration for ``root`` (or from ``explicit``); ``isolated`` reads none.

    A project's own configuration file that is not valid TOML does not stop the scan (the
    file is one of the artifacts audited, and a stranger's pull request may break it): the
    defaults apply and ``problems`` says why. A file the user names with ``explicit`` must
    be read, so its problems are errors.
    """
    config = Config()
    if isolated:
        return config
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        found: tuple[Path, Any] | None = (
            explicit,
            _shipcheck_table(_read(explicit), whole_file_default=True),
        )
    else:
        try:
            found = config_file(root)
        except UnreadableConfig as exc:
            config.problems.append(f"configuration not read, scanned with the defaults: {exc}")
            return config
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
    _apply(config, table, COMMAND_LINE)
