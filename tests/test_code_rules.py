"""Application-code detectors (PY002-PY009, PRJ002): helpers, edge cases, odd input."""

from __future__ import annotations

import ast
import textwrap

import pytest

from shipcheck.detectors.python import database, errors, http, injection
from shipcheck.detectors.python.astutil import Imports, StaticStrings, Untrusted, scopes
from shipcheck.models.artifacts import Kind
from shipcheck.parsers import ParseError, parse

PY_DETECTORS = [
    errors.broad_except_swallowed,
    http.http_no_timeout,
    http.tls_verification_disabled,
    injection.shell_injection,
    injection.dynamic_eval,
    injection.pickle_load,
    injection.yaml_unsafe_load,
    database.engine_without_pre_ping,
]


def _doc(source: str, path: str = "app/module.py"):
    return parse(path, Kind.PYTHON, textwrap.dedent(source).encode())


def _lines(detector, source: str, path: str = "app/module.py") -> list[int]:
    return [hit.line for hit in detector(_doc(source, path), None)]


def test_imports_resolve_aliases_and_from_imports():
    tree = ast.parse(
        "import requests as r\nfrom urllib import request\nimport urllib.parse\n"
        "from httpx import Client as C\nfrom . import local\n"
    )
    imports = Imports(tree)
    call = lambda text: ast.parse(text, mode="eval").body  # noqa: E731
    assert imports.resolve(call("r.get")) == "requests.get"
    assert imports.resolve(call("request.urlopen")) == "urllib.request.urlopen"
    assert imports.resolve(call("urllib.parse.quote")) == "urllib.parse.quote"
    assert imports.resolve(call("C")) == "httpx.Client"
    assert imports.resolve(call("local.thing")) is None
    assert imports.resolve(call("unknown.get")) is None


def test_static_strings_follow_constants_and_locals():
    tree = ast.parse(
        textwrap.dedent(
            """
            import shlex
            BASE = "ls"

            def f(user):
                flags = "-la"
                cmd = BASE + " " + flags
                quoted = f"{BASE} {shlex.quote(user)}"
                return cmd, quoted, user
            """
        )
    )
    strings = StaticStrings(tree, Imports(tree))
    func = scopes(tree)[1]
    names = strings.local_names(func)
    assert {"BASE", "flags", "cmd", "quoted"} <= names
    assert "user" not in names


def test_untrusted_follows_request_data_through_locals():
    tree = ast.parse(
        textwrap.dedent(
            """
            from flask import request

            def view():
                raw = request.args.get("q")
                cleaned = raw.strip()
                return cleaned

            def helper(value):
                return value
            """
        )
    )
    untrusted = Untrusted(tree, Imports(tree))
    view, helper = scopes(tree)[1:]
    returned = view.body[-1].value
    assert untrusted.source(returned, view) == "request data"
    assert untrusted.source(helper.body[-1].value, helper) is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("try:\n    f()\nexcept Exception:\n    pass\n", [3]),
        ("try:\n    f()\nexcept:\n    ...\n", [3]),
        ("for x in y:\n    try:\n        f(x)\n    except BaseException:\n        continue\n", [4]),
        ("try:\n    f()\nexcept (KeyError, Exception):\n    pass\n", [3]),
        ("try:\n    f()\nexcept ValueError:\n    pass\n", []),
        ("try:\n    f()\nexcept Exception:  # best effort\n    pass\n", []),
        ("try:\n    f()\nexcept Exception:\n    # the cache is optional\n    pass\n", []),
        ("try:\n    f()\nexcept Exception:\n    log.warning('x')\n", []),
        ("try:\n    f()\nexcept Exception:\n    return_value = None\n", []),
    ],
)
def test_broad_except(source, expected):
    assert _lines(errors.broad_except_swallowed, source) == expected


def test_broad_except_severity_depends_on_clause():
    hits = list(
        errors.broad_except_swallowed(
            _doc("try:\n    f()\nexcept Exception:\n    pass\ntry:\n    g()\nexcept:\n    pass\n"),
            None,
        )
    )
    assert [h.severity.value if h.severity else None for h in hits] == ["low", None]


def test_http_timeout_session_with_adapter_is_trusted():
    source = """
    import requests
    from myapp.http import TimeoutAdapter

    def fetch(url):
        s = requests.Session()
        s.mount("https://", TimeoutAdapter(timeout=5))
        return s.get(url)
    """
    assert _lines(http.http_no_timeout, source) == []


