"""Requirements fixes: DEP001 pins an unpinned requirement to the version the project's lock
file resolved for it, when the lock file has exactly one entry for that package (from the
package index) and that version satisfies the requirement's current range."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from shipcheck import lazyre
from shipcheck.fixes.context import FixContext
from shipcheck.fixes.edits import Edit, Skipped
from shipcheck.fixes.registry import UNSAFE, fixer
from shipcheck.models.artifacts import Kind, RequirementsFile
from shipcheck.models.findings import Finding
from shipcheck.project import ProjectModel

_NAME = lazyre.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*(\s*\[[^\]]*\])?")


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_versions(project: ProjectModel, requirements_path: str) -> dict[str, str] | None:
    """Package → version from the nearest lock files (the requirements file's folder, then
    its parents up to the project root); a package locked twice, or at two versions, is
    left out. None when there is no lock file."""
    from shipcheck.detectors.deps.facts import locked_packages
    from shipcheck.parsers import ParseError
    from shipcheck.parsers.tomlfiles import parse_lockfile

    locks = project.paths_of(Kind.LOCKFILE)
    folder = posixpath.dirname(requirements_path)
    while True:
        here = [p for p in locks if posixpath.dirname(p) == folder]
        if here:
            break
        if not folder:
            return None
        folder = posixpath.dirname(folder)
    versions: dict[str, set[str | None]] = {}
    for path in here:
        text = project.read_text(path)
        if text is None:
            continue
        try:
            doc = parse_lockfile(path, text.encode("utf-8"))
        except ParseError:
            continue
        packages, _, _ = locked_packages(doc)
        for package in packages:
            name = _canon(package.name)
            versions.setdefault(name, set()).add(package.version if package.registry else None)
    return {
        name: version
        for name, found in versions.items()
        if len(found) == 1 and (version := next(iter(found))) is not None
    }


@fixer(
    "DEP001",
    UNSAFE,  # the build installs the locked version instead of the newest one
    "pin to the version the lock file resolved (`name==version`)",
    needs_project=True,
    marked=False,  # only where a lock file has the package: not known from the finding
)
def pin_from_lock(ctx: FixContext, findings: list[Finding]) -> Iterator[Edit | Skipped]:
    """``requests>=2.0`` → ``requests==2.32.3`` where the lock file says 2.32.3; extras,
    markers and comments stay as written. Requirements with hashes are left alone."""
    artifact = ctx.artifact
    if ctx.project is None or not isinstance(artifact, RequirementsFile):
        return
    locked = locked_versions(ctx.project, ctx.path)
    if locked is None:
        return
    by_line = {req.line: req for req in artifact.requirements}
    for finding in findings:
        req = by_line.get(finding.line)
        if req is None or req.hashes or req.url or req.editable:
            continue
        version = locked.get(_canon(req.name))
        if version is None:
            yield Skipped(finding, f"the lock file has no single version of `{req.name}`")
            continue
        try:
            if not SpecifierSet(req.specifier).contains(Version(version), prereleases=True):
                yield Skipped(
                    finding, f"the locked `{req.name}` {version} is outside {req.specifier}"
                )
                continue
        except (InvalidSpecifier, InvalidVersion):
            continue
        edit = _pin(ctx, finding, req.line, version)
        if edit is not None:
            yield edit


def _pin(ctx: FixContext, finding: Finding, line: int, version: str) -> Edit | None:
    """Replace the version specifier after the name (and extras) on ``line``."""
    text = ctx.lines.line_text(line)
    if text.rstrip().endswith("\\"):
        return None  # continued on the next line: not a layout this fix rewrites
    match = _NAME.match(text)
    if match is None:
        return None
    name_end = match.end()
    # The specifier runs up to a marker (`;`), a comment (` #`) or an option (` --`).
    stop = re.search(r";|\s#|\s--", text[name_end:])
    region = text[name_end : name_end + stop.start()] if stop else text[name_end:]
    spec = region.strip()
    if spec and not re.fullmatch(r"[\s<>=!~.,*0-9A-Za-z+\-]*", spec):
        return None
    start = name_end + (len(region) - len(region.lstrip()) if spec else 0)
    base = ctx.lines.line_start(line)
    end = base + start + len(spec)
    return ctx.edit(finding, base + start, end, f"=={version}", f"pin =={version}")
