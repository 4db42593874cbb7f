"""An application that logs INFO records through ``logging.getLogger()`` but configures
logging nowhere (OPS006).

Python's root logger starts at WARNING with no handler; until something configures it,
``logger.info(...)`` in application modules reaches only ``logging.lastResort``, which drops
everything below WARNING. Django (``DEFAULT_LOGGING``), gunicorn and uvicorn configure their
own loggers only, not the root the application's loggers propagate to.

This is a claim of absence: it is made only when the whole project was scanned, every
shipped Python module git tracks was read, and the project deploys an application. Any
configuration anywhere outside tests and examples, in any form, keeps it silent.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from shipcheck import lazyre, roles
from shipcheck.detectors.ops.logs import is_logger
from shipcheck.detectors.python.astutil import Imports, calls_of, imports_of
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import detector, fact_extractor
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.facts import Fact, WebApp
from shipcheck.models.findings import Hit
from shipcheck.project import ProjectModel
from shipcheck.roles import Role

# Calls that configure logging, by resolved name.
_CONFIG_CALLS = frozenset(
    {"logging.basicConfig", "logging.config.dictConfig", "logging.config.fileConfig",
     "logging.config.listen", "structlog.configure", "structlog.configure_once",
     "coloredlogs.install", "daiquiri.setup", "logzero.setup_logger", "logzero.loglevel",
     "json_logging.init_fastapi", "json_logging.init_flask", "json_logging.init_non_web",
     "loguru.logger.add", "loguru.logger.configure"}
)  # fmt: skip
# Helpers of other packages (or of the project, defined where the scan cannot see) whose
# names say they configure logging: ``setup_logging()``, ``client.setup_logging()``.
_CONFIG_HELPER = lazyre.compile(
    r"^_?(setup|configure|config|init|initialize|install)_?(logging|logger|loggers|logs?)$"
)
# Module-level settings that configure logging: Django (``LOGGING``, ``LOGGING_CONFIG``),
# gunicorn and hypercorn configuration files.
_CONFIG_SETTINGS = frozenset({"LOGGING", "LOGGING_CONFIG", "logconfig", "logconfig_dict",
                              "logconfig_json", "loglevel"})  # fmt: skip
# Keyword arguments of server launchers that configure logging (``uvicorn.run(log_config=)``).
_CONFIG_KEYWORDS = frozenset({"log_config", "logconfig_dict", "log_level"})
# Server and launcher options, in commands anywhere (Dockerfile, Compose, Procfile, scripts,
# manifests), and fileConfig-format sections of PasteDeploy/gunicorn ini files.
_CONFIG_TEXT = lazyre.compile(
    r"--log-(?:config|config-dict|config-json|conf|level)\b|\blog_?config\b|\blogconfig_dict\b"
    r"|^\[loggers\]\s*$|\blogging\.config\b",
    re.MULTILINE,
)
_TEXT_KINDS = (Kind.DOCKERFILE, Kind.COMPOSE, Kind.PROCFILE, Kind.KUBERNETES, Kind.YAML, Kind.TEXT)
_TEXT_SUFFIXES = frozenset({"", ".ini", ".cfg", ".conf", ".sh", ".toml", ".yml", ".yaml",
                            ".json", ".env", ".bash"})  # fmt: skip
_INFO_METHODS = frozenset({"info", "debug"})


@dataclass(frozen=True, kw_only=True)
class LoggerUse(Fact):
    """A module gets a logger with ``logging.getLogger(...)`` (``line``) and logs below
    WARNING through a logger (``info_line``: the first ``.info()``/``.debug()`` call)."""

    info_line: int


@dataclass(frozen=True, kw_only=True)
class LoggingSetup(Fact):
    """A module configures logging, and ``how`` (``logging.basicConfig``, ``LOGGING`` ...)."""

    how: str


@dataclass(frozen=True, kw_only=True)
class PythonRead(Fact):
    """A shipped Python module was parsed (claims of absence need every one of them)."""


def _setup(node: ast.Call, imports: Imports) -> str | None:
    """How ``node`` configures logging, or None."""
    qual = imports.resolve(node.func) or ""
    if qual in _CONFIG_CALLS or qual.startswith("logging.config."):
        return qual
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name == "addHandler":
        return "addHandler()"
    if _CONFIG_HELPER.match(name):
        return f"{name}()"
    for keyword in node.keywords:
        if keyword.arg in _CONFIG_KEYWORDS:
            return f"{keyword.arg}="
    return None


def _settings(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for stmt in tree.body:
        targets: list[ast.AST] = []
        if isinstance(stmt, ast.Assign):
            targets = list(stmt.targets)
        elif isinstance(stmt, ast.AnnAssign | ast.AugAssign):
            targets = [stmt.target]
        for target in targets:
            if isinstance(target, ast.Subscript):
                target = target.value  # LOGGING["loggers"] = ...: LOGGING exists
            if isinstance(target, ast.Name) and target.id in _CONFIG_SETTINGS:
                yield stmt.lineno, target.id


def _logger_names(doc: PythonFile, imports: Imports) -> set[str]:
    """Names and attributes assigned a ``logging.getLogger()`` logger (``std = ...``,
    ``self.audit = ...``), whatever they are called."""
    names: set[str] = set()
    for node in index_of(doc).of(ast.Assign):
        if (
            isinstance(node.value, ast.Call)
            and imports.resolve(node.value.func) == "logging.getLogger"
        ):
            names.update(ast.unparse(t) for t in node.targets)
    return names


@fact_extractor(Kind.PYTHON)
def logging_facts(doc: PythonFile) -> Iterator[Fact]:
    """:class:`PythonRead` for every shipped module; :class:`LoggerUse` where a shipped
    module gets a ``logging.getLogger()`` logger and logs INFO or DEBUG records;
    :class:`LoggingSetup` where any module but tests and examples configures logging
    (``basicConfig``, ``dictConfig``/``fileConfig``, Django ``LOGGING``, gunicorn
    ``logconfig_dict``/``loglevel``, ``log_config=``, structlog/loguru/coloredlogs set-up,
    a handler added, a ``setup_logging()``-style helper). Alembic's ``env.py`` configures
    the migration command's process, not the application's, and does not count."""
    role = doc.role.role
    if role in (Role.TEST, Role.EXAMPLE):
        return
    if role.ships:
        yield PythonRead(path=doc.path, line=1)
    imports = imports_of(doc)
    if imports.imports_any("alembic"):
        return  # a migration environment configures `alembic upgrade`'s process, not the app's
    for line, name in _settings(doc.tree):
        yield LoggingSetup(path=doc.path, line=line, how=f"`{name}`")
        return
    if "log" not in doc.text.lower():
        return
    getter = info = 0
    loggers = _logger_names(doc, imports)
    for node in calls_of(doc):
        how = _setup(node, imports)
        if how is not None:
            yield LoggingSetup(path=doc.path, line=node.lineno, how=f"`{how}`")
            return
        if not getter and imports.resolve(node.func) == "logging.getLogger":
            getter = node.lineno
        elif (
            not info
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _INFO_METHODS
            and (is_logger(node.func.value, imports) or ast.unparse(node.func.value) in loggers)
        ):
            info = node.lineno
    if getter and info and role.ships:
        yield LoggerUse(path=doc.path, line=getter, info_line=info)


def _configured_outside_python(project: ProjectModel) -> str | None:
    """A file other than Python that configures logging or passes a logging option to a
    server (``gunicorn --log-config``, ``uvicorn --log-level``, ``[loggers]`` in an ini)."""
    for path in project.paths_of(*_TEXT_KINDS):
        if roles.of(path).role in (Role.TEST, Role.EXAMPLE):
            continue
        posix = PurePosixPath(path)
        if project.files[path] is Kind.TEXT and posix.suffix.lower() not in _TEXT_SUFFIXES:
            continue
        text = project.read_text(path) or ""
        if _CONFIG_TEXT.search(text):
            return path
    return None


def _all_python_read(project: ProjectModel) -> bool:
    """Every shipped ``.py`` file git tracks was parsed (a module that failed to parse or
    was left out could hold the configuration). Outside git, the scan's own list."""
    tracked = project.git.tracked()
    if tracked is None:
        return True
    read = {f.path for f in project.facts_of(PythonRead)}
    return all(
        path in read for path in tracked if path.endswith(".py") and roles.of(path).role.ships
    )


