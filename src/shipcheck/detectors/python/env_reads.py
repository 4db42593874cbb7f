"""Which environment variables a module reads, and whether it can start without them.

One :class:`ModuleEnv` fact per shipping module that imports something or reads the
environment: the reads (``os.environ["X"]``, ``os.getenv``, django-environ / environs
``env(...)``, python-decouple ``config(...)``, Starlette ``Config``, pydantic-settings
fields), the modules it imports unconditionally at import time (for the project pass to
follow the application that runs from its entry module), the variables the module sets
itself (``os.environ.setdefault``), the Django settings module it defaults to, and the env
files it loads (``load_dotenv``, ``read_env``, a settings class's ``env_file``).

A read is *required* when nothing supplies a value if the variable is unset (the read
raises, or a settings field has no default), and runs at *start-up* when it executes on
import: at module level or in a class body, not inside a function, and not under a
condition (``if``, ``try``, a conditional expression or the right side of ``or``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from shipcheck.detectors.python.index import PyIndex, index_of
from shipcheck.detectors.python.routes import module_name
from shipcheck.detectors.registry import fact_extractor
from shipcheck.detectors.secrets.pyast import EnvReads, dotted, literal_string
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.facts import Fact
from shipcheck.roles import Role
from shipcheck.text import char_column

SETTINGS_BASES = frozenset(
    {"pydantic_settings.BaseSettings", "pydantic.BaseSettings", "pydantic.v1.BaseSettings",
     "pydantic_settings.main.BaseSettings"}
)  # fmt: skip
# django-environ methods that read a conventional variable when called without a name.
_DEFAULT_VARIABLES = {
    "db": "DATABASE_URL", "db_url": "DATABASE_URL", "cache": "CACHE_URL",
    "cache_url": "CACHE_URL", "email": "EMAIL_URL", "email_url": "EMAIL_URL",
    "search_url": "SEARCH_URL",
}  # fmt: skip
_DOTENV_LOADERS = frozenset({"dotenv.load_dotenv", "dotenv.main.load_dotenv"})
# Readers whose second positional argument is the default (environs, python-decouple); for
# django-environ's and Starlette's ``env("X", cast)`` it is the cast.
_POSITIONAL_DEFAULT = frozenset({"environs.Env", "decouple.AutoConfig", "decouple.Config"})
_CONDITIONAL = (ast.If, ast.IfExp, ast.Try, ast.While, ast.Match)
_DEFERRED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
# Words without which a module reads no environment and defines no settings class.
_READ_WORDS = ("environ", "getenv", "config", "Config", "Env", "env", "Settings")
_OPTIONAL_ANNOTATIONS = frozenset({"Optional", "ClassVar"})


@dataclass(frozen=True, kw_only=True)
class EnvVarRead:
    """One read of environment variable ``var``: ``required`` when the read fails (or the
    settings object cannot be built) without it, ``startup`` when it runs unconditionally
    when the module is imported; ``exact`` is False for names matched case-insensitively
    (pydantic-settings); ``how`` names the API."""

    var: str
    line: int
    column: int
    required: bool
    startup: bool
    how: str
    exact: bool = True


@dataclass(frozen=True, kw_only=True)
class ModuleEnv(Fact):
    """A module's environment reads and import-time imports.

    ``module`` is the dotted name from the path (``src/shop/settings.py`` → ``src.shop.settings``),
    ``package`` whether it is an ``__init__``; ``imports`` are absolute dotted names imported
    unconditionally at import time (relative imports resolved; ``from a import b`` gives
    ``a`` and ``a.b``); ``sets`` the variables the module sets or defaults itself;
    ``settings_module`` the ``DJANGO_SETTINGS_MODULE`` it defaults to; ``dotenv`` the env
    files it loads at import time ('' for the loader's default ``.env``), None when it loads
    none."""

    module: str
    package: bool
    imports: tuple[str, ...]
    reads: tuple[EnvVarRead, ...]
    sets: tuple[str, ...]
    settings_module: str | None
    dotenv: tuple[str, ...] | None


class _Scan:
    """The environment reads of one module."""

    def __init__(self, doc: PythonFile) -> None:
        self.doc = doc
        self.tree = doc.tree
        self.index: PyIndex = index_of(doc)
        self.reads = EnvReads(doc.tree)
        self.factories = self._factories()
        self.found: list[EnvVarRead] = []
        self.sets: list[str] = []
        self.settings_module: str | None = None
        self.dotenv: list[str] | None = None
        self.scheme_defaults: set[str] = set()

    def _factories(self) -> dict[str, str]:
        """Module-level reader objects → the factory that made them (``env = environ.Env()``)."""
        found: dict[str, str] = {}
        for node in self.tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                factory = self.reads.resolve(node.value.func)
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id in self.reads.readers:
                        found[target.id] = factory
        return found

    # --- where a node runs --------------------------------------------------------------

    def timing(self, node: ast.AST) -> tuple[bool, bool]:
        """(runs at import, runs unconditionally) for ``node``."""
        child = node
        unconditional = True
        for parent in self.index.ancestors(node):
            if isinstance(parent, _DEFERRED):
                return False, False
            if isinstance(parent, _CONDITIONAL) and child is not getattr(parent, "test", None):
                unconditional = False
            if isinstance(parent, ast.BoolOp) and child is not parent.values[0]:
                unconditional = False
            if isinstance(parent, ast.comprehension) and child in parent.ifs:
                unconditional = False
            child = parent
        return True, unconditional

    def add(self, node: ast.AST, var: str, required: bool, how: str, exact: bool = True) -> None:
        """Record a read at ``node``."""
        at_import, unconditional = self.timing(node)
        line = getattr(node, "lineno", 1)
        self.found.append(
            EnvVarRead(
                var=var,
                line=line,
                column=char_column(self.doc.line_text(line), getattr(node, "col_offset", 0)),
                required=required,
                startup=at_import and unconditional,
                how=how,
                exact=exact,
            )
        )

    # --- reads ----------------------------------------------------------------------------

    def run(self) -> None:
        """Collect every read, setting and env-file load of the module."""
        if not any(word in self.doc.text for word in _READ_WORDS):
            return
        self._scheme_defaults()
        for node in self.index.of(ast.Subscript, ast.Call, ast.ClassDef):
            if isinstance(node, ast.Subscript):
                self._subscript(node)
            elif isinstance(node, ast.Call):
                self._call(node)
            else:
                self._settings_class(node)

    def _scheme_defaults(self) -> None:
        """``environ.Env(DEBUG=(bool, False))``: variables the reader has a default for."""
        for node in self.tree.body:
            value = node.value if isinstance(node, ast.Assign) else None
            if not isinstance(value, ast.Call) or self.reads.resolve(value.func) != "environ.Env":
                continue
            for keyword in value.keywords:
                value_node = keyword.value
                if (
                    keyword.arg
                    and isinstance(value_node, ast.Tuple | ast.List)
                    and len(value_node.elts) >= 2
                ):
                    self.scheme_defaults.add(keyword.arg)

    def _subscript(self, node: ast.Subscript) -> None:
        if self.reads.resolve(node.value) != "os.environ":
            return
        var = literal_string(node.slice)
        if var is None:
            return
        if isinstance(node.ctx, ast.Store):
            self.sets.append(var)
        elif isinstance(node.ctx, ast.Load):
            self.add(node, var, True, "os.environ[...]")

    def _call(self, node: ast.Call) -> None:
        name = self.reads.resolve(node.func)
        if name in _DOTENV_LOADERS or (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "read_env"
            and (name in {"environ.Env.read_env"} or dotted(node.func.value) in self.factories)
        ):
            self._dotenv(node)
            return
        if name == "os.environ.setdefault" and node.args:
            var = literal_string(node.args[0])
            if var is not None:
                self.sets.append(var)
                value = literal_string(node.args[1]) if len(node.args) > 1 else None
                if var == "DJANGO_SETTINGS_MODULE" and value and self.timing(node)[0]:
                    self.settings_module = value
            return
        method = self._default_variable(node)
        if method is not None:
            return
        read = self.reads.read(node)
        if read is None or read.var is None:
            return
        if read.api == "os":
            self.add(node, read.var, False, dotted(node.func) or "os.getenv")
            return
        factory = "decouple.config" if read.api == "decouple" else self._factory_of(node)
        default = read.default
        if default is None and factory in _POSITIONAL_DEFAULT | {"decouple.config"}:
            default = node.args[1] if len(node.args) > 1 else None
        if read.api == "decouple" or factory.startswith("decouple"):
            self.dotenv = self.dotenv or []  # decouple reads .env / settings.ini itself
        required = default is None and read.var not in self.scheme_defaults
        self.add(node, read.var, required, f"{dotted(node.func) or 'env'}()")

    def _factory_of(self, node: ast.Call) -> str:
        func = node.func
        base = func.value if isinstance(func, ast.Attribute) else func
        return self.factories.get(dotted(base), "")

    def _default_variable(self, node: ast.Call) -> str | None:
        """``env.db()``: django-environ reads ``DATABASE_URL`` when no name is given."""
        func = node.func
        if (
            node.args
            or not isinstance(func, ast.Attribute)
            or func.attr not in _DEFAULT_VARIABLES
            or self.factories.get(dotted(func.value)) != "environ.Env"
        ):
            return None
        var = _DEFAULT_VARIABLES[func.attr]
        has_default = any(k.arg == "default" for k in node.keywords)
        self.add(
            node, var, not has_default and var not in self.scheme_defaults, f"env.{func.attr}()"
        )
        return var

    def _dotenv(self, node: ast.Call) -> None:
        if not self.timing(node)[0]:
            return
        files = self.dotenv if self.dotenv is not None else []
        path = node.args[0] if node.args else None
        path = next((k.value for k in node.keywords if k.arg in {"dotenv_path", "path"}), path)
        text = literal_string(path) if path is not None else ""
        files.append(text or "")
        self.dotenv = files

    # --- pydantic-settings ----------------------------------------------------------------

    def _settings_class(self, node: ast.ClassDef) -> None:
        bases = {self.reads.resolve(b) for b in node.bases}
        if not bases & SETTINGS_BASES:
            return
        prefix, exact, env_files = _settings_config(node)
        if env_files is not None:
            self.dotenv = [*(self.dotenv or []), *env_files]
        startup = self._instantiated_at_import(node.name)
        local_classes = {c.name for c in self.index.of(ast.ClassDef)}
        for statement in node.body:
            field = _settings_field(statement, local_classes, self.index)
            if field is None:
                continue
            var, required, target = field
            at_import, unconditional = self.timing(node)
            line = target.lineno
            self.found.append(
                EnvVarRead(
                    var=var if var is not None else prefix + _field_name(target),
                    line=line,
                    column=char_column(self.doc.line_text(line), target.col_offset),
                    required=required,
                    startup=startup and at_import and unconditional,
                    how=f"pydantic-settings field of `{node.name}`",
                    exact=exact or var is not None,
                )
            )

    def _instantiated_at_import(self, name: str) -> bool:
        for call in self.index.of(ast.Call):
            if isinstance(call.func, ast.Name) and call.func.id == name:
                at_import, unconditional = self.timing(call)
                if at_import and unconditional:
                    return True
        return False


def _field_name(target: ast.AST) -> str:
    return target.id if isinstance(target, ast.Name) else ""


def _settings_config(node: ast.ClassDef) -> tuple[str, bool, list[str] | None]:
    """(env_prefix, case_sensitive, env files) of a settings class (``model_config`` or an
    inner ``class Config``)."""
    options: dict[str, ast.AST] = {}
    for statement in node.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if any(isinstance(t, ast.Name) and t.id == "model_config" for t in targets):
                value = statement.value
                if isinstance(value, ast.Call):
                    options.update({k.arg: k.value for k in value.keywords if k.arg})
                elif isinstance(value, ast.Dict):
                    for key, item in zip(value.keys, value.values, strict=False):
                        if (text := literal_string(key)) is not None:
                            options[text] = item
        elif isinstance(statement, ast.ClassDef) and statement.name == "Config":
            for inner in statement.body:
                if isinstance(inner, ast.Assign):
                    for target in inner.targets:
                        if isinstance(target, ast.Name):
                            options[target.id] = inner.value
    prefix = literal_string(options.get("env_prefix")) or ""
    sensitive = options.get("case_sensitive")
    exact = isinstance(sensitive, ast.Constant) and sensitive.value is True
    env_file = options.get("env_file")
    files: list[str] | None = None
    if env_file is not None and not (isinstance(env_file, ast.Constant) and env_file.value is None):
        items = env_file.elts if isinstance(env_file, ast.Tuple | ast.List) else [env_file]
        files = [literal_string(item) or "" for item in items]
    return prefix, exact, files


def _is_optional(annotation: ast.AST, index: PyIndex) -> bool:
    """``Optional[X]``, ``X | None``, ``Union[X, None]``, ``ClassVar[...]``."""
    for node in index.walk(annotation):
        if isinstance(node, ast.Constant) and node.value is None:
            return True
        if isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in _OPTIONAL_ANNOTATIONS:
                return True
    return False


def _settings_field(
    statement: ast.stmt, local_classes: set[str], index: PyIndex
) -> tuple[str | None, bool, ast.AST] | None:
    """(explicit variable name or None, required, target) of a settings class field."""
    if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
        return None
    name = statement.target.id
    if name.startswith("_") or name == "model_config":
        return None
    annotation = statement.annotation
    if _is_optional(annotation, index):
        return None
    # A nested model or enum of the module: read through nested delimiters or validated
    # from several variables; not one variable we can name.
    head = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    if isinstance(head, ast.Name) and head.id in local_classes:
        return None
    value = statement.value
    if value is None:
        return None, True, statement.target
    if isinstance(value, ast.Call) and dotted(value.func).rsplit(".", 1)[-1] == "Field":
        explicit = None
        for keyword in value.keywords:
            if keyword.arg in {"alias", "validation_alias", "env"}:
                explicit = literal_string(keyword.value)
                if explicit is None:
                    return None  # AliasChoices, several names: leave it alone
        first = value.args[0] if value.args else None
        has_default = any(k.arg in {"default", "default_factory"} for k in value.keywords)
        ellipsis = isinstance(first, ast.Constant) and first.value is Ellipsis
        required = ellipsis or (first is None and not has_default)
        return explicit, required, statement.target
    return None, False, statement.target


# --- imports ------------------------------------------------------------------------------


def _package(module: str, is_package: bool) -> str:
    return module if is_package else module.rpartition(".")[0]


def _absolute(node: ast.ImportFrom, package: str) -> str | None:
    if not node.level:
        return node.module
    parts = package.split(".") if package else []
    keep = len(parts) - (node.level - 1)
    if keep < 0:
        return None
    return ".".join(p for p in (".".join(parts[:keep]), node.module or "") if p) or None


def import_time_imports(tree: ast.Module, module: str, is_package: bool) -> list[str]:
    """Absolute names of the modules imported unconditionally when ``module`` is imported:
    module-level and class-level ``import``/``from … import`` statements, not those under
    ``if``/``try`` (``TYPE_CHECKING``, optional local settings) or inside functions."""
    package = _package(module, is_package)
    found: list[str] = []
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        node = todo.pop(0)
        if isinstance(node, ast.ClassDef | ast.With | ast.AsyncWith):
            todo.extend(node.body)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            if base is None:
                continue
            found.append(base)
            found.extend(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return list(dict.fromkeys(found))


def _iter_facts(doc: PythonFile) -> Iterator[ModuleEnv]:
    module = module_name(doc.path)
    is_package = doc.name == "__init__.py"
    imports = import_time_imports(doc.tree, module, is_package)
    scan = _Scan(doc)
    scan.run()
    if not imports and not scan.found and not scan.sets:
        return
    yield ModuleEnv(
        path=doc.path,
        line=1,
        module=module,
        package=is_package,
        imports=tuple(imports),
        reads=tuple(scan.found),
        sets=tuple(dict.fromkeys(scan.sets)),
        settings_module=scan.settings_module,
        dotenv=tuple(scan.dotenv) if scan.dotenv is not None else None,
    )


@fact_extractor(Kind.PYTHON)
def module_env_facts(doc: PythonFile) -> Iterator[ModuleEnv]:
    """A :class:`ModuleEnv` fact for each module of the application that imports or reads
    something. Development modules count (a Compose stack may run `settings/dev.py`, and
    they are only read when a target's code imports them); tests and examples do not."""
    if doc.role.role in (Role.TEST, Role.EXAMPLE) or not doc.tree.body:
        return
    yield from _iter_facts(doc)


def environment_list(facts: Iterable[ModuleEnv], ships: Callable[[str], bool]) -> list[dict]:
    """The environment variables the shipped code reads, for the JSON report: each variable
    once, ``required`` when some read at start-up fails without it, with every read."""
    by_name: dict[str, list[tuple[str, EnvVarRead]]] = {}
    for fact in facts:
        if ships(fact.path):
            for read in fact.reads:
                # A name matched without regard to case is set in its conventional form.
                name = read.var if read.exact else read.var.upper()
                by_name.setdefault(name, []).append((fact.path, read))
    return [
        {
            "name": name,
            "required": any(r.required and r.startup for _, r in reads),
            "reads": [
                {
                    "path": path,
                    "line": r.line,
                    "column": r.column,
                    "how": r.how,
                    "required": r.required,
                    "startup": r.startup,
                    "exact_name": r.exact,
                }
                for path, r in sorted(reads, key=lambda item: (item[0], item[1].line))
            ],
        }
        for name, reads in sorted(by_name.items())
    ]
