"""OSV advisories: version matching, severities, merging, the local database and the OSV API
client (with a fake transport: tests never open a connection)."""

from __future__ import annotations

import json
import socket
import zipfile
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from shipcheck.advisories import (
    Advisory,
    AdvisoryError,
    LocalDatabase,
    OsvRecord,
    OsvService,
    ServiceUnreachable,
    UrllibTransport,
    range_affects,
    vulnerabilities,
)
from shipcheck.advisories.cvss import base_score, severity_of

from conftest import FIXTURES

DB = FIXTURES / "advisories"


def _affects(events: list[dict[str, str]], version: str) -> tuple[bool, str | None]:
    result = range_affects(events, Version(version))
    return result.affected, str(result.fixed) if result.fixed else None


# --- range semantics ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.1", (True, "2.2.5")),
        ("2.2.4", (True, "2.2.5")),
        ("2.2.5", (False, "2.3.2")),  # the fix itself is not affected
        ("2.2.10", (False, "2.3.2")),
        ("2.3.0rc1", (False, "2.3.2")),  # a pre-release sorts before 2.3.0
        ("2.3.0", (True, "2.3.2")),
        ("2.3.1.post1", (True, "2.3.2")),
        ("2.3.2", (False, None)),
        ("10.0", (False, None)),
    ],
)
def test_introduced_and_fixed_segments(version, expected):
    events = [{"introduced": "0"}, {"fixed": "2.2.5"}, {"introduced": "2.3.0"}, {"fixed": "2.3.2"}]
    assert _affects(events, version) == expected


def test_events_are_sorted_before_evaluation():
    events = [{"fixed": "2.3.2"}, {"introduced": "2.3.0"}, {"fixed": "2.2.5"}, {"introduced": "0"}]
    assert _affects(events, "2.3.1") == (True, "2.3.2")
    assert _affects(events, "2.2.6") == (False, "2.3.2")


@pytest.mark.parametrize(
    ("version", "affected"),
    [("5.0", False), ("5.1", True), ("5.3.1", True), ("5.3.2", False), ("6.0", False)],
)
def test_last_affected_is_inclusive(version, affected):
    events = [{"introduced": "5.1"}, {"last_affected": "5.3.1"}]
    assert _affects(events, version) == (affected, None)


def test_introduced_without_fix_affects_every_later_version():
    assert _affects([{"introduced": "1.4"}], "99.0") == (True, None)
    assert _affects([{"introduced": "1.4"}], "1.3.9") == (False, None)


def test_limit_bounds_the_range():
    events = [{"introduced": "0"}, {"limit": "3.0"}]
    assert _affects(events, "2.9") == (True, None)
    assert _affects(events, "3.0") == (False, None)
    assert _affects([{"introduced": "0"}, {"limit": "*"}], "9.0") == (True, None)


def test_pep440_normalisation():
    assert _affects([{"introduced": "0"}, {"fixed": "1.0"}], "1.0.0") == (False, None)
    assert _affects([{"introduced": "0"}, {"fixed": "1.0.0"}], "1.0") == (False, None)
    assert _affects([{"introduced": "1!0"}], "2.0") == (False, None)  # epochs


def test_unparseable_events_make_the_range_unjudgeable():
    assert _affects([{"introduced": "0"}, {"fixed": "not-a-version"}], "1.0") == (False, None)
    assert _affects(["junk", {"introduced": "0"}], "1.0") == (True, None)
    assert _affects([], "1.0") == (False, None)


# --- records -----------------------------------------------------------------------------------


def _record(**fields: Any) -> OsvRecord:
    raw = {
        "id": "GHSA-aaaa-bbbb-cccc",
        "summary": "A bug",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "Flask_Login"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "0.6.3"}]}
                ],
            }
        ],
    }
    raw.update(fields)
    record = OsvRecord.from_json(raw)
    assert record is not None
    return record


def test_record_matches_canonical_pypi_names_only():
    record = _record()
    assert record.assess("flask-login", Version("0.6.2")).affected
    assert record.assess("flask.login", Version("0.6.2")).affected
    assert not record.assess("flask-login", Version("0.6.3")).affected
    assert not record.assess("flask", Version("0.6.2")).affected
    npm = _record(
        affected=[{"package": {"ecosystem": "npm", "name": "flask-login"}, "versions": ["0.1"]}]
    )
    assert not npm.assess("flask-login", Version("0.1")).affected


def test_versions_list_and_git_ranges():
    record = _record(
        affected=[
            {
                "package": {"ecosystem": "PyPI", "name": "pyyaml"},
                "versions": ["5.3", "5.3.1"],
                "ranges": [{"type": "GIT", "repo": "x", "events": [{"introduced": "0"}]}],
            }
        ]
    )
    assert record.assess("PyYAML", Version("5.3.1")).affected
    assert not record.assess("PyYAML", Version("5.4")).affected


