"""The result cache: what the file pass found in a file, keyed by the file's content, its path,
the rules that apply to it and shipcheck's own code, so that a re-scan only re-runs the
project rules and the files that changed.

It lives in the user's cache folder (``$SHIPCHECK_CACHE_DIR``, else
``$XDG_CACHE_HOME/shipcheck``, else ``~/.cache/shipcheck``), never in the scanned repository.
One SQLite file: concurrent scans wait for each other's writes instead of corrupting them; a
cache that cannot be read is set aside with a diagnostic, never trusted; the oldest entries
are pruned past a size bound.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import enum
import functools
import hashlib
import io
import os
import pickle
import sqlite3
import time
import zlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from shipcheck import __version__
from shipcheck.filepass import FileResult, WorkerSettings
from shipcheck.models.kinds import Kind

T = TypeVar("T")
SCHEMA = 5  # the database layout (PRAGMA user_version)
MAX_MEMOS = 256  # project passes (projectmemo) and listing records (treememo); the oldest go first
MAX_ENTRIES = 200_000  # about 10 large monorepos' worth; the oldest go first past this
TRANSIENT_KINDS = frozenset({"timeout", "crash"})  # never remembered: the next run may pass


def cache_dir() -> Path:
    """Where the cache lives."""
    explicit = os.environ.get("SHIPCHECK_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "shipcheck"


def code_fingerprint(modules: Iterable[str]) -> str:
    """shipcheck's version plus the size and modification time of every file of its code,
    its rule catalogue and the rule packs in use: a changed detector invalidates results
    even when the version number did not move (a development checkout)."""
    import importlib.util

    from shipcheck.packs import builtin_rules_dir

    roots = {Path(__file__).resolve().parent, builtin_rules_dir()}
    for module in modules:
        spec = importlib.util.find_spec(module.split(".")[0])
        if spec is not None and spec.origin:
            roots.add(Path(spec.origin).resolve().parent)
    return _files_fingerprint(__version__, tuple(sorted(roots)))


@functools.lru_cache(maxsize=8)  # one scan asks twice (catalogue, results); files stay put
def _files_fingerprint(version: str, roots: tuple[Path, ...]) -> str:
    digest = hashlib.blake2b(version.encode(), digest_size=16)
    for root in roots:
        for dirpath, _dirs, files in sorted(os.walk(root)):
            for name in sorted(files):
                if name.endswith((".py", ".yaml", ".yml", ".json")):
                    try:
                        st = os.stat(os.path.join(dirpath, name))
                    except OSError:
                        continue
                    digest.update(f"{dirpath}/{name}:{st.st_size}:{st.st_mtime_ns};".encode())
    return digest.hexdigest()


def settings_fingerprint(settings: WorkerSettings, code: str) -> str:
    """Everything besides a file's own bytes that decides what the file pass finds in it."""
    digest = hashlib.blake2b(code.encode(), digest_size=16)
    for rule in settings.rules:
        digest.update(repr((rule, sorted(rule.params.items()))).encode())
    digest.update(repr((settings.modules, settings.yaml_limits, SCHEMA)).encode())
    return digest.hexdigest()


def file_key(settings_fp: str, path: str, known: str, data: bytes) -> str:
    """The cache key of one file: its path, what the scan knows of it besides its bytes
    (``known``: its role, the stages a Dockerfile is built to), its bytes and the settings."""
    digest = hashlib.blake2b(settings_fp.encode(), digest_size=20)
    digest.update(f"{path}\0{known}\0".encode("utf-8", "surrogateescape"))
    digest.update(data)
    return digest.hexdigest()


