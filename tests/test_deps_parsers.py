"""Requirements, pyproject/Pipfile and lock-file parsing for the dependency rules."""

from __future__ import annotations

import json

import pytest

from shipcheck.detectors.deps.facts import (
    DependencyManifest,
    Lockfile,
    TomlLines,
    declared_in_pipfile,
    declared_in_pyproject,
    lock_facts,
    locked_packages,
    requirement_facts,
    run_installs,
    toml_dependency_facts,
)
from shipcheck.models.artifacts import Kind
from shipcheck.models.facts import Dependency
from shipcheck.parsers import ParseError, parse
from shipcheck.parsers.requirements import guess_name
from shipcheck.parsers.requirements import parse as parse_requirements
from shipcheck.parsers.tomlfiles import parse_lockfile, parse_pipfile, parse_pyproject


def _reqs(text: str | bytes):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_requirements("requirements.txt", data)


# --- requirements files ------------------------------------------------------------------------


def test_includes_and_constraints_in_every_spelling():
    doc = _reqs(
        "-r base.txt\n--requirement=prod.txt\n-rlocal.txt\n--requirement extra.txt\n"
        "-c constraints.txt\n--constraint=pins.txt  # comment\n"
    )
    assert doc.includes == [
        ("base.txt", 1),
        ("prod.txt", 2),
        ("local.txt", 3),
        ("extra.txt", 4),
        ("constraints.txt", 5),
        ("pins.txt", 6),
    ]
    assert doc.constraints == [("constraints.txt", 5), ("pins.txt", 6)]
    assert not doc.requirements and not doc.options


def test_hashes_and_line_continuations():
    doc = _reqs(
        "requests==2.32.3 \\\n"
        "    --hash=sha256:aaaa \\\n"
        "    --hash sha256:bbbb\n"
        "idna==3.7 --hash=sha256:cccc\n"
    )
    first, second = doc.requirements
    assert (first.name, first.specifier, first.line) == ("requests", "==2.32.3", 1)
    assert first.hashes == ("sha256:aaaa", "sha256:bbbb")
    assert first.pinned
    assert (second.line, second.hashes) == (4, ("sha256:cccc",))


def test_markers_extras_and_specifiers():
    doc = _reqs(
        'psycopg[binary,pool]==3.2.1 ; python_version >= "3.10"  # db\n'
        "django >= 4.2, < 5\n"
        "celery~=5.4\n"
        "Pillow===10.0.0\n"
        "pytz==2024.*\n"
    )
    psycopg, django, celery, pillow, pytz = doc.requirements
    assert psycopg.extras == ("binary", "pool")
    assert psycopg.marker == 'python_version >= "3.10"'
    assert psycopg.pinned
    assert django.specifier == "<5,>=4.2" and not django.pinned
    assert not celery.pinned
    assert pillow.pinned and pillow.specifier == "===10.0.0"
    assert not pytz.pinned


@pytest.mark.parametrize(
    ("line", "name", "url", "extras"),
    [
        ("-e .", "", ".", ()),
        ("-e ./libs/shared", "shared", "./libs/shared", ()),
        ("--editable ./libs/shared", "shared", "./libs/shared", ()),
        (
            "--editable=git+https://github.com/acme/y.git#egg=y[extra]",
            "y",
            "git+https://github.com/acme/y.git#egg=y[extra]",
            ("extra",),
        ),
        (
            "-e git+https://github.com/acme/x.git@main#egg=x",
            "x",
            "git+https://github.com/acme/x.git@main#egg=x",
            (),
        ),
    ],
)
def test_editable_installs(line, name, url, extras):
    (req,) = _reqs(line + "\n").requirements
    assert (req.name, req.url, req.extras, req.editable) == (name, url, extras, True)
    assert not req.pinned


