"""SARIF: valid against the official schema, shaped as GitHub code scanning reads it, stable
fingerprints, GitHub's limits, suppressions, notifications, categories, no secrets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reporting_support import (
    DOCKERFILE_ROOT,
    EXAMPLE,
    REQUIREMENTS,
    assert_valid_sarif,
    copy_example,
    write,
)
from shipcheck.reporters.linehash import line_hashes
from shipcheck.reporters.sarif import SarifReporter, cwe_tag

from conftest import FIXTURES, run_scan


def sarif(target: Path, reporter: SarifReporter | None = None, **overrides) -> dict:
    report = run_scan(target, **overrides)
    return json.loads((reporter or SarifReporter()).render(report))


def _fixture_dirs() -> list[Path]:
    dirs = [EXAMPLE]
    for group in ("rules", "projects"):
        base = FIXTURES / group
        if base.is_dir():
            dirs += sorted(p for p in base.iterdir() if p.is_dir())
    return dirs


@pytest.mark.parametrize("target", _fixture_dirs(), ids=lambda p: p.name)
def test_sarif_validates_against_the_schema(target):
    document = sarif(target, fail_on="never")
    assert_valid_sarif(document)
    assert len(document["runs"]) == 1


def test_sarif_has_what_github_code_scanning_reads(tmp_path):
    project = copy_example(tmp_path / "shop")
    document = sarif(project)
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "shipcheck"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", driver["version"])
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    for rule in rules:
        assert rule["name"] and len(rule["name"]) <= 255
        assert 0 < len(rule["shortDescription"]["text"]) <= 1024
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"] and "Fix:" in rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
        props = rule["properties"]
        assert len(props["tags"]) <= 20
        assert props["checklist"] in props["tags"] and props["area"] in props["tags"]
        assert props["precision"] in {"very-high", "high", "medium", "low"}
        for tag in props["tags"]:
            if tag.startswith("external/cwe/"):
                assert re.fullmatch(r"external/cwe/cwe-[1-9]\d*", tag)
        if "security" in props["tags"]:
            assert 0.1 <= float(props["security-severity"]) <= 10.0
        else:
            assert props["problem.severity"] in {"error", "warning", "recommendation"}
    assert run["results"], "the example has findings"
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not uri.startswith(("/", "file:")) and ".." not in uri.split("/")
        assert (project / uri).is_file(), uri
        region = physical["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert region["endLine"] >= region["startLine"]
        fingerprints = result["partialFingerprints"]
        assert re.fullmatch(r"[0-9a-f]{1,16}:\d+", fingerprints["primaryLocationLineHash"])
        assert re.fullmatch(r"[0-9a-f]{32}", fingerprints["shipcheck/v1"])
        assert "suppressions" not in result
    assert "automationDetails" not in run  # upload-sarif fills in the workflow's category


def test_security_rules_carry_security_severity_and_cwe_tags(tmp_path):
    write(tmp_path, {"Dockerfile": DOCKERFILE_ROOT})
    run = sarif(tmp_path, select=["DKR001"])["runs"][0]
    (rule,) = run["tool"]["driver"]["rules"]
    assert rule["properties"]["tags"][0] == "security"
    assert rule["properties"]["security-severity"] == "8.0"  # high: 7.0-8.9
    assert "external/cwe/cwe-250" in rule["properties"]["tags"]
    assert "container.non-root" in rule["properties"]["tags"]
    (result,) = run["results"]
    assert result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 1
    assert region["snippet"]["text"] == "FROM python:3.12-slim"


def test_cwe_tags_are_normalised():
    assert cwe_tag("CWE-079") == "external/cwe/cwe-79"
    assert cwe_tag("cwe-798") == "external/cwe/cwe-798"
    assert cwe_tag("CWE-xyz") is None


def test_line_hash_matches_codeql_action_vectors():
    # Expected values from github/codeql-action src/fingerprints.test.ts.
    assert line_hashes("") == {1: "c129715d7a2bc9a3:1"}
    assert line_hashes(" a\nb\n  \t\tc\n d") == {
        1: "271789c17abda88f:1",
        2: "54703d4cd895b18:1",
        3: "180aee12dab6264:1",
        4: "a23a3dc5e078b07b:1",
    }
    crlf = " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n"
    assert list(line_hashes(crlf).values()) == [
        "e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
        "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1",
    ]  # fmt: skip
    repeated = line_hashes("Lorem ipsum dolor sit amet.\n" * 10)
    assert [repeated[n] for n in (1, 6, 7, 11)] == [
        "a7f2ff13bc495cf2:1", "a7f2ff13bc495cf2:6", "a7f2ff1481e87703:1", "c129715d7a2bc9a3:1",
    ]  # fmt: skip
    code = line_hashes("x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n")
    assert code[3] == "1131fd5871777f34:1" and code[7] == "f1b89f20de0d133:1"
    # Stopping early must not change the hashes it did compute.
    assert line_hashes("Lorem ipsum dolor sit amet.\n" * 10, upto=3) == {
        n: repeated[n] for n in (1, 2, 3)
    }


def _insert_blank_lines(project: Path, findings, directly_above: bool) -> None:
    """Three blank lines above every finding, or at the top of every file with one."""
    by_path: dict[str, set[int]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, set()).add(finding.line if directly_above else 1)
    for path, lines in by_path.items():
        file = project / path
        text = file.read_text(encoding="utf-8").splitlines(keepends=True)
        for line in sorted(lines, reverse=True):
            text[line - 1 : line - 1] = ["\n", "\n", "\n"]
        file.write_text("".join(text), encoding="utf-8")


def _keyed(document: dict) -> dict[tuple, tuple[dict, int]]:
    """Results by (rule, file, ordinal): messages may quote other line numbers, which move."""
    keyed = {}
    for result in document["runs"][0]["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
        base = (result["ruleId"], uri)
        key = (*base, sum(k[:2] == base for k in keyed))
        keyed[key] = (result["partialFingerprints"], line)
    return keyed


def _before_and_after(tmp_path: Path, directly_above: bool):
    project = copy_example(tmp_path / "shop")
    report = run_scan(project)
    before = _keyed(json.loads(SarifReporter().render(report)))
    assert len(before) >= 5
    _insert_blank_lines(project, report.findings, directly_above)
    after_report = run_scan(project)
    after = _keyed(json.loads(SarifReporter().render(after_report)))
    assert after.keys() == before.keys()
    moved = 0
    for key, (_, line) in before.items():
        shift = 3 * (1 if not directly_above else _rank(before, key))
        # Findings about a whole file (a missing pattern) stay anchored on its first line.
        assert after[key][1] in (line, line + shift), key
        moved += after[key][1] == line + shift
    assert moved >= len(before) // 2, "the blank lines did not move the findings"
    assert {f.fingerprint for f in after_report.findings} == {
        f.fingerprint for f in report.findings
    }
    return before, after


def _rank(keyed: dict, key: tuple) -> int:
    """How many blank-line blocks land above ``key``: one per finding line up to its own."""
    uri, line = key[1], keyed[key][1]
    return len({v[1] for k, v in keyed.items() if k[1] == uri and v[1] <= line})


def test_all_fingerprints_survive_blank_lines_inserted_above_the_findings(tmp_path):
    before, after = _before_and_after(tmp_path, directly_above=False)
    for key, (fingerprints, line) in before.items():
        if after[key][1] == line:
            # A whole-file finding stays on line 1, which is now blank: GitHub's line hash
            # describes that line, so only shipcheck's own fingerprint can stay put.
            assert after[key][0]["shipcheck/v1"] == fingerprints["shipcheck/v1"], key
        else:
            assert after[key][0] == fingerprints, key


def test_own_fingerprint_survives_blank_lines_directly_above_each_finding(tmp_path):
    # GitHub's primaryLocationLineHash hashes the ~100 characters from the start of the line
    # on, so lines inserted just *below* a finding (above the next one) may change it, as they
    # do when upload-sarif computes it; shipcheck's own fingerprint holds no position at all.
    before, after = _before_and_after(tmp_path, directly_above=True)
    for key, (fingerprints, _) in before.items():
        assert after[key][0]["shipcheck/v1"] == fingerprints["shipcheck/v1"], key


def test_paths_are_relative_to_the_enclosing_repository(tmp_path):
    (tmp_path / ".git").mkdir()
    project = write(tmp_path / "services" / "api", {"Dockerfile": DOCKERFILE_ROOT})
    (project / "pyproject.toml").write_text("[project]\nname = 'api'\n", encoding="utf-8")
    run = sarif(project, select=["DKR001"])["runs"][0]
    (result,) = run["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "services/api/Dockerfile"


def test_paths_with_spaces_are_percent_encoded(tmp_path):
    write(tmp_path, {"docker files/Dockerfile": DOCKERFILE_ROOT})
    document = sarif(tmp_path, select=["DKR001"])
    assert_valid_sarif(document)
    (result,) = document["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "docker%20files/Dockerfile"


def test_result_limit_keeps_the_most_severe_and_says_what_was_dropped(tmp_path, monkeypatch):
    write(tmp_path, {"Dockerfile": DOCKERFILE_ROOT, "requirements.txt": "a>=1\nb>=1\nc>=1\n"})
    report = run_scan(tmp_path, select=["DKR001", "DEP001"])
    assert len(report.findings) == 4
    monkeypatch.setattr(SarifReporter, "max_results", 2)
    reporter = SarifReporter()
    document = json.loads(reporter.render(report))
    assert_valid_sarif(document)
    run = document["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["DKR001", "DEP001"]
    assert run["properties"]["droppedResults"] == 2
    notes = run["invocations"][0]["toolExecutionNotifications"]
    dropped = [n for n in notes if n["descriptor"]["id"] == "limits"]
    assert dropped and "2 medium" in dropped[0]["message"]["text"]
    assert reporter.warnings == [dropped[0]["message"]["text"]]


def test_size_limit_drops_results_until_the_gzipped_log_fits(tmp_path, monkeypatch):
    lines = "".join(f"package{n}>=1.{n}\n" for n in range(300))
    write(tmp_path, {"Dockerfile": DOCKERFILE_ROOT, "requirements.txt": lines})
    report = run_scan(tmp_path, select=["DKR001", "DEP001"])
    full = SarifReporter().render(report)
    import gzip

    limit = len(gzip.compress(full.encode(), 6)) // 2
    monkeypatch.setattr(SarifReporter, "max_gzip_bytes", limit)
    text = SarifReporter().render(report)
    assert len(gzip.compress(text.encode(), 6)) <= limit
    run = json.loads(text)["runs"][0]
    assert 0 < len(run["results"]) < len(report.findings)
    assert run["results"][0]["ruleId"] == "DKR001"  # the high finding is kept
    assert run["properties"]["droppedResults"] == len(report.findings) - len(run["results"])


def test_suppressed_findings_only_when_asked(tmp_path):
    write(
        tmp_path,
        {"requirements.txt": "a>=1  # shipcheck: ignore[DEP001] pinned by constraints.txt\nb>=1\n"},
    )
    report = run_scan(tmp_path, select=["DEP001"])
    plain = json.loads(SarifReporter().render(report))["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in plain] == [2]
    document = json.loads(SarifReporter(include_suppressed=True).render(report))
    assert_valid_sarif(document)
    results = document["runs"][0]["results"]
    assert len(results) == 2
    (suppressed,) = [r for r in results if "suppressions" in r]
    assert suppressed["suppressions"][0]["kind"] == "inSource"
    assert "pinned by constraints.txt" in suppressed["suppressions"][0]["justification"]


def test_diagnostics_become_tool_execution_notifications(tmp_path):
    write(
        tmp_path,
        {"k8s/broken.yaml": "apiVersion: v1\nkind: [unclosed\n", "Dockerfile": DOCKERFILE_ROOT},
    )
    document = sarif(tmp_path)
    assert_valid_sarif(document)
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    located = [
        n for n in notes
        if n.get("locations")
        and n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "k8s/broken.yaml"
    ]  # fmt: skip
    assert located and located[0]["level"] == "warning"


def test_category_sets_automation_details(tmp_path):
    write(tmp_path, {"Dockerfile": DOCKERFILE_ROOT})
    document = sarif(tmp_path, SarifReporter(category="shipcheck/backend"), select=["DKR001"])
    assert_valid_sarif(document)
    assert document["runs"][0]["automationDetails"] == {"id": "shipcheck/backend/"}


def test_no_secret_source_in_sarif(tmp_path):
    secret = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    key_body = "MIIEowIBAAKCAQEA" + "x7Qz" * 12
    write(
        tmp_path,
        {
            ".env": f"DEBUG=false\nSTRIPE_SECRET_KEY={secret}\n",
            "deploy/key.pem": f"-----BEGIN RSA PRIVATE KEY-----\n{key_body}\n-----END RSA PRIVATE KEY-----\n",
            "Dockerfile": f'FROM python:3.12-slim\nENV STRIPE_SECRET_KEY={secret}\nCMD ["app"]\n',
            "requirements.txt": REQUIREMENTS,
        },
    )
    report = run_scan(tmp_path, select=["secrets", "DKR001"])
    secret_findings = [f for f in report.findings if f.checklist_key.startswith("secrets.")]
    assert ".env" in {f.path for f in secret_findings}
    text = SarifReporter().render(report)
    run = json.loads(text)["runs"][0]
    secret_rules = {f.rule_id for f in secret_findings}
    for result in run["results"]:
        if result["ruleId"] in secret_rules:
            assert "snippet" not in result["locations"][0]["physicalLocation"]["region"]
    assert secret not in text
    assert key_body not in text
