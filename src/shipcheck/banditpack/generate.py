"""Generate the BAN catalogue from bandit's own metadata and the mapping table.

    python -m shipcheck.banditpack.generate          # rewrite rules/bandit/ and docs/bandit.md
    python -m shipcheck.banditpack.generate --check  # exit 1 when either is stale

Each mapped test becomes ``rules/bandit/BAN<nnn>-<bandit name>.yaml``: bandit's help text is
the rationale, its documentation page and the CWE of the issue it raises are the references,
and the severity comes from the severity and confidence bandit gives the rule's bad example
(:data:`shipcheck.detectors.bandit.engine.SEVERITY_MATRIX`). Both examples are run through
bandit: the bad one must be reported by the test and the good one must not.
``docs/bandit.md`` gets the mapping table between its ``generated`` markers.
Needs bandit (``pip install -e '.[test]'`` installs it).
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shipcheck.banditpack.mapping import TESTS, LeftOut, Mapped, rule_id

REPO = Path(__file__).resolve().parents[3]
RULES_DIR = REPO / "rules" / "bandit"
DOCS = REPO / "docs" / "bandit.md"
DOCS_BASE = "https://bandit.readthedocs.io/en/latest/"
START, END = "<!-- generated:start -->", "<!-- generated:end -->"
_PRECISION = {"HIGH": "high", "MEDIUM": "medium", "LOW": "low"}
_STOP = (":example:", "**config options:**", ".. ", "+--", ":param", "note:", "- ", "|")


@dataclass(frozen=True)
class BanditTest:
    """What bandit says about one of its tests."""

    id: str
    name: str
    doc: str  # help text, reStructuredText
    url: str


def bandit_tests() -> dict[str, BanditTest]:
    """Every test the installed bandit knows, by id."""
    from bandit.core.extension_loader import MANAGER

    found: dict[str, BanditTest] = {}
    for plugin in MANAGER.plugins:
        func = plugin.plugin
        test = func._test_id
        module_doc = inspect.getmodule(func).__doc__ or ""
        doc = func.__doc__ if test in (func.__doc__ or "") else module_doc
        url = f"{DOCS_BASE}plugins/{test.lower()}_{func.__name__}.html"
        found[test] = BanditTest(test, plugin.name, doc or "", url)
    for extension in MANAGER.blacklists_mgr:
        kind = "calls" if extension.name == "calls" else "imports"
        module_doc = inspect.getmodule(extension.plugin).__doc__ or ""
        for entries in extension.plugin().values():
            for entry in entries:
                test = entry["id"]
                if test in found:
                    continue
                found[test] = BanditTest(
                    test,
                    entry["name"],
                    _blacklist_section(module_doc, test),
                    _blacklist_url(entry, kind),
                )
    return dict(sorted(found.items()))


def _blacklist_section(doc: str, test: str) -> str:
    match = re.search(rf"^{test}: .*?\n-+\n(?P<body>.*?)(?=^B\d+: |\Z)", doc, re.M | re.S)
    return match["body"] if match else ""


def _blacklist_url(entry: dict[str, Any], kind: str) -> str:
    # The anchors bandit's own docs use (bandit.core.docs_utils.get_url, which must not be
    # called: it renames the blacklist entries it looks at).
    test, name = entry["id"].lower(), entry["name"].replace("_", "-").lower()
    if entry["id"] in ("B304", "B305"):
        test, name = "b304-b305", "ciphers-and-modes"
    elif entry["id"] in ("B313", "B314", "B315", "B316", "B317", "B318", "B319", "B320"):
        test = "b313-b320"
    return f"{DOCS_BASE}blacklists/blacklist_{kind}.html#{test}-{name}"


def help_text(doc: str) -> str:
    """The prose of bandit's help: the paragraphs before examples, options and lists, with
    a sentence that only introduces a list dropped and reStructuredText markup removed."""
    lines = textwrap.dedent(doc.expandtabs()).strip("\n").splitlines()
    lines = [
        line for line in lines if not re.fullmatch(r"\s*(=+|-+|\*\*B\d+:.*\*\*|B\d+:.*)\s*", line)
    ]
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", "\n".join(lines)):
        text = " ".join(block.split())
        if not text:
            continue
        if text.lower().startswith(_STOP):
            break
        paragraphs.append(text)
        if len(paragraphs) == 2:
            break
    prose = " ".join(paragraphs)
    prose = re.sub(r"``([^`]+)``", r"`\1`", prose)
    prose = re.sub(r"(?<![`\w])`([^`]+)`_?(?!`)", r"`\1`", prose)
    prose = re.sub(r"\s*\[\d+\]_", "", prose)  # footnote references
    prose = re.sub(r":doc:`[^`]*`", "its documentation", prose)
    if prose.endswith(":"):  # the sentence introduced a list that is not kept
        sentences = re.split(r"(?<=[.!?])\s+", prose)
        prose = " ".join(sentences[:-1])
    return prose.replace("\\*", "*").strip()


@dataclass(frozen=True)
class Example:
    """The bandit issue that a rule's bad example raises."""

    severity: str
    confidence: str
    cwe: int
    text: str


