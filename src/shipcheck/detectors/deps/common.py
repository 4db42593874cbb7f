"""Names and small helpers shared by the dependency detectors."""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from shipcheck import lazyre, roles

# Tokens of a requirements file name, or a dependency group name, that say "not production".
DEV_TOKENS = frozenset(
    {
        "dev", "devel", "develop", "development", "test", "tests", "testing", "docs", "doc",
        "lint", "linting", "ci", "local", "typing", "types", "mypy", "style", "qa", "bench",
        "benchmark", "benchmarks", "coverage", "format", "debug",
    }
)  # fmt: skip
_SPLIT = lazyre.compile(r"[-_.\s]+")
_COMMIT = lazyre.compile(r"@([0-9a-f]{40})(?:#|$)")
_VCS = lazyre.compile(r"^(git|hg|svn|bzr)\+|\.git(@|$|#)")

# Production WSGI/ASGI servers (canonical distribution names), and platforms that bring one.
SERVERS = frozenset(
    {
        "gunicorn", "uvicorn", "uwsgi", "pyuwsgi", "hypercorn", "waitress", "daphne", "granian",
        "mod-wsgi", "mod-wsgi-standalone", "bjoern", "meinheld", "gevent", "eventlet", "cheroot",
        "cherrypy", "socketify", "uvicorn-worker", "nginx-unit",
    }
)  # fmt: skip
# Serverless adapters and hosted runtimes: the platform runs the app, no server is needed.
SERVERLESS = frozenset(
    {
        "mangum", "zappa", "serverless-wsgi", "apig-wsgi", "aws-wsgi", "awsgi",
        "functions-framework", "azure-functions", "vercel-wsgi", "a2wsgi-lambda",
        "aws-lambda-wsgi", "chalice",
    }
)  # fmt: skip
# (distribution, extra) → the server that extra installs.
SERVER_EXTRAS = {
    ("fastapi", "standard"): "uvicorn",
    ("fastapi", "all"): "uvicorn",
    ("fastapi-cli", "standard"): "uvicorn",
    ("litestar", "standard"): "uvicorn",
    ("channels", "daphne"): "daphne",
}
# Frameworks whose development server must not serve production, and the server to suggest.
NEEDS_SERVER = {
    "flask": "gunicorn",
    "django": "gunicorn",
    "fastapi": "uvicorn",
    "starlette": "uvicorn",
    "falcon": "gunicorn",
    "pyramid": "gunicorn",
    "bottle": "gunicorn",
    "litestar": "uvicorn",
}
# Frameworks that depend on a production server themselves (quart → hypercorn).
BRINGS_SERVER = {"quart": "hypercorn"}
LOCK_NAMES = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock", "pylock.toml")
LOCK_TOOLS = {
    "uv.lock": "uv",
    "poetry.lock": "poetry",
    "pdm.lock": "pdm",
    "pipfile.lock": "pipenv",
    "pylock.toml": "pylock",
}


_COMMAND_SERVER = lazyre.compile(
    r"(?<![\w.-])(gunicorn|uvicorn|hypercorn|daphne|granian|uwsgi|waitress-serve|"
    r"mod_wsgi-express|bjoern|fastapi[\"',\s]+run)(?![\w-])"
)


def command_servers(command: str) -> list[str]:
    """Production servers a process command starts (``gunicorn app:app``,
    ``python -m uvicorn …``, ``["waitress-serve", …]``; ``fastapi run`` runs uvicorn)."""
    found = []
    for match in _COMMAND_SERVER.finditer(command):
        word = match.group(1)
        name = {"waitress-serve": "waitress", "mod_wsgi-express": "mod-wsgi"}.get(word, word)
        if word.startswith("fastapi"):
            name = "uvicorn"
        if name not in found:
            found.append(name)
    return found


