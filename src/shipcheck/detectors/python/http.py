"""Outbound HTTP: calls without a timeout and TLS verification switched off."""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterator

from shipcheck import lazyre
from shipcheck.detectors.python.astutil import (
    Imports,
    assignments,
    call_name,
    has_star_args,
    has_star_kwargs,
    imports_of,
    is_const,
    keyword,
    node_hit,
    non_production,
    scope_nodes,
    scopes,
)
from shipcheck.detectors.python.evidence import Grader
from shipcheck.detectors.python.index import PyIndex, index_of
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Artifact, Kind, PythonFile
from shipcheck.models.findings import Hit, Severity

_REQUESTS_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
_REQUESTS_CALLS = {f"requests.{v}" for v in _REQUESTS_VERBS} | {
    f"requests.api.{v}" for v in _REQUESTS_VERBS
}
_REQUESTS_SESSIONS = {"requests.Session", "requests.session", "requests.sessions.Session"}
_HTTPX_CALLS = {
    f"httpx.{v}" for v in ("get", "post", "put", "patch", "delete", "head", "options", "request",
                           "stream", "Client", "AsyncClient")
}  # fmt: skip
_URLOPEN = {"urllib.request.urlopen", "urllib2.urlopen", "six.moves.urllib.request.urlopen"}


def session_objects(scope: ast.AST, imports: Imports, index: PyIndex) -> set[str]:
    """Local names bound only to ``requests.Session()`` (or opened with ``with``) in
    ``scope``, whatever is done to them later."""
    sessions = set()
    for name, values in assignments(scope, index).items():
        if all(
            isinstance(v, ast.Call) and imports.resolve(v.func) in _REQUESTS_SESSIONS
            for v in values
        ):
            sessions.add(name)
    for node in scope_nodes(scope, index):
        if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
            expr = node.context_expr
            if isinstance(expr, ast.Call) and imports.resolve(expr.func) in _REQUESTS_SESSIONS:
                sessions.add(node.optional_vars.id)
    return sessions


def _session_names(scope: ast.AST, imports: Imports, index: PyIndex) -> set[str]:
    """Local names bound only to ``requests.Session()`` in ``scope`` and never given a
    mounted adapter (which may carry a default timeout)."""
    sessions = session_objects(scope, imports, index)
    for node in scope_nodes(scope, index):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "mount"
            and isinstance(node.func.value, ast.Name)
        ):
            sessions.discard(node.func.value.id)
        if isinstance(node, ast.Assign):
            # session.request = functools.partial(session.request, timeout=5)
            for target in node.targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                    sessions.discard(target.value.id)
    return sessions


def _timeout_problem(call: ast.Call, positional_slot: int | None) -> str | None:
    """'no timeout' / 'timeout=None' when the call waits forever, else None."""
    if has_star_kwargs(call):
        return None
    timeout = keyword(call, "timeout")
    if timeout is not None:
        return "`timeout=None`" if is_const(timeout.value, None) else None
    if positional_slot is not None and (len(call.args) > positional_slot or has_star_args(call)):
        return None
    return "no timeout"


@detector("python.http-no-timeout", kind=Kind.PYTHON)
def http_no_timeout(doc: PythonFile, params: None) -> Iterator[Hit]:
    """``requests`` calls (module functions and ``requests.Session()`` objects created in
    the same function) and ``urllib.request.urlopen`` without a timeout, and ``httpx``
    calls or clients given ``timeout=None`` (httpx has a default timeout). Calls passing
    ``**kwargs`` are skipped; test modules too. Several calls through one session are one
    finding, at the session's creation, listing the calls' lines."""
    if doc.in_test_dir or non_production(doc.path):
        return
    if not any(word in doc.text for word in ("requests", "httpx", "urlopen")):
        return
    imports = imports_of(doc)
    if not imports.imports_any("requests", "httpx", "urllib", "urllib2", "six"):
        return
    uses_requests = imports.imports_any("requests")
    index = index_of(doc)
    for scope in scopes(doc.tree):
        sessions = _session_names(scope, imports, index) if uses_requests else set()
        through: dict[str, list[Hit]] = {}
        for node in scope_nodes(scope, index):
            if not isinstance(node, ast.Call):
                continue
            qual = imports.resolve(node.func)
            target = problem = None
            if qual in _REQUESTS_CALLS:
                target, problem = qual, _timeout_problem(node, None)
            elif qual in _URLOPEN:
                target, problem = "urlopen", _timeout_problem(node, 2)
            elif qual in _HTTPX_CALLS:
                timeout = keyword(node, "timeout")
                if timeout is not None and _httpx_unbounded(timeout.value, imports):
                    target, problem = qual, "`timeout=None`"
            elif (
                isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in sessions
                and node.func.attr in _REQUESTS_VERBS
            ):
                target = f"{node.func.value.id}.{node.func.attr}"
                problem = _timeout_problem(node, None)
                if problem:
                    through.setdefault(node.func.value.id, []).append(
                        _call_hit(node, target, problem)
                    )
                continue
            if target and problem:
                yield _call_hit(node, target, problem)
        for name, hits in through.items():
            yield from _session_hits(name, hits, _creation(scope, name, index))