def run_example(test: str, source: str) -> list[Any]:
    """Bandit's issues of ``test`` in ``source``, through shipcheck's own engine."""
    from shipcheck.detectors.bandit.engine import run_bandit
    from shipcheck.parsers.python import parse

    doc = parse("example.py", source.encode("utf-8"))
    return run_bandit(doc, (test,), {}).issues.get(test, [])


def check_examples(test: str, mapped: Mapped) -> Example:
    """The bad example's issue; raises when bandit does not judge the examples as claimed."""
    bad = run_example(test, mapped.bad)
    if not bad:
        raise SystemExit(f"{test}: bandit does not report the bad example:\n{mapped.bad}")
    if run_example(test, mapped.good):
        raise SystemExit(f"{test}: bandit reports the good example:\n{mapped.good}")
    issue = bad[0]
    return Example(issue.severity, issue.confidence, issue.cwe.id, issue.text)


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def rule_document(
    test: BanditTest, mapped: Mapped, example: Example, version: str
) -> dict[str, Any]:
    """One rule file's content."""
    from shipcheck.detectors.bandit.engine import severity

    rationale = help_text(test.doc) or example.text
    references = [f"CWE-{example.cwe}"] if example.cwe else []
    references.append(test.url)
    return {
        "id": rule_id(test.id),
        "name": test.name.replace("_", "-").lower(),
        "checklist": mapped.key,
        "severity": severity(example.severity, example.confidence).value,
        "default": False,
        "detector": "bandit.test",
        "params": {"test": test.id},
        "message": "{text}",
        "summary": mapped.summary,
        "rationale": rationale,
        "remediation": mapped.remediation,
        "example": {"bad": mapped.bad, "good": mapped.good},
        "references": references,
        "precision": mapped.precision or _PRECISION.get(example.confidence, "medium"),
        "tags": ["security", "bandit"],
        "since": version,
    }


def rule_files(version: str) -> dict[str, str]:
    """File name → YAML text for every mapped test."""
    tests = bandit_tests()
    unknown = sorted(set(tests) - set(TESTS))
    if unknown:
        raise SystemExit(f"bandit tests with no entry in banditpack/mapping.py: {unknown}")
    files = {}
    for test_id, entry in TESTS.items():
        if not isinstance(entry, Mapped) or test_id not in tests:
            continue
        test = tests[test_id]
        document = rule_document(test, entry, check_examples(test_id, entry), version)
        header = (
            f"# Generated by `python -m shipcheck.banditpack.generate` from bandit's {test_id} "
            "and shipcheck/banditpack/mapping.py;\n# edit the mapping, not this file.\n"
        )
        text = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=96)
        files[f"{document['id']}-{document['name']}.yaml"] = header + text
    return files


