"""The deployment-readiness checklist (``data/checklist.yaml``): areas and items."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Item:
    """One checklist item."""

    key: str
    area: str
    title: str
    why: str


@dataclass(frozen=True)
class Checklist:
    """Areas (key → title, in report order) and items (key → item, in file order)."""

    areas: dict[str, str]
    items: dict[str, Item]


_LOADED: list[Checklist] = []


def remember_checklist(checklist: Checklist) -> None:
    """Use ``checklist`` (from the start-up cache) instead of reading the file again."""
    _LOADED[:] = [checklist]


def load_checklist() -> Checklist:
    """The checklist shipped with shipcheck."""
    if not _LOADED:
        _LOADED.append(_read())
    return _LOADED[0]


def _read() -> Checklist:
    import yaml  # not needed when the catalogue comes from the start-up cache

    # Beside this module, as the built-in rules are (``packs.builtin_rules_dir``).
    text = (Path(__file__).resolve().parent / "data" / "checklist.yaml").read_text("utf-8")
    # libyaml's safe loader when PyYAML has it: this file took 57 ms to read in pure Python.
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    items = {
        raw["key"]: Item(raw["key"], raw["area"], raw["title"], raw.get("why", ""))
        for raw in data["items"]
    }
    return Checklist(areas=dict(data["areas"]), items=items)
