"""Files kept in the user's cache directory beside the result database, one current entry
per kind (the validated catalogue, the list of installed rule packs)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def replace_entry(entry: Path, data: bytes, prefix: str) -> None:
    """Write ``entry`` by renaming a finished file (two scans may start at once) and remove
    the other files named ``prefix…`` in its folder (entries of code or installs gone by).
    A failure only costs the next scan the work the entry saves."""
    temporary = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # only when an entry is written, not on every start

        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=f".{prefix}")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, entry)
        for old in entry.parent.glob(f"{prefix}*"):
            if old != entry:
                with contextlib.suppress(OSError):
                    old.unlink()
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
