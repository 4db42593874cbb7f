"""``python app.py`` where ``app.py`` starts a development server itself (server.production).

A command line alone cannot tell: ``python app.py`` is fine when ``app.py`` runs gunicorn
or a worker loop. The Python file pass records which modules call ``app.run()`` (or
``uvicorn.run(..., reload=True)``) when run as a script (:class:`PythonMainRun` facts); the
project pass follows the image's, Compose service's or Procfile process's command to the
module it runs — through the Dockerfile's ``WORKDIR`` and ``COPY`` instructions — and
reports the command.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from shipcheck.detectors.dockerfile.image_facts import ContextCopy, DockerfileImage
from shipcheck.detectors.dockerfile.linking import contexts
from shipcheck.detectors.dockerfile.servers import python_targets
from shipcheck.detectors.dockerfile.shell import split_commands, unwrap
from shipcheck.detectors.python.main_run import PythonMainRun
from shipcheck.detectors.registry import detector, fact_extractor
from shipcheck.models.artifacts import Kind, Procfile
from shipcheck.models.facts import ComposeBuild, Fact
from shipcheck.models.findings import Hit
from shipcheck.project import ProjectModel


@dataclass(frozen=True, kw_only=True)
class ProcfileProcess(Fact):
    """A Procfile process: its name, its command and the command's column."""

    process: str
    command: str
    column: int


@fact_extractor(Kind.PROCFILE)
def procfile_facts(doc: Procfile) -> Iterator[Fact]:
    """:class:`ProcfileProcess`: each process and its command, for the project rules."""
    for entry in doc.entries:
        column = doc.line_text(entry.line).find(entry.command) + 1 or 1
        yield ProcfileProcess(
            path=doc.path,
            line=entry.line,
            process=entry.process,
            command=entry.command,
            column=column,
        )


def _module_paths(base: str, module: str) -> list[str]:
    stem = posixpath.join(base, *module.split("."))
    return [stem + ".py", posixpath.join(stem, "__main__.py")]


def _container_paths(script: str | None, module: str | None, workdir: str) -> list[str]:
    if script:
        return [posixpath.normpath(posixpath.join(workdir, script))]
    if module:
        return [posixpath.normpath(p) for p in _module_paths(workdir, module)]
    return []


def context_paths(container_path: str, copies: Iterable[ContextCopy]) -> list[str]:
    """Build-context paths a file at ``container_path`` may have been copied from (latest
    COPY first); the caller keeps the ones that exist."""
    found: list[str] = []
    for copy in reversed(list(copies)):
        dest = copy.dest
        for source in copy.sources:
            if container_path.startswith(dest.rstrip("/") + "/"):
                rest = container_path[len(dest.rstrip("/")) + 1 :]
                found.append(posixpath.normpath(posixpath.join(source, rest)))
            target = posixpath.join(dest, posixpath.basename(source)) if copy.folder else dest
            if posixpath.normpath(target) == container_path:
                found.append(source)
    return found


def _in_repo(context: str, relative: str) -> str:
    return posixpath.normpath(posixpath.join(context, relative)) if context != "." else relative


def image_app_module(project: ProjectModel, image: DockerfileImage) -> str | None:
    """The module an image's ``python app.py`` runs when that module starts a server itself
    (``app.run(port=...)``): such an image serves traffic, whatever it EXPOSEs."""
    runs = {f.path: f for f in project.facts_of(PythonMainRun)}
    if not runs:
        return None
    for target in image.python_targets:
        for context in contexts(project, image.path):
            module = _resolve(
                target.script, target.module, image.workdir, image.copies, context, runs
            )
            if module:
                return module
    return None


@detector(
    "project.app-run-entrypoint",
    kind=Kind.PROJECT,
    needs=(Kind.DOCKERFILE, Kind.COMPOSE, Kind.PROCFILE),
)
def app_run_entrypoint(project: ProjectModel, params: None) -> Iterator[Hit]:
    """A Dockerfile CMD/ENTRYPOINT, a Compose ``command`` or a Procfile process runs a Python
    module that starts a development server when run as a script (``app.run()``)."""
    runs = {f.path: f for f in project.facts_of(PythonMainRun)}
    if not runs:
        return
    images = sorted(project.facts_of(DockerfileImage), key=lambda f: (f.path, f.line))
    by_path = {f.path: f for f in images}
    reported: set[tuple[str, int]] = set()
    for image in images:
        path = image.path
        for target in image.python_targets:
            if (path, target.line) in reported:
                continue
            for context in contexts(project, path):
                module = _resolve(
                    target.script, target.module, image.workdir, image.copies, context, runs
                )
                if module:
                    label = f"`{target.keyword}` of stage `{image.stage}`"
                    where = _Where(target.line, target.column, target.end_column)
                    reported.add((path, target.line))
                    yield _hit(path, where, module, runs[module], label)
                    break
    for build in project.facts_of(ComposeBuild):
        built = by_path.get(build.dockerfile)
        command = build.command
        if built is None or command is None:
            continue
        commands = unwrap(list(command)) if isinstance(command, tuple) else split_commands(command)
        workdir = build.working_dir or built.workdir
        for program in python_targets(commands):
            module = _resolve(
                program.script, program.module, workdir, built.copies, build.context, runs
            )
            if module:
                where = _Where(build.command_line or build.line, build.command_column or 1)
                label = f"Compose service `{build.service}`'s `command`"
                yield _hit(build.path, where, module, runs[module], label)
                break
    for process in project.facts_of(ProcfileProcess):
        base = posixpath.dirname(process.path)
        for program in python_targets(split_commands(process.command)):
            candidates = (
                [_in_repo(base or ".", program.script)]
                if program.script
                else [_in_repo(base or ".", p) for p in _module_paths(".", program.module or "")]
            )
            module = next((c for c in candidates if c in runs), None)
            if module:
                where = _Where(process.line, process.column)
                label = f"Procfile process `{process.process}`"
                yield _hit(process.path, where, module, runs[module], label)
                break


def _resolve(
    script: str | None,
    module: str | None,
    workdir: str,
    copies: tuple[ContextCopy, ...],
    context: str,
    runs: dict[str, PythonMainRun],
) -> str | None:
    for container_path in _container_paths(script, module, workdir):
        for relative in context_paths(container_path, copies):
            candidate = _in_repo(context, relative)
            if candidate in runs:
                return candidate
    return None


@dataclass(frozen=True)
class _Where:
    line: int
    column: int = 1
    end_column: int | None = None


def _hit(path: str, where: _Where, module: str, run: PythonMainRun, label: str) -> Hit:
    return Hit(
        line=where.line,
        column=where.column,
        end_column=where.end_column,
        path=path,
        fields={
            "command": label,
            "module": module,
            "call": run.call,
            "call_line": run.line,
            "server": run.server,
        },
        context=f"app-run {label} {module}",
    )
