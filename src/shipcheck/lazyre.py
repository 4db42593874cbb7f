"""Regular expressions compiled when first used.

shipcheck holds a few hundred module-level patterns and a scan uses a fraction of them; at
start-up, compiling all of them cost more than the Python code a pre-commit run checks.
:func:`compile` returns a stand-in that compiles on its first use and then holds the
compiled pattern's methods as plain attributes, so later calls cost what they cost on a
``re.Pattern``. It prints, pickles and compares as the compiled pattern would, so settings
fingerprints made from rule parameters do not change.
"""

from __future__ import annotations

import re
from typing import Any, cast

# What a compiled pattern offers, copied onto the stand-in at its first use.
_ATTRIBUTES = (
    "search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split",
    "flags", "groups", "groupindex",
)  # fmt: skip


class _Lazy:
    __slots__ = ("__dict__", "_flags", "pattern")

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self.pattern = pattern
        self._flags = flags

    def compiled(self) -> re.Pattern[Any]:
        return re.compile(self.pattern, self._flags)

    def __getattr__(self, name: str) -> Any:
        # Reached only while an attribute is missing: on the first use.
        compiled = self.compiled()
        for attribute in _ATTRIBUTES:
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return repr(self.compiled())

    def __reduce__(self) -> tuple[Any, ...]:
        return (compile, (self.pattern, self._flags))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Lazy):
            return (self.pattern, self._flags) == (other.pattern, other._flags)
        return self.compiled() == other

    def __hash__(self) -> int:
        return hash(self.compiled())


def compile(pattern: str | bytes, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, done on first use."""
    return cast("re.Pattern[str]", _Lazy(pattern, flags))