def test_http_timeout_ignores_unrelated_get_calls():
    source = """
    import requests

    def lookup(mapping, key):
        return mapping.get(key)
    """
    assert _lines(http.http_no_timeout, source) == []


def test_shell_injection_severity_for_whole_variable():
    doc = _doc("import os\n\ndef run(cmd):\n    os.system(cmd)\n")
    hits = list(injection.shell_injection(doc, None))
    assert len(hits) == 1 and hits[0].severity is not None
    # A parameter is of unknown origin: a review, not a claim of injection.
    assert hits[0].severity.value == "low"
    assert "review: make sure parameter `cmd` of `run()` is trusted" in hits[0].fields["claim"]


def test_eval_shadowed_builtin_is_ignored():
    source = """
    from flask import request
    from simpleeval import simple_eval as eval

    def view():
        return eval(request.args["expr"])
    """
    assert _lines(injection.dynamic_eval, source) == []


def test_engine_url_from_constant_sqlite_is_fine():
    source = """
    from sqlalchemy import create_engine
    URL = "sqlite:///app.db"
    engine = create_engine(URL)
    """
    assert _lines(database.engine_without_pre_ping, source) == []


def test_django_app_dir():
    assert database.django_app_dir("shop/models.py") == "shop"
    assert database.django_app_dir("src/shop/models/order.py") == "src/shop"
    assert database.django_app_dir("models.py") == ""


ODD_SOURCES = [
    "",
    "# only a comment\n",
    "x = (yield)\n" if False else "def g():\n    x = yield\n",
    "match command:\n    case [x, *rest]:\n        eval(x)\n    case _:\n        pass\n",
    "async def f():\n    async with a as (b, c):\n        [d async for d in e]\n",
    "from os import *\nsystem(input())\n",
    "import requests\nrequests.get(*args, **kwargs)\nrequests.get()\n",
    "import subprocess\nsubprocess.run(shell=True)\nsubprocess.run()\n",
    "import yaml\nyaml.load()\n",
    "import pickle\npickle.loads()\n",
    "eval()\nexec()\n",
    "try:\n    pass\nexcept* ValueError:\n    pass\n",
    "def f():\n    global g\n    g = lambda request: eval(request)\n",
    "class A:\n    verify = False\n    def __init__(self):\n        self.verify = False\n",
    "from sqlalchemy import create_engine\ncreate_engine()\ncreate_engine(url=None)\n",
    "x = " + "(" * 50 + "1" + ")" * 50 + "\n",
]


@pytest.mark.parametrize("source", ODD_SOURCES)
@pytest.mark.parametrize("detector", PY_DETECTORS, ids=lambda d: d.__name__)
def test_python_detectors_never_crash(detector, source):
    try:
        doc = _doc(source)
    except ParseError:
        # Syntax newer than the Python running the tests (except* on 3.10) is a diagnostic,
        # tested in test_parsers; the detectors never see it.
        pytest.skip("syntax not supported by this Python")
    list(detector(doc, None))


def test_database_facts_skip_tests_and_examples():
    source = "from django.db import models\n\nclass A(models.Model):\n    pass\n"
    assert list(database.database_facts(_doc(source, "shop/models.py")))
    assert not list(database.database_facts(_doc(source, "tests/app/models.py")))
    assert not list(database.database_facts(_doc(source, "examples/app/models.py")))


def test_swallow_in_cleanup_while_the_error_propagates_is_low():
    source = (
        "import os\n\ndef export(path, write):\n    try:\n        write(path)\n"
        "    except Exception:\n        try:\n            os.unlink(path)\n"
        "        except:\n            pass\n        raise\n"
        "    finally:\n        try:\n            os.close(3)\n        except BaseException:\n"
        "            pass\n\ndef keep(path):\n    try:\n        os.unlink(path)\n"
        "    except:\n        pass\n"
    )
    hits = list(errors.broad_except_swallowed(_doc(source), None))
    graded = {h.line: (h.severity.value if h.severity else None) for h in hits}
    assert graded == {9: "low", 15: "low", 21: None}
    assert "clean-up while the original error propagates" in hits[0].fields["clause"]