def test_direct_references_urls_and_paths():
    doc = _reqs(
        "pkg @ https://example.com/pkg-1.0.tar.gz#sha256=abc\n"
        "https://example.com/foo_bar-1.0-py3-none-any.whl\n"
        "./local_pkg\n"
        "../other/pkg.tar.gz\n"
        "file:///tmp/pkg#egg=pkgname\n"
        "git+ssh://git@github.com/acme/z.git@v1.0\n"
        'https://example.com/win-1.0-py3-none-any.whl ; sys_platform == "win32"\n'
    )
    got = [(r.name, r.url, r.editable, r.marker) for r in doc.requirements]
    assert got == [
        ("pkg", "https://example.com/pkg-1.0.tar.gz#sha256=abc", False, None),
        ("foo_bar", "https://example.com/foo_bar-1.0-py3-none-any.whl", False, None),
        ("local_pkg", "./local_pkg", False, None),
        ("pkg", "../other/pkg.tar.gz", False, None),
        ("pkgname", "file:///tmp/pkg#egg=pkgname", False, None),
        ("z", "git+ssh://git@github.com/acme/z.git@v1.0", False, None),
        ("win", "https://example.com/win-1.0-py3-none-any.whl", False, 'sys_platform == "win32"'),
    ]


def test_global_options_and_garbage_are_kept_as_options():
    doc = _reqs(
        "--index-url https://pypi.org/simple\n"
        "--extra-index-url=https://private.example.com/simple\n"
        "-i https://mirror/simple\n"
        "--trusted-host mirror\n"
        "--find-links ./wheels\n"
        "--no-binary :all:\n"
        "garbage line here!!\n"
        "==1.0\n"
        "flask==3.0.3 --install-option='--prefix=/x'\n"
    )
    assert [r.name for r in doc.requirements] == ["flask"]
    assert [number for _, number in doc.options] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_odd_bytes_never_crash():
    for data in (
        b"",
        b"\\",
        b"flask==1.0 \\",
        b"\xff\xfe\x00bad",
        "caf\u00e9==1\r\n".encode(),
        b"-e",
    ):
        parse_requirements("requirements.txt", data)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://h/simplejson-3.19.2-cp312-cp312-manylinux.whl", ("simplejson", ())),
        ("https://h/my.pkg-2.0.tar.gz", ("my.pkg", ())),
        ("git+https://github.com/acme/tool.git@v2#subdirectory=py", ("tool", ())),
        ("https://h/x#egg=real-name[a,b]", ("real-name", ("a", "b"))),
        ("C:\\src\\proj", ("proj", ())),
        (".", ("", ())),
    ],
)
def test_guess_name(url, expected):
    assert guess_name(url) == expected


def test_requirement_facts_and_manifest():
    doc = parse_requirements(
        "requirements/prod.txt",
        b"-r base.txt\n-c ../constraints.txt\nFlask==3.0.3\nredis>=5\n"
        b"-e git+https://github.com/acme/a.git@main#egg=audit\n-e .\n",
    )
    facts = list(requirement_facts(doc))
    deps = [f for f in facts if isinstance(f, Dependency)]
    assert [(f.name, f.pinned, f.version) for f in deps] == [
        ("flask", True, "3.0.3"),
        ("redis", False, None),
        ("audit", False, None),
    ]
    assert deps[0].display == "Flask"
    (manifest,) = [f for f in facts if isinstance(f, DependencyManifest)]
    assert manifest.dir == ""  # requirements/ speaks for the folder above
    assert manifest.includes == ("requirements/base.txt",)
    assert manifest.constraints == ("constraints.txt",)
    assert manifest.ranged == ("redis", "audit")
    assert manifest.pinned == ("flask",)


def test_dev_files_are_recognised_word_by_word():
    from shipcheck.detectors.deps.common import is_dev_file

    assert is_dev_file("requirements-dev.txt")
    assert is_dev_file("test-requirements.txt")
    assert is_dev_file("requirements/local.txt")
    assert is_dev_file("requirements/tests/base.txt")
    assert not is_dev_file("requirements-docker.txt")
    assert not is_dev_file("requirements-social.txt")
    assert not is_dev_file("requirements/production.txt")


