"""Suggestions ("did you mean …?") for near-miss configuration keys, rule selectors and
option values."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from shipcheck import lazyre

_RULE_ID = lazyre.compile(r"([a-z]+)0*(\d+)")


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice most like ``word`` (case-insensitively), or None when nothing is close.
    A rule id with a digit too few or too many (``DKR01``, ``DKR0001``) finds its rule."""
    by_lower: dict[str, str] = {}
    for choice in choices:
        by_lower.setdefault(choice.lower(), choice)
    lowered = word.lower()
    rule_id = _RULE_ID.fullmatch(lowered)
    if rule_id:
        padded = f"{rule_id.group(1)}{int(rule_id.group(2)):03d}"
        if padded in by_lower:
            return by_lower[padded]
    scored = []
    for candidate in by_lower:
        ratio = difflib.SequenceMatcher(None, lowered, candidate).ratio()
        if ratio >= cutoff:
            scored.append((-ratio, candidate))  # ties: the first in alphabetical order
    return by_lower[min(scored)[1]] if scored else None


def did_you_mean(word: str, choices: Iterable[str], quote: str = "'") -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    match = closest(word, choices)
    if match is None or match == word:
        return ""
    return f" (did you mean {quote}{match}{quote}?)"
