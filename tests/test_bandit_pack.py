"""The BAN pack: bandit's tests as shipcheck rules, in-process (docs/bandit.md).

Per-rule behaviour is in the shared fixtures (tests/fixtures/rules/BAN, run by
test_rule_fixtures.py); these tests cover what the pack adds around bandit: selection with and
without the extra, one bandit run per file, severities and masking, ``# nosec``, the project's
bandit configuration, merging with shipcheck's own findings, and the generated catalogue.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from reporting_support import assert_valid_sarif, init_repo, write
from shipcheck import banditpack
from shipcheck.banditpack import generate
from shipcheck.banditpack.mapping import TESTS, LeftOut, Mapped, rule_id
from shipcheck.cli import app
from shipcheck.detectors.bandit import engine
from shipcheck.engine import ScanOptions, scan
from shipcheck.models.findings import Severity
from shipcheck.nosec import parse_comment
from shipcheck.packs import load_builtin

from conftest import FIXTURES, REPO, run_scan

SHARED = FIXTURES / "rules" / "BAN"
HINT = "pip install 'shipcheck[bandit]'"
DEPLOY = """\
import subprocess

import yaml


def thumbnail(upload):
    subprocess.run(f"convert {upload} thumb.png", shell=True)


def settings(stream):
    return yaml.load(stream)