# --- pyproject.toml and Pipfile ----------------------------------------------------------------

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "Catalog_API"
version = "1.0"
dependencies = [
    "flask>=3.0",
    "gunicorn==22.0.0",
    'tomli>=2; python_version < "3.11"',
    "shared @ git+https://github.com/acme/shared.git@main",
]

[project.optional-dependencies]
postgres = ["psycopg[binary]>=3.1"]
test = ["pytest>=8"]

[dependency-groups]
lint = ["ruff>=0.5", {include-group = "test"}]

[tool.uv]
dev-dependencies = ["mypy>=1.10"]

[tool.poetry.dependencies]
python = "^3.11"
django = "5.0.7"
celery = {version = "^5.3", extras = ["redis"]}
pywin32 = {version = "^306", markers = "sys_platform == 'win32'"}
multi = [{version = "<2", python = "<3.9"}, {version = ">=2", python = ">=3.9"}]
vendored = {path = "../vendored", develop = true}
internal = {git = "https://github.com/acme/internal.git", branch = "main"}

[tool.poetry.group.docs.dependencies]
sphinx = "^7"
"""


def test_declared_in_pyproject_covers_every_table():
    doc = parse_pyproject("pyproject.toml", PYPROJECT.encode())
    declared = {(d.name, d.section): d for d in declared_in_pyproject(doc)}
    assert declared[("flask", "project.dependencies")].line == 9
    assert declared[("gunicorn", "project.dependencies")].version == "22.0.0"
    assert declared[("tomli", "project.dependencies")].marker == 'python_version < "3.11"'
    shared = declared[("shared", "project.dependencies")]
    assert shared.direct and shared.moving and shared.ranged
    assert declared[("pytest", "project.optional-dependencies.test")].dev
    assert not declared[("psycopg", "project.optional-dependencies.postgres")].dev
    assert declared[("ruff", "dependency-groups.lint")].dev
    assert declared[("mypy", "tool.uv.dev-dependencies")].dev
    django = declared[("django", "tool.poetry.dependencies")]
    assert (django.pinned, django.version, django.line) == (True, "5.0.7", 27)
    assert not declared[("celery", "tool.poetry.dependencies")].pinned
    assert declared[("celery", "tool.poetry.dependencies")].extras == ("redis",)
    assert declared[("pywin32", "tool.poetry.dependencies")].marker
    assert declared[("multi", "tool.poetry.dependencies")].marker
    vendored = declared[("vendored", "tool.poetry.dependencies")]
    assert vendored.direct and not vendored.ranged
    assert declared[("internal", "tool.poetry.dependencies")].moving
    assert declared[("sphinx", "tool.poetry.group.docs.dependencies")].dev
    assert ("python", "tool.poetry.dependencies") not in declared


def test_pyproject_manifest_summary():
    doc = parse_pyproject("svc/pyproject.toml", PYPROJECT.encode())
    (manifest,) = [f for f in toml_dependency_facts(doc) if isinstance(f, DependencyManifest)]
    assert (manifest.name, manifest.build_system, manifest.distribution) == (
        "catalog-api",
        True,
        True,
    )
    assert manifest.dir == "svc" and manifest.line == 8
    assert "gunicorn" in manifest.pinned and "flask" in manifest.ranged


@pytest.mark.parametrize(
    "text",
    [
        'project = "x"\n',
        '[project]\ndependencies = "flask"\n',
        "[project]\ndependencies = [1, 2, {a = 1}, 'not a requirement !!']\n",
        "[project]\noptional-dependencies = [1]\n",
        "[project.optional-dependencies]\ndev = 'pytest'\n",
        "dependency-groups = 3\n",
        "[tool]\npoetry = 1\n",
        "[tool.poetry]\ndependencies = ['flask']\ngroup = {dev = 1}\n",
        "[tool.poetry.dependencies]\nflask = 3\nx = {version = 1}\n",
        "[tool.pdm.dev-dependencies]\ntest = 'pytest'\n",
        "[tool.uv]\ndev-dependencies = {a = 1}\nworkspace = 'no'\n",
    ],
)
def test_odd_pyproject_shapes_do_not_crash(text):
    doc = parse_pyproject("pyproject.toml", text.encode())
    list(toml_dependency_facts(doc))


def test_pipfile_sections_and_categories():
    text = (
        '[[source]]\nurl = "https://pypi.org/simple"\nname = "pypi"\n\n'
        '[packages]\nflask = "==3.0.3"\nrequests = "*"\n'
        'pywinpty = {version = "*", sys_platform = "== \'win32\'"}\n'
        'shared = {git = "https://github.com/acme/shared.git", ref = "develop"}\n\n'
        '[dev-packages]\npytest = "*"\n\n[docs]\nsphinx = ">=7"\n\n'
        '[requires]\npython_version = "3.12"\n'
    )
    doc = parse_pipfile("Pipfile", text.encode())
    declared = {d.name: d for d in declared_in_pipfile(doc)}
    assert declared["flask"].pinned and declared["flask"].line == 6
    assert declared["requests"].spec == "" and declared["requests"].ranged
    assert declared["pywinpty"].marker
    assert declared["shared"].moving and "develop" in (declared["shared"].source or "")
    assert declared["pytest"].dev and declared["pytest"].section == "dev-packages"
    assert declared["sphinx"].dev and declared["sphinx"].group == "docs"
    assert "python-version" not in declared and "url" not in declared


def test_toml_lines_finds_tables_keys_and_entries():
    where = TomlLines(PYPROJECT.splitlines())
    assert where.table("project") == (5, 14)
    assert where.key("project", "dependencies") == 8
    assert where.entry("project", "dependencies", "gunicorn==22.0.0") == 10
    assert where.key("tool.poetry.group.docs.dependencies", "sphinx") == 35
    assert where.key("nope", "x") is None


# --- lock files ------------------------------------------------------------------------------------

UV_LOCK = """\
version = 1

