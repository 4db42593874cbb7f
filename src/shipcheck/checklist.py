"""The deployment-readiness checklist (``data/checklist.yaml``): areas and items."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


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


@lru_cache(maxsize=1)
def load_checklist() -> Checklist:
    """The checklist shipped with shipcheck."""
    text = resources.files("shipcheck").joinpath("data/checklist.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    items = {
        raw["key"]: Item(raw["key"], raw["area"], raw["title"], raw.get("why", ""))
        for raw in data["items"]
    }
    return Checklist(areas=dict(data["areas"]), items=items)
