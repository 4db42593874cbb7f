"""HTML: one self-contained page that parses, loads nothing from elsewhere, escapes what the
scanned repository wrote, and never shows a secret's source line."""

from __future__ import annotations

import dataclasses
import os
import re
from html.parser import HTMLParser

import pytest

from reporting_support import DOCKERFILE_ROOT, copy_example, write
from shipcheck.reporters.html import HtmlReporter
from shipcheck.reporters.source import SourceReader, redact_line

from conftest import run_scan

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
# Elements and attributes through which a page loads something.
LOADING = {"src", "href", "srcset", "data", "poster", "action", "formaction", "xlink:href"}


class PageChecker(HTMLParser):
    """Checks nesting and collects every attribute that could load a resource."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.loads: list[tuple[str, str, str]] = []
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self._in: str | None = None
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self.tags.append((tag, values))
        for name, value in attrs:
            if name in LOADING and value is not None:
                self.loads.append((tag, name, value))
            if name == "style" and value:
                self.styles.append(value)
        if tag not in VOID:
            self.stack.append(tag)
        self._in = tag if tag in ("style", "script") else None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
            return
        self.stack.pop()
        self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.styles.append(data)
        elif self._in == "script":
            self.scripts.append(data)


def check_page(text: str) -> PageChecker:
    checker = PageChecker()
    checker.feed(text)
    checker.close()
    assert not checker.errors, checker.errors[:5]
    assert not checker.stack, f"unclosed elements: {checker.stack}"
    return checker


@pytest.fixture(scope="module")
def shop_page(tmp_path_factory):
    project = copy_example(tmp_path_factory.mktemp("html") / "shop")
    report = run_scan(project)
    return report, HtmlReporter().render(report)


def test_page_parses_and_loads_nothing_external(shop_page):
    _, text = shop_page
    assert text.startswith("<!DOCTYPE html>")
    page = check_page(text)
    external = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
    for tag, attribute, value in page.loads:
        if tag == "a" and attribute == "href":
            continue  # a link the reader may follow, not something the page loads
        assert not external.match(value), (tag, attribute, value)
        assert tag not in {"script", "link", "img", "iframe", "object", "embed"}, (tag, value)
    for css in page.styles:
        assert not re.search(r"url\(|@import", css, re.IGNORECASE), css[:80]
    for script in page.scripts:
        assert not re.search(r"fetch\(|XMLHttpRequest|import\(|https?://", script)
    policy = [
        v for t, v in page.tags if t == "meta" and v.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policy and "default-src 'none'" in policy[0]["content"]


def test_page_has_gauge_areas_checklist_and_filterable_findings(shop_page):
    report, text = shop_page
    page = check_page(text)
    assert f">{report.scores.overall}</text>" in text  # the gauge
    for area in report.scores.areas.values():
        assert area.title in text
    for item in report.scores.items.values():
        assert item.key in text
    articles = [v for t, v in page.tags if t == "article"]
    assert len(articles) == len(report.findings)
    assert {a["data-severity"] for a in articles} == {f.severity.value for f in report.findings}
    assert {a["data-area"] for a in articles} == {f.area for f in report.findings}
    boxes = {v["value"] for t, v in page.tags if t == "input" and v.get("name") == "severity"}
    assert boxes == {"critical", "high", "medium", "low", "info"}
    options = {v["value"] for t, v in page.tags if t == "option"}
    assert {f.area for f in report.findings} <= options
    # The SQL finding shows its source line, marked, and the fix.
    assert 'class="marked"><span class="ln">65</span>' in text
    assert "Fix:" in text


def test_page_is_deterministic(shop_page):
    report, text = shop_page
    assert HtmlReporter().render(report) == text


def test_repository_text_is_escaped(tmp_path):
    write(tmp_path, {"Dockerfile": DOCKERFILE_ROOT})
    report = run_scan(tmp_path, select=["DKR001"])
    hostile = dataclasses.replace(
        report.findings[0], message="stage `<script>alert(1)</script>` runs <b>as root</b>"
    )
    text = HtmlReporter().render(dataclasses.replace(report, findings=(hostile,)))
    check_page(text)
    assert "<script>alert(1)" not in text and "<b>as root" not in text
    assert "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in text


def test_secret_findings_show_no_source_and_context_lines_are_masked(tmp_path):
    secret = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    write(
        tmp_path,
        {
            ".env": f"DEBUG=false\nSTRIPE_SECRET_KEY={secret}\n",
            "Dockerfile": f'FROM python:3.12-slim\nENV STRIPE_SECRET_KEY={secret}\nCMD ["app"]\n',
        },
    )
    report = run_scan(tmp_path, select=["secrets", "DKR001"])
    assert any(f.path == ".env" and f.checklist_key.startswith("secrets.") for f in report.findings)
    assert any(f.rule_id == "DKR001" for f in report.findings)
    text = HtmlReporter().render(report)
    assert secret not in text
    assert "this finding is about a secret value" in text  # the .env finding shows no source
    assert re.search(r"STRIPE_SECRET_KEY=sk\S*…", text)  # DKR001's context line, masked


def test_source_reader_stays_inside_the_root(tmp_path):
    outside = write(tmp_path / "outside", {"secret.py": "TOKEN = 'x'\n"})
    root = write(tmp_path / "project", {"app.py": "print('hi')\n"})
    os.symlink(outside / "secret.py", root / "linked.py")
    reader = SourceReader(root)
    assert reader.text("app.py") == "print('hi')\n"
    assert reader.text("linked.py") is None
    assert reader.text("../outside/secret.py") is None
    assert reader.text(str(outside / "secret.py")) is None
    assert reader.text("<stdin>") is None


def test_source_reader_skips_large_and_binary_files(tmp_path):
    root = write(tmp_path, {"big.txt": "x" * 5000})
    (root / "blob.py").write_bytes(b"\x00\x01binary")
    reader = SourceReader(root, max_bytes=1000)
    assert reader.text("big.txt") is None
    assert reader.text("blob.py") is None


@pytest.mark.parametrize(
    ("line", "previous", "hidden"),
    [
        ('SECRET_KEY = "django-insecure-0123456789abcdef"', "", "0123456789abcdef"),
        ('  "password": "correct-horse-battery",', "", "horse-battery"),
        ("DATABASE_URL=postgres://app:s3cretpassw0rd@db/app", "", "s3cretpassw0rd"),
        ("token: ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "", "a1B2c3D4e5F6"),
        ("  value: hunter2hunter2", "  - name: DB_PASSWORD", "hunter2hunter2"),
        ("MIIEowIBAAKCAQEA" + "x7Qz" * 12, "", "x7Qzx7Qz"),
    ],
)
def test_redaction_masks_secret_looking_values(line, previous, hidden):
    assert hidden not in redact_line(line, previous)


@pytest.mark.parametrize(
    "line",
    ["DEBUG = True", 'password = os.environ["DB_PASSWORD"]', '  value: "8000"', "FROM python:3.12"],
)
def test_redaction_leaves_ordinary_lines_alone(line):
    assert redact_line(line, "  - name: PORT") == line
