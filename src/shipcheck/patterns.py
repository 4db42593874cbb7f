"""Ignore-file and configuration-glob matching; the implementations live in
:mod:`shipcheck.ignorefiles` (git's and Docker's exact semantics)."""

from __future__ import annotations

from shipcheck.ignorefiles import DockerIgnore, GitIgnore, glob_match

__all__ = ["DockerIgnore", "GitIgnore", "glob_match"]
