"""Required environment against what each deployment target provides.

The application's required variables are those its code reads at start-up with no default
(:mod:`shipcheck.detectors.python.env_reads`), in the modules the target actually runs
(:mod:`.appcode`: the entry module of its command, the Django settings it loads, and what
they import). What a target provides: the image's ``ENV``; a Kubernetes container's
``env`` and ``envFrom`` ConfigMaps/Secrets defined in the scanned manifests (kustomize
patches of the same container included); a Compose service's ``environment`` and
``env_file`` (the file in the repository, or the ``.env.example`` that documents it);
a Procfile platform's ``app.json`` (``env`` and the variables its add-ons set); env files
the code loads itself; and what the platform always sets (``HOSTNAME``, ``PORT`` on
Heroku…). Whenever a source may provide variables shipcheck cannot list — an ``envFrom``
or generator it cannot read, an ``env_file`` outside the repository with no template, an
unknown add-on, a Procfile with no ``app.json`` — the target is not judged.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck import lazyre
from shipcheck.detectors.compose.runtime_settings import ComposeEnv
from shipcheck.detectors.kubernetes.container_settings import K8sConfigData, K8sContainerEnv
from shipcheck.detectors.project.appcode import AppCode, app_code
from shipcheck.detectors.project.targets import TARGET_KINDS, Target, targets
from shipcheck.detectors.python.env_reads import EnvVarRead, ModuleEnv
from shipcheck.detectors.registry import detector
from shipcheck.detectors.secrets.envfile import is_template_env
from shipcheck.models.artifacts import Kind
from shipcheck.models.findings import Hit
from shipcheck.parsers import envfile
from shipcheck.project import ProjectModel

# Set in every container by the runtime (or by Kubernetes' service links).
_RUNTIME_NAMES = frozenset({"HOSTNAME", "HOME", "PATH", "PWD", "TERM", "SHLVL", "LANG"})
_SERVICE_LINK = lazyre.compile(
    r"^[A-Z0-9_]+_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_\d+_[A-Z]+(_[A-Z]+)?)?)$"
)
# Heroku sets these for every dyno.
_HEROKU_NAMES = frozenset({"PORT", "DYNO", "DYNO_RAM", "WEB_CONCURRENCY", "HEROKU_APP_NAME"})
# Variables Heroku add-ons set (app.json ``addons``), by add-on service name.
ADDON_VARIABLES: dict[str, tuple[str, ...]] = {
    "heroku-postgresql": ("DATABASE_URL",),
    "heroku-redis": ("REDIS_URL", "REDIS_TLS_URL"),
    "rediscloud": ("REDISCLOUD_URL",),
    "redistogo": ("REDISTOGO_URL",),
    "cloudamqp": ("CLOUDAMQP_URL",),
    "memcachier": ("MEMCACHIER_SERVERS", "MEMCACHIER_USERNAME", "MEMCACHIER_PASSWORD"),
    "sendgrid": ("SENDGRID_USERNAME", "SENDGRID_PASSWORD", "SENDGRID_API_KEY"),
    "mailgun": ("MAILGUN_API_KEY", "MAILGUN_DOMAIN", "MAILGUN_PUBLIC_KEY", "MAILGUN_SMTP_LOGIN",
                "MAILGUN_SMTP_PASSWORD", "MAILGUN_SMTP_PORT", "MAILGUN_SMTP_SERVER"),
    "papertrail": ("PAPERTRAIL_API_TOKEN",),
    "bonsai": ("BONSAI_URL",),
    "searchbox": ("SEARCHBOX_URL", "SEARCHBOX_SSL_URL"),
    "sentry": ("SENTRY_DSN",),
    "scheduler": (),
    "heroku-kafka": ("KAFKA_URL", "KAFKA_TRUSTED_CERT", "KAFKA_CLIENT_CERT",
                     "KAFKA_CLIENT_CERT_KEY", "KAFKA_PREFIX"),
    "bucketeer": ("BUCKETEER_AWS_ACCESS_KEY_ID", "BUCKETEER_AWS_SECRET_ACCESS_KEY",
                  "BUCKETEER_AWS_REGION", "BUCKETEER_BUCKET_NAME"),
}  # fmt: skip
_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".tmpl", ".defaults")


@dataclass
class Provided:
    """What a target provides: variable names and the sources they were read from, or
    ``anything`` (with why) when a source cannot be listed."""

    names: set[str]
    sources: list[str]
    anything: str | None = None

    def has(self, read: EnvVarRead) -> bool:
        """Whether the target provides the variable ``read`` reads."""
        if read.var in self.names or read.var in _RUNTIME_NAMES or _SERVICE_LINK.match(read.var):
            return True
        return not read.exact and read.var.upper() in {n.upper() for n in self.names}


def env_file_keys(project: ProjectModel, path: str) -> list[str] | None:
    """Keys of an env file in the repository, None when it cannot be read."""
    text = project.read_text(path)
    if text is None:
        return None
    return [e.key for e in envfile.parse(path, text.encode("utf-8")).entries]


def _template_of(project: ProjectModel, path: str) -> str | None:
    """The committed template that documents an env file that is not in the repository."""
    folder, name = posixpath.split(path)
    stems = [name, ".env"] if name != ".env" else [name]
    for stem in stems:
        for suffix in _TEMPLATE_SUFFIXES:
            candidate = posixpath.join(folder, stem + suffix)
            if project.exists(candidate):
                return candidate
        if stem == ".env":
            for word in ("example", "sample", "template", "dist"):
                candidate = posixpath.join(folder, f"{word}.env")
                if project.exists(candidate):
                    return candidate
    return None


def _kubernetes(project: ProjectModel, target: Target, provided: Provided) -> None:
    data = project.facts_of(K8sConfigData)
    for fact in project.facts_of(K8sContainerEnv):
        if (fact.workload_kind, fact.workload, fact.container) != target.key or fact.init:
            continue
        provided.names.update(fact.names)
        provided.sources.append(f"env of {fact.path}:{fact.line}")
        for ref in fact.env_from:
            objects = [d for d in data if d.kind == ref.kind and d.name == ref.name]
            label = f"{'ConfigMap' if ref.kind == 'configMap' else 'Secret'} `{ref.name}`"
            if not objects:
                provided.anything = f"envFrom {label} is not defined in the scanned manifests"
                return
            for obj in objects:
                if obj.keys is None:
                    provided.anything = f"the keys of {label} ({obj.path}) are not listed"
                    return
                keys = list(obj.keys)
                for env_file in obj.env_files:
                    listed = env_file_keys(project, env_file)
                    if listed is None:
                        provided.anything = f"{label} reads {env_file}, not in the repository"
                        return
                    keys += listed
                provided.names.update(ref.prefix + k for k in keys)
                provided.sources.append(f"{label} ({obj.path})")


def _compose_service(
    project: ProjectModel, facts: list[ComposeEnv], provided: Provided, depth: int = 0
) -> None:
    for fact in facts:
        provided.names.update(fact.names)
        provided.sources.append(f"environment of {fact.path}:{fact.line}")
        for ref in fact.env_files:
            if "$" in ref.path:
                provided.anything = f"env_file `{ref.path}` is interpolated"
                return
            keys = env_file_keys(project, ref.path)
            where = ref.path
            if keys is None:
                template = _template_of(project, ref.path)
                keys = env_file_keys(project, template) if template else None
                where = f"{template}, the template of {ref.path}"
            if keys is None:
                if not ref.required:
                    continue
                provided.anything = f"env_file {ref.path} is not in the repository"
                return
            provided.names.update(keys)
            provided.sources.append(f"env_file {where}")
        if fact.extends_file is not None or depth > 3:
            provided.anything = f"service `{fact.service}` extends a service in another file"
            return
        if fact.extends is not None:
            base = [
                f
                for f in project.facts_of(ComposeEnv)
                if f.path == fact.path and f.service == fact.extends
            ]
            _compose_service(project, base, provided, depth + 1)


def _compose(project: ProjectModel, target: Target, provided: Provided) -> None:
    folder, service = target.key
    facts = [
        f
        for f in project.facts_of(ComposeEnv)
        if f.service == service and posixpath.dirname(f.path) == folder
    ]
    _compose_service(project, facts, provided)


def _procfile(project: ProjectModel, target: Target, provided: Provided) -> None:
    folder = posixpath.dirname(target.path)
    manifest = posixpath.join(folder, "app.json") if folder else "app.json"
    text = project.read_text(manifest)
    if text is None:
        provided.anything = "the platform's config vars are not in the repository (no app.json)"
        return
    try:
        data = json.loads(text)
    except ValueError:
        provided.anything = f"{manifest} is not valid JSON"
        return
    env = data.get("env") if isinstance(data, dict) else None
    if isinstance(env, dict):
        provided.names.update(str(k) for k in env)
    addons = data.get("addons") if isinstance(data, dict) else None
    for addon in addons if isinstance(addons, list) else []:
        plan = addon.get("plan") if isinstance(addon, dict) else addon
        service = str(plan or "").split(":", 1)[0]
        if service not in ADDON_VARIABLES:
            provided.anything = (
                f"add-on `{service}` of {manifest} sets variables shipcheck does not know"
            )
            return
        provided.names.update(ADDON_VARIABLES[service])
    provided.names.update(_HEROKU_NAMES)
    provided.sources.append(manifest)


def loaded_env_files(
    project: ProjectModel, target: Target, code: AppCode
) -> Iterator[tuple[ModuleEnv, str]]:
    """(module, repository path) of each env file the code loads itself and the repository
    holds: the name as written, from the build context, the module's folder or the root."""
    for module, name in code.loads_dotenv:
        bases = [target.scope or ".", posixpath.dirname(module.path) or ".", "."]
        for base in bases:
            candidate = posixpath.normpath(posixpath.join(base, name or ".env"))
            if candidate.startswith("..") or is_template_env(candidate):
                continue
            if project.exists(candidate):
                yield module, candidate
                break