"""


@pytest.fixture
def without_bandit(monkeypatch):
    """An environment where ``import bandit`` fails, as without the extra (its modules
    already imported by earlier tests included)."""
    for name in [n for n in sys.modules if n == "bandit" or n.startswith("bandit.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "bandit", None)


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


# --- selection, with and without the extra ---------------------------------------------


def test_ban_rules_are_off_by_default_and_bound_to_their_bandit_test():
    ban = [r for r in load_builtin().rules if r.family == "BAN"]
    assert len(ban) == sum(isinstance(e, Mapped) for e in TESTS.values()) == 46
    for rule in ban:
        assert not rule.default
        assert rule.detector == banditpack.DETECTOR
        assert rule_id(rule.params["test"]) == rule.id
        assert rule.cwes and "bandit" in rule.tags


@pytest.mark.parametrize("selector", ["BAN", "BAN602", "subprocess-popen-with-shell-equals-true"])
def test_naming_ban_rules_without_bandit_is_a_usage_error_naming_the_extra(
    selector, without_bandit, tmp_path
):
    write(tmp_path, {"deploy.py": DEPLOY})
    result = cli("scan", str(tmp_path), "--isolated", "--extend-select", selector)
    assert result.exit_code == 2
    assert HINT in result.output and selector in result.output
    assert "Traceback" not in result.output


def test_without_bandit_the_default_scan_is_unchanged_and_all_leaves_ban_out(
    without_bandit, tmp_path
):
    write(tmp_path, {"deploy.py": DEPLOY})
    plain = run_scan(tmp_path)
    assert not any(r.family == "BAN" for r in plain.rules)
    assert plain.merged is None and "merged_duplicates" not in plain.to_dict()["summary"]
    everything = run_scan(tmp_path, select=["ALL"])
    assert not any(r.family == "BAN" for r in everything.rules)
    notes = [d.reason for d in everything.diagnostics if d.kind == "note"]
    assert any("46 BAN rule(s) not run" in n and HINT in n for n in notes), notes


def test_default_scan_never_imports_bandit():
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from shipcheck.engine import ScanOptions, scan\n"
        f"scan(ScanOptions(targets=[Path({str(REPO / 'examples' / 'shop')!r})], jobs=1))\n"
        "print('bandit' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_default_scan_is_the_same_with_and_without_bandit(request):
    with_extra = run_scan(REPO / "examples" / "shop").to_dict()
    request.getfixturevalue("without_bandit")
    without = run_scan(REPO / "examples" / "shop").to_dict()
    assert with_extra == without


# --- running -----------------------------------------------------------------------------


def test_findings_carry_ban_ids_checklist_keys_and_per_issue_severity():
    report = run_scan(SHARED, select=["BAN602", "BAN105", "BAN301"], fail_on="never")
    found = {(f.path, f.line, f.rule_id): f for f in report.findings}
    formatted = found[("ops/deploy.py", 28, "BAN602")]
    assert formatted.checklist_key == "code.injection" and formatted.area == "code"
    assert formatted.severity is Severity.HIGH
    assert "shell=True" in formatted.message
    # The same test rates a literal command low (bandit LOW/HIGH).
    assert found[("ops/deploy.py", 35, "BAN602")].severity is Severity.LOW
    assert found[("shop/views.py", 70, "BAN301")].severity is Severity.MEDIUM
    password = found[("shop/settings.py", 6, "BAN105")]
    assert password.checklist_key == "secrets.hardcoded"
    assert "Tr0ub4dor" not in password.message and "'Tr0u…'" in password.message


def test_no_output_format_prints_a_password_bandit_found(tmp_path):
    import secrets as random_secrets

    from shipcheck.reporters import available, get_reporter

    value = "Pw" + random_secrets.token_hex(12)
    write(
        tmp_path,
        {
            "app/settings.py": f'SMTP_PASSWORD = "{value}"\n',
            "app/mail.py": f'def connect(user, password="{value}"):\n    return user\n',
        },
    )
    report = run_scan(tmp_path, select=["BAN105", "BAN107"])
    assert sorted(f.rule_id for f in report.findings) == ["BAN105", "BAN107"]
    for name in available():
        assert value not in get_reporter(name).render(report), name


def test_one_bandit_run_per_file_with_only_the_selected_tests(monkeypatch, tmp_path):
    loads = "import marshal\nimport pickle\n\npickle.loads(b'')\nmarshal.loads(b'')\n"
    write(tmp_path, {"app/deploy.py": DEPLOY, "app/cache.py": loads})
    calls = []
    real = engine.run_bandit

    def counting(doc, tests, plugin_config):
        calls.append((doc.path, tests))
        return real(doc, tests, plugin_config)

    monkeypatch.setattr(engine, "run_bandit", counting)
    report = run_scan(tmp_path, select=["BAN602", "BAN506", "BAN301"])
    assert sorted(calls) == [
        ("app/cache.py", ("B301", "B506", "B602")),
        ("app/deploy.py", ("B301", "B506", "B602")),
    ]
    assert sorted(f.rule_id for f in report.findings) == ["BAN301", "BAN506", "BAN602"]
    # Bandit's test set holds the selected tests and nothing else: its blacklist wrapper
    # (B001) carries B301 only, so marshal.loads (B302) is not even looked for.
    tests = engine._TEST_SET["set"].tests
    ids = {getattr(t, "_test_id", "") for group in tests.values() for t in group}
    assert ids == {"B506", "B602", "B001"}
    blacklist = next(t for group in tests.values() for t in group if t._test_id == "B001")
    assert {c["id"] for checks in blacklist._config.values() for c in checks} == {"B301"}


def test_worker_processes_give_the_same_ban_findings():
    one = run_scan(SHARED, select=["BAN"], fail_on="never")
    two = run_scan(SHARED, select=["BAN"], fail_on="never", jobs=2)
    assert one.to_dict() == two.to_dict()
    assert len(one.findings) > 40 and len(one.suppressed) == 2


def test_a_failing_bandit_test_is_a_diagnostic_not_a_crash(monkeypatch, tmp_path):
    write(tmp_path, {"deploy.py": DEPLOY})

    def broken(doc, tests, plugin_config):
        return engine.FileIssues(errors={"B602": "bandit test boom failed at line 7: KeyError"})

    monkeypatch.setattr(engine, "run_bandit", broken)
    report = run_scan(tmp_path, select=["BAN602", "BAN506"])
    reasons = [d.reason for d in report.diagnostics]
    assert any("rule BAN602 failed" in r and "boom" in r for r in reasons), reasons
    assert not any("BAN506" in r for r in reasons)


def test_test_code_is_skipped_unless_include_tests(tmp_path):
    write(tmp_path, {"tests/test_deploy.py": DEPLOY})
    assert not run_scan(tmp_path, select=["BAN602"]).findings
    write(tmp_path, {".shipcheck.toml": "[params.BAN602]\ninclude_tests = true\n"})
    report = run_scan(tmp_path, select=["BAN602"], isolated=False)
    assert [(f.path, f.rule_id) for f in report.findings] == [("tests/test_deploy.py", "BAN602")]


# --- nosec ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "codes", "reason"),
    [
        ("# nosec", (), ""),
        ("# nosec B602", ("BAN602",), ""),
        ("# nosec B602,B607", ("BAN602", "BAN607"), ""),
        ("# nosec: B602, B607 - reviewed in #123", ("BAN602", "BAN607"), "reviewed in"),
        (
            "# nosec subprocess_popen_with_shell_equals_true",
            ("subprocess-popen-with-shell-equals-true",),
            "",
        ),
        ("# nosec - input is a constant", (), "input is a constant"),
        ("# noqa: E501 # nosec B105", ("BAN105",), ""),
    ],
)
def test_nosec_comments_parse_like_bandit(comment, codes, reason):
    assert parse_comment(comment) == (codes, reason)


def test_nosecurity_is_not_a_nosec():
    assert parse_comment("# nosecurity review pending") is None


def test_nosec_suppresses_ban_rules_only_and_is_reported_as_suppressed(tmp_path):
    write(
        tmp_path,
        {
            "app/deploy.py": (
                "import subprocess\n\n\n"
                "def run(cmd):\n"
                "    subprocess.run(cmd, shell=True)  # nosec B602 - cmd is a constant\n"
                "    subprocess.run(cmd, shell=True)  # nosec B101\n"
                "    subprocess.run(\n"
                "        cmd,\n"
                "        shell=True,  # nosec\n"
                "    )\n"
                "    return 'subprocess.run(cmd, shell=True)  # nosec'\n"
            )
        },
    )
    report = run_scan(tmp_path, select=["BAN602"])
    assert [f.line for f in report.findings] == [6]
    assert [(f.line, f.suppressed) for f in report.suppressed] == [
        (5, "nosec: cmd is a constant"),
        (9, "nosec"),
    ]
    assert not report.unused_suppressions
    strict = run_scan(tmp_path, select=["BAN602"], require_suppression_reason=True)
    assert [f.line for f in strict.findings] == [6, 9]
    assert any("every BAN rule (# nosec) has no reason" in d.reason for d in strict.diagnostics)


def test_nosec_never_covers_shipcheck_rules_and_ignore_suppressions_disregards_it(tmp_path):
    write(
        tmp_path,
        {
            "app/deploy.py": "import subprocess\n\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)  # nosec\n"
        },
    )
    report = run_scan(tmp_path, select=["PY005"])
    assert [f.rule_id for f in report.findings] == ["PY005"]
    audit = scan(
        ScanOptions(
            targets=[tmp_path], isolated=True, jobs=1, no_inline_suppressions=True,
            overrides={"select": ["BAN602"]},
        )
    )  # fmt: skip
    assert [f.rule_id for f in audit.findings] == ["BAN602"] and not audit.suppressed


# --- the project's bandit configuration ----------------------------------------------------


def test_dot_bandit_skips_and_excludes_are_honoured_and_noted(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'shop'\n",
            ".bandit": "[bandit]\nskips = B602\nexclude = ./scripts\n",
            "app/deploy.py": DEPLOY,
            "scripts/deploy.py": DEPLOY,
        },
    )
    report = run_scan(tmp_path, select=["BAN"], isolated=False, fail_on="never")
    ban = {(f.path, f.rule_id) for f in report.findings}
    assert ban == {("app/deploy.py", "BAN506")}
    assert "BAN602" not in {r.id for r in report.rules}
    notes = [d.reason for d in report.diagnostics if d.kind == "note"]
    assert "BAN602 not run: skipped by .bandit" in notes
    # --isolated reads no configuration file, bandit's included.
    isolated = run_scan(tmp_path, select=["BAN"], fail_on="never")
    assert {f.rule_id for f in isolated.findings} >= {"BAN602", "BAN506"}


def test_tool_bandit_tests_exclude_dirs_and_plugin_options(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": (
                "[project]\nname = 'shop'\n\n"
                "[tool.bandit]\ntests = ['B602', 'B604', 'B506']\nexclude_dirs = ['legacy']\n\n"
                "[tool.bandit.shell_injection]\n"
                "subprocess = ['subprocess.run', 'shop.tasks.sh']\n"
            ),
            "app/deploy.py": DEPLOY
            + "\n\nfrom shop.tasks import sh\nsh(f'rm {upload}', shell=True)\n",
            "legacy/deploy.py": DEPLOY,
        },
    )
    report = run_scan(tmp_path, select=["BAN"], isolated=False, fail_on="never")
    ban = sorted((f.path, f.line, f.rule_id) for f in report.findings)
    # `sh` is a subprocess wrapper by the plugin options, so B602 (not B604) reports it.
    assert ban == [
        ("app/deploy.py", 7, "BAN602"),
        ("app/deploy.py", 11, "BAN506"),
        ("app/deploy.py", 15, "BAN602"),
    ]
    notes = " ".join(d.reason for d in report.diagnostics if d.kind == "note")
    assert "skipped by pyproject.toml [tool.bandit]" in notes and "BAN105" in notes


def test_unreadable_bandit_configuration_is_a_note(tmp_path):
    write(
        tmp_path,
        {"pyproject.toml": "[project]\nname = 'x'\n", ".bandit": "skips = B101\n", "a.py": DEPLOY},
    )
    report = run_scan(tmp_path, select=["BAN602"], isolated=False)
    assert [f.rule_id for f in report.findings] == ["BAN602"]
    assert any(d.reason.startswith(".bandit not read for BAN rules") for d in report.diagnostics)


def test_a_test_the_installed_bandit_lacks_is_left_out_with_a_note(monkeypatch, tmp_path):
    from bandit.core.extension_loader import MANAGER

    monkeypatch.delitem(MANAGER.plugins_by_id, "B615")
    write(tmp_path, {"a.py": DEPLOY})
    report = run_scan(tmp_path, extend_select=["BAN"], fail_on="never")
    assert "BAN615" not in {r.id for r in report.rules}
    assert any(
        "BAN615 not run: the installed bandit has no such test" in d.reason
        for d in report.diagnostics
    )


# --- one finding per problem, and the outputs ----------------------------------------------


def test_duplicates_of_shipcheck_findings_are_merged_and_counted(tmp_path):
    write(tmp_path, {"app/deploy.py": DEPLOY})
    alone = run_scan(tmp_path, select=["BAN602", "BAN506"])
    assert sorted(f.rule_id for f in alone.findings) == ["BAN506", "BAN602"]
    assert alone.merged == 0
    both = run_scan(tmp_path, select=["BAN602", "BAN506", "PY005", "PY008"])
    assert sorted(f.rule_id for f in both.findings) == ["PY005", "PY008"]
    assert both.merged == 2
    assert both.to_dict()["summary"]["merged_duplicates"] == 2
    from shipcheck.reporters.terminal import TerminalReporter

    assert "2 bandit finding(s) merged into shipcheck's own" in TerminalReporter().render(both)
    # A suppressed shipcheck finding still absorbs its bandit twin.
    write(
        tmp_path,
        {
            "app/deploy.py": DEPLOY.replace(
                "shell=True)", "shell=True)  # shipcheck: ignore[PY005] reviewed"
            )
        },
    )
    suppressed = run_scan(tmp_path, select=["BAN602", "PY005"])
    assert not suppressed.findings and [f.rule_id for f in suppressed.suppressed] == ["PY005"]
    assert suppressed.merged == 1


def test_ban_findings_in_sarif_baseline_and_json_schema(tmp_path):
    import jsonschema

    from shipcheck import baseline
    from shipcheck.reporters.sarif import SarifReporter

    write(tmp_path, {"app/deploy.py": DEPLOY})
    report = run_scan(tmp_path, select=["BAN602", "PY005"])
    sarif = json.loads(SarifReporter().render(run_scan(tmp_path, select=["BAN602"])))
    assert_valid_sarif(sarif)
    run = sarif["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "BAN602")
    assert "external/cwe/cwe-78" in rule["properties"]["tags"]
    assert run["results"][0]["ruleId"] == "BAN602"
    assert run["properties"]["mergedDuplicates"] == 0
    write(tmp_path, {"app/deploy.py": DEPLOY.replace("shell=True)", "shell=True)  # nosec B602")})
    nosec = SarifReporter(include_suppressed=True).render(run_scan(tmp_path, select=["BAN602"]))
    [result] = json.loads(nosec)["runs"][0]["results"]
    assert result["suppressions"][0]["kind"] == "inSource"
    write(tmp_path, {"app/deploy.py": DEPLOY})
    schema = json.loads((REPO / "src/shipcheck/data/schemas/report.schema.json").read_text())
    jsonschema.validate(report.to_dict(), schema)
    ban_only = run_scan(tmp_path, select=["BAN602", "BAN506"])
    accepted = tmp_path / "baseline.json"
    accepted.write_text(baseline.dumps(ban_only.findings, "test"))
    narrowed = scan(
        ScanOptions(targets=[tmp_path], isolated=True, jobs=1, baseline=accepted,
                    overrides={"select": ["BAN602", "BAN506"]})
    )  # fmt: skip
    assert len(ban_only.findings) == 2 and not narrowed.findings and narrowed.baselined == 2


def test_diff_mode_judges_ban_findings_on_changed_lines_only(tmp_path):
    write(tmp_path, {"app/deploy.py": DEPLOY})
    init_repo(tmp_path)
    write(
        tmp_path,
        {
            "app/deploy.py": DEPLOY
            + "\n\ndef dump(db):\n    subprocess.call(f'pg_dump {db}', shell=True)\n"
        },
    )
    report = scan(
        ScanOptions(targets=[tmp_path], isolated=True, jobs=1, diff_ref="HEAD",
                    overrides={"select": ["BAN602"]})
    )  # fmt: skip
    assert [(f.line, f.rule_id) for f in report.findings] == [(15, "BAN602")]
    assert report.outside_diff == 1


# --- the generated catalogue ----------------------------------------------------------------


def test_every_installed_bandit_test_is_mapped_or_left_out_with_a_reason():
    installed = set(generate.bandit_tests())
    assert installed == set(TESTS), "decide in banditpack/mapping.py: a rule or a reason"
    for test_id, entry in TESTS.items():
        if isinstance(entry, LeftOut):
            assert entry.reason.endswith("."), test_id


def test_rule_files_and_docs_table_are_fresh():
    assert generate.main(["--check"]) == 0, "python -m shipcheck.banditpack.generate"


def test_severity_matrix():
    assert engine.severity("HIGH", "HIGH") is Severity.HIGH
    assert engine.severity("HIGH", "LOW") is Severity.MEDIUM
    assert engine.severity("MEDIUM", "LOW") is Severity.LOW
    assert engine.severity("LOW", "LOW") is Severity.INFO
    assert engine.severity("UNDEFINED", "HIGH") is Severity.LOW
    assert Severity.CRITICAL not in set(engine.SEVERITY_MATRIX.values())


def test_help_text_keeps_prose_and_drops_lists_and_markup():
    doc = """
**B999: Test for things**

    The use of ``things`` is risky [1]_. This plugin looks for:

    - one
    - two

    :Example:
    """
    assert generate.help_text(doc) == "The use of `things` is risky."


def test_bandit_exclude_patterns_match_like_bandit():
    assert engine.excluded("app/tests/test_x.py", ("tests",))
    assert engine.excluded("scripts/deploy.py", ("./scripts",))
    assert engine.excluded("legacy/a/b.py", ("legacy/*",))
    assert not engine.excluded("app/views.py", ("tests", "./scripts"))


def test_version_and_explain_say_what_the_pack_needs(without_bandit):
    version = cli("--version")
    assert (
        version.exit_code == 0
        and "BAN rules (bandit pack): bandit is not installed" in version.output
    )
    assert HINT in version.output
    explained = cli("explain", "BAN602")
    assert explained.exit_code == 0
    assert "# nosec B602" in explained.output and "--extend-select BAN602" in explained.output
