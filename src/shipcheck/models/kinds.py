"""What a file is: the kinds classification gives and detectors register for. A module of
its own so that the core (discovery, the cache, the engine) does not define the parsed
models to name a kind."""

from __future__ import annotations

import enum


class Kind(str, enum.Enum):
    """What a file is. ``ANY`` and ``PROJECT`` are only used by detectors."""

    PYTHON = "python"
    REQUIREMENTS = "requirements"
    PYPROJECT = "pyproject"
    PIPFILE = "pipfile"
    LOCKFILE = "lockfile"
    DOCKERFILE = "dockerfile"
    DOCKERIGNORE = "dockerignore"
    YAML = "yaml"  # YAML that is none of the kinds below
    KUBERNETES = "kubernetes"
    COMPOSE = "compose"
    GITHUB_ACTIONS = "github-actions"
    GITLAB_CI = "gitlab-ci"
    ENV = "env"
    PROCFILE = "procfile"
    TEXT = "text"  # any other text file worth a look (configs, scripts, keys)
    ANY = "any"
    PROJECT = "project"