def _call_hit(node: ast.Call, target: str, problem: str) -> Hit:
    return node_hit(
        node, call=target, problem=problem, what=f"`{target}()` is called with {problem}"
    )


def _creation(scope: ast.AST, name: str, index: PyIndex) -> ast.Call | None:
    """The ``requests.Session()`` call that first binds ``name`` in ``scope``."""
    for node in scope_nodes(scope, index):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return node.value if isinstance(node.value, ast.Call) else None
        if (
            isinstance(node, ast.withitem)
            and isinstance(node.optional_vars, ast.Name)
            and node.optional_vars.id == name
            and isinstance(node.context_expr, ast.Call)
        ):
            return node.context_expr
    return None


def _session_hits(name: str, hits: list[Hit], creation: ast.Call | None) -> list[Hit]:
    """One finding for the calls made through one session: at its creation when there are
    several (one cause: the session has no timeout), the call itself when there is one."""
    if len(hits) == 1 or creation is None:
        return hits
    lines = ", ".join(str(h.line) for h in hits)
    what = (
        f"{len(hits)} calls through session `{name}` have no timeout (lines {lines}; "
        "`shipcheck fix` adds `timeout=` to each call)"
    )
    hit = node_hit(creation, call=f"{name}.*", problem="no timeout", what=what)
    return [dataclasses.replace(hit, context=f"session {name} without timeout")]


def _httpx_unbounded(value: ast.AST, imports: Imports) -> bool:
    if is_const(value, None):
        return True
    # httpx.Timeout(None) with nothing else: every phase unbounded.
    return (
        isinstance(value, ast.Call)
        and imports.resolve(value.func) == "httpx.Timeout"
        and len(value.args) == 1
        and is_const(value.args[0], None)
        and not value.keywords
    )


_VERIFY_CALLS = (
    _REQUESTS_CALLS
    | _HTTPX_CALLS
    | {"httpx.Client", "httpx.AsyncClient", "httpx.HTTPTransport", "httpx.AsyncHTTPTransport"}
)
_CERT_NONE = {"ssl.CERT_NONE"}
_AIOHTTP_CALLS = {"aiohttp.request", "aiohttp.ClientSession", "aiohttp.TCPConnector"}
# aiohttp ``ClientSession`` methods that take ``ssl=``.
_AIOHTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options",
                            "request", "ws_connect"})  # fmt: skip


@detector(
    "python.tls-verification-disabled",
    kind=(Kind.PYTHON, Kind.DOCKERFILE, Kind.COMPOSE, Kind.KUBERNETES),
)
def tls_verification_disabled(doc: Artifact, params: None) -> Iterator[Hit]:
    """``verify=False`` to requests/httpx calls, clients and sessions
    (``session.verify = False``; a session that mounts an adapter is no exception),
    ``ssl=False``/``verify_ssl=False`` to aiohttp connectors and requests,
    ``ssl._create_unverified_context``, ``ctx.check_hostname = False``,
    ``ctx.verify_mode = ssl.CERT_NONE`` and ``cert_reqs=CERT_NONE`` (urllib3 pools,
    ``ssl.wrap_socket``). ``verify=<name>`` is followed: a local bound to False, or request
    data, is reported at the rule's severity; a parameter defaulting to False at low, as a
    review. Code under an ``if`` that tests a verification/TLS/development switch (an
    explicit opt-in), attributes set on ``self`` (classes emulating a context) and test and
    example modules are skipped. In Dockerfiles (``ENV``/``ARG``), Compose and Kubernetes
    env: ``PYTHONHTTPSVERIFY=0``, ``CURL_CA_BUNDLE=""``, ``REQUESTS_CA_BUNDLE=""``
    (:mod:`tls_env`)."""
    if not isinstance(doc, PythonFile):
        # Imported here: it reads Dockerfiles, Compose and Kubernetes files, whose helpers a
        # run over Python files alone has no use for.
        from shipcheck.detectors.python.tls_env import tls_env_hits

        yield from tls_env_hits(doc)
        return
    if doc.in_test_dir or non_production(doc.path):
        return
    imports = imports_of(doc)
    if not imports.imports_any("requests", "httpx", "aiohttp", "urllib3", "ssl", "six"):
        return
    switched = _opt_in_lines(doc.tree)
    index = index_of(doc)
    grader = Grader(doc.tree, imports)
    for scope in scopes(doc.tree):
        sessions = session_objects(scope, imports, index)
        flags = _false_flags(scope, index)
        for node in scope_nodes(scope, index):
            if getattr(node, "lineno", 0) not in switched:
                yield from _tls_node(node, imports, sessions, flags, grader, scope)


