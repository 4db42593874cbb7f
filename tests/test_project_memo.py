"""The remembered project pass (shipcheck.projectmemo): used only while nothing the project
rules saw has changed, and the report is the same as when the pass runs."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from shipcheck import engine, projectmemo
from shipcheck.engine import ScanOptions, scan
from shipcheck.project import ProjectModel

from conftest import git


@pytest.fixture
def passes(monkeypatch):
    """How many times the project pass really ran."""
    count = [0]
    real = engine._project_pass

    def spy(*args, **kwargs):
        count[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "_project_pass", spy)
    return count


def _scan(target, today=dt.date(2026, 12, 6), offline=True, **overrides):
    targets = target if isinstance(target, list) else [target]
    options = ScanOptions(
        targets=targets,
        isolated=True,
        today=today,
        overrides={"fail-on": "never", "offline": offline, **overrides},
    )
    return scan(options)


def _same(a, b) -> None:
    assert a.to_dict() == b.to_dict()


def test_a_rescan_with_nothing_changed_reuses_the_pass_and_reports_the_same(
    shop, memo_cache, passes
):
    first = _scan(shop)
    second = _scan(shop)
    assert passes[0] == 1
    _same(first, second)
    uncached = scan(
        ScanOptions(targets=[shop], isolated=True, today=dt.date(2026, 12, 6), cache=False,
                    overrides={"fail-on": "never", "offline": True})
    )  # fmt: skip
    _same(first, uncached)
    assert passes[0] == 2  # without a cache nothing is remembered


def test_a_changed_file_a_new_ignored_file_or_git_tracking_runs_the_pass_again(
    shop, memo_cache, passes
):
    _scan(shop)
    # An ignored file the listing does not show: the root folder's entries changed.
    (shop / ".env").write_text("SECRET_KEY=x\n")
    with_env = _scan(shop)
    assert passes[0] == 2
    assert _scan(shop).to_dict() == with_env.to_dict() and passes[0] == 2
    # Git starts tracking the ignored file: same files, same contents, another index.
    git(shop, "add", "-f", ".env")
    tracked = _scan(shop)
    assert passes[0] == 3
    assert {f.rule_id for f in tracked.findings} - {f.rule_id for f in with_env.findings}
    # A change of content is a change of key.
    (shop / "Dockerfile").write_text((shop / "Dockerfile").read_text() + "# edit\n")
    _scan(shop)
    assert passes[0] == 4


def test_the_date_the_network_and_a_local_advisory_database_decide(
    shop, memo_cache, passes, monkeypatch
):
    _scan(shop)
    _scan(shop, today=dt.date(2027, 1, 1))  # end-of-life dates are compared with the date
    assert passes[0] == 2
    with monkeypatch.context() as patched:
        patched.setattr(engine, "_memoisable", lambda cfg, rules: False)
        _scan(shop)
    assert passes[0] == 3
    assert not engine._memoisable(_config(offline=False), _rules())  # online advisories
    assert engine._memoisable(_config(offline=True), _rules())
    monkeypatch.setenv("SHIPCHECK_ADVISORY_DB", str(shop))
    assert not engine._memoisable(_config(offline=True), _rules())


def _config(offline: bool):
    from shipcheck.config import Config

    config = Config()
    config.offline = offline
    return config


def _rules():
    from shipcheck.packs import load_builtin

    return load_builtin().rules


def test_explicit_files_have_their_own_memo(shop, memo_cache, passes):
    whole = _scan(shop)
    files = [shop / "shop" / "db.py", shop / "Dockerfile"]
    given = _scan(files)
    again = _scan(files)
    assert passes[0] == 2
    _same(given, again)
    paths = {"shop/db.py", "Dockerfile"}
    assert [f.to_dict() for f in given.findings] == [
        f.to_dict() for f in whole.findings if f.path in paths and not f.project_level
    ]


def test_a_damaged_memo_is_a_miss(shop, memo_cache, passes):
    first = _scan(shop)
    with sqlite3.connect(memo_cache / "results.sqlite") as db:
        db.execute("UPDATE memos SET data = ?", (b"not a pickle",))
    second = _scan(shop)
    assert passes[0] == 2
    assert [f.to_dict() for f in second.findings] == [f.to_dict() for f in first.findings]
    assert any("result cache" in d.reason for d in second.diagnostics)


def test_rules_record_the_paths_they_ask_about_outside_the_scanned_files(tmp_path):
    (tmp_path / "app.py").write_text("x = 1\n")
    project = ProjectModel(root=tmp_path, files={"app.py": engine.Kind.PYTHON})
    project.exists("app.py")
    project.exists(".env")
    project.read_text("config/.env.example")
    assert project.asked == {".env", "config/.env.example"}
    memo = projectmemo.ProjectPass([], [], [], {}, {}, {}, ())
    memo.seen = projectmemo.probe(tmp_path, project.asked | {"."})
    assert projectmemo.still_valid(tmp_path, memo)
    (tmp_path / ".env").write_text("A=1\n")
    assert not projectmemo.still_valid(tmp_path, memo)


def test_the_surroundings_are_the_folders_the_parents_their_ignore_files_and_the_index(
    tmp_path,
):
    top = tmp_path / "repo"
    root = top / "services" / "api"
    root.mkdir(parents=True)
    found = projectmemo.surroundings(root, ["app/main.py", "Dockerfile"], top, top / ".git")
    assert {".", "app", ".gitignore", "..", "../..", "../.gitignore", "../../.gitignore"} <= set(
        found
    )
    assert "../../.git/index" in found
    assert projectmemo.surroundings(root, ["a/b/c.py"], None, None) == [".", "a", "a/b"]


def test_a_file_abandoned_for_time_is_not_remembered():
    from shipcheck.filepass import FileResult
    from shipcheck.models.findings import Diagnostic

    fine = FileResult("app.py", engine.Kind.PYTHON, digest="d")
    slow = FileResult("big.py", engine.Kind.PYTHON, digest="e")
    slow.diagnostics.append(Diagnostic("big.py", "over the time budget", kind="timeout"))
    assert engine._repeatable([fine])
    assert not engine._repeatable([fine, slow])


def _uncached(target):
    targets = target if isinstance(target, list) else [target]
    return scan(
        ScanOptions(targets=targets, isolated=True, today=dt.date(2026, 12, 6), cache=False,
                    overrides={"fail-on": "never", "offline": True})
    )  # fmt: skip


def test_an_edit_that_changes_no_fact_reuses_the_project_rules_part(shop, memo_cache, passes):
    files = [shop / "shop" / "__init__.py", shop / "wsgi.py"]
    _scan(shop)
    _scan(files)
    assert passes[0] == 2
    init = shop / "shop" / "__init__.py"
    init.write_text(init.read_text() + "\n# a comment at the end changes no fact\n")
    edited = _scan(files)
    assert passes[0] == 2  # the project rules did not run again
    # Their findings in the edited file are there, as a scan without a cache has them.
    assert {"CFG021", "OPS004"} <= {f.rule_id for f in edited.findings}
    _same(edited, _uncached(files))
    # An edit that changes a fact (an environment variable read, lines moved) runs them.
    text = init.read_text().replace("\nlog = ", '\nTOKEN_URL = os.environ["TOKEN_URL"]\nlog = ')
    init.write_text(text)
    ran = passes[0]
    moved = _scan(files)
    assert passes[0] == ran + 1
    _same(moved, _uncached(files))


def test_findings_the_project_refines_are_taken_as_refined_before_or_refined_again(
    shop, memo_cache, passes
):
    routes = shop / "shop" / "routes.py"
    routes.write_text(routes.read_text() + '\n\ndef dump(order):\n    print("order", order)\n')
    pyproject = shop / "pyproject.toml"
    scripts = '[project.scripts]\nshop-dump = "shop.routes:dump"\n\n[tool.setuptools'
    pyproject.write_text(pyproject.read_text().replace("[tool.setuptools", scripts, 1))
    files = [routes]
    _scan(shop)
    _scan(files)
    # Whether a print is a command's output is for the project's facts to say (OPS001's
    # refiners: here a console script's). The same finding, the same facts: refined as the
    # last pass refined it.
    routes.write_text(routes.read_text() + "\n# a comment\n")
    ran = passes[0]
    edited = _scan(files)
    [printed] = [f for f in edited.findings if f.rule_id == "OPS001"]
    assert "console script" in printed.message
    assert passes[0] == ran
    _same(edited, _uncached(files))
    # A finding no pass refined yet: the project pass runs.
    routes.write_text(routes.read_text() + '\n\ndef show(cart):\n    print("cart", cart)\n')
    ran = passes[0]
    more = _scan(files)
    assert passes[0] == ran + 1
    assert len([f for f in more.findings if f.rule_id == "OPS001"]) == 2
    _same(more, _uncached(files))


def test_a_scanned_file_a_project_rule_read_is_compared_by_its_bytes(shop, memo_cache, passes):
    # A scanned file that a project rule read as text changed, its facts did not: the
    # Dockerfile whose final base image the served-application rules read.
    dockerfile = shop / "Dockerfile"
    _scan([shop / "wsgi.py"])
    dockerfile.write_text(dockerfile.read_text() + "\n# a comment\n")
    ran = passes[0]
    _scan([shop / "wsgi.py"])
    assert passes[0] == ran + 1


def test_staging_a_change_keeps_the_memo(shop, memo_cache, passes):
    files = [shop / "shop" / "__init__.py", shop / "wsgi.py"]
    init = shop / "shop" / "__init__.py"
    init.write_text(init.read_text() + "\n# edited\n")
    first = _scan(files)
    git(shop, "add", "shop/__init__.py")  # the index changes, not what git tracks
    second = _scan(files)
    assert passes[0] == 1
    _same(first, second)


def test_rules_record_the_scanned_files_they_read_and_a_change_of_one_is_a_miss(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\n")
    project = ProjectModel(root=tmp_path, files={"Dockerfile": engine.Kind.DOCKERFILE})
    project.read_text("Dockerfile")
    assert project.read == {"Dockerfile"} and not project.asked
    memo = projectmemo.ProjectPass([], [], [], {}, {}, {}, (), read={"Dockerfile": "k1"})
    assert projectmemo.still_valid(tmp_path, memo, {"Dockerfile": "k1", "app.py": "k2"})
    assert not projectmemo.still_valid(tmp_path, memo, {"Dockerfile": "k3", "app.py": "k2"})
    assert not projectmemo.still_valid(tmp_path, memo, {"app.py": "k2"})


def test_git_starting_to_track_a_listed_file_is_a_miss(shop, memo_cache, passes):
    (shop / ".env.production").write_text("DATABASE_PASSWORD=k8Qz2vXr9LmT4wPa7nYc\n")
    untracked = _scan(shop)
    git(shop, "add", ".env.production")  # listed before and after: only tracking changed
    tracked = _scan(shop)
    assert passes[0] == 2

    def committed(report):
        return [f for f in report.findings if "is committed to git" in f.message]

    assert not committed(untracked) and committed(tracked)
