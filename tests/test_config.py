"""Configuration files, selection, severity overrides, excludes, per-file ignores."""

from __future__ import annotations

import pytest

from shipcheck.catalogue import Catalogue
from shipcheck.checklist import load_checklist
from shipcheck.config import Config, ConfigError, find_root, load
from shipcheck.models.findings import Severity
from shipcheck.packs import load_builtin
from shipcheck.selection import select_rules

from conftest import run_scan

CATALOGUE = Catalogue({r.id: r for r in load_builtin().rules}, load_checklist())


def _ids(config: Config) -> set[str]:
    return {r.id for r in select_rules(CATALOGUE, config)}


def test_selection_by_id_prefix_name_key_and_area():
    assert _ids(Config(select=["DKR001"])) == {"DKR001"}
    assert "DKR001" in _ids(Config(select=["DKR"]))
    assert _ids(Config(select=["root-user"])) == {"DKR001"}
    assert "DKR001" in _ids(Config(select=["container.non-root"]))
    container = _ids(Config(select=["container"]))
    assert "DKR001" in container and "PY001" not in container
    everything = _ids(Config(select=["ALL"]))
    assert everything == set(CATALOGUE.rules)


def test_ignore_and_extend_select_adjust_the_base():
    default = _ids(Config())
    assert "DKR001" in default
    assert "DKR001" not in _ids(Config(ignore=["container.non-root"]))
    assert _ids(Config(select=["PY001"], extend_select=["DKR001"])) == {"PY001", "DKR001"}


def test_unknown_selector_is_an_error():
    with pytest.raises(ConfigError, match="selector 'DKR999' matches no rule"):
        select_rules(CATALOGUE, Config(select=["DKR999"]))


def test_severity_override_specific_beats_general():
    config = Config(severity={"container": Severity.LOW, "DKR001": Severity.CRITICAL})
    rules = {r.id: r for r in select_rules(CATALOGUE, config)}
    assert rules["DKR001"].severity is Severity.CRITICAL


def test_config_from_pyproject_and_dedicated_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname='x'\n[tool.shipcheck]\nignore = ['PY001']\nfail-on = 'medium'\n"
    )
    config = load(tmp_path)
    assert config.ignore == ["PY001"] and config.fail_on == "medium"
    (tmp_path / ".shipcheck.toml").write_text("fail-on = 'low'\n")
    assert load(tmp_path).fail_on == "low"  # the dedicated file wins


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("exclude = 'tests'", "`exclude` must be a list of strings"),
        ("min-score = 101", "`min-score` must be an integer from 0 to 100"),
        ("require-suppression-reason = 'yes'", "must be true or false"),
        ("per-file-ignores = ['x']", "`per-file-ignores` must be a table"),
        ("colour = 'red'", "unknown key `colour`"),
    ],
)
def test_bad_values_name_the_key_and_file(tmp_path, text, message):
    (tmp_path / ".shipcheck.toml").write_text(text + "\n")
    with pytest.raises(ConfigError) as error:
        load(tmp_path)
    assert message in str(error.value) and ".shipcheck.toml" in str(error.value)


def test_root_is_found_by_walking_up(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    deep = tmp_path / "src" / "pkg"
    deep.mkdir(parents=True)
    assert find_root(deep) == tmp_path.resolve()


def test_excludes_and_per_file_ignores_apply(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.shipcheck]\nexclude = ['legacy/**']\n"
        "per-file-ignores = { 'tools/*.txt' = ['deps'] }\n"
    )
    for name in ("requirements.txt", "legacy/requirements.txt", "tools/requirements.txt"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("requests\n")
    report = run_scan(tmp_path, isolated=False, fail_on="never", select=["DEP001"])
    assert [f.path for f in report.findings] == ["requirements.txt"]


def test_scanning_an_excluded_directory_explicitly_still_scans_it(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.shipcheck]\nexclude = ['legacy/**']\n")
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "requirements.txt").write_text("requests\n")
    report = run_scan(tmp_path / "legacy", isolated=False, fail_on="never", select=["DEP001"])
    assert [f.path for f in report.findings] == ["legacy/requirements.txt"]


def test_params_override_changes_detector_behaviour(tmp_path):
    (tmp_path / "Dockerfile").write_text(
        'FROM registry.acme.io/python-hardened:3.12\nCMD ["app"]\n'
    )
    assert len(run_scan(tmp_path, fail_on="never", select=["DKR001"]).findings) == 1
    (tmp_path / "pyproject.toml").write_text(
        "[tool.shipcheck.params.DKR001]\nnonroot_images = ['registry.acme.io/python-hardened']\n"
    )
    assert run_scan(tmp_path, isolated=False, fail_on="never", select=["DKR001"]).findings == ()


def test_configured_severity_beats_the_detectors_own(tmp_path):
    # A dev requirement file does not ship: its findings are info by default.
    (tmp_path / "requirements-dev.txt").write_text("ruff\n")
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\n")
    default = run_scan(tmp_path, fail_on="never", select=["DEP001"])
    assert [f.severity for f in default.findings] == [Severity.INFO]
    (tmp_path / "pyproject.toml").write_text("[tool.shipcheck]\nseverity = {DEP001 = 'high'}\n")
    configured = run_scan(tmp_path, isolated=False, fail_on="never", select=["DEP001"])
    assert [f.severity for f in configured.findings] == [Severity.HIGH]