def canon(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def is_dev_name(name: str) -> bool:
    """A group or file-name stem made of words such as dev, test, docs, lint."""
    return any(token in DEV_TOKENS for token in _SPLIT.split(name.lower()) if token)


def is_dev_file(path: str) -> bool:
    """``requirements-dev.txt``, ``test-requirements.txt``, ``requirements/local.txt``, any
    requirements file under a tests/docs/examples folder, and the like (word by word:
    ``requirements-docker.txt`` is not a dev file): the file's role, or a dev word in its
    name that only dependency files use (``requirements-typing.txt``)."""
    posix = PurePosixPath(path)
    return not roles.of(path).role.ships or is_dev_name(posix.stem)


def is_constraints_file(path: str) -> bool:
    """``constraints.txt``, ``requirements-constraints.txt``, ``constraints/prod.txt``."""
    posix = PurePosixPath(path)
    words = {*_SPLIT.split(posix.stem.lower()), posix.parent.name.lower()}
    return bool(words & {"constraints", "constraint"})


def vcs_unpinned(url: str) -> bool:
    """A VCS URL that names no full commit hash."""
    return bool(_VCS.search(url)) and not _COMMIT.search(url)


def directory(path: str) -> str:
    """The directory a manifest speaks for: its folder, or the folder above a
    ``requirements/`` folder. '' is the project root."""
    parent = posixpath.dirname(path)
    while posixpath.basename(parent).lower() in {"requirements", "reqs"}:
        parent = posixpath.dirname(parent)
    return parent


def within(path_dir: str, ancestor: str) -> bool:
    """Whether directory ``path_dir`` is ``ancestor`` or below it ('' is the root)."""
    return ancestor == "" or path_dir == ancestor or path_dir.startswith(ancestor + "/")


def parse_version(text: str) -> Version | None:
    """A PEP 440 version, or None."""
    try:
        return Version(text)
    except (InvalidVersion, TypeError):
        return None


def parse_specifier(text: str) -> SpecifierSet | None:
    """A PEP 440 specifier set, or None (Poetry's ``^1.2`` / ``~1.2`` are not PEP 440)."""
    try:
        return SpecifierSet(text)
    except (InvalidSpecifier, TypeError):
        return None


def exact_version(spec: str) -> str | None:
    """The version of an exact pin ``==1.2.3`` / ``===1.2.3``, else None."""
    spec = spec.strip()
    if "," in spec:
        return None
    if spec.startswith("==="):
        return spec[3:].strip() or None
    if spec.startswith("==") and not spec.endswith("*"):
        return spec[2:].strip() or None
    return None


# A pinned requirement line: ``name[extras]==1.2.3`` (markers, hashes and comments allowed).
_PIN_LINE = lazyre.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*===?\s*[^\s;#*]+(\s*;.*)?$")
_INDEX_OPTIONS = ("--hash", "--index-url", "-i ", "--extra-index-url", "--find-links")
_LOCK_NAME = lazyre.compile(r"(^|[-_.])(lock|locked|constraints?)([-_.]|$)", re.I)


def is_requirements_lock_name(name: str) -> bool:
    """``requirements.lock``, ``requirements-lock.txt``, ``prod.lock``, ``constraints.txt``:
    names of pip-style lock files (the TOML/JSON locks in :data:`LOCK_NAMES` excluded)."""
    lower = name.lower()
    if name in LOCK_NAMES or not lower.endswith((".lock", ".txt")):
        return False
    return lower.endswith(".lock") or bool(_LOCK_NAME.search(lower[: -len(".txt")]))


def requirements_fully_pinned(text: str) -> bool:
    """Whether a requirements-format text lists at least one package and pins each with
    ``==`` (continuation lines, ``--hash`` options, comments and ``-e .`` aside)."""
    pins = 0
    for raw in text.replace("\\\n", " ").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            if line.startswith(("-e", "--editable")) and line.split()[-1] in {".", "./", "file:."}:
                continue
            if line.startswith(_INDEX_OPTIONS):
                continue
            return False
        line = re.sub(r"\s--hash[= ]\S+", "", line).strip()
        if not _PIN_LINE.match(line):
            return False
        pins += 1
    return pins > 0
