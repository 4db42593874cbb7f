"""Ignore files as the tools that read them: git (``.gitignore``, ``info/exclude``) and
Docker (``.dockerignore``), plus the configuration globs built on git's matcher.

- :class:`GitIgnore`: ``is_ignored(path, is_dir)``, ``decider``/``where`` (which file:line
  decided), with git's precedence and its rule that nothing below an excluded folder can be
  re-included.
- :class:`DockerIgnore`: ``excludes(path)``, ``decider`` and ``reincluding_line(path)``, with
  Docker's reading of the file (BOM, ``#`` at column 0, whitespace trimming, ``!`` then
  trimming, ``filepath.Clean``) and moby/patternmatcher's matching.
- :func:`glob_match`: ``exclude`` / ``per-file-ignores`` globs.

No input raises and no pattern takes more than linear time in the path length (see
``automaton``).
"""

from __future__ import annotations

from functools import lru_cache

from shipcheck.ignorefiles.docker import DockerIgnore, DockerPattern
from shipcheck.ignorefiles.git import GitIgnore, GitPattern

__all__ = ["DockerIgnore", "DockerPattern", "GitIgnore", "GitPattern", "glob_match"]


@lru_cache(maxsize=512)
def _glob(glob: str) -> GitIgnore:
    ignore = GitIgnore()
    ignore.add_file("", glob.replace("\n", " ").replace("\r", " "), source="<glob>")
    return ignore


def glob_match(glob: str, path: str, is_dir: bool = False) -> bool:
    """Whether a configuration glob (``tests/**``, ``*.py``, ``migrations/``) covers ``path``.

    The glob is read as one ``.gitignore`` line at the project root: a glob without a slash
    matches a path component at any depth, one with a slash is anchored at the root, a
    trailing ``/`` names folders, and a glob that matches a folder covers everything below it.
    """
    return _glob(glob).is_ignored(path, is_dir)
