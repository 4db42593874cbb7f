"""Reading commands: the shell subset, server classification, pip and apt invocations,
image references and instruction arguments."""

from __future__ import annotations

import pytest

from shipcheck.detectors.dockerfile.apt import apt_call
from shipcheck.detectors.dockerfile.pip import pip_call, unpinned_packages
from shipcheck.detectors.dockerfile.servers import dev_server_in_text, python_targets
from shipcheck.detectors.dockerfile.shell import split_commands, unwrap
from shipcheck.detectors.dockerfile.syntax import exec_form, pairs, parse_image, transfer
from shipcheck.models.artifacts import Instruction


def argvs(script: str) -> list[list[str]]:
    return [c.argv for c in split_commands(script)]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (
            "apt-get update && apt-get install -y x >/dev/null 2>&1 || true",
            [["apt-get", "update"], ["apt-get", "install", "-y", "x"], ["true"]],
        ),
        (
            'echo "a && b" ; (cd /x && make) | tee log',
            [["echo", "a && b"], ["cd", "/x"], ["make"], ["tee", "log"]],
        ),
        ("sudo -u app -E pip3 install flask  # trailing comment", [["pip3", "install", "flask"]]),
        (
            'sh -ec "python manage.py migrate && exec gunicorn app:app"',
            [["python", "manage.py", "migrate"], ["gunicorn", "app:app"]],
        ),
        ("/usr/bin/tini -- gosu app python -m worker", [["python", "-m", "worker"]]),
        (
            "if [ -f req.txt ]; then pip install -r req.txt; fi",
            [["[", "-f", "req.txt", "]"], ["pip", "install", "-r", "req.txt"]],
        ),
        (
            "pip install $(cat pkgs.txt) 'a b'\\\n  c",
            [["pip", "install", "$(cat pkgs.txt)", "a b", "c"]],
        ),
        ("cat <<EOF > /etc/app.conf", [["cat"]]),
        ("", []),
        ("'unterminated", [["unterminated"]]),
    ],
)
def test_split_commands(script, expected):
    assert argvs(script) == expected


def test_leading_assignments_are_the_command_environment():
    (command,) = split_commands("PIP_NO_CACHE_DIR=1 FOO='a b' pip install x")
    assert command.env == {"PIP_NO_CACHE_DIR": "1", "FOO": "a b"}
    assert command.argv == ["pip", "install", "x"]
    assert unwrap(["env", "A=1", "python", "app.py"])[0].env == {"A": "1"}


@pytest.mark.parametrize(
    ("command", "label"),
    [
        ("flask run --host=0.0.0.0", "flask run"),
        ("python3 -m flask --app shop --debug run", "flask run"),
        ("python manage.py runserver 0.0.0.0:8000", "manage.py runserver"),
        ("./manage.py runserver_plus", "manage.py runserver_plus"),
        ("django-admin runserver --settings=x.dev", "django-admin runserver"),
        ("uvicorn app:app --reload", "uvicorn --reload"),
        ("python -m uvicorn app:app --host 0.0.0.0 --reload", "uvicorn --reload"),
        ("gunicorn --reload app:app", "gunicorn --reload"),
        ("fastapi dev app/main.py", "fastapi dev"),
        ("python -m http.server 8000", "http.server"),
        ("sh -c 'python manage.py migrate && python manage.py runserver'", "runserver"),
        ("gunicorn app:app", None),
        ("uvicorn app:app --workers 4", None),
        ("uvicorn app:app --reload=false", None),
        ("fastapi run app/main.py", None),
        ("flask --app shop db upgrade", None),
        ("python -m worker.run", None),
        ("celery -A tasks worker", None),
        ("python manage.py migrate", None),
        ("gunicorn flask_run:app", None),
    ],
)
def test_dev_server_classification(command, label):
    found = dev_server_in_text(command)
    if label is None:
        assert found is None
    else:
        assert found is not None and label in found.label


def test_python_targets():
    targets = python_targets(
        split_commands(
            "python -u app.py && python -m shop.cli x && "
            "python -m gunicorn app:app && python -c 'x'"
        )
    )
    assert [(t.script, t.module) for t in targets] == [("app.py", None), (None, "shop.cli")]