def _false_flags(scope: ast.AST, index: PyIndex) -> dict[str, str]:
    """Names that hold False in ``scope``: locals bound only to it (→ "local") and
    parameters defaulting to it (→ "parameter")."""
    found: dict[str, str] = {}
    for name, values in assignments(scope, index).items():
        literal = [v for v in values if not isinstance(v, ast.arg)]
        if literal and all(is_const(v, False) for v in literal):
            found[name] = "parameter" if len(literal) < len(values) else "local"
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        args = scope.args
        positional = [*args.posonlyargs, *args.args]
        for arg, default in zip(
            positional[len(positional) - len(args.defaults) :], args.defaults, strict=True
        ):
            if is_const(default, False) and arg.arg not in found:
                found[arg.arg] = "parameter"
        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            if default is not None and is_const(default, False) and arg.arg not in found:
                found[arg.arg] = "parameter"
    return found


_OPT_IN = lazyre.compile(r"verif|insecure|ssl|tls|cert|hostname|debug|develop|local|testing", re.I)


def _opt_in_lines(tree: ast.Module) -> set[int]:
    """Lines under an ``if`` that tests a verification, TLS or development switch
    (``if not verify:``, ``if settings.INSECURE_SSL:``): an explicit opt-in, like
    ``verify=settings.VERIFY_TLS``, is the operator's decision."""
    lines: set[int] = set()
    for node in index_of(tree).of(ast.If, ast.IfExp):
        if _OPT_IN.search(ast.unparse(node.test)):
            body = node.body if isinstance(node.body, list) else [node.body]
            orelse = node.orelse if isinstance(node.orelse, list) else [node.orelse]
            for child in [*body, *orelse]:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _verify_off(
    value: ast.AST, flags: dict[str, str], grader: Grader, scope: ast.AST
) -> tuple[str, Severity | None] | None:
    """How a ``verify=``/``ssl=`` value switches verification off, and the severity (None:
    the rule's), or None when it does not."""
    if is_const(value, False):
        return "False", None
    if isinstance(value, ast.Name) and value.id in flags:
        if flags[value.id] == "local":
            return f"`{value.id}` (False)", None
        return (
            f"`{value.id}`, a parameter that defaults to False "
            "(review: make sure callers turn it on)",
            Severity.LOW,
        )
    if not isinstance(value, ast.Constant):
        source = grader.untrusted.source(value, scope)
        if source:
            return f"a value from {source}", None
    return None


def _tls_node(
    node: ast.AST,
    imports: Imports,
    sessions: set[str],
    flags: dict[str, str],
    grader: Grader,
    scope: ast.AST,
) -> Iterator[Hit]:
    if isinstance(node, ast.Call):
        qual = imports.resolve(node.func)
        verify = keyword(node, "verify")
        off = _verify_off(verify.value, flags, grader, scope) if verify is not None else None
        if verify is not None and off is not None:
            session_call = (
                isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in sessions
            )
            if qual in _VERIFY_CALLS or session_call:
                name = qual or ast.unparse(node.func)
                hit = node_hit(verify.value, what=f"`verify={off[0]}` passed to `{name}()`")
                yield dataclasses.replace(hit, severity=off[1])
        aiohttp_call = qual == "aiohttp.TCPConnector" or (
            imports.imports_any("aiohttp")
            and (qual in _AIOHTTP_CALLS or (qual is None and call_name(node) in _AIOHTTP_VERBS))
        )
        if aiohttp_call:
            for arg in ("ssl", "verify_ssl"):
                kw = keyword(node, arg)
                off = _verify_off(kw.value, flags, grader, scope) if kw is not None else None
                if kw is not None and off is not None:
                    name = qual or ast.unparse(node.func)
                    hit = node_hit(kw.value, what=f"`{arg}={off[0]}` passed to `{name}()`")
                    yield dataclasses.replace(hit, severity=off[1])
        cert = keyword(node, "cert_reqs")
        if cert is not None and (
            imports.resolve(cert.value) in _CERT_NONE or is_const(cert.value, "CERT_NONE")
        ):
            what = f"`cert_reqs=CERT_NONE` passed to `{qual or 'a call'}()`"
            yield node_hit(cert.value, what=what)
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Load)
        and imports.resolve(node) == "ssl._create_unverified_context"
    ):
        yield node_hit(node, what="`ssl._create_unverified_context` is used")
    if isinstance(node, ast.Assign):
        for target in node.targets:
            # ``self.check_hostname = False`` in a class that emulates a context or client.
            if not isinstance(target, ast.Attribute) or (
                isinstance(target.value, ast.Name) and target.value.id == "self"
            ):
                continue
            if target.attr == "check_hostname" and is_const(node.value, False):
                yield node_hit(node, what="`check_hostname` is set to False")
            elif target.attr == "verify_mode" and imports.resolve(node.value) in _CERT_NONE:
                yield node_hit(node, what="`verify_mode` is set to `ssl.CERT_NONE`")
            elif target.attr == "verify" and is_const(node.value, False):
                yield node_hit(node, what=f"`{ast.unparse(target)} = False`")
