"""Default credentials: a function parameter or a command-line option named like a
credential whose default is a guessable literal (``def login(user, password="Admin")``,
``parser.add_argument("--admin-password", default="admin")``). Callers that leave it out run
with it.

Random-looking defaults are hardcoded secrets and ``secrets.python-literal`` reports them;
this module reports the weak ones that rule passes over.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from shipcheck.detectors.common import is_secret_name, mask
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.context import ValueParams, is_dev_module
from shipcheck.detectors.secrets.pyast import dotted, literal_hit, literal_string
from shipcheck.detectors.secrets.values import WEAK, credential_strength, kind_of_secret
from shipcheck.models.artifacts import Kind, PythonFile
from shipcheck.models.findings import Hit

# Calls that declare a command-line option with a default.
_OPTION_CALLS = frozenset({"add_argument", "option", "Option", "add_option"})
_OPTION_SUFFIXES = tuple(f"{name}()`" for name in _OPTION_CALLS)


def _parameter_defaults(
    node: ast.FunctionDef | ast.AsyncFunctionDef,
) -> Iterator[tuple[str, ast.AST]]:
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    first = len(positional) - len(args.defaults)
    yield from ((a.arg, d) for a, d in zip(positional[first:], args.defaults, strict=True))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=False):
        if default is not None:
            yield arg.arg, default


def _option_name(call: ast.Call) -> str | None:
    """``--admin-password`` → ``admin_password`` (the longest flag of the option)."""
    flags = [text for a in call.args if (text := literal_string(a)) and text.startswith("-")]
    if not flags:
        return None
    return max(flags, key=len).lstrip("-").replace("-", "_")


def _defaults(doc: PythonFile) -> Iterator[tuple[str, str, ast.AST]]:
    """(what declares it, credential name, default literal)."""
    index = index_of(doc)
    for node in index.of(ast.FunctionDef, ast.AsyncFunctionDef, ast.Call):
        if isinstance(node, ast.Call):
            if dotted(node.func).rsplit(".", 1)[-1] not in _OPTION_CALLS:
                continue
            name = _option_name(node)
            default = next((k.value for k in node.keywords if k.arg == "default"), None)
            if name and default is not None:
                yield f"`{dotted(node.func)}()`", name, default
            continue
        for name, default in _parameter_defaults(node):
            yield f"`{node.name}()`", name, default


@detector("secrets.python-default-credential", kind=Kind.PYTHON, params=ValueParams)
def default_credential(doc: PythonFile, params: ValueParams) -> Iterator[Hit]:
    """A parameter (functions, methods) or a command-line option (argparse ``add_argument``,
    click/typer ``option``) named like a credential whose default is a weak literal
    (``"admin"``, ``"changeme"``, ``"password"``). Empty strings, ``None``, template stand-ins
    and development modules are left out; random-looking defaults are SEC003's."""
    report, floor = params.verdict(doc.path)
    if not report or is_dev_module(doc.path):
        return
    for owner, name, default in _defaults(doc):
        value = literal_string(default)
        shown = f"--{name.replace('_', '-')}" if owner.endswith(_OPTION_SUFFIXES) else name
        if value is None or not is_secret_name(name) or name.lower() in {"token", "key"}:
            continue
        if credential_strength(value, params.min_length, params.min_entropy) != WEAK:
            continue
        yield literal_hit(
            doc,
            default,
            fields={
                "owner": owner,
                "name": shown,
                "kind": kind_of_secret(name).split(" ", 1)[-1],
                "masked": mask(value),
            },
            severity=floor,
        )
