"""Where advisories come from: a local OSV database (offline) or the OSV API (online).

Both answer :meth:`lookup` for a list of ``(name, version)`` pairs with the advisories that
affect each pair. Neither installs, imports or runs anything.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from packaging.version import InvalidVersion, Version

from shipcheck.advisories.osv import Advisory, OsvRecord, canonical

if TYPE_CHECKING:
    import urllib.request

DEFAULT_OSV_URL = "https://api.osv.dev"
_BATCH = 1000  # OSV's querybatch limit
_MAX_PAGES = 20

Package = tuple[str, str]  # (canonical name, version as pinned)


class AdvisoryError(Exception):
    """The advisory source cannot answer; the message is user-facing."""


class ServiceUnreachable(AdvisoryError):
    """The advisory service could not be reached (DNS, refused connection, timeout)."""


class AdvisorySource(Protocol):
    """Something that knows advisories."""

    label: str

    def lookup(self, packages: Sequence[Package]) -> dict[Package, list[Advisory]]:
        """Advisories affecting each package version (pairs without any are left out)."""
        ...


def _parse(version: str) -> Version | None:
    try:
        return Version(version)
    except InvalidVersion:
        return None


# --- offline: a directory, a JSON file or a zip export of OSV records --------------------------


class LocalDatabase:
    """OSV records on disk: a directory of ``*.json`` files (searched recursively), a single
    JSON file (one record, a list of records or ``{"vulns": [...]}``), or a ``.zip`` such as
    OSV's ``PyPI/all.zip`` export, read in place."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = f"advisory database {path}"

    def _texts(self) -> Iterator[tuple[str, str]]:
        """(name, text) of every JSON document in the database."""
        path = self.path
        if not path.exists():
            raise AdvisoryError(f"advisory database {path} does not exist")
        try:
            if path.is_dir():
                files = sorted(p for p in path.rglob("*.json") if p.is_file())
                if not files:
                    raise AdvisoryError(f"advisory database {path} holds no OSV records (*.json)")
                for file in files:
                    yield str(file), file.read_text(encoding="utf-8", errors="replace")
            elif zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    members = [m for m in archive.namelist() if m.endswith(".json")]
                    if not members:
                        raise AdvisoryError(f"advisory database {path} holds no OSV records")
                    for member in members:
                        data = archive.read(member)
                        yield f"{path}:{member}", data.decode("utf-8", errors="replace")
            else:
                yield str(path), path.read_text(encoding="utf-8", errors="replace")
        except (OSError, zipfile.BadZipFile) as exc:
            raise AdvisoryError(f"cannot read advisory database {path}: {exc}") from None

    def records(self, names: Iterable[str]) -> list[OsvRecord]:
        """Records naming any of the PyPI packages ``names``. Files that cannot mention one
        of them are not parsed at all (a cheap text test), so a full export stays fast."""
        wanted = sorted({canonical(n) for n in names})
        if not wanted:
            return []
        alternatives = "|".join(re.escape(n).replace(r"\-", "[-_.]") for n in wanted)
        mention = re.compile(r'"name"\s*:\s*"(?:' + alternatives + ')"', re.IGNORECASE)
        records: list[OsvRecord] = []
        for name, text in self._texts():
            if not mention.search(text):
                continue
            try:
                loaded = json.loads(text)
            except json.JSONDecodeError as exc:
                raise AdvisoryError(
                    f"advisory database file {name} is not valid JSON: {exc}"
                ) from None
            for raw in _documents(loaded):
                record = OsvRecord.from_json(raw)
                if record is not None and any(record.mentions(n) for n in wanted):
                    records.append(record)
        return records

    def lookup(self, packages: Sequence[Package]) -> dict[Package, list[Advisory]]:
        """Match every record against every pinned version."""
        records = self.records(name for name, _ in packages)
        result: dict[Package, list[Advisory]] = {}
        for name, version in packages:
            parsed = _parse(version)
            if parsed is None:
                continue
            found = [
                advisory
                for record in records
                if record.mentions(name) and (advisory := record.advisory(name, parsed)) is not None
            ]
            if found:
                result[(name, version)] = found
        return result


def _documents(loaded: Any) -> list[Any]:
    if isinstance(loaded, list):
        return loaded
    if isinstance(loaded, dict) and isinstance(loaded.get("vulns"), list):
        return list(loaded["vulns"])
    return [loaded]


# --- online: the OSV API -----------------------------------------------------------------------


class Transport(Protocol):
    """How :class:`OsvService` talks HTTP (tests pass a fake)."""

    def post_json(self, url: str, payload: Any, timeout: float) -> Any:
        """POST ``payload`` as JSON, return the decoded JSON answer."""
        ...

    def get_json(self, url: str, timeout: float) -> Any:
        """GET ``url``, return the decoded JSON answer (None for HTTP 404)."""
        ...


