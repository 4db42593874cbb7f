"""Facts: small, picklable observations a file pass hands to the project pass."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Fact:
    """One observation about one file, e.g. a route served or an image referenced.

    ``type`` is a short name (``route``, ``port``, ``framework``, ``image``, ``probe``,
    ``dependency``, ``ci-step`` …); ``data`` holds plain JSON-like values only, so that
    facts cross process boundaries cheaply.
    """

    type: str
    path: str
    line: int = 1
    data: dict[str, Any] = field(default_factory=dict)