def mapping_markdown() -> str:
    """The generated part of docs/bandit.md: every bandit test and what became of it."""
    from shipcheck.packs import load_builtin
    from shipcheck.ruledocs import rule_markdown

    tests = bandit_tests()
    rules = {r.params.get("test"): r for r in load_builtin().rules if r.detector == "bandit.test"}
    mapped = [t for t, e in TESTS.items() if isinstance(e, Mapped)]
    left = [t for t, e in TESTS.items() if isinstance(e, LeftOut)]
    out = [
        f"{len(mapped)} bandit tests are BAN rules; {len(left)} are left out.",
        "",
        "| bandit | test | shipcheck rule | checklist item | severity |",
        "| --- | --- | --- | --- | --- |",
    ]
    for test_id in mapped:
        rule = rules.get(test_id)
        name = tests[test_id].name if test_id in tests else "?"
        if rule is None:
            out.append(f"| {test_id} | `{name}` | (not generated) | | |")
            continue
        out.append(
            f"| {test_id} | `{name}` | [{rule.id}](#{rule.id.lower()}-{rule.name}) "
            f"| `{rule.checklist}` | {rule.severity.value} |"
        )
    out += ["", "Left out:", "", "| bandit | test | why |", "| --- | --- | --- |"]
    for test_id in left:
        entry = TESTS[test_id]
        assert isinstance(entry, LeftOut)
        name = tests[test_id].name if test_id in tests else "?"
        out.append(f"| {test_id} | `{name}` | {entry.reason} |")
    out += ["", "## The BAN rules"]
    for test_id in mapped:
        rule = rules.get(test_id)
        if rule is None:
            continue
        out += [
            "",
            f"### {rule.id} {rule.name}",
            "",
            f"Severity **{rule.severity.value}** · checklist `{rule.checklist}`"
            f" · bandit {test_id} · off by default",
            "",
            rule_markdown(rule).rstrip(),
        ]
    return "\n".join(out) + "\n"


def docs_text(current: str) -> str:
    """``current`` with the generated section replaced."""
    head, _, rest = current.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{mapping_markdown()}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, compare) the rule files and the docs table."""
    from shipcheck import __version__

    parser = argparse.ArgumentParser(prog="python -m shipcheck.banditpack.generate")
    parser.add_argument("--check", action="store_true", help="exit 1 when something is stale")
    args = parser.parse_args(argv)
    existing = {p.name: p.read_text(encoding="utf-8") for p in RULES_DIR.glob("*.yaml")}
    since = {name: _since(text) for name, text in existing.items()}
    wanted = {
        name: text.replace(f"since: {__version__}", f"since: {since[name]}")
        if since.get(name)
        else text
        for name, text in rule_files(__version__).items()
    }
    stale = sorted(n for n in set(wanted) | set(existing) if wanted.get(n) != existing.get(n))
    if args.check:
        if stale:
            print(f"stale BAN rule files: {', '.join(stale)}", file=sys.stderr)
        docs_stale = DOCS.read_text(encoding="utf-8") != docs_text(DOCS.read_text(encoding="utf-8"))
        if docs_stale:
            print("docs/bandit.md: the generated table is stale", file=sys.stderr)
        return 1 if stale or docs_stale else 0
    RULES_DIR.mkdir(parents=True, exist_ok=True)
    for name in stale:
        path = RULES_DIR / name
        if name in wanted:
            path.write_text(wanted[name], encoding="utf-8")
        else:
            path.unlink()
    DOCS.write_text(docs_text(DOCS.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"{len(wanted)} BAN rule files ({len(stale)} rewritten); docs/bandit.md updated")
    return 0


def _since(text: str) -> str | None:
    # A rule keeps the version it first appeared in when it is regenerated.
    match = re.search(r"^since: (\S+)$", text, re.M)
    return match[1] if match else None


if __name__ == "__main__":
    sys.exit(main())