class UrllibTransport:
    """The standard library's HTTP client (honours ``HTTPS_PROXY``)."""

    def __init__(self, user_agent: str = "shipcheck") -> None:
        self.headers = {"User-Agent": user_agent, "Accept": "application/json"}

    def _open(self, request: urllib.request.Request, timeout: float) -> Any:
        import urllib.error
        import urllib.request  # only when online: an offline scan never loads the HTTP stack

        host = urllib.parse.urlsplit(request.full_url).netloc
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and request.get_method() == "GET":
                return None
            raise AdvisoryError(f"the advisory service ({host}) answered HTTP {exc.code}") from None
        except urllib.error.URLError as exc:
            raise ServiceUnreachable(
                f"could not reach the advisory service ({host}): {exc.reason}"
            ) from None
        except TimeoutError:
            raise ServiceUnreachable(
                f"could not reach the advisory service ({host}): timed out after {timeout:g}s"
            ) from None
        except OSError as exc:
            raise ServiceUnreachable(
                f"could not reach the advisory service ({host}): {exc}"
            ) from None
        try:
            return json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise AdvisoryError(
                f"the advisory service ({host}) sent an unreadable answer"
            ) from None

    def post_json(self, url: str, payload: Any, timeout: float) -> Any:
        """POST JSON."""
        data = json.dumps(payload).encode("utf-8")
        headers = {**self.headers, "Content-Type": "application/json"}
        return self._open(_request(url, data=data, headers=headers), timeout)

    def get_json(self, url: str, timeout: float) -> Any:
        """GET JSON."""
        return self._open(_request(url, headers=self.headers), timeout)


def _request(url: str, **kwargs: Any) -> urllib.request.Request:
    import urllib.request

    return urllib.request.Request(url, **kwargs)


class OsvService:
    """The OSV API: one ``/v1/querybatch`` request for every pinned version (ids only), then
    ``/v1/vulns/{id}`` for each distinct advisory, a few in parallel."""

    def __init__(
        self,
        url: str = DEFAULT_OSV_URL,
        timeout: float = 15.0,
        transport: Transport | None = None,
        workers: int = 8,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.transport: Transport = transport or UrllibTransport()
        self.workers = workers
        self.label = f"OSV ({urllib.parse.urlsplit(self.url).netloc or self.url})"

    def _query(self, packages: Sequence[Package]) -> dict[Package, list[str]]:
        found: dict[Package, list[str]] = {}
        for start in range(0, len(packages), _BATCH):
            chunk = list(packages[start : start + _BATCH])
            queries: list[dict[str, Any]] = [
                {"package": {"name": name, "ecosystem": "PyPI"}, "version": version}
                for name, version in chunk
            ]
            pending = list(range(len(chunk)))
            for _ in range(_MAX_PAGES):
                if not pending:
                    break
                answer = self.transport.post_json(
                    f"{self.url}/v1/querybatch",
                    {"queries": [queries[i] for i in pending]},
                    self.timeout,
                )
                results = answer.get("results") if isinstance(answer, dict) else None
                if not isinstance(results, list) or len(results) != len(pending):
                    raise AdvisoryError("the advisory service sent an unexpected answer")
                again = []
                for index, result in zip(pending, results, strict=True):
                    result = result if isinstance(result, dict) else {}
                    vulns = result.get("vulns") if isinstance(result.get("vulns"), list) else []
                    ids = found.setdefault(chunk[index], [])
                    ids += [str(v["id"]) for v in vulns if isinstance(v, dict) and "id" in v]
                    token = result.get("next_page_token")
                    if token:
                        queries[index] = {**queries[index], "page_token": token}
                        again.append(index)
                pending = again
        return found

    def _fetch(self, ids: Iterable[str]) -> dict[str, OsvRecord]:
        unique = sorted(set(ids))
        fetch: Callable[[str], Any] = lambda i: self.transport.get_json(  # noqa: E731
            f"{self.url}/v1/vulns/{urllib.parse.quote(i, safe='')}", self.timeout
        )
        if len(unique) > 1 and self.workers > 1:
            with ThreadPoolExecutor(max_workers=min(self.workers, len(unique))) as pool:
                loaded = list(pool.map(fetch, unique))
        else:
            loaded = [fetch(i) for i in unique]
        records = {}
        for identifier, raw in zip(unique, loaded, strict=True):
            record = OsvRecord.from_json(raw)
            if record is not None:
                records[identifier] = record
        return records

    def lookup(self, packages: Sequence[Package]) -> dict[Package, list[Advisory]]:
        """Ask OSV which advisories affect each package version."""
        if not packages:
            return {}
        matched = self._query(packages)
        records = self._fetch(i for ids in matched.values() for i in ids)
        result: dict[Package, list[Advisory]] = {}
        for (name, version), ids in matched.items():
            parsed = _parse(version)
            if parsed is None:
                continue
            found = []
            for identifier in ids:
                record = records.get(identifier)
                if record is None:
                    continue
                # OSV matched the version already; the record still tells the fix.
                advisory = record.advisory(name, parsed, assume_affected=True)
                if advisory is not None:
                    found.append(advisory)
            if found:
                result[(name, version)] = found
        return result