@pytest.mark.parametrize(
    ("command", "unpinned"),
    [
        ("pip install flask gunicorn==23.0.0", ["flask"]),
        ("pip install --upgrade pip setuptools", ["pip", "setuptools"]),
        (
            "python -m pip install 'redis>=5' 'celery~=5.4' x==1.*",
            ["redis>=5", "celery~=5.4", "x==1.*"],
        ),
        ("pip install -r requirements.txt -e . ./lib dist/a-1.0-py3-none-any.whl", []),
        ("pip install -c constraints.txt flask", []),
        ("pip install --index-url https://x/simple 'uvicorn[standard]==0.30.6'", []),
        ('pip install "poetry==${POETRY_VERSION}" $EXTRA', []),
        ("pip install 'pkg @ https://example.com/pkg-1.0.tar.gz'", []),
        # A git install is pinned by a commit only (a branch or tag moves).
        ("pip install git+https://x/y.git", ["git+https://x/y.git"]),
        ("pip install 'y @ git+https://x/y.git@v1.2'", ["y @ git+https://x/y.git@v1.2"]),
        ("pip install git+https://x/y.git@" + "a" * 40, []),
        ("pip wheel --wheel-dir /w numpy", ["numpy"]),
        ("pip --no-cache-dir install django", ["django"]),
        ("uv pip install --system ruff", ["ruff"]),
        ("pip uninstall -y flask", []),
        ("pip list", []),
    ],
)
def test_unpinned_packages(command, unpinned):
    (parsed,) = split_commands(command)
    call = pip_call(parsed, include_uv=True)
    assert call is not None
    assert unpinned_packages(call) == unpinned


def test_pip_call_skips_other_programs():
    assert pip_call(split_commands("pipenv install")[0]) is None
    assert pip_call(split_commands("uv pip install x")[0]) is None  # only when asked


def test_apt_call():
    (command,) = split_commands(
        "apt-get -o Dpkg::Options::=--force-confnew install -y --no-install-recommends a b"
    )
    call = apt_call(command)
    assert call is not None and call.action == "install" and call.packages == ["a", "b"]
    assert "--no-install-recommends" in call.options
    assert apt_call(split_commands("apt-get -y")[0]) is None


@pytest.mark.parametrize(
    ("reference", "registry", "repository", "tag", "digest"),
    [
        ("python", None, "python", None, None),
        ("python:3.12-slim", None, "python", "3.12-slim", None),
        ("docker.io/library/python:3.12", "docker.io", "python", "3.12", None),
        ("localhost:5000/team/app:1.0", "localhost:5000", "team/app", "1.0", None),
        (
            "gcr.io/distroless/python3-debian12:nonroot",
            "gcr.io",
            "distroless/python3-debian12",
            "nonroot",
            None,
        ),
        ("python@sha256:abc", None, "python", None, "sha256:abc"),
        ("python:3.12@sha256:abc", None, "python", "3.12", "sha256:abc"),
    ],
)
def test_parse_image(reference, registry, repository, tag, digest):
    image = parse_image(reference)
    assert (image.registry, image.repository, image.tag, image.digest) == (
        registry,
        repository,
        tag,
        digest,
    )


def test_exec_form_and_pairs_and_transfers():
    assert exec_form('["gunicorn", "app:app"]') == ["gunicorn", "app:app"]
    assert exec_form("[gunicorn, app]") is None  # not JSON: Docker runs it through a shell
    assert exec_form('["a", 1]') is None
    env = Instruction("ENV", 'A=1 B="two words" C=x\\ y', 1, 1, "")
    assert [(p.key, p.value) for p in pairs(env)] == [("A", "1"), ("B", "two words"), ("C", "x y")]
    legacy = Instruction("ENV", "SECRET_KEY some value", 1, 1, "")
    assert [(p.key, p.value) for p in pairs(legacy)] == [("SECRET_KEY", "some value")]
    bare = Instruction("ARG", "TOKEN", 1, 1, "")
    assert [(p.key, p.has_value) for p in pairs(bare)] == [("TOKEN", False)]
    copy = transfer(Instruction("COPY", "--from=build --chown=app /a /b /dest/", 1, 1, ""))
    assert copy is not None and copy.from_stage == "build"
    assert (copy.sources, copy.dest) == (["/a", "/b"], "/dest/")
    json_copy = transfer(Instruction("ADD", '["my file.txt", "/app/"]', 1, 1, ""))
    assert json_copy is not None and json_copy.sources == ["my file.txt"]
