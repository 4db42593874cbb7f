"""Debug mode switched on through the environment of what gets deployed: ``FLASK_DEBUG=1``,
``FLASK_ENV=development``, ``DJANGO_DEBUG=True``, ``DEBUG=true``, or a development
``DJANGO_SETTINGS_MODULE``, set in a Dockerfile's image, a Compose service or a Kubernetes
container. Development Dockerfiles, Compose files and manifests are left out by name."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from shipcheck.detectors.common import name_words
from shipcheck.detectors.dockerfile.stages import shipped, targets
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.context import (
    ContextParams,
    is_dev_config,
    name_has_dev_word,
)
from shipcheck.models.artifacts import Artifact, ComposeFile, Dockerfile, Kind, YamlFile
from shipcheck.models.findings import Hit
from shipcheck.parsers.yaml_values import LList, LMap

TRUE_VALUES = frozenset({"1", "true", "yes", "on"})


def debug_setting(name: str, value: Any) -> str | None:
    """How ``name=value`` turns debug mode on, or None."""
    if not isinstance(name, str) or isinstance(value, LMap | LList) or value is None:
        return None
    text = str(value).strip().strip("\"'")
    lower = text.lower()
    if isinstance(value, bool):
        lower = "true" if value else "false"
    words = name_words(name)
    if name == "FLASK_ENV" and lower in {"development", "dev"}:
        return "`FLASK_ENV=development` runs Flask in debug mode (Flask < 2.3)"
    if name == "DJANGO_SETTINGS_MODULE" and name_has_dev_word(text.rsplit(".", 1)[-1]):
        return f"`DJANGO_SETTINGS_MODULE={text}` loads development settings"
    if name == "WERKZEUG_DEBUG_PIN" and lower == "off":
        return "`WERKZEUG_DEBUG_PIN=off` opens the debugger console without a PIN"
    if words and words[-1] == "debug" and lower in TRUE_VALUES:
        return f"`{name}={text}` turns on debug mode"
    return None


@dataclass(frozen=True)
class _Setting:
    name: str
    value: Any
    line: int
    column: int


def _dockerfile_settings(doc: Dockerfile) -> Iterator[_Setting]:
    # The stages that ship: each build target and the stages it is built from.
    for stage in shipped(doc):
        for instruction in stage.instructions:
            if instruction.keyword == "ENV":
                yield from _env_instruction(doc, instruction.value, instruction.line)


def _env_instruction(doc: Dockerfile, value: str, line: int) -> Iterator[_Setting]:
    try:
        tokens = shlex.split(value, posix=True)
    except ValueError:
        return
    if tokens and "=" not in tokens[0]:
        pairs = [(tokens[0], " ".join(tokens[1:]))]  # legacy form: ENV NAME value
    else:
        pairs = [(t.partition("=")[0], t.partition("=")[2]) for t in tokens if "=" in t]
    text = doc.line_text(line)
    for name, val in pairs:
        found = text.find(name)
        column = found + len(name) + 2 if found >= 0 else 1
        yield _Setting(name, val, line, column)


def _yaml_settings(root: Any) -> Iterator[_Setting]:
    """Entries of ``environment`` / ``env`` mappings and lists at any depth (each node once
    per context, however many aliases reach it)."""
    seen: set[tuple[int, bool]] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, in_env = stack.pop()
        if not isinstance(node, LMap | LList) or (id(node), in_env) in seen:
            continue
        seen.add((id(node), in_env))
        children: list[tuple[Any, bool]] = []
        if isinstance(node, LMap):
            pair = "name" in node and "value" in node
            if pair and isinstance(node.get("name"), str):
                yield _Setting(node["name"], node["value"], node.value_line("value"),
                               node.value_column("value"))  # fmt: skip
            elif in_env:
                for key, value in node.items():
                    yield _Setting(str(key), value, node.value_line(key), node.value_column(key))
            if pair or in_env:
                continue
            children = [(value, key in {"environment", "env"}) for key, value in node.items()]
        else:
            for index, item in enumerate(node):
                if in_env and isinstance(item, str) and "=" in item and index < len(node.item_pos):
                    name, value = item.split("=", 1)
                    line, column = node.item_pos[index]
                    yield _Setting(name.strip(), value, line, column + len(name) + 1)
                else:
                    children.append((item, in_env))
        stack.extend(reversed(children))


def _settings(doc: Artifact) -> Iterator[_Setting]:
    if isinstance(doc, Dockerfile):
        yield from _dockerfile_settings(doc)
    elif isinstance(doc, ComposeFile):
        yield from _yaml_settings(doc.services)
    elif isinstance(doc, YamlFile):
        for document in doc.documents:
            yield from _yaml_settings(document)


def _dev_artifact(doc: Artifact) -> bool:
    if is_dev_config(doc.path):
        return True
    if isinstance(doc, Dockerfile):
        stages = targets(doc)
        stem = PurePosixPath(doc.path).name.replace("Dockerfile", "").replace("dockerfile", "")
        dev_stage = bool(stages) and all(s.name and name_has_dev_word(s.name) for s in stages)
        return name_has_dev_word(stem) or dev_stage
    return False


@detector(
    "config.debug-env-var",
    kind=(Kind.DOCKERFILE, Kind.COMPOSE, Kind.KUBERNETES),
    params=ContextParams,
)
def debug_env_var(doc: Artifact, params: ContextParams) -> Iterator[Hit]:
    """Debug switches in the environment of an image (final stage and the stages it is built
    from), a Compose service or a Kubernetes container."""
    report, floor = params.verdict(doc.path)
    if not report or _dev_artifact(doc):
        return
    for setting in _settings(doc):
        how = debug_setting(setting.name, setting.value)
        if how is None:
            continue
        column = setting.column
        text = doc.line_text(setting.line)
        if 0 < column <= len(text) and text[column - 1] in "'\"":
            column += 1
        yield Hit(line=setting.line, column=column, fields={"how": how}, severity=floor)