def _dotenv(project: ProjectModel, target: Target, code: AppCode, provided: Provided) -> None:
    """Env files the code loads itself, when they are in the repository."""
    for module, candidate in loaded_env_files(project, target, code):
        keys = env_file_keys(project, candidate)
        if keys is not None:
            provided.names.update(keys)
            provided.sources.append(f"{candidate} (loaded by {module.path})")


def provided_by(project: ProjectModel, target: Target, code: AppCode) -> Provided:
    """What ``target`` provides to the code it runs."""
    provided = Provided(names=set(target.env), sources=[])
    if target.dockerfile:
        provided.sources.append(f"ENV of {target.dockerfile}")
    if target.kind == "kubernetes":
        _kubernetes(project, target, provided)
    elif target.kind == "compose":
        _compose(project, target, provided)
    else:
        _procfile(project, target, provided)
    _dotenv(project, target, code, provided)
    return provided


def _applies(project: ProjectModel) -> bool:
    return project.complete and bool(project.facts_of(ModuleEnv))


def _missing_text(missing: list[tuple[ModuleEnv, EnvVarRead]], limit: int = 4) -> str:
    shown = [f"`{r.var}` ({m.path}:{r.line})" for m, r in missing[:limit]]
    more = len(missing) - limit
    text = ", ".join(shown)
    return text + (f" and {more} more" if more > 0 else "")


