"""Injection sinks: shell commands, eval/exec, pickle and unsafe YAML loading."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from shipcheck.detectors.python.astutil import (
    Imports,
    StaticStrings,
    assignments,
    calls_of,
    describe,
    has_star_kwargs,
    imports_of,
    keyword,
    node_hit,
    non_production,
    scope_nodes,
    scopes,
)
from shipcheck.detectors.python.evidence import Grader
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.findings import Hit

_SUBPROCESS = {f"subprocess.{f}" for f in ("run", "call", "check_call", "check_output", "Popen")}
_ALWAYS_SHELL = {
    name: f"{name}()"
    for name in (
        "os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4",
        "subprocess.getoutput", "subprocess.getstatusoutput",
        "asyncio.create_subprocess_shell", "commands.getoutput", "commands.getstatusoutput",
        "popen2.popen2", "popen2.popen3", "popen2.popen4", "popen2.Popen3", "popen2.Popen4",
    )
}  # fmt: skip
# ``os.exec*``/``os.spawn*``: no shell, but the program they start is chosen by the value.
_EXEC_PROGRAM = {f"os.{name}": 0 for name in ("execl", "execle", "execlp", "execlpe", "execv",
                                               "execve", "execvp", "execvpe")} | {
    f"os.{name}": 1 for name in ("spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv",
                                  "spawnve", "spawnvp", "spawnvpe")
}  # fmt: skip
_SHELL_SANITIZERS = frozenset({"shlex.quote", "pipes.quote", "shlex.join"})


def _truthy(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and bool(node.value) and node.value is not Ellipsis


def _formatted(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr | ast.BinOp) or (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    )


def _shell_sink(node: ast.Call, qual: str | None) -> tuple[str, ast.AST] | None:
    """The sink a call is and the argument that decides what runs, or None."""
    if qual in _SUBPROCESS:
        command = node.args[0]
        if isinstance(command, ast.List | ast.Tuple):
            return None  # an argument vector: even with shell=True the items are not re-parsed
        shell = keyword(node, "shell")
        if shell is not None and _truthy(shell.value):
            return f"{qual}(shell=True)", command
        if _formatted(command):
            # A command line as one string: split by the shell on Windows, and a sign that
            # the author expects shell parsing.
            return f"{qual}() with a string command", command
        return None
    if qual in _ALWAYS_SHELL:
        return _ALWAYS_SHELL[qual], node.args[0]
    if qual in _EXEC_PROGRAM and len(node.args) > _EXEC_PROGRAM[qual]:
        return f"{qual}()", node.args[_EXEC_PROGRAM[qual]]
    return None


@detector("python.shell-injection", kind=Kind.PYTHON)
def shell_injection(doc: PythonFile, params: None) -> Iterator[Hit]:
    """A command that is not fixed in the source reaching a shell or a program launcher:
    ``subprocess.*(cmd, shell=True)`` or with a formatted string command, ``os.system``,
    ``os.popen*``, ``os.exec*``/``os.spawn*`` (the program), ``subprocess.getoutput``,
    ``asyncio.create_subprocess_shell``, ``commands``/``popen2``. Graded by evidence
    (:mod:`evidence`): request or other outside data → high; a value of unknown origin
    (a parameter, an attribute) → low, as a review; literals, module constants and
    ``shlex.quote()`` pieces → nothing."""
    if doc.in_test_dir or non_production(doc.path):
        return
    imports = imports_of(doc)
    if not imports.imports_any("subprocess", "os", "asyncio", "commands", "popen2"):
        return
    strings = StaticStrings(doc.tree, imports)
    grader = Grader(doc.tree, imports, _SHELL_SANITIZERS)
    index = index_of(doc)
    for scope in scopes(doc.tree):
        names: set[str] | None = None
        for node in scope_nodes(scope, index):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            found = _shell_sink(node, imports.resolve(node.func))
            if found is None:
                continue
            sink, command = found
            if names is None:
                names = strings.local_names(scope)
            if strings.is_static(command, names):
                continue
            evidence = grader.grade(command, scope)
            if evidence is None:
                continue
            yield Hit(
                **_span(command),
                fields={"sink": sink, "how": describe(command), "claim": evidence.claim()},
                severity=evidence.severity,
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
    """``eval()``, ``exec()`` or ``compile()`` (the builtins) on a value that is not fixed
    in the source, graded by evidence (:mod:`evidence`): web request data, an HTTP
    response, a cache, queue or socket read → high; a parameter, an attribute or another
    value of unknown origin → low, as a review; literals and module constants → nothing.
    Test and example modules are skipped."""
    if doc.in_test_dir or non_production(doc.path):
        return
    names = ("eval", "exec", "compile")
    calls = {
        id(n)
        for n in calls_of(doc)
        if isinstance(n.func, ast.Name) and n.func.id in names and n.args
    }
    if not calls:
        return
    imports = imports_of(doc)
    grader = Grader(doc.tree, imports)
    shadowed = {name for name in names if _shadowed(doc.tree, name)}
    index = index_of(doc)
    for scope in scopes(doc.tree):
        for node in scope_nodes(scope, index):
            if id(node) not in calls or not isinstance(node, ast.Call):
                continue
            assert isinstance(node.func, ast.Name)
            if node.func.id in shadowed or _parse_only(node):
                continue
            evidence = grader.grade(node.args[0], scope)
            if evidence is None:
                continue
            yield Hit(
                **_span(node),
                fields={"func": node.func.id, "claim": evidence.claim()},
                severity=evidence.severity,
            )


def _parse_only(call: ast.Call) -> bool:
    """``compile(..., flags=ast.PyCF_ONLY_AST)`` parses like ``ast.parse``: nothing runs."""
    if not isinstance(call.func, ast.Name) or call.func.id != "compile":
        return False
    flags = next((k.value for k in call.keywords if k.arg == "flags"), None)
    if flags is None and len(call.args) > 3:
        flags = call.args[3]
    return flags is not None and "PyCF_ONLY_AST" in ast.unparse(flags)


_PICKLE = {
    f"{module}.{func}"
    for module in ("pickle", "cPickle", "_pickle", "dill", "cloudpickle", "marshal")
    for func in ("loads", "load", "Unpickler")
} | {"jsonpickle.decode", "jsonpickle.loads", "shelve.open", "shelve.DbfilenameShelf"}
_PICKLE_MODULES = ("pickle", "cPickle", "_pickle", "dill", "cloudpickle", "jsonpickle", "marshal",
                   "shelve")  # fmt: skip


@detector("python.pickle-load", kind=Kind.PYTHON)
def pickle_load(doc: PythonFile, params: None) -> Iterator[Hit]:
    """``pickle.loads``/``load``/``Unpickler`` (and cPickle, dill, cloudpickle, marshal,
    ``jsonpickle.decode``, ``shelve.open``) on data that is not fixed in the source, graded
    by evidence (:mod:`evidence`): request data, an HTTP response, a cache, Redis, queue or
    socket read → high; a parameter, an attribute or another value of unknown origin → low,
    as a review; files opened from constant paths (what the program ships) → nothing.
    Test and example modules are skipped."""
    if doc.in_test_dir or non_production(doc.path):
        return
    imports = imports_of(doc)
    if not imports.imports_any(*_PICKLE_MODULES):
        return
    grader = Grader(doc.tree, imports)
    index = index_of(doc)
    for scope in scopes(doc.tree):
        for node in scope_nodes(scope, index):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            qual = imports.resolve(node.func)
            if qual not in _PICKLE:
                continue
            evidence = grader.grade(node.args[0], scope)
            if evidence is None:
                continue
            yield Hit(
                **_span(node),
                fields={"func": qual, "claim": evidence.claim()},
                severity=evidence.severity,
            )


_SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}
_UNSAFE_LOADERS = {"Loader", "CLoader", "UnsafeLoader", "CUnsafeLoader", "FullLoader",
                   "CFullLoader"}  # fmt: skip


def _yaml_problem(node: ast.Call, qual: str | None, imports: Imports) -> str | None:
    if qual in ("yaml.unsafe_load", "yaml.unsafe_load_all"):
        return "is the unsafe loader"
    if qual not in ("yaml.load", "yaml.load_all"):
        return None
    loader = keyword(node, "Loader")
    loader_node = (
        loader.value if loader is not None else (node.args[1] if len(node.args) > 1 else None)
    )
    if loader_node is None:
        return None if has_star_kwargs(node) else "has no safe Loader"
    name = imports.resolve(loader_node)
    if name is None or not name.startswith("yaml."):
        return None
    short = name.rsplit(".", 1)[-1]
    return f"uses `yaml.{short}`" if short in _UNSAFE_LOADERS else None


@detector("python.yaml-unsafe-load", kind=Kind.PYTHON)
def yaml_unsafe_load(doc: PythonFile, params: None) -> Iterator[Hit]:
    """PyYAML ``yaml.load``/``yaml.load_all`` without a Loader or with a loader that builds
    arbitrary Python objects (``Loader``, ``UnsafeLoader``, ``FullLoader`` and their C
    versions), and ``yaml.unsafe_load``/``unsafe_load_all``, graded by what they read
    (:mod:`evidence`): outside data → high; a stream or text of unknown origin → low, as a
    review; files the program ships (constant paths) and literals → nothing. Loaders
    defined in the project are trusted. Test modules are skipped."""
    if doc.in_test_dir or non_production(doc.path):
        return
    imports = imports_of(doc)
    if not imports.imports_any("yaml"):
        return
    grader = Grader(doc.tree, imports)
    index = index_of(doc)
    for scope in scopes(doc.tree):
        for node in scope_nodes(scope, index):
            if not isinstance(node, ast.Call):
                continue
            why = _yaml_problem(node, imports.resolve(node.func), imports)
            if why is None:
                continue
            stream = node.args[0] if node.args else getattr(keyword(node, "stream"), "value", None)
            if stream is None:
                continue
            evidence = grader.grade(stream, scope)
            if evidence is None:
                continue
            yield Hit(
                **_span(node),
                fields={"call": imports.resolve(node.func), "why": why, "claim": evidence.claim()},
                severity=evidence.severity,
            )
