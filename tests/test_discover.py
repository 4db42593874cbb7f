"""Discovery and bad input: what is scanned, what is skipped, and that nothing crashes."""

from __future__ import annotations

import os

from shipcheck.classify import classify
from shipcheck.discover import walk
from shipcheck.models.artifacts import Kind

from conftest import run_scan


def _paths(root, excludes=(), max_size=2_000_000):
    found = walk(root, root, list(excludes), max_size)
    return [f.path for f in found.files], found.diagnostics


def test_classification_by_name():
    expected = {
        "app/main.py": Kind.PYTHON,
        "requirements.txt": Kind.REQUIREMENTS,
        "requirements/prod.txt": Kind.REQUIREMENTS,
        "dev-requirements.txt": Kind.REQUIREMENTS,
        "requirements.in": Kind.REQUIREMENTS,
        "pyproject.toml": Kind.PYPROJECT,
        "Pipfile": Kind.PIPFILE,
        "poetry.lock": Kind.LOCKFILE,
        "Dockerfile": Kind.DOCKERFILE,
        "Dockerfile.prod": Kind.DOCKERFILE,
        "docker/api.dockerfile": Kind.DOCKERFILE,
        "Containerfile": Kind.DOCKERFILE,
        ".dockerignore": Kind.DOCKERIGNORE,
        "k8s/deploy.yaml": Kind.YAML,
        ".env": Kind.ENV,
        ".env.production": Kind.ENV,
        "Procfile": Kind.PROCFILE,
        "config/settings.ini": Kind.TEXT,
        "README.rst": Kind.TEXT,
    }
    for path, kind in expected.items():
        assert classify(path) == kind, path
    for path in ("logo.png", "Dockerfile.md", "docs/Dockerfile.txt", "archive.tar.gz"):
        assert classify(path) is None or classify(path) is Kind.TEXT, path
    assert classify("logo.png") is None


def test_gitignore_nested_and_negation(tmp_path):
    (tmp_path / ".gitignore").write_text("*.log\nbuild-output/\nsecrets.env\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / ".gitignore").write_text("generated_*.py\n!generated_keep.py\n")
    for name in ("app/main.py", "app/generated_api.py", "app/generated_keep.py",
                 "build-output/Dockerfile", "secrets.env", "Dockerfile"):  # fmt: skip
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")
    paths, _ = _paths(tmp_path)
    assert paths == ["Dockerfile", "app/generated_keep.py", "app/main.py"]


def test_default_skips_and_excludes(tmp_path):
    for name in ("node_modules/pkg/x.py", ".venv/lib/site.py", "env2/pyvenv.cfg", "env2/lib/a.py",
                 "vendor/lib.py", "src/app.py", "legacy/old.py", "x.egg-info/PKG-INFO"):  # fmt: skip
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("a = 1\n")
    paths, _ = _paths(tmp_path, excludes=["legacy/"])
    assert paths == ["src/app.py"]


def test_symlinks_are_never_followed_out_of_the_tree(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("x = 1\n")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "app.py").write_text("x = 1\n")
    os.symlink(outside / "secret.py", root / "linked.py")
    os.symlink(outside, root / "linked_dir")
    os.symlink(root / "loop_b.py", root / "loop_a.py")
    os.symlink(root / "loop_a.py", root / "loop_b.py")
    os.symlink(root, root / "self_dir")
    paths, diagnostics = _paths(root)
    assert paths == ["app.py"]
    reasons = {d.path: d.reason for d in diagnostics}
    assert "outside the scanned tree" in reasons["linked.py"]
    assert "loop" in reasons["loop_a.py"]


def test_bad_input_becomes_diagnostics_and_the_scan_goes_on(tmp_path):
    files = {
        "app.py": "import os\n",
        "legacy/py2.py": "print 'hello'\n",
        "k8s/broken.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n",
        "chart/templates/deployment.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
        ),
        "requirements.txt": "requests\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "blob.json").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "huge.txt").write_text("a" * 3000)
    report = run_scan(tmp_path, fail_on="never", max_file_size=2048)
    reasons = {d.path: d.reason for d in report.diagnostics}
    assert "Python 2" in reasons["legacy/py2.py"]
    assert "invalid YAML at line 4" in reasons["k8s/broken.yaml"]
    assert "flow mapping at line 3" in reasons["k8s/broken.yaml"]
    assert "helm template" in reasons["chart/templates/deployment.yaml"]
    assert reasons["blob.json"] == "binary file, skipped"
    assert "over the 2,048-byte limit" in reasons["huge.txt"]
    assert any(f.rule_id == "DEP001" for f in report.findings), "the scan went on"


def test_unreadable_file_is_a_diagnostic(tmp_path, monkeypatch):
    from shipcheck import filepass

    (tmp_path / "requirements.txt").write_text("requests\n")
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\n")

    real = filepass._read

    def deny(abspath, size):
        if abspath.endswith("Dockerfile"):
            raise PermissionError(13, "Permission denied")
        return real(abspath, size)

    monkeypatch.setattr(filepass, "_read", deny)
    report = run_scan(tmp_path, fail_on="never")
    assert {d.path: d.reason for d in report.diagnostics}[
        "Dockerfile"
    ] == "not readable: Permission denied"
    assert any(f.path == "requirements.txt" for f in report.findings)


def test_strange_text_does_not_crash(tmp_path):
    (tmp_path / "latin1.py").write_bytes("# coding: latin-1\nname = 'caf\xe9'\n".encode("latin-1"))
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "scalar.yaml").write_text("just a string\n")
    (tmp_path / "deep.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    (tmp_path / "anchors.yaml").write_text(
        "a: &a [1, 2]\nb: [*a, *a, *a]\nc: !!python/object:os.system x\n"
    )
    (tmp_path / "Dockerfile").write_text("\n\n# only comments\n")
    (tmp_path / "weird.env").write_text("=novalue\nexport\nKEY\n")
    (tmp_path / "requirements.txt").write_text(
        "--index-url https://x\n???\n-e .\nflask[async]>=2; python_version>'3'\n"
    )
    report = run_scan(tmp_path, fail_on="never")
    assert not [d for d in report.diagnostics if "internal" in d.reason or "failed" in d.reason]