def test_withdrawn_records_never_match():
    assert _record(withdrawn="2024-01-01T00:00:00Z").advisory("flask-login", Version("0.1")) is None


@pytest.mark.parametrize(
    "raw",
    [None, [], "x", {"id": 3}, {"id": "X", "affected": "nope"}, {"id": "X", "affected": [1, {}]}],
)
def test_odd_records(raw):
    record = OsvRecord.from_json(raw)
    if record is not None:
        assert not record.assess("x", Version("1")).affected
        assert record.severity is None
        assert record.summary == ""


def test_summary_falls_back_to_details_and_is_one_short_line():
    record = _record(summary=None, details="First line\nsecond line")
    assert record.summary == "First line"
    assert len(_record(summary="x" * 500).summary) == 120


# --- severity -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vector", "score"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N", 6.1),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
        ("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.8),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
    ],
)
def test_cvss_v3_base_scores(vector, score):
    assert base_score(vector) == score


@pytest.mark.parametrize(
    "vector",
    [
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "AV:N/AC:L/Au:N",
        "CVSS:3.1/AV:X",
    ],
)
def test_cvss_other_versions_and_garbage(vector):
    assert base_score(vector) is None


def test_severity_sources_and_worst_wins():
    assert severity_of(9.8) == "critical" and severity_of(0.0) == "none"
    assert _record(database_specific={"severity": "MODERATE"}).severity == "medium"
    cvss = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]
    assert _record(severity=cvss).severity == "critical"
    both = _record(severity=cvss, database_specific={"severity": "LOW"})
    assert both.severity == "critical"
    v4 = [
        {
            "type": "CVSS_V4",
            "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        }
    ]
    assert _record(severity=v4).severity is None
    per_package = _record(
        affected=[
            {
                "package": {"ecosystem": "PyPI", "name": "x"},
                "ecosystem_specific": {"severity": "HIGH"},
            }
        ]
    )
    assert per_package.severity == "high"
    assert _record(database_specific={"severity": "whatever"}).severity is None


# --- merging aliases --------------------------------------------------------------------------------


def test_ghsa_and_pysec_records_for_one_cve_merge():
    ghsa = Advisory(
        "GHSA-m2qf-hxjv-5gpq",
        ("CVE-2023-30861", "PYSEC-2023-62"),
        "Flask…",
        "high",
        Version("2.2.5"),
    )
    pysec = Advisory(
        "PYSEC-2023-62", ("CVE-2023-30861", "GHSA-m2qf-hxjv-5gpq"), "", None, Version("2.2.5")
    )
    other = Advisory("GHSA-zzzz-zzzz-zzzz", (), "Other", None, None)
    merged = vulnerabilities([pysec, other, ghsa])
    assert [v.primary for v in merged] == ["GHSA-m2qf-hxjv-5gpq", "GHSA-zzzz-zzzz-zzzz"]
    flask = merged[0]
    assert flask.aliases == ("CVE-2023-30861", "PYSEC-2023-62")
    assert flask.label == "GHSA-m2qf-hxjv-5gpq (CVE-2023-30861)"
    assert (flask.severity, str(flask.fixed), flask.summary) == ("high", "2.2.5", "Flask…")
    assert not merged[1].has_fix and merged[1].label == "GHSA-zzzz-zzzz-zzzz"


def test_chains_of_aliases_merge_transitively():
    a = Advisory("A", ("B",), "", None, None)
    c = Advisory("C", ("D",), "", None, None)
    b = Advisory("B", ("C",), "", None, None)
    assert len(vulnerabilities([a, c, b])) == 1


# --- the local database -------------------------------------------------------------------------------


def test_fixture_database_lookup():
    db = LocalDatabase(DB)
    found = db.lookup(
        [("flask", "2.2.2"), ("flask", "3.0.3"), ("redis", "5.0.1"), ("celery", "5.4.0"),
         ("structlog", "24.1.0"), ("jinja2", "3.1.4"), ("pillow", "not-a-version")]
    )  # fmt: skip
    assert set(found) == {("flask", "2.2.2"), ("jinja2", "3.1.4")}
    assert sorted(a.id for a in found[("flask", "2.2.2")]) == [
        "GHSA-m2qf-hxjv-5gpq",
        "PYSEC-2023-62",
    ]
    (flask,) = vulnerabilities(found[("flask", "2.2.2")])
    assert flask.severity == "high" and str(flask.fixed) == "2.2.5"


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


RECORD = {
    "id": "GHSA-test-0000-0001",
    "aliases": ["CVE-2024-0001"],
    "summary": "Test advisory",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "requests"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.32.0"}]}],
        }
    ],
}