class ResultCache:
    """Cached file results in one SQLite database. Every failure of the database turns into
    a note (``problems``) and a cache that answers nothing: the scan never depends on it.

    A result is stored in two parts, so that a scan that needs only the facts of a file (the
    rest of the project, when pre-commit names a few files) does not read its findings; and
    a file's size and modification time remember its key, so that an unchanged file is not
    even read again.
    """

    def __init__(self, directory: Path, modules: Sequence[str] = ()) -> None:
        self.path = directory / "results.sqlite"
        self.modules = tuple(m for m in modules if m != "shipcheck.detectors")
        self.problems: list[str] = []
        self._db: sqlite3.Connection | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._db = self._open()
        except (OSError, sqlite3.Error) as exc:
            self._set_aside(exc)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if version != SCHEMA:  # another layout: start afresh
            db.execute("DROP TABLE IF EXISTS results")
            db.execute("DROP TABLE IF EXISTS stats")
            db.execute("DROP TABLE IF EXISTS memos")
            db.execute(f"PRAGMA user_version = {SCHEMA}")
        db.execute(
            "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, path TEXT NOT NULL, "
            "kind TEXT, digest TEXT NOT NULL, facts BLOB, rest BLOB, facts_digest TEXT NOT NULL, "
            "stored REAL NOT NULL)"
        )
        db.execute(
            "CREATE TABLE IF NOT EXISTS stats (file TEXT PRIMARY KEY, size INTEGER NOT NULL, "
            "mtime INTEGER NOT NULL, key TEXT NOT NULL)"
        )
        db.execute(
            "CREATE TABLE IF NOT EXISTS memos (key TEXT PRIMARY KEY, data BLOB NOT NULL, "
            "stored REAL NOT NULL)"
        )
        db.execute("SELECT count(*) FROM results").fetchone()  # fails fast when corrupt
        return db

    def _set_aside(self, exc: BaseException) -> None:
        """An unusable database: move it away and start afresh (or give up quietly)."""
        self.problems.append(f"result cache at {self.path} not usable ({exc}); started afresh")
        if self._db is not None:
            self._db.close()
            self._db = None
        try:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._db = self._open()
        except (OSError, sqlite3.Error):
            self._db = None

    def _select(self, sql: str, keys: Sequence[str]) -> list[tuple[Any, ...]]:
        assert self._db is not None
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows += self._db.execute(sql.format(marks=marks), chunk).fetchall()
        return rows

    def known_keys(self, files: Mapping[str, tuple[int, int]]) -> dict[str, str]:
        """For files (id → (size, mtime)) unchanged since they were last read, their key."""
        if self._db is None or not files:
            return {}
        try:
            rows = self._select(
                "SELECT file, size, mtime, key FROM stats WHERE file IN ({marks})", list(files)
            )
        except sqlite3.Error as exc:
            self._set_aside(exc)
            return {}
        return {f: key for f, size, mtime, key in rows if files.get(f) == (size, mtime)}

    def get_many(
        self,
        keys: Sequence[str],
        facts_only: Collection[str] = (),
        without_facts: Collection[str] = (),
    ) -> dict[str, FileResult]:
        """The cached results among ``keys``; for those in ``facts_only``, the path, kind and
        facts only (no findings, diagnostics or suppressions); for those in
        ``without_facts``, everything but the facts (loading facts imports the modules that
        define them)."""
        if self._db is None or not keys:
            return {}
        found: dict[str, FileResult] = {}
        light = [k for k in keys if k in facts_only]
        bare = [k for k in keys if k in without_facts and k not in facts_only]
        full = [k for k in keys if k not in facts_only and k not in without_facts]
        try:
            for key, path, kind, digest, facts in self._select(
                "SELECT key, path, kind, digest, facts FROM results WHERE key IN ({marks})", light
            ):
                found[key] = self._result(path, kind, digest, facts, None)
            for key, path, kind, digest, rest in self._select(
                "SELECT key, path, kind, digest, rest FROM results WHERE key IN ({marks})", bare
            ):
                found[key] = self._result(path, kind, digest, None, rest)
            for key, path, kind, digest, facts, rest in self._select(
                "SELECT key, path, kind, digest, facts, rest FROM results WHERE key IN ({marks})",
                full,
            ):
                found[key] = self._result(path, kind, digest, facts, rest)
        except (sqlite3.Error, pickle.UnpicklingError, zlib.error, EOFError, AttributeError,
                ImportError, TypeError, ValueError) as exc:  # fmt: skip
            self._set_aside(exc)
            return {}
        return found

    def facts_digests(self, keys: Sequence[str]) -> dict[str, tuple[str | None, str]]:
        """(kind, :func:`facts_digest`) of the cached results among ``keys``, their facts
        not loaded."""
        if self._db is None or not keys:
            return {}
        try:
            rows = self._select(
                "SELECT key, kind, facts_digest FROM results WHERE key IN ({marks})", keys
            )
        except sqlite3.Error as exc:
            self._set_aside(exc)
            return {}
        return {key: (kind, digest) for key, kind, digest in rows}

    def _result(
        self, path: str, kind: str | None, digest: str, facts: bytes | None, rest: bytes | None
    ) -> FileResult:
        # Most files have no facts and no findings: those rows hold no pickle to load.
        result = FileResult(path, None if kind is None else Kind(kind), digest=digest)
        if facts is not None:
            result.facts = _load(facts, self.modules, kind=list)
        if rest is not None:
            result.findings, result.diagnostics, result.suppressions = _load(
                rest, self.modules, kind=tuple
            )
        return result

    def put_many(
        self,
        items: Iterable[tuple[str, FileResult]],
        stats: Mapping[str, tuple[int, int, str]] | None = None,
    ) -> None:
        """Remember results (not those of files abandoned for time or a crash), and the
        size and time at which each file (id → (size, mtime, key)) had its key."""
        if self._db is None:
            return
        now = time.time()
        rows = [
            (key, *_dump(result), now)
            for key, result in items
            if not any(d.kind in TRANSIENT_KINDS for d in result.diagnostics)
        ]
        if not rows and not stats:
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
            if stats:
                self._db.executemany(
                    "INSERT OR REPLACE INTO stats VALUES (?, ?, ?, ?)",
                    [(f, size, mtime, key) for f, (size, mtime, key) in stats.items()],
                )
            self._prune()
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            self.problems.append(f"result cache at {self.path} not written ({exc})")

    def get_memo(self, key: str, cls: type[T]) -> T | None:
        """What is remembered under ``key`` (a ``projectmemo.ProjectPass``, a
        ``treememo.Tree``) if it is a ``cls``, or None."""
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT data FROM memos WHERE key = ?", (key,)).fetchone()
            found = None if row is None else restricted_loads(zlib.decompress(row[0]), tuple)
        except (sqlite3.Error, pickle.UnpicklingError, zlib.error, EOFError, AttributeError,
                ImportError, TypeError, ValueError) as exc:  # fmt: skip
            self._set_aside(exc)
            return None
        if found is None or len(found) != 1 or not isinstance(found[0], cls):
            return None
        return found[0]

    def put_memo(self, key: str, memo: object) -> None:
        """Remember ``memo`` (see :meth:`get_memo`) under ``key``."""
        if self._db is None:
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            row = (key, _pickled((memo,)), time.time())
            self._db.execute("INSERT OR REPLACE INTO memos VALUES (?, ?, ?)", row)
            (count,) = self._db.execute("SELECT count(*) FROM memos").fetchone()
            if count > MAX_MEMOS:
                self._db.execute(
                    "DELETE FROM memos WHERE rowid IN "
                    "(SELECT rowid FROM memos ORDER BY stored LIMIT ?)",
                    (count - MAX_MEMOS,),
                )
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            self.problems.append(f"result cache at {self.path}: memo not stored ({exc})")

    def _prune(self) -> None:
        assert self._db is not None
        for table, order in (("results", "stored"), ("stats", "rowid")):
            (count,) = self._db.execute(f"SELECT count(*) FROM {table}").fetchone()
            if count > MAX_ENTRIES:
                self._db.execute(
                    f"DELETE FROM {table} WHERE rowid IN "
                    f"(SELECT rowid FROM {table} ORDER BY {order} LIMIT ?)",
                    (count - MAX_ENTRIES * 9 // 10,),
                )

    def close(self) -> None:
        """Release the database."""
        if self._db is not None:
            self._db.close()
            self._db = None


def file_id(abspath: str, path: str, settings_fp: str, known: str) -> str:
    """The stats table's name for a file as one scan sees it: where it is, and its path
    relative to the scan's root (results carry that path, and the root moves with the
    project a scan finds: a whole monorepo, then one service's explicit files)."""
    text = f"{abspath}\0{path}\0{settings_fp}\0{known}".encode("utf-8", "surrogateescape")
    return hashlib.blake2b(text, digest_size=16).hexdigest()


def _dump(
    result: FileResult,
) -> tuple[str, str | None, str, bytes | None, bytes | None, str]:
    """A result as a row: path, kind, digest, then the facts and the rest (findings,
    diagnostics, suppressions) pickled, or NULL when empty, and the facts' digest."""
    rest = (result.findings, result.diagnostics, result.suppressions)
    return (
        result.path,
        None if result.kind is None else result.kind.value,
        result.digest,
        _pickled(result.facts) if result.facts else None,
        _pickled(rest) if any(rest) else None,
        facts_digest(result),
    )


def facts_digest(result: FileResult) -> str:
    """What a result's facts are, as a digest two scans compare (the project memo): of their
    text, which equal facts share (their pickles may not: pickle shares equal objects only
    when they are the same object)."""
    if not result.facts:
        return ""
    text = repr(result.facts).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(text, digest_size=16).hexdigest()


def _pickled(value: object) -> bytes:
    return zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)


