"""Database services whose data directory is on no volume."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from shipcheck.detectors.compose.databases import DATA_DIRS, database
from shipcheck.detectors.compose.services import is_throwaway_file, mounts, services
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import ComposeFile, Kind
from shipcheck.models.findings import Hit


@dataclass(frozen=True)
class PersistenceParams:
    """``data_dirs``: image name (or ``owner/name`` suffix) → its data directories."""

    data_dirs: dict[str, Any] = field(default_factory=lambda: dict(DATA_DIRS))


def _covers(mount_target: str, directory: str) -> bool:
    target = "/" + mount_target.strip().strip("/")
    directory = "/" + directory.strip().strip("/")
    return directory == target or directory.startswith(target.rstrip("/") + "/")


@detector("compose.database-without-volume", kind=Kind.COMPOSE, params=PersistenceParams)
def database_without_volume(doc: ComposeFile, params: PersistenceParams) -> Iterator[Hit]:
    """Database services (by image) with no named volume or bind mount on their data
    directory. A tmpfs there is a deliberate throwaway database and passes, as do Compose
    files for tests or CI, ``volumes_from`` and redis without persistence flags."""
    if is_throwaway_file(doc.path):
        return
    for name, service in services(doc):
        if "volumes_from" in service or "extends" in service:
            continue
        db = database(service, params.data_dirs)
        if db is None or not db.persistent or not db.data_dirs:
            continue
        found = mounts(service)
        covering = [m for m in found if any(_covers(m.target, d) for d in db.data_dirs)]
        if any(m.type in {"volume", "bind", "tmpfs"} for m in covering):
            continue
        how = "an anonymous volume" if covering else "no volume"
        yield Hit(
            line=service.value_line("image"),
            column=service.value_column("image"),
            fields={"service": name, "engine": db.engine, "directory": db.data_dirs[0], "how": how},
            context=f"{name} {db.engine} data",
        )
