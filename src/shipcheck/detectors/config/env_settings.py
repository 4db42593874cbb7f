"""Framework settings whose value comes from the environment: ``DEBUG =
env.bool("DEBUG")``, ``app.config["DEBUG"] = os.environ.get("FLASK_DEBUG") == "1"``,
``ALLOWED_HOSTS = os.environ["ALLOWED_HOSTS"].split(",")``, a pydantic-settings field
``debug: bool = False``. One :class:`EnvSetting` fact per such setting, carrying how the
variable's text becomes the setting's value as a small expression over ``__env__`` (the
read replaced by the variable's text and the reader's cast), which the project pass
(:mod:`.deploy_values`) evaluates with the value a deployment gives the variable.

Only debug flags (:data:`DEBUG_GROUP`) and the Django/Flask hardening settings in
:data:`HARDENING` are recorded; a read whose conversion is not understood is not recorded
(it never produces a finding)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck.detectors.config.debug import _is_debug_name as is_debug_name
from shipcheck.detectors.config.pycode import class_of, is_dev_class
from shipcheck.detectors.config.pyeval import PREFIXED_ENV_VALUE
from shipcheck.detectors.python.env_reads import (
    SETTINGS_BASES,
    _settings_config,
    _settings_field,
)
from shipcheck.detectors.python.index import PyIndex, index_of
from shipcheck.detectors.registry import fact_extractor
from shipcheck.detectors.secrets.pyast import EnvRead, EnvReads, dotted, literal_string
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.facts import Fact
from shipcheck.roles import Role
from shipcheck.text import char_column

DEBUG_GROUP = "debug"
HARDENING_GROUP = "hardening"
# Hardening settings and how a deployment's value makes them unsafe.
HARDENING = {
    "ALLOWED_HOSTS": "hosts",
    "SECURE_SSL_REDIRECT": "secure",
    "SESSION_COOKIE_SECURE": "secure",
    "CSRF_COOKIE_SECURE": "secure",
}
PLACEHOLDER = "__env__"
_WORDS = ("debug", "allowed_hosts", "_secure", "ssl_redirect", "from_prefixed_env")
_CASTS = {
    "bool": f"strtobool({PLACEHOLDER})",
    "int": f"int({PLACEHOLDER})",
    "list": f"{PLACEHOLDER}.split(',')",
    "tuple": f"{PLACEHOLDER}.split(',')",
    "csv": f"[__item.strip() for __item in {PLACEHOLDER}.split(',')]",
    "str": PLACEHOLDER,
}


@dataclass(frozen=True, kw_only=True)
class EnvSetting(Fact):
    """Setting ``setting`` (group ``debug`` or ``hardening``) is computed from variable
    ``var`` by ``expr`` (Python over ``__env__``, the variable's text); ``exact`` is False
    for names matched case-insensitively (pydantic-settings); ``code`` is the statement as
    written (its first line). ``fixed`` lists, once per module (on a fact with ``var`` ''),
    the settings the module assigns a value that does not come from the environment."""

    setting: str
    group: str
    var: str
    column: int
    expr: str
    code: str
    exact: bool = True
    fixed: tuple[str, ...] = ()


def setting_group(name: str) -> str | None:
    """``debug`` for debug flags, ``hardening`` for the settings in :data:`HARDENING`."""
    if name.upper() in HARDENING:
        return HARDENING_GROUP
    return DEBUG_GROUP if is_debug_name(name) else None


class _Module:
    """The environment-fed settings of one module."""

    def __init__(self, doc: PythonFile) -> None:
        self.doc = doc
        self.index: PyIndex = index_of(doc)
        self.reads = EnvReads(doc.tree)
        if _star_import(doc.tree):
            # ``from .base import *`` brings ``os`` (and decouple's ``config``, when the
            # module uses decouple) with it in Django settings modules.
            imports = self.reads.imports
            imports.setdefault("os", "os")
            if any(v.startswith("decouple.") for v in imports.values()):
                imports.setdefault("config", "decouple.config")
        self.schemes = self._schemes()
        self.owners = class_of(doc.tree)

    def _schemes(self) -> dict[str, str]:
        """``environ.Env(DEBUG=(bool, False))``: the cast django-environ applies by name."""
        found: dict[str, str] = {}
        for node in self.doc.tree.body:
            value = node.value if isinstance(node, ast.Assign) else None
            if not isinstance(value, ast.Call) or self.reads.resolve(value.func) != "environ.Env":
                continue
            for keyword in value.keywords:
                item = keyword.value
                if keyword.arg and isinstance(item, ast.Tuple | ast.List) and item.elts:
                    cast = item.elts[0]
                    if isinstance(cast, ast.Name) and cast.id in _CASTS:
                        found[keyword.arg] = cast.id
        return found

    def _cast(self, read: EnvRead) -> str | None:
        """How the reader turns the text into a value (a key of ``_CASTS``), None when not
        understood."""
        call = read.call
        cast = next((k.value for k in call.keywords if k.arg == "cast"), None)
        if cast is not None:
            if isinstance(cast, ast.Name) and cast.id in _CASTS:
                return cast.id
            if isinstance(cast, ast.Call) and dotted(cast.func).rsplit(".", 1)[-1] == "Csv":
                return "csv"
            return None
        func = call.func
        if read.api == "wrapper":
            name = dotted(func).lower()
            if "bool" in name or "flag" in name:
                return "bool"
            return "list" if "list" in name else ("int" if "int" in name else "str")
        if read.api == "env" and isinstance(func, ast.Attribute):
            return func.attr if func.attr in _CASTS else None
        if read.api == "env" and read.var in self.schemes:
            return self.schemes[read.var]
        return "str"

    def _read_in(self, value: ast.AST) -> tuple[str, str, str] | None:
        """(variable, read as written, replacement) of the one environment read in
        ``value``."""
        found: list[tuple[str, str, str]] = []
        for node in [value, *self.index.walk(value)]:
            if isinstance(node, ast.Call):
                read = self.reads.read(node)
                if read is None:
                    continue
                cast = self._cast(read)
                if read.var is None or cast is None:
                    return None
                found.append((read.var, ast.unparse(node), _CASTS[cast]))
            elif (
                isinstance(node, ast.Subscript)
                and self.reads.resolve(node.value) == "os.environ"
                and (var := literal_string(node.slice)) is not None
            ):
                found.append((var, ast.unparse(node), PLACEHOLDER))
        unique = {item[0] for item in found}
        return found[0] if len(unique) == 1 else None

    def _setting(self, name: str, value: ast.AST, at: ast.AST) -> EnvSetting | None:
        group = setting_group(name)
        if group is None:
            return None
        found = self._read_in(value)
        if found is None:
            return None
        var, written, replacement = found
        try:
            text = ast.unparse(value)
        except RecursionError:  # a pathologically deep expression
            return None
        if written not in text:
            return None
        line = getattr(at, "lineno", 1)
        return EnvSetting(
            path=self.doc.path,
            line=line,
            column=char_column(self.doc.line_text(line), getattr(at, "col_offset", 0)),
            setting=name,
            group=group,
            var=var,
            expr=text.replace(written, replacement, 1),
            code=_first_line(self.doc.line_text(line)),
        )

    def settings(self) -> Iterator[EnvSetting]:
        """Every environment-fed setting of the module, then the module's fixed ones."""
        fixed: list[str] = []
        for node in self.index.of(ast.Assign, ast.AnnAssign, ast.Call, ast.ClassDef):
            if isinstance(node, ast.ClassDef):
                yield from self._settings_class(node)
            elif isinstance(node, ast.Call):
                yield from self._config_update(node)
            elif node.value is not None:
                owner = self.owners.get(id(node))
                if is_dev_class(owner) or _in_function(self.index, node):
                    continue
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    name = _target_name(target)
                    if name is None:
                        continue
                    found = self._setting(name, node.value, node)
                    if found is not None:
                        yield found
                    elif (
                        isinstance(target, ast.Name)
                        and owner is None
                        and setting_group(name)
                        and isinstance(node.value, ast.Constant | ast.List | ast.Tuple)
                    ):
                        fixed.append(name)
        if fixed:
            yield EnvSetting(
                path=self.doc.path,
                line=1,
                column=1,
                setting="",
                group="",
                var="",
                expr="",
                code="",
                fixed=tuple(dict.fromkeys(fixed)),
            )

    def _config_update(self, call: ast.Call) -> Iterator[EnvSetting]:
        """``app.config.update(DEBUG=...)`` / ``from_mapping(...)``, and
        ``app.config.from_prefixed_env()``, which reads ``FLASK_DEBUG``,
        ``FLASK_SESSION_COOKIE_SECURE``… as JSON (else as text)."""
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "from_prefixed_env"
            and dotted(func.value).endswith("config")
        ):
            yield from self._prefixed(call)
            return
        if not (
            isinstance(func, ast.Attribute)
            and func.attr in {"update", "from_mapping"}
            and dotted(func.value).endswith("config")
        ):
            return
        for keyword in call.keywords:
            if keyword.arg:
                found = self._setting(keyword.arg, keyword.value, keyword.value)
                if found is not None:
                    yield found

    def _prefixed(self, call: ast.Call) -> Iterator[EnvSetting]:
        prefix_node = call.args[0] if call.args else None
        prefix_node = next((k.value for k in call.keywords if k.arg == "prefix"), prefix_node)
        prefix = literal_string(prefix_node) if prefix_node is not None else "FLASK"
        if prefix is None:
            return
        line = call.lineno
        for name in ("DEBUG", "SESSION_COOKIE_SECURE"):  # what Flask itself has
            yield EnvSetting(
                path=self.doc.path,
                line=line,
                column=char_column(self.doc.line_text(line), call.col_offset),
                setting=name,
                group=setting_group(name) or DEBUG_GROUP,
                var=f"{prefix}_{name}",
                expr=f"{PREFIXED_ENV_VALUE}({PLACEHOLDER})",
                code=_first_line(self.doc.line_text(line)),
            )

    def _settings_class(self, node: ast.ClassDef) -> Iterator[EnvSetting]:
        """pydantic-settings fields: ``debug: bool = False`` reads ``DEBUG``."""
        if not {self.reads.resolve(b) for b in node.bases} & SETTINGS_BASES:
            return
        prefix, exact, _files = _settings_config(node)
        local = {c.name for c in self.index.of(ast.ClassDef)}
        for statement in node.body:
            field = _settings_field(statement, local, self.index)
            if field is None or not isinstance(statement, ast.AnnAssign):
                continue
            explicit, _required, target = field
            name = target.id if isinstance(target, ast.Name) else ""
            group = setting_group(name)
            annotation = statement.annotation
            cast = annotation.id if isinstance(annotation, ast.Name) else None
            if group is None or cast not in {"bool", "str", "int"}:
                continue
            line = statement.lineno
            yield EnvSetting(
                path=self.doc.path,
                line=line,
                column=char_column(self.doc.line_text(line), statement.col_offset),
                setting=name,
                group=group,
                var=explicit if explicit is not None else prefix + name,
                expr=_CASTS[cast],
                code=_first_line(self.doc.line_text(line)),
                exact=exact or explicit is not None,
            )


def _star_import(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)
        for node in tree.body
    )


def _target_name(target: ast.AST) -> str | None:
    """``DEBUG``, ``app.debug``, ``app.config["DEBUG"]`` → the setting's name."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute) and target.attr == "debug":
        return "debug"
    if isinstance(target, ast.Subscript) and dotted(target.value).endswith("config"):
        return literal_string(target.slice)
    return None


def _in_function(index: PyIndex, node: ast.AST) -> bool:
    """Inside a function other than an app factory (``create_app``), whose configuration
    is what the application runs with."""
    for parent in index.ancestors(node):
        if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef):
            return "app" not in parent.name.lower()
    return False


def _first_line(text: str, limit: int = 90) -> str:
    line = text.strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


@fact_extractor(Kind.PYTHON)
def env_setting_facts(doc: PythonFile) -> Iterator[EnvSetting]:
    """An :class:`EnvSetting` per debug or hardening setting read from the environment.
    Development modules count (a deployment may load them); tests and examples do not."""
    if doc.role.role in (Role.TEST, Role.EXAMPLE) or not doc.tree.body:
        return
    lower = doc.text.lower()
    if not any(word in lower for word in _WORDS):
        return
    yield from _Module(doc).settings()
