"""The detector registry: code that finds things, bound to rules by name in the catalogue."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shipcheck.models.findings import Hit
from shipcheck.models.kinds import Kind

if TYPE_CHECKING:
    from shipcheck.models.facts import Fact


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
    # Project detectors: kinds of which the project must have one for the rule to apply
    # at all (what ``applies`` checks first), so that a project without them does not
    # even import the detector.
    needs: frozenset[Kind] = frozenset()

    @property
    def doc(self) -> str:
        """The first paragraph of the detector's docstring."""
        return (self.func.__doc__ or "").strip().split("\n\n")[0]


_DETECTORS: dict[str, Detector] = {}
_FACT_EXTRACTORS: dict[Kind, list[Callable[[Any], Iterable[Fact]]]] = {}
_REFINERS: dict[str, list[Callable[[Any, Any], Any]]] = {}


@dataclass(frozen=True)
class Index:
    """Where every registration of a set of modules lives, so that a module is imported only
    when one of its detectors, fact extractors or refiners is first asked for (a scan of five
    Python files does not import the Kubernetes detectors). Built once by importing them all
    (:func:`index_of`) and kept with the cached catalogue (``shipcheck.startup``)."""

    detectors: dict[str, tuple[str, frozenset[Kind], frozenset[Kind]]]  # → (module, kinds, needs)
    extractors: dict[Kind, tuple[str, ...]]  # kind → modules registering fact extractors
    refiners: dict[str, tuple[str, ...]]  # detector name → modules registering refiners

    def modules(self) -> set[str]:
        """Every module the index names."""
        found = {module for module, _, _ in self.detectors.values()}
        for modules in (*self.extractors.values(), *self.refiners.values()):
            found.update(modules)
        return found


_INDEX: Index | None = None


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
    needs: Iterable[Kind] = (),
) -> Callable[[Callable[..., Iterable[Hit]]], Callable[..., Iterable[Hit]]]:
    """Register ``func(artifact_or_project, params) -> Iterable[Hit]`` as detector ``name``.
    ``needs`` (project detectors): the kinds of file ``applies`` requires one of."""
    kinds = frozenset([kind] if isinstance(kind, Kind) else kind)
    required = frozenset(needs)

    def register(func: Callable[..., Iterable[Hit]]) -> Callable[..., Iterable[Hit]]:
        existing = _DETECTORS.get(name)
        if existing is not None and existing.func.__qualname__ != func.__qualname__:
            raise RegistryError(f"detector {name!r} is registered twice ({existing.module})")
        _DETECTORS[name] = Detector(name, kinds, func, params, applies, func.__module__, required)
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
    if _INDEX is not None:
        _import(_INDEX.refiners.get(detector_name, ()))
    return list(_REFINERS.get(detector_name, []))


def has_refiners(detector_name: str) -> bool:
    """Whether refiners are registered for a detector, without importing them."""
    if _INDEX is not None and _INDEX.refiners.get(detector_name):
        return True
    return bool(_REFINERS.get(detector_name))


def get(name: str) -> Detector | None:
    """The detector called ``name``."""
    if name not in _DETECTORS and _INDEX is not None and name in _INDEX.detectors:
        _import([_INDEX.detectors[name][0]])
    return _DETECTORS.get(name)


def kinds_of(name: str) -> frozenset[Kind]:
    """The kinds detector ``name`` reads, without importing it (empty when unknown)."""
    if name in _DETECTORS:
        return _DETECTORS[name].kinds
    if _INDEX is not None and name in _INDEX.detectors:
        return _INDEX.detectors[name][1]
    return frozenset()


def needs_of(name: str) -> frozenset[Kind]:
    """The kinds a project detector needs one of (see :func:`detector`), without importing
    it (empty when it needs none or is unknown)."""
    if name in _DETECTORS:
        return _DETECTORS[name].needs
    if _INDEX is not None and name in _INDEX.detectors:
        return _INDEX.detectors[name][2]
    return frozenset()


def all_detectors() -> dict[str, Detector]:
    """Every registered detector by name."""
    if _INDEX is not None:
        _import(sorted(_INDEX.modules()))
    return dict(_DETECTORS)


def fact_extractors(kind: Kind) -> list[Callable[[Any], Iterable[Fact]]]:
    """Fact extractors for ``kind`` (``ANY`` extractors included)."""
    if _INDEX is not None:
        _import([*_INDEX.extractors.get(kind, ()), *_INDEX.extractors.get(Kind.ANY, ())])
    # In one order whatever order their modules were imported in (facts come out alike,
    # and so does the digest the project memo compares them by).
    return [
        *sorted(_FACT_EXTRACTORS.get(kind, []), key=_by_name),
        *sorted(_FACT_EXTRACTORS.get(Kind.ANY, []), key=_by_name),
    ]


def _by_name(func: Callable[..., Any]) -> tuple[str, str]:
    return func.__module__, func.__qualname__


def index_of(modules: Iterable[str]) -> Index:
    """The :class:`Index` of everything ``modules`` (already imported) registered."""
    wanted = set(modules)
    detectors = {
        name: (spec.module, spec.kinds, spec.needs)
        for name, spec in _DETECTORS.items()
        if spec.module in wanted
    }
    extractors = {
        kind: tuple(sorted({f.__module__ for f in funcs} & wanted))
        for kind, funcs in _FACT_EXTRACTORS.items()
    }
    refiners = {
        name: tuple(sorted({f.__module__ for f in funcs} & wanted))
        for name, funcs in _REFINERS.items()
    }
    return Index(
        detectors,
        {k: v for k, v in extractors.items() if v},
        {k: v for k, v in refiners.items() if v},
    )


def current_index() -> Index | None:
    """The index in use, if any."""
    return _INDEX


def use_index(index: Index | None) -> None:
    """Import modules of ``index`` on demand from now on (None: stop)."""
    global _INDEX
    _INDEX = index


def _import(modules: Iterable[str]) -> None:
    for module in modules:
        importlib.import_module(module)


def import_modules(package: str) -> list[str]:
    """Import ``package`` and, if it is a package, every module below it (registration);
    return their names."""
    module = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(getattr(module, "__path__", []), prefix=package + "."):
        importlib.import_module(info.name)
        names.append(info.name)
    return names


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
