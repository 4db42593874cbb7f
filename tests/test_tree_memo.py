"""What a scan derives from the file listing, remembered (shipcheck.treememo): reused while
its sources are unchanged, derived again when one changes, and the report is always the one
a scan without the cache gives."""

from __future__ import annotations

import datetime as dt

import pytest

from shipcheck import cache as cache_mod
from shipcheck import discover, engine, roles, treememo
from shipcheck.engine import ScanOptions, scan

from conftest import REPO

SHOP = REPO / "examples" / "shop"


@pytest.fixture
def calls(monkeypatch):
    """How many times each derivation really ran."""
    count = {"entries": 0, "decide": 0, "file_key": 0}

    def spy(module, name, counter):
        real = getattr(module, name)

        def counted(*args, **kwargs):
            count[counter] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)

    spy(discover, "_entries", "entries")
    spy(roles, "decide", "decide")
    spy(cache_mod, "file_key", "file_key")
    return count


def _scan(target, cache=True, **overrides):
    targets = target if isinstance(target, list) else [target]
    options = ScanOptions(
        targets=targets,
        isolated=True,
        today=dt.date(2026, 12, 6),
        overrides={"fail-on": "never", "offline": True, **overrides},
        cache=cache,
    )
    return scan(options).to_dict()


def _reset(count: dict[str, int]) -> None:
    for name in count:
        count[name] = 0


def test_a_rescan_reuses_the_listing_the_roles_and_the_keys(shop, memo_cache, calls):
    first = _scan(shop)
    assert calls["entries"] == 1 and calls["decide"] == 1 and calls["file_key"] > 5
    _reset(calls)
    assert _scan(shop) == first
    assert calls == {"entries": 0, "decide": 0, "file_key": 0}
    # Explicit files (pre-commit) are judged with the same listing, roles and keys.
    _reset(calls)
    _scan([shop / "shop" / "db.py", shop / "requirements.txt"])
    assert calls == {"entries": 0, "decide": 0, "file_key": 0}


def test_an_instruction_file_changed_decides_the_roles_again(tmp_path, memo_cache, calls):
    project = tmp_path / "svc"
    (project / "examples").mkdir(parents=True)
    (project / "app.py").write_text("print('hello')\n")
    manifest = (SHOP / "k8s" / "deployment.yaml").read_text()
    (project / "examples" / "deploy.yaml").write_text(manifest)
    (project / "README.md").write_text("# svc\n\nRun it with `python app.py`.\n")

    def role_of_manifest(report):
        return {f["path"]: f["role"] for f in report["files"]}["examples/deploy.yaml"]

    assert role_of_manifest(_scan(project)) == "example"
    _reset(calls)
    (project / "README.md").write_text("# svc\n\nDeploy: kubectl apply -f examples/deploy.yaml\n")
    report = _scan(project)
    assert calls["decide"] == 1
    assert role_of_manifest(report) == "applied-docs"
    assert report == _scan(project, cache=False)


def test_a_new_file_is_listed_and_an_edited_one_read_again(shop, memo_cache, calls):
    _scan(shop)
    _reset(calls)
    (shop / "shop" / "admin.py").write_text(
        "import subprocess\n\n\ndef run(cmd):\n    return subprocess.run(cmd, shell=True)\n"
    )
    config = shop / "shop" / "config.py"
    config.write_text(config.read_text() + '\nAPI_TOKEN = "ghp_' + "a1B2c3D4e5" * 4 + '"\n')
    report = _scan(shop)
    assert calls["entries"] == 1  # git lists one more file
    assert calls["file_key"] == 2  # only the new and the edited file are read
    paths = {f["path"] for f in report["findings"]}
    assert {"shop/admin.py", "shop/config.py"} <= paths
    assert report == _scan(shop, cache=False)


def test_other_rules_keep_their_own_record(shop, memo_cache, calls):
    everything = _scan(shop)
    _reset(calls)
    report = _scan(shop, ignore=["DKR001"])
    assert calls["file_key"] > 5  # keys depend on the rules: none reused
    assert report == _scan(shop, cache=False, ignore=["DKR001"]) != everything
    _reset(calls)
    assert _scan(shop) == everything  # the first record is still there
    assert calls["file_key"] == 0


def test_a_record_is_found_only_as_what_it_is(shop, memo_cache):
    _scan(shop)
    cache = cache_mod.ResultCache(memo_cache)
    try:
        rows = cache._db.execute("SELECT key FROM memos WHERE key LIKE 'tree:%'").fetchall()
        assert len(rows) == 1
        (record,) = rows[0]
        assert isinstance(cache.get_memo(record, treememo.Tree), treememo.Tree)
        assert cache.get_memo(record, engine.projectmemo.ProjectPass) is None
    finally:
        cache.close()


def test_files_deleted_or_turned_into_links_are_seen_with_the_same_listing(
    shop, memo_cache, calls, tmp_path
):
    """git still lists a deleted tracked file, and a file turned into a symlink: the listing
    is the same, the remembered entries are reused, and each entry is looked at again."""
    _scan(shop)
    (shop / "shop" / "payments.py").unlink()
    outside = tmp_path / "elsewhere.py"
    outside.write_text("x = 1\n")
    (shop / "shop" / "routes.py").unlink()
    (shop / "shop" / "routes.py").symlink_to(outside)
    _reset(calls)
    report = _scan(shop)
    assert calls["entries"] == 0
    paths = {f["path"] for f in report["files"]}
    assert "shop/payments.py" not in paths and "shop/routes.py" not in paths
    assert any(
        d["path"] == "shop/routes.py" and "outside the scanned tree" in d["reason"]
        for d in report["diagnostics"]
    )
    assert report == _scan(shop, cache=False)


def test_other_excludes_or_configured_roles_derive_again(shop, memo_cache, calls):
    _scan(shop)
    _reset(calls)
    excluded = _scan(shop, exclude=["k8s/"])
    assert calls["entries"] == 1
    assert not any(f["path"].startswith("k8s/") for f in excluded["files"])
    assert excluded == _scan(shop, cache=False, exclude=["k8s/"])
    _reset(calls)
    configured = _scan(shop, roles={"k8s/**": "example"})
    assert calls["decide"] == 1
    roles_seen = {f["path"]: f["role"] for f in configured["files"]}
    assert roles_seen["k8s/deployment.yaml"] == "example"
    assert configured == _scan(shop, cache=False, roles={"k8s/**": "example"})
