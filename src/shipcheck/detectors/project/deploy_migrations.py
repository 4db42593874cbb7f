"""Migrations that exist but that no deployment step runs (``db.migrations``).

A deployment runs migrations when one of its steps does: the image's command or the
entrypoint script it starts (``python manage.py migrate && exec gunicorn …``), any
container of the Kubernetes manifests (a Job, an init container, a Helm hook in a chart's
templates), any service of the Compose file, a Procfile ``release`` process, ``app.json``
scripts, ``heroku.yml``'s release phase, ``fly.toml``'s ``release_command``, Render's
``preDeployCommand``, or a CI deploy job. Scripts of the repository that a step runs are read
one level deep. Each deployment (the Kubernetes manifests, one Compose project, one
Procfile) is judged on its own and reported at the process that serves the application.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from shipcheck import lazyre, roles
from shipcheck.detectors.dockerfile.shell import split_commands
from shipcheck.detectors.project.targets import TARGET_KINDS, Target, entry, repo_path, targets
from shipcheck.detectors.registry import detector
from shipcheck.detectors.workflows.runtime_facts import CiDeployCommand
from shipcheck.models.artifacts import Kind
from shipcheck.models.facts import K8sRuntime
from shipcheck.models.findings import Hit
from shipcheck.project import ProjectModel

_DJANGO = lazyre.compile(r"(?:^|/)migrations/\d{4}_\w+\.py$")
_ALEMBIC = lazyre.compile(r"(?:^|/)(?:alembic|migrations|migration|db)/versions/\w+\.py$")
# A step that migrates: Django's migrate, Alembic's upgrade, Flask-Migrate's `db upgrade`,
# a project CLI's `db upgrade` / `database upgrade` / `migrate` subcommand, a script named so.
MIGRATES = lazyre.compile(
    r"\bmigrate\b|\bmigrations?\b|\balembic\b[^\n;&|]*\bupgrade\b|"
    r"\b(?:db|database)\s+(?:upgrade|migrate|init)\b|\bmigrate[-_.]\w+|\w+[-_]migrate\b",
    re.IGNORECASE,
)
_PLATFORM_FILES = (("fly.toml", r"release_command"), ("render.yaml", r"preDeployCommand"),
                   ("railway.toml", r"preDeployCommand"), ("railway.json", r"preDeployCommand"),
                   ("heroku.yml", r"release"), ("app.json", r"scripts"))  # fmt: skip


@dataclass
class Migrations:
    """The project's migrations: the framework and the files."""

    kind: str  # Django | Alembic
    files: list[str]

    def under(self, scope: str | None) -> list[str]:
        """Migration files within ``scope`` (a build context or folder)."""
        if scope in (None, "."):
            return self.files
        return [f for f in self.files if f.startswith(scope + "/")]


def migrations(project: ProjectModel) -> list[Migrations]:
    """The project's Django and Alembic migrations (shipping files only)."""
    django, alembic = [], []
    for path, kind in sorted(project.files.items()):
        if kind is not Kind.PYTHON or not roles.of(path).role.ships:
            continue
        # A Django migrations folder is a package; a loose `migrations/0001_x.py` is not.
        package = posixpath.join(posixpath.dirname(path), "__init__.py")
        if _DJANGO.search(path) and package in project.files:
            django.append(path)
        elif _ALEMBIC.search(path):
            alembic.append(path)
    found = []
    if django:
        found.append(Migrations("Django", django))
    if alembic:
        found.append(Migrations("Alembic", alembic))
    return found


@dataclass
class Deployment:
    """One way the project is deployed: its processes and the steps that could migrate."""

    name: str
    targets: list[Target] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)  # command texts
    checked: list[str] = field(default_factory=list)  # what was looked at, for the message


def _script_texts(project: ProjectModel, target: Target | None, text: str, base: str) -> list[str]:
    """Texts of repository scripts a command line runs (one level)."""
    found = []
    for command in split_commands(text):
        words = command.argv
        if not words:
            continue
        first = words[0]
        candidates = [first]
        if command.name in {"sh", "bash"} and len(words) > 1:
            candidates.append(words[1])
        if command.name.startswith("python") and len(words) > 1:
            candidates.append(words[1])
        for word in candidates:
            if "/" not in word and "." not in word:
                continue
            path = repo_path(project, target, word) if target is not None else None
            if path is None:
                normal = posixpath.normpath(posixpath.join(base, word))
                path = normal if not normal.startswith("..") and project.exists(normal) else None
            script = project.read_text(path) if path else None
            if script:
                found.append(script)
    return found


def _argv_text(argv: list[str] | tuple[str, ...] | None) -> str:
    return " ".join(argv) if argv else ""


