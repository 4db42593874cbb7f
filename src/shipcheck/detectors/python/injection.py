"""Injection sinks: shell commands, eval/exec, pickle and unsafe YAML loading."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from shipcheck.detectors.python.astutil import (
    Imports,
    StaticStrings,
    Untrusted,
    assignments,
    describe,
    has_star_kwargs,
    imports_of,
    keyword,
    node_hit,
    nodes_of,
    non_production,
    scope_nodes,
    scopes,
)
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.findings import Hit, Severity

_SUBPROCESS = {f"subprocess.{f}" for f in ("run", "call", "check_call", "check_output", "Popen")}
_ALWAYS_SHELL = {
    "os.system": "os.system()",
    "os.popen": "os.popen()",
    "subprocess.getoutput": "subprocess.getoutput()",
    "subprocess.getstatusoutput": "subprocess.getstatusoutput()",
    "asyncio.create_subprocess_shell": "asyncio.create_subprocess_shell()",
    "commands.getoutput": "commands.getoutput()",
}


def _truthy(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and bool(node.value) and node.value is not Ellipsis


@detector("python.shell-injection", kind=Kind.PYTHON)
def shell_injection(doc: PythonFile, params: None) -> Iterator[Hit]:
    """A shell command that is not fixed in the source: ``subprocess.*(cmd, shell=True)``,
    ``os.system``, ``os.popen``, ``subprocess.getoutput`` and
    ``asyncio.create_subprocess_shell``. Commands built from literals, module constants
    and ``shlex.quote()`` pieces are fine; so are argument lists without ``shell=True``.
    A command built by formatting is reported at the rule's severity; one taken as is from
    a variable or parameter one level lower (the caller decides what reaches it)."""
    if doc.in_test_dir or non_production(doc.path):
        return
    imports = imports_of(doc)
    if not imports.imports_any("subprocess", "os", "asyncio", "commands"):
        return
    strings = StaticStrings(doc.tree, imports)
    index = index_of(doc)
    for scope in scopes(doc.tree):
        names: set[str] | None = None
        for node in scope_nodes(scope, index):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            qual = imports.resolve(node.func)
            if qual in _SUBPROCESS:
                shell = keyword(node, "shell")
                if shell is None or not _truthy(shell.value):
                    continue
                sink = f"{qual}(shell=True)"
            elif qual in _ALWAYS_SHELL:
                sink = _ALWAYS_SHELL[qual]
            else:
                continue
            command = node.args[0]
            if isinstance(command, ast.List | ast.Tuple):
                continue  # an argument vector, even with shell=True the items are not re-parsed
            if names is None:
                names = strings.local_names(scope)
            if strings.is_static(command, names):
                continue
            formatted = isinstance(command, ast.JoinedStr | ast.BinOp) or (
                isinstance(command, ast.Call)
                and isinstance(command.func, ast.Attribute)
                and command.func.attr == "format"
            )
            yield Hit(
                **_span(command),
                fields={"sink": sink, "how": describe(command)},
                severity=None if formatted else Severity.MEDIUM,
            )


def _span(node: ast.AST) -> dict[str, int | None]:
    hit = node_hit(node)
    return {
        "line": hit.line,
        "column": hit.column,
        "end_line": hit.end_line,
        "end_column": hit.end_column,
    }


def _shadowed(tree: ast.Module, name: str) -> bool:
    """Whether the module rebinds a builtin name (``def eval``, ``from x import eval``)."""
    if name in Imports(tree).names:
        return True
    index = index_of(tree)
    definitions = index.of(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return any(n.name == name for n in definitions) or name in assignments(tree, index)


@detector("python.dynamic-eval", kind=Kind.PYTHON)
def dynamic_eval(doc: PythonFile, params: None) -> Iterator[Hit]:
    """``eval()`` or ``exec()`` (the builtins) on a value that, within the same function,
    comes from outside the process: web request data (``request.args``, view parameters),
    an HTTP response, or a cache, queue or socket read. Code generation from the program's
    own values (templates, config files, the interactive shell) is not reported; neither
    are test and example modules."""
    if doc.in_test_dir or non_production(doc.path):
        return
    calls = {
        id(n)
        for n in nodes_of(doc)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Name)
        and n.func.id in ("eval", "exec")
        and n.args
    }
    if not calls:
        return
    imports = imports_of(doc)
    untrusted = Untrusted(doc.tree, imports)
    shadowed = {name for name in ("eval", "exec") if _shadowed(doc.tree, name)}
    index = index_of(doc)
    for scope in scopes(doc.tree):
        for node in scope_nodes(scope, index):
            if id(node) not in calls or not isinstance(node, ast.Call):
                continue
            assert isinstance(node.func, ast.Name)
            if node.func.id in shadowed:
                continue
            source = untrusted.source(node.args[0], scope)
            if source:
                yield Hit(**_span(node), fields={"func": node.func.id, "source": source})


_PICKLE = {
    f"{module}.{func}"
    for module in ("pickle", "cPickle", "_pickle", "dill", "cloudpickle")
    for func in ("loads", "load", "Unpickler")
} | {"jsonpickle.decode"}


@detector("python.pickle-load", kind=Kind.PYTHON)
def pickle_load(doc: PythonFile, params: None) -> Iterator[Hit]:
    """``pickle.loads``/``pickle.load``/``Unpickler`` (and dill, cloudpickle,
    ``jsonpickle.decode``) on data that, within the same function, comes from outside the
    process: web request data (cookies, bodies, view parameters), an HTTP response, or a
    cache, Redis, queue or socket read. Test and example modules are skipped."""
    if doc.in_test_dir or non_production(doc.path):
        return
    imports = imports_of(doc)
    if not imports.imports_any("pickle", "cPickle", "_pickle", "dill", "cloudpickle",
                               "jsonpickle"):  # fmt: skip
        return
    untrusted = Untrusted(doc.tree, imports)
    index = index_of(doc)
    for scope in scopes(doc.tree):
        for node in scope_nodes(scope, index):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            qual = imports.resolve(node.func)
            if qual not in _PICKLE:
                continue
            source = untrusted.source(node.args[0], scope)
            if source:
                yield Hit(**_span(node), fields={"func": qual, "source": source})


_SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}
_UNSAFE_LOADERS = {"Loader", "CLoader", "UnsafeLoader", "CUnsafeLoader", "FullLoader",
                   "CFullLoader"}  # fmt: skip


@detector("python.yaml-unsafe-load", kind=Kind.PYTHON)
def yaml_unsafe_load(doc: PythonFile, params: None) -> Iterator[Hit]:
    """PyYAML ``yaml.load``/``yaml.load_all`` without a Loader or with a loader that builds
    arbitrary Python objects (``Loader``, ``UnsafeLoader``, ``FullLoader`` and their C
    versions), and ``yaml.unsafe_load``/``unsafe_load_all``. Loaders defined in the project
    are trusted. Test modules are skipped."""
    if doc.in_test_dir or non_production(doc.path):
        return
    imports = imports_of(doc)
    if not imports.imports_any("yaml"):
        return
    for node in nodes_of(doc):
        if not isinstance(node, ast.Call):
            continue
        qual = imports.resolve(node.func)
        if qual in ("yaml.unsafe_load", "yaml.unsafe_load_all"):
            yield node_hit(node, call=qual, why="is the unsafe loader")
            continue
        if qual not in ("yaml.load", "yaml.load_all"):
            continue
        loader = keyword(node, "Loader")
        loader_node = (
            loader.value if loader is not None else (node.args[1] if len(node.args) > 1 else None)
        )
        if loader_node is None:
            if has_star_kwargs(node):
                continue
            yield node_hit(node, call=qual, why="has no safe Loader")
            continue
        name = imports.resolve(loader_node)
        if name is None or not name.startswith("yaml."):
            continue
        short = name.rsplit(".", 1)[-1]
        if short in _UNSAFE_LOADERS:
            yield node_hit(node, call=qual, why=f"uses `yaml.{short}`")