class _ResultUnpickler(pickle.Unpickler):
    """Rebuilds only shipcheck's own data classes and enums. A cache folder can be restored
    from somewhere less trusted than the machine (a CI cache written by another branch), and
    plain ``pickle`` would run whatever a crafted entry names; this one can at worst produce
    wrong findings, which the content keys make unlikely to be looked up at all."""

    def __init__(self, data: bytes, modules: tuple[str, ...]) -> None:
        super().__init__(io.BytesIO(data))
        self.allowed = ("shipcheck", *modules)  # shipcheck's and the rule packs' modules

    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED.get((module, name))
        if found is not None:
            return found
        if any(module == m or module.startswith(m + ".") for m in self.allowed):
            found = super().find_class(module, name)
            if isinstance(found, type) and (
                dataclasses.is_dataclass(found) or issubclass(found, enum.Enum)
            ):
                _ALLOWED[(module, name)] = found
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cached result")


# Classes already found allowed, and plain values a rule's params may hold (YAML dates).
_ALLOWED: dict[tuple[str, str], type] = {
    ("datetime", "date"): datetime.date,
    ("datetime", "datetime"): datetime.datetime,
}


def _load(value: bytes, modules: tuple[str, ...], kind: type) -> Any:
    result = restricted_loads(zlib.decompress(value), kind, modules)
    if kind is tuple:
        return tuple(list(part) for part in result)
    return result


def restricted_loads(data: bytes, kind: type, modules: tuple[str, ...] = ()) -> Any:
    """Unpickle ``data`` allowing only shipcheck's (and ``modules``') data classes and enums,
    and only a ``kind`` at the top."""
    result = _ResultUnpickler(data, modules).load()
    if not isinstance(result, kind):
        raise TypeError(f"not a cached {kind.__name__}")
    return result