@detector(
    "project.required-env-not-provided",
    kind=Kind.PROJECT,
    needs=TARGET_KINDS,
    applies=_applies,
)
def required_env_not_provided(project: ProjectModel, params: None) -> Iterator[Hit]:
    """Deployment targets (Kubernetes containers, Compose services, Procfile processes) that
    do not provide a variable the code they run reads at start-up with no default. Silent
    when the target's command or entry module is unknown, or a source may provide variables
    that cannot be listed."""
    for target in targets(project):
        code = app_code(project, target)
        if code is None:
            continue
        required = code.required()
        if not required:
            continue
        provided = provided_by(project, target, code)
        if provided.anything is not None:
            continue
        missing: list[tuple[ModuleEnv, EnvVarRead]] = []
        seen: set[str] = set()
        for module, read in required:
            if read.var not in seen and not provided.has(read):
                seen.add(read.var)
                missing.append((module, read))
        if not missing:
            continue
        names = ", ".join(f"`{r.var}`" for _, r in missing)
        yield Hit(
            path=target.path,
            line=target.line,
            column=target.column,
            fields={
                "target": target.where,
                "missing": _missing_text(missing),
                "code": code.describe(),
                "names": names,
            },
            context=f"{target.kind} {'/'.join(target.key)} env {names}",
        )
