"""Writing a plan: each file is re-read first and left alone when it changed since the plan
read it; writes go through a temporary file in the same folder and an atomic rename."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field

from shipcheck.fixes.context import digest
from shipcheck.fixes.plan import FileChange, Plan


@dataclass
class Written:
    """What a write did."""

    files: list[FileChange] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def write_plan(plan: Plan) -> Written:
    """Write every planned change whose file is unchanged on disk."""
    result = Written()
    for change in plan.changes.values():
        target = plan.root / change.path
        if change.created:
            if target.exists():
                result.refused.append(f"{change.path}: appeared on disk meanwhile; not written")
                continue
        else:
            try:
                current = target.read_bytes()
            except OSError as exc:
                result.refused.append(f"{change.path}: cannot read it again: {exc.strerror}")
                continue
            if digest(current) != change.source.digest:
                result.refused.append(
                    f"{change.path}: changed on disk since it was read; not written"
                )
                continue
        try:
            _atomic_write(target, change.source.encode(change.after))
        except OSError as exc:
            result.refused.append(f"{change.path}: cannot write: {exc.strerror or exc}")
            continue
        result.files.append(change)
    return result


def _atomic_write(target: os.PathLike[str], data: bytes) -> None:
    path = os.fspath(target)
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    mode = os.stat(path).st_mode if os.path.exists(path) else None
    handle, temporary = tempfile.mkstemp(prefix=".shipcheck-fix-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        if mode is not None:
            os.chmod(temporary, mode)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