@pytest.mark.parametrize("shape", ["record", "list", "vulns"])
def test_single_json_file_shapes(tmp_path, shape):
    data = {"record": RECORD, "list": [RECORD], "vulns": {"vulns": [RECORD]}}[shape]
    db = LocalDatabase(_write(tmp_path / "osv.json", data))
    assert list(db.lookup([("requests", "2.31.0")])) == [("requests", "2.31.0")]


def test_zip_export_is_read_in_place(tmp_path):
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("GHSA-test-0000-0001.json", json.dumps(RECORD))
        zf.writestr("README.txt", "not json")
    db = LocalDatabase(archive)
    assert list(db.lookup([("requests", "2.31.0")])) == [("requests", "2.31.0")]
    assert db.lookup([("requests", "2.32.0")]) == {}


def test_database_problems_are_errors_not_silent_passes(tmp_path):
    with pytest.raises(AdvisoryError, match="does not exist"):
        LocalDatabase(tmp_path / "missing").lookup([("requests", "2.31.0")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(AdvisoryError, match="holds no OSV records"):
        LocalDatabase(tmp_path / "empty").lookup([("requests", "2.31.0")])
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "GHSA-x.json").write_text(
        '{"id": "GHSA-x", "affected": [{"package": {"name": "requests"', "utf-8"
    )
    with pytest.raises(AdvisoryError, match="not valid JSON"):
        LocalDatabase(broken).lookup([("requests", "2.31.0")])
    # A broken file about another package is never even parsed.
    assert LocalDatabase(broken).lookup([("flask", "2.0")]) == {}


# --- the OSV API, with a fake transport -----------------------------------------------------------


class FakeTransport:
    """Answers like api.osv.dev from the fixture records."""

    def __init__(self, pages: bool = False) -> None:
        self.posts: list[Any] = []
        self.gets: list[str] = []
        self.pages = pages
        self.records = {p.stem: json.loads(p.read_text()) for p in (DB / "PyPI").glob("*.json")}

    def post_json(self, url: str, payload: Any, timeout: float) -> Any:
        assert url == "https://osv.example/v1/querybatch"
        self.posts.append(payload)
        results = []
        for query in payload["queries"]:
            name, version = query["package"]["name"], Version(query["version"])
            ids = [
                i for i, raw in self.records.items()
                if (r := OsvRecord.from_json(raw)) and r.advisory(name, version)
            ]  # fmt: skip
            if self.pages and len(ids) > 1 and "page_token" not in query:
                results.append({"vulns": [{"id": ids[0]}], "next_page_token": "p2"})
            elif self.pages and "page_token" in query:
                results.append({"vulns": [{"id": i} for i in ids[1:]]})
            else:
                results.append({"vulns": [{"id": i, "modified": "x"} for i in ids]} if ids else {})
        return {"results": results}

    def get_json(self, url: str, timeout: float) -> Any:
        self.gets.append(url)
        return self.records.get(url.rsplit("/", 1)[-1])


@pytest.mark.parametrize("pages", [False, True])
def test_osv_service_batches_then_fetches_each_advisory_once(pages):
    transport = FakeTransport(pages=pages)
    service = OsvService("https://osv.example/", transport=transport, workers=1)
    found = service.lookup([("jinja2", "3.1.4"), ("flask", "2.2.2"), ("flask", "3.0.3")])
    assert set(found) == {("jinja2", "3.1.4"), ("flask", "2.2.2")}
    assert len(found[("jinja2", "3.1.4")]) == 3
    assert transport.posts[0]["queries"][0] == {
        "package": {"name": "jinja2", "ecosystem": "PyPI"},
        "version": "3.1.4",
    }
    assert len(transport.gets) == len(set(transport.gets)) == 5
    assert len(transport.posts) == (2 if pages else 1)


def test_osv_service_rejects_a_malformed_answer():
    class Broken(FakeTransport):
        def post_json(self, url: str, payload: Any, timeout: float) -> Any:
            return {"results": []}

    with pytest.raises(AdvisoryError, match="unexpected answer"):
        OsvService("https://osv.example", transport=Broken()).lookup([("flask", "2.2.2")])
    assert OsvService(transport=Broken()).lookup([]) == {}


def test_urllib_transport_reports_unreachable_service(monkeypatch):
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    service = OsvService("https://api.osv.dev", timeout=1, transport=UrllibTransport())
    with pytest.raises(
        ServiceUnreachable, match=r"could not reach the advisory service \(api.osv.dev\)"
    ):
        service.lookup([("flask", "2.2.2")])
