"""YAML files: loaded line-aware, then recognised as Kubernetes, Compose, GitHub Actions,
GitLab CI or plain YAML by path and content."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

import yaml

from shipcheck import lazyre
from shipcheck.models.artifacts import (
    ComposeFile,
    Kind,
    KubernetesFile,
    KubernetesObject,
    WorkflowFile,
    YamlFile,
)
from shipcheck.parsers import ParseError, decode
from shipcheck.parsers.yaml_nodes import load_documents
from shipcheck.parsers.yaml_values import LMap
from shipcheck.text import TEMPLATE_MARKUP

_COMPOSE_NAME = lazyre.compile(r"^(docker-)?compose([.\-][\w.\-]+)?\.ya?ml$", re.IGNORECASE)
_GITLAB_RESERVED = frozenset(
    {
        "default", "include", "stages", "variables", "workflow", "image", "services",
        "cache", "before_script", "after_script", "types", "pages:deploy", "spec",
    }
)  # fmt: skip
TEMPLATE_HINT = (
    "templated YAML (Helm or another template engine): shipcheck reads rendered manifests; "
    "render it and scan the output, e.g. `helm template CHART | shipcheck scan -`"
)


def is_templated(path: str, text: str) -> bool:
    """True for Helm chart templates and other files with template directives."""
    if not TEMPLATE_MARKUP.search(text):
        return False
    parts = PurePosixPath(path).parts
    return "templates" in parts or path.endswith((".tpl", ".j2", ".jinja", ".gotmpl"))


def parse(path: str, data: bytes) -> YamlFile:
    """Load every document and return the most specific artifact for the file."""
    text = decode(data)
    if is_templated(path, text):
        raise ParseError(TEMPLATE_HINT)
    try:
        documents, problems = load_documents(text, yaml12=reads_yaml12(path))
    except yaml.YAMLError as exc:
        if TEMPLATE_MARKUP.search(text):
            raise ParseError(TEMPLATE_HINT) from None
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark is not None:
            problem += (
                f" ({context.removeprefix('while parsing ')} at line {context_mark.line + 1})"
            )
        raise ParseError(f"invalid YAML{where}: {problem}") from None
    except RecursionError:
        raise ParseError("YAML nested too deeply to read") from None
    artifact = classify_documents(path, text, documents)
    if artifact.kind is Kind.COMPOSE and not reads_yaml12(path):
        # Recognised as Compose by content: read again the way Compose reads it.
        documents, problems = load_documents(text, yaml12=True)
        artifact = classify_documents(path, text, documents)
    artifact.notes.extend(problems)
    return artifact


def reads_yaml12(path: str) -> bool:
    """Whether the tool that reads this file uses YAML 1.2 scalars (Compose, GitHub Actions);
    Kubernetes (go-yaml v2) and GitLab (Psych) keep YAML 1.1's."""
    posix = PurePosixPath(path)
    return _is_github_workflow(posix) or bool(_COMPOSE_NAME.match(posix.name))


def classify_documents(path: str, text: str, documents: list[Any]) -> YamlFile:
    """Decide the flavour of already-loaded documents."""
    posix = PurePosixPath(path)
    name = posix.name
    first = documents[0] if documents else None
    if _is_github_workflow(posix) and isinstance(first, dict):
        jobs = first.get("jobs") if isinstance(first.get("jobs"), dict) else LMap()
        return WorkflowFile(
            path=path, kind=Kind.GITHUB_ACTIONS, text=text, documents=documents, jobs=jobs
        )
    if name.endswith(("gitlab-ci.yml", "gitlab-ci.yaml")) and isinstance(first, dict):
        jobs = LMap()
        for key, value in first.items():
            if (
                isinstance(key, str)
                and key not in _GITLAB_RESERVED
                and not key.startswith(".")
                and isinstance(value, dict)
            ):
                jobs[key] = value
                jobs.key_pos[key] = first.key_pos.get(key, (first.line, 1))
        return WorkflowFile(
            path=path, kind=Kind.GITLAB_CI, text=text, documents=documents, jobs=jobs
        )
    if isinstance(first, dict) and (_COMPOSE_NAME.match(name) or _looks_like_compose(first)):
        services = first.get("services")
        if isinstance(services, dict):
            return ComposeFile(
                path=path, kind=Kind.COMPOSE, text=text, documents=documents, services=services
            )
    objects = list(_kubernetes_objects(documents))
    if objects:
        return KubernetesFile(
            path=path, kind=Kind.KUBERNETES, text=text, documents=documents, objects=objects
        )
    return YamlFile(path=path, kind=Kind.YAML, text=text, documents=documents)


def _is_github_workflow(posix: PurePosixPath) -> bool:
    parts = posix.parts
    return len(parts) >= 3 and parts[-3] == ".github" and parts[-2] == "workflows"


def _looks_like_compose(doc: dict[Any, Any]) -> bool:
    services = doc.get("services")
    if not isinstance(services, dict) or not services or "apiVersion" in doc:
        return False
    return all(
        isinstance(s, dict) and ({"image", "build"} & set(s) or "command" in s)
        for s in services.values()
    )


def _kubernetes_objects(documents: list[Any]) -> Any:
    for doc in documents:
        if not isinstance(doc, dict):
            continue
        kind, api = doc.get("kind"), doc.get("apiVersion")
        if not isinstance(kind, str) or not isinstance(api, str):
            continue
        if kind == "List" or (kind.endswith("List") and isinstance(doc.get("items"), list)):
            items = doc.get("items") or []
            yield from _kubernetes_objects([i for i in items if isinstance(i, dict)])
            continue
        metadata = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
        yield KubernetesObject(
            kind=kind,
            api_version=api,
            name=str(metadata.get("name") or metadata.get("generateName") or ""),
            namespace=metadata.get("namespace"),
            doc=doc,
            line=getattr(doc, "line", 1),
        )