def _is_application(project: ProjectModel) -> bool:
    # Imported here: the dependency shape is the project rule's business, and this module's
    # fact extractor runs for every Python file.
    from shipcheck.detectors.deps.shape import Shape

    if not project.complete:
        return False
    shape = Shape.of(project)
    if shape.is_library("") and not shape.is_application(""):
        return False
    # A web application object in shipped code, or what deploys one (a Dockerfile,
    # Procfile, manage.py/wsgi.py/asgi.py, Compose or a platform file): factories the fact
    # extractor does not follow (Pyramid, app factories in packages) still deploy.
    return any(roles.of(f.path).role.ships for f in project.facts_of(WebApp)) or bool(
        shape.deploy_signals("", compose=True)
    )


@detector("ops.no-logging-config", kind=Kind.PROJECT, applies=_is_application)
def no_logging_config(project: ProjectModel, params: None) -> Iterator[Hit]:
    """An application (a web application object is created in shipped code, or a
    Dockerfile, Procfile, Compose file, ``manage.py``/``wsgi.py`` or platform file deploys
    the project; not only a published library) whose shipped modules log INFO/DEBUG records through
    ``logging.getLogger()`` loggers while nothing configures logging: no ``basicConfig``,
    ``dictConfig``/``fileConfig``, Django ``LOGGING``, gunicorn ``logconfig_dict``/
    ``loglevel``/``--log-config``/``--log-level``, uvicorn ``--log-config``/``log_config=``,
    structlog/loguru/coloredlogs set-up, no handler added and no ``setup_logging()``-style
    helper called, in code or in any command, manifest or ini file. Silent unless every
    shipped Python module git tracks was read."""
    if not _is_application(project) or project.facts_of(LoggingSetup):
        return
    uses = sorted(project.facts_of(LoggerUse), key=lambda f: (f.path, f.line))
    if not uses or _configured_outside_python(project) or not _all_python_read(project):
        return
    first = uses[0]
    yield Hit(
        line=0,
        path=".",
        fields={
            "modules": len(uses),
            "example": f"{first.path}:{first.info_line}",
        },
        context="no-logging-config",
    )