[[package]]
name = "Flask"
version = "3.0.3"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "werkzeug" },
]

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version < '3.12'"]

[[package]]
name = "numpy"
version = "2.0.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "tool"
version = "1.0"
source = { git = "https://github.com/acme/tool?rev=v1#abc" }
"""


def test_uv_lock_packages_lines_and_sources():
    doc = parse_lockfile("uv.lock", UV_LOCK.encode())
    packages, valid, _ = locked_packages(doc)
    assert valid
    got = [(p.name, p.version, p.line, p.registry) for p in packages]
    assert got == [
        ("flask", "3.0.3", 4, True),
        ("app", "0.1.0", 12, False),
        ("numpy", "1.26.4", 17, True),
        ("numpy", "2.0.1", 23, True),
        ("tool", "1.0", 28, False),
    ]


def test_poetry_pdm_and_pylock():
    poetry = parse_lockfile(
        "poetry.lock",
        b'[[package]]\nname = "django"\nversion = "5.0.7"\ngroups = ["main"]\n\n'
        b'[[package]]\nname = "pytest"\nversion = "8.3.2"\ngroups = ["dev"]\n\n'
        b'[[package]]\nname = "fork"\nversion = "1.0"\n\n[package.source]\ntype = "git"\n'
        b'url = "https://x"\n\n[metadata]\nlock-version = "2.1"\n',
    )
    packages, valid, _ = locked_packages(poetry)
    assert valid
    assert [(p.name, p.dev, p.registry) for p in packages] == [
        ("django", False, True),
        ("pytest", True, True),
        ("fork", False, False),
    ]
    pdm = parse_lockfile(
        "pdm.lock",
        b'[metadata]\ngroups = ["default", "test"]\n\n[[package]]\nname = "flask"\n'
        b'version = "3.0.3"\ngroups = ["default"]\n\n[[package]]\nname = "local"\n'
        b'version = "0.1"\npath = "./local"\n',
    )
    packages, valid, groups = locked_packages(pdm)
    assert groups == ["default", "test"]
    assert [(p.name, p.registry) for p in packages] == [("flask", True), ("local", False)]
    pylock = parse_lockfile(
        "pylock.toml",
        b'lock-version = "1.0"\n\n[[packages]]\nname = "attrs"\nversion = "23.2.0"\n'
        b'wheels = [{url = "https://x/attrs.whl"}]\n\n[[packages]]\nname = "mine"\n'
        b'directory = {path = "."}\n',
    )
    packages, _, _ = locked_packages(pylock)
    assert [(p.name, p.version, p.registry) for p in packages] == [
        ("attrs", "23.2.0", True),
        ("mine", None, False),
    ]


def test_pipfile_lock_sections_and_lines():
    data = {
        "_meta": {"hash": {"sha256": "x"}},
        "default": {
            "requests": {"version": "==2.31.0", "hashes": []},
            "shared": {"git": "https://x", "ref": "abc"},
        },
        "develop": {"requests": {"version": "==2.32.3"}, "pytest": {"version": "==8.3.2"}},
    }
    text = json.dumps(data, indent=4)
    doc = parse_lockfile("Pipfile.lock", text.encode())
    packages, valid, groups = locked_packages(doc)
    assert valid and groups == ["default", "develop"]
    lines = text.splitlines()
    got = [(p.name, p.version, p.dev, p.registry, lines[p.line - 1].strip()) for p in packages]
    assert got == [
        ("requests", "2.31.0", False, True, '"requests": {'),
        ("shared", None, False, False, '"shared": {'),
        ("requests", "2.32.3", True, True, '"requests": {'),
        ("pytest", "8.3.2", True, True, '"pytest": {'),
    ]
    assert packages[2].line > packages[1].line


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("uv.lock", b"version = 1\npackage = 3\n"),
        ("uv.lock", b"version = 1\n[package]\nname = 'x'\n"),
        ("poetry.lock", b"[[package]]\nversion = 1\n\n[[package]]\nname = 3\n"),
        ("pylock.toml", b"packages = 'none'\n"),
        ("Pipfile.lock", b"[1, 2]"),
        ("Pipfile.lock", b'{"default": [1], "develop": {"x": 1}}'),
    ],
)
def test_odd_lock_shapes_do_not_crash(name, data):
    doc = parse_lockfile(name, data)
    facts = list(lock_facts(doc))
    (summary,) = [f for f in facts if isinstance(f, Lockfile)]
    assert summary.tool in {"uv", "poetry", "pylock", "pipenv"}


def test_invalid_lock_files_are_parse_errors():
    with pytest.raises(ParseError, match="invalid JSON"):
        parse("Pipfile.lock", Kind.LOCKFILE, b"{not json")
    with pytest.raises(ParseError, match="invalid TOML"):
        parse("uv.lock", Kind.LOCKFILE, b"[[package]\nname = 'x'\n")


# --- Dockerfile installs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "servers"),
    [
        ("pip install --no-cache-dir -r requirements.txt gunicorn==22.0.0", ["gunicorn"]),
        ("pip install -r requirements.txt && pip install 'uvicorn[standard]>=0.30'", ["uvicorn"]),
        ("python -m pip install --upgrade pip waitress", ["waitress"]),
        (
            "apt-get update && apt-get install -y --no-install-recommends libapache2-mod-wsgi-py3",
            ["mod-wsgi"],
        ),  # fmt: skip
        ("apk add --no-cache py3-gunicorn uwsgi-plugin-python3", ["gunicorn", "uwsgi"]),
        ("uv pip install --system hypercorn", ["hypercorn"]),
        ("poetry add granian", ["granian"]),
        ("pip install -r requirements.txt", []),
        ("echo gunicorn > /etc/motd", []),
        ("pip download gunicorn", []),
        ("pip install 'unbalanced", []),
    ],
)
def test_run_installs(command, servers):
    assert run_installs(command) == servers
