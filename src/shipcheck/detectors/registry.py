"""The detector registry: code that finds things, bound to rules by name in the catalogue."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from shipcheck.models.artifacts import Kind
from shipcheck.models.facts import Fact
from shipcheck.models.findings import Hit


@dataclass(frozen=True)
class Detector:
    """A registered detector. ``applies`` (project detectors) says whether the rule can be
    judged at all for a project, which decides 'not applicable' in the checklist."""

    name: str
    kinds: frozenset[Kind]
    func: Callable[..., Iterable[Hit]]
    params: type | None
    applies: Callable[[Any], bool] | None
    module: str

    @property
    def doc(self) -> str:
        """The first paragraph of the detector's docstring."""
        return (self.func.__doc__ or "").strip().split("\n\n")[0]


_DETECTORS: dict[str, Detector] = {}
_FACT_EXTRACTORS: dict[Kind, list[Callable[[Any], Iterable[Fact]]]] = {}
_REFINERS: dict[str, list[Callable[[Any, Any], Any]]] = {}


class RegistryError(Exception):
    """A detector was registered twice under one name."""


class RuleSkipped(Exception):
    """Raised by a project detector that cannot judge this project (``--offline`` and no local
    data, a service that cannot be reached): the engine reports ``reason`` as a diagnostic of
    ``kind`` and the rule's checklist item as not checked — never as a pass."""

    def __init__(self, reason: str, kind: str = "note") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


def detector(
    name: str,
    kind: Kind | Iterable[Kind],
    params: type | None = None,
    applies: Callable[[Any], bool] | None = None,
) -> Callable[[Callable[..., Iterable[Hit]]], Callable[..., Iterable[Hit]]]:
    """Register ``func(artifact_or_project, params) -> Iterable[Hit]`` as detector ``name``."""
    kinds = frozenset([kind] if isinstance(kind, Kind) else kind)

    def register(func: Callable[..., Iterable[Hit]]) -> Callable[..., Iterable[Hit]]:
        existing = _DETECTORS.get(name)
        if existing is not None and existing.func.__qualname__ != func.__qualname__:
            raise RegistryError(f"detector {name!r} is registered twice ({existing.module})")
        _DETECTORS[name] = Detector(name, kinds, func, params, applies, func.__module__)
        return func

    return register


def fact_extractor(
    kind: Kind | Iterable[Kind],
) -> Callable[[Callable[[Any], Iterable[Fact]]], Callable[[Any], Iterable[Fact]]]:
    """Register ``func(artifact) -> Iterable[Fact]`` for files of ``kind``."""
    kinds = [kind] if isinstance(kind, Kind) else list(kind)

    def register(func: Callable[[Any], Iterable[Fact]]) -> Callable[[Any], Iterable[Fact]]:
        for k in kinds:
            extractors = _FACT_EXTRACTORS.setdefault(k, [])
            if all(f.__qualname__ != func.__qualname__ for f in extractors):
                extractors.append(func)
        return func

    return register


def refiner(
    detector_name: str,
) -> Callable[[Callable[[Any, Any], Any]], Callable[[Any, Any], Any]]:
    """Register ``func(project, finding) -> Finding`` to adjust findings of a file detector
    with project-wide facts (e.g. lower a severity because Kubernetes already runs the image
    as non-root). Refiners run only when the whole project was scanned."""

    def register(func: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        funcs = _REFINERS.setdefault(detector_name, [])
        if all(f.__qualname__ != func.__qualname__ for f in funcs):
            funcs.append(func)
        return func

    return register


def refiners(detector_name: str) -> list[Callable[[Any, Any], Any]]:
    """Refiners registered for a detector."""
    return list(_REFINERS.get(detector_name, []))


def get(name: str) -> Detector | None:
    """The detector called ``name``."""
    return _DETECTORS.get(name)


def all_detectors() -> dict[str, Detector]:
    """Every registered detector by name."""
    return dict(_DETECTORS)


def fact_extractors(kind: Kind) -> list[Callable[[Any], Iterable[Fact]]]:
    """Fact extractors for ``kind`` (``ANY`` extractors included)."""
    return [*_FACT_EXTRACTORS.get(kind, []), *_FACT_EXTRACTORS.get(Kind.ANY, [])]


def import_modules(package: str) -> None:
    """Import ``package`` and, if it is a package, every module below it (registration)."""
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(getattr(module, "__path__", []), prefix=package + "."):
        importlib.import_module(info.name)


class ParamsError(Exception):
    """Rule parameters do not fit the detector's parameter dataclass."""


def build_params(spec: Detector, raw: dict[str, Any]) -> Any:
    """Instantiate the detector's params dataclass from ``raw``, checking names and types."""
    if spec.params is None:
        if raw:
            raise ParamsError(f"detector {spec.name!r} takes no params, got {sorted(raw)}")
        return None
    fields = {f.name: f for f in dataclasses.fields(spec.params)}
    hints = typing.get_type_hints(spec.params)
    for key, value in raw.items():
        if key not in fields:
            known = ", ".join(sorted(fields)) or "none"
            raise ParamsError(f"unknown param {key!r} for detector {spec.name!r} (known: {known})")
        if not _type_ok(value, hints[key]):
            raise ParamsError(f"param {key!r} of detector {spec.name!r} must be {hints[key]}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
    return spec.params(**values)


def _type_ok(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, a) for a in args)
    if hint is type(None):
        return value is None
    if origin in (list, tuple, frozenset, set):
        if not isinstance(value, list | tuple):
            return False
        item = args[0] if args else Any
        return all(_type_ok(v, item) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True
