"""Proxy headers trusted from any client: uvicorn's and gunicorn's ``forwarded_allow_ips``
set to ``*`` (``--forwarded-allow-ips='*'``, ``FORWARDED_ALLOW_IPS=*``, ``forwarded_allow_ips =
"*"`` in a gunicorn config, ``uvicorn.run(..., forwarded_allow_ips="*")``).

With ``*`` the server believes ``X-Forwarded-For`` and ``X-Forwarded-Proto`` from whoever
connects, so any client that reaches the server without the proxy in between can choose the
address the application logs, rate-limits and allow-lists, and the scheme it thinks the
request came over. ``ProxyFix(x_for=N)`` is left alone: whether N matches the proxies in
front cannot be read from the repository.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from shipcheck import lazyre
from shipcheck.detectors.python.index import index_of
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.context import ContextParams
from shipcheck.detectors.secrets.pyast import literal_hit, literal_string, target_name
from shipcheck.models.artifacts import Artifact, Kind, PythonFile
from shipcheck.models.findings import Hit, Severity

# ``--forwarded-allow-ips=*``, ``--forwarded-allow-ips '*'``, JSON exec form
# ``"--forwarded-allow-ips", "*"`` and YAML list items ``- --forwarded-allow-ips`` / ``- "*"``.
_FLAG = lazyre.compile(
    r"--forwarded-allow-ips(?:=|[\"']?\s*,?\s*(?:\n\s*-\s*)?)(?P<value>[\"']?\*[\"']?)(?![\w.*])"
)
# ``FORWARDED_ALLOW_IPS=*`` (Dockerfile ENV, .env-style lists) and ``FORWARDED_ALLOW_IPS: "*"``
# (Compose maps); Kubernetes ``name:``/``value:`` pairs on consecutive lines.
_ENV = lazyre.compile(
    r"FORWARDED_ALLOW_IPS[\"']?\s*(?:[:=]|\s+|[\"']?\s*\n\s*value:)\s*(?P<value>[\"']?\*[\"']?)(?![\w.*])"
)
_KINDS = (Kind.PYTHON, Kind.DOCKERFILE, Kind.COMPOSE, Kind.KUBERNETES, Kind.PROCFILE, Kind.ENV)


@detector("config.proxy-trust-all", kind=_KINDS, params=ContextParams)
def proxy_trust_all(doc: Artifact, params: ContextParams) -> Iterator[Hit]:
    """``*`` as the proxies whose forwarded headers the server trusts: in Python code and
    gunicorn config modules, Dockerfiles, Compose files, Kubernetes manifests, Procfiles and
    .env files."""
    report, floor = params.verdict(doc.path)
    if not report or "forwarded" not in doc.text.lower():
        return
    if isinstance(doc, PythonFile):
        yield from _python_settings(doc, floor)
    else:
        yield from _command_settings(doc, floor)


def _command_settings(doc: Artifact, floor: Severity | None) -> Iterator[Hit]:
    """``--forwarded-allow-ips`` or ``FORWARDED_ALLOW_IPS`` set to ``*`` (comment lines
    aside)."""
    for pattern, what in ((_FLAG, "`--forwarded-allow-ips`"), (_ENV, "`FORWARDED_ALLOW_IPS`")):
        for match in pattern.finditer(doc.text):
            line = doc.text.count("\n", 0, match.start()) + 1
            if doc.line_text(line).lstrip().startswith("#"):
                continue
            value_line = doc.text.count("\n", 0, match.start("value")) + 1
            start = match.start("value") - (doc.text.rfind("\n", 0, match.start("value")) + 1)
            yield Hit(
                line=value_line,
                column=start + 1,
                end_column=start + 1 + len(match.group("value")),
                fields={"setting": what},
                severity=floor,
            )


# Calls that take the setting as a keyword: uvicorn.run / uvicorn.Config / Hypercorn-style.
_CALLS = frozenset({"run", "Config", "UvicornWorker"})


def _python_settings(doc: PythonFile, floor: Severity | None) -> Iterator[Hit]:
    """``forwarded_allow_ips="*"`` passed to ``uvicorn.run``/``uvicorn.Config``, or assigned
    at the top of a gunicorn configuration module."""
    values: list[tuple[ast.AST, str]] = []
    for call in index_of(doc).of(ast.Call):
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in _CALLS:
            values += [
                (k.value, "`forwarded_allow_ips`")
                for k in call.keywords
                if k.arg == "forwarded_allow_ips"
            ]
    for statement in doc.tree.body if isinstance(doc.tree, ast.Module) else []:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and target_name(statement.targets[0]) == "forwarded_allow_ips"
        ):
            values.append((statement.value, "gunicorn's `forwarded_allow_ips`"))
    for value, what in values:
        text = literal_string(value)
        if text is None or text.strip() != "*":
            continue
        yield literal_hit(
            doc,
            value,
            fields={"setting": what},
            severity=floor,
        )
