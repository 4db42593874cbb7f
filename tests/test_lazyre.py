"""Patterns compiled on first use behave, print and pickle as compiled ones."""

from __future__ import annotations

import pickle
import re

from shipcheck import lazyre


def test_a_lazy_pattern_matches_as_the_compiled_one():
    lazy = lazyre.compile(r"(?P<key>\w+)=(\d+)", re.ASCII)
    eager = re.compile(r"(?P<key>\w+)=(\d+)", re.ASCII)
    text = "a=1 b=22 c=x"
    assert lazy.search(text).group("key") == eager.search(text).group("key")  # type: ignore[union-attr]
    assert lazy.findall(text) == eager.findall(text)
    assert lazy.sub("-", text) == eager.sub("-", text)
    assert (lazy.groups, lazy.groupindex, lazy.flags) == (
        eager.groups,
        eager.groupindex,
        eager.flags,
    )


def test_a_lazy_pattern_compiles_only_when_used(monkeypatch):
    calls = []
    real = re.compile
    monkeypatch.setattr(re, "compile", lambda *a: calls.append(a) or real(*a))
    lazy = lazyre.compile(r"x+")
    assert calls == []
    assert lazy.fullmatch("xxx")
    assert lazy.match("x")
    assert len(calls) == 1


def test_repr_and_pickle_match_the_compiled_pattern():
    """Rule parameters are fingerprinted by repr and sent to workers by pickle."""
    lazy = lazyre.compile(r"^[A-Z]{2,5}$", re.IGNORECASE)
    assert repr(lazy) == repr(re.compile(r"^[A-Z]{2,5}$", re.IGNORECASE))
    again = pickle.loads(pickle.dumps(lazy))
    assert again.match("acme") and repr(again) == repr(lazy)
    assert lazy == lazyre.compile(r"^[A-Z]{2,5}$", re.IGNORECASE)