def _target_steps(project: ProjectModel, target: Target) -> list[str]:
    text = target.text if target.text is not None else _argv_text(target.argv)
    base = target.scope or "."
    return [text, *_script_texts(project, target, text, base)] if text else []


def _helm_templates(project: ProjectModel) -> list[str]:
    """Texts of Helm chart templates that could migrate (Jobs, hooks, init containers).

    Templates are not in the scan (templated YAML is skipped with a diagnostic), so each
    chart's ``templates/`` folder is listed directly; charts come from the scan's file list,
    so ignored trees are never walked."""
    charts = sorted(
        posixpath.dirname(p) for p in project.files if posixpath.basename(p) == "Chart.yaml"
    )
    texts = []
    for chart in charts[:10]:
        folder = posixpath.join(chart, "templates") if chart else "templates"
        try:
            names = sorted(os.listdir(project.root / folder))
        except OSError:
            continue
        for name in [n for n in names if n.endswith((".yaml", ".yml"))][:50]:
            text = project.read_text(posixpath.join(folder, name))
            if text and re.search(r"kind:\s*(Job|CronJob)|helm\.sh/hook|initContainers", text):
                texts.append(text)
    return texts


def deployments(project: ProjectModel) -> list[Deployment]:
    """The project's deployments with their steps."""
    everywhere = [f.command for f in project.facts_of(CiDeployCommand)]
    found: dict[str, Deployment] = {}
    all_targets = targets(project)
    k8s = [t for t in all_targets if t.kind == "kubernetes"]
    if k8s:
        deployment = found.setdefault("kubernetes", Deployment("the Kubernetes manifests"))
        deployment.targets = k8s
        for target in k8s:
            deployment.steps += _target_steps(project, target)
        for fact in project.facts_of(K8sRuntime):
            if fact.init and not fact.sidecar:
                deployment.steps.append(_argv_text([*(fact.command or ()), *(fact.args or ())]))
        deployment.steps += _helm_templates(project)
    for target in all_targets:
        if target.kind == "compose":
            folder = target.key[0]
            deployment = found.setdefault(
                f"compose:{folder}", Deployment(f"the Compose files in {folder or '.'}")
            )
            deployment.targets.append(target)
            deployment.steps += _target_steps(project, target)
        elif target.kind == "procfile":
            deployment = found.setdefault(f"procfile:{target.path}", Deployment(target.path))
            deployment.targets.append(target)
            deployment.steps += _target_steps(project, target)
    for key, deployment in found.items():
        if key.startswith("procfile:"):
            folder = posixpath.dirname(key.split(":", 1)[1])
            for name, pattern in _PLATFORM_FILES:
                path = posixpath.join(folder, name) if folder else name
                text = project.read_text(path)
                if text and re.search(pattern, text):
                    deployment.steps.append(text)
                    deployment.checked.append(path)
        deployment.steps += everywhere
    return list(found.values())


def _serves(project: ProjectModel, target: Target) -> bool:
    """Whether the target serves the application in production. A development server (code
    reloading) marks a development stack, where developers migrate by hand."""
    app = entry(project, target)
    if app is not None:
        if app.development_server:
            return False
        if app.server:
            return True
    return bool(target.runner and target.runner.runs_server)


def _applies(project: ProjectModel) -> bool:
    return project.complete and bool(migrations(project))


@detector(
    "project.migrations-not-run-at-deploy",
    kind=Kind.PROJECT,
    needs=TARGET_KINDS,
    applies=_applies,
)
def migrations_not_run_at_deploy(project: ProjectModel, params: None) -> Iterator[Hit]:
    """Django or Alembic migrations exist, and no step of a deployment runs them: reported
    at the first process of that deployment that serves the application from the code the
    migrations belong to."""
    found = migrations(project)
    if not found:
        return
    for deployment in deployments(project):
        if any(MIGRATES.search(step) for step in deployment.steps if step):
            continue
        for target in deployment.targets:
            # A test or development stack (a CI Compose file, a devcontainer) deploys nothing.
            if not roles.of(target.path).role.ships or not _serves(project, target):
                continue
            scope = target.scope
            mine = [m for m in found if m.under(scope)]
            if not mine:
                continue
            described = " and ".join(
                f"{len(m.under(scope))} {m.kind} migration{'s' if len(m.under(scope)) != 1 else ''}"
                for m in mine
            )
            yield Hit(
                path=target.path,
                line=target.line,
                column=target.column,
                fields={
                    "target": target.where,
                    "migrations": described,
                    "deployment": deployment.name,
                },
                context=f"migrations {target.kind} {'/'.join(target.key)}",
            )
            break
