"""Unsafe values set by the deployment, not the code: a setting the code reads from the
environment (:mod:`.env_settings`: ``DEBUG = env.bool("DEBUG")``, ``ALLOWED_HOSTS =
os.environ["ALLOWED_HOSTS"].split(",")``) given an unsafe value by what deploys it
(:mod:`.deploy_env`): a Kubernetes container's ``env``, a ConfigMap it reads through
``envFrom`` or ``configMapKeyRef``, a Compose service's ``environment`` (a ``${VAR}``
followed into the ``.env`` Compose interpolates from), its ``env_file``, or a committed
``.env`` the code it runs loads itself.

Each deployment target is followed to the code it runs (:mod:`~shipcheck.detectors.project.
appcode`) and only the settings of that code count; when the code cannot be told, the
settings of every shipped module count, for a target built from the repository. The value
is evaluated the way the code reads it: ``DEBUG=1`` under ``os.environ.get("DEBUG") ==
"True"`` turns nothing on. Development material is not a deployment: development files
and folders, Compose files that run a development server or mount the source, targets
whose server reloads code, ``.env.example``-style templates and ``.env.development``.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck import lazyre, roles
from shipcheck.buildcontexts import contexts_of
from shipcheck.detectors.compose.runtime_settings import ComposeEnv
from shipcheck.detectors.config.debug_env import debug_setting
from shipcheck.detectors.config.deploy_env import DeployEnv, EnvValue
from shipcheck.detectors.config.env_settings import (
    DEBUG_GROUP,
    HARDENING,
    HARDENING_GROUP,
    PLACEHOLDER,
    EnvSetting,
)
from shipcheck.detectors.config.pyeval import UNKNOWN, evaluate_with
from shipcheck.detectors.kubernetes.container_settings import K8sConfigData, K8sContainerEnv
from shipcheck.detectors.project.appcode import AppCode, app_code
from shipcheck.detectors.project.entrypoints import reloads
from shipcheck.detectors.project.environment import loaded_env_files, provided_by
from shipcheck.detectors.project.targets import Target, entry, targets
from shipcheck.detectors.registry import detector, refiner
from shipcheck.detectors.secrets.envfile import _development_env, is_template_env
from shipcheck.models.artifacts import Kind
from shipcheck.models.findings import Finding, Hit
from shipcheck.parsers import envfile
from shipcheck.patterns import DockerIgnore
from shipcheck.project import ProjectModel

_TRUE = frozenset({"1", "true", "yes", "on", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "off", "n", "f"})
_INTERPOLATION = lazyre.compile(r"^\$\{(\w+)(?::?-([^}]*))?\}$|^\$(\w+)$")


@dataclass(frozen=True)
class Deployed:
    """The value a target is given for a variable, where it is written, and how messages
    name that place."""

    value: EnvValue
    path: str
    where: str
    direct: bool = False  # a literal in the container's env / service's environment


@dataclass(frozen=True)
class Unsafe:
    """One unsafe value: where it is set, the setting it reaches, the target."""

    deployed: Deployed
    setting: EnvSetting
    target: Target
    effect: str


# --- what a target is given ----------------------------------------------------------------


def _env_file_values(project: ProjectModel, path: str) -> list[EnvValue] | None:
    if is_template_env(path) or _development_env(path):
        return None
    text = project.read_text(path)
    if text is None:
        return None
    parsed = envfile.parse(path, text.encode("utf-8"))
    return [
        EnvValue(name=e.key, value=e.value, line=e.line, column=e.column) for e in parsed.entries
    ]


def _config_maps(project: ProjectModel) -> dict[str, list[DeployEnv]]:
    found: dict[str, list[DeployEnv]] = {}
    for fact in project.facts_of(DeployEnv):
        if fact.kind == "configmap":
            found.setdefault(fact.key[0], []).append(fact)
    return found


def _kubernetes(project: ProjectModel, target: Target) -> dict[str, Deployed | None]:
    """Variables → value (None: set from a Secret or something not literal)."""
    given: dict[str, Deployed | None] = {}
    maps = _config_maps(project)
    generated = {
        d.name: d.env_files for d in project.facts_of(K8sConfigData) if d.kind == "configMap"
    }
    label = target.label
    for fact in project.facts_of(K8sContainerEnv):
        if (fact.workload_kind, fact.workload, fact.container) != target.key or fact.init:
            continue
        for ref in fact.env_from:
            if ref.kind != "configMap":
                continue
            for config in maps.get(ref.name, []):
                where = f"in ConfigMap `{ref.name}` (envFrom of {label})"
                for value in config.values:
                    name = ref.prefix + value.name
                    given[name] = Deployed(
                        dataclasses.replace(value, name=name), config.path, where
                    )
            for env_file in generated.get(ref.name, ()):
                where = f"in {env_file} (ConfigMap `{ref.name}`, envFrom of {label})"
                for value in _env_file_values(project, env_file) or []:
                    name = ref.prefix + value.name
                    given[name] = Deployed(dataclasses.replace(value, name=name), env_file, where)
        for name in fact.names:
            given[name] = None  # valueFrom, or a literal read below
    for fact in project.facts_of(DeployEnv):
        if fact.kind != "kubernetes" or fact.key != target.key:
            continue
        for value in fact.values:
            given[value.name] = Deployed(value, fact.path, f"in {label}", direct=True)
        for ref in fact.refs:
            for config in maps.get(ref.config_map, []):
                for value in config.values:
                    if value.name == ref.key:
                        where = (
                            f"in ConfigMap `{ref.config_map}` (key `{ref.key}`, read by {label})"
                        )
                        given[ref.name] = Deployed(
                            dataclasses.replace(value, name=ref.name), config.path, where
                        )
    return given


def _interpolate(
    project: ProjectModel, compose: str, value: EnvValue, where: str
) -> Deployed | None:
    """``DEBUG: ${DEBUG:-false}``: the value of the ``.env`` Compose reads next to the file,
    else the default written in place."""
    match = _INTERPOLATION.match(value.value.strip())
    if match is None:
        return None
    name = match.group(1) or match.group(3)
    dotenv = posixpath.join(posixpath.dirname(compose), ".env")
    for item in _env_file_values(project, dotenv) or []:
        if item.name == name:
            described = f"in {dotenv} (interpolated into {where}, {compose}:{value.line})"
            return Deployed(dataclasses.replace(item, name=value.name), dotenv, described)
    default = match.group(2)
    if default is None or "$" in default:
        return None
    written = dataclasses.replace(value, value=default)
    return Deployed(written, compose, f"as the default of `{value.value}` in {where}")


def _compose(project: ProjectModel, target: Target) -> dict[str, Deployed | None] | None:
    """None for a development stack."""
    service = target.key[1]
    given: dict[str, Deployed | None] = {}
    label = target.label
    # The target's own file: another Compose file of the folder is another stack (or a
    # development override, which is not judged).
    for fact in project.facts_of(ComposeEnv):
        if fact.service != service or fact.path != target.path:
            continue
        for ref in fact.env_files:
            where = f"in {ref.path} (env_file of {label})"
            for value in _env_file_values(project, ref.path) or []:
                given[value.name] = Deployed(value, ref.path, where)
        for name in fact.names:
            given[name] = None  # passed through from the shell, or a literal read below
    for fact in project.facts_of(DeployEnv):
        if fact.kind != "compose" or fact.key != (service,):
            continue
        if fact.path != target.path:
            continue
        if fact.development:
            return None
        for value in fact.values:
            if "$" in value.value:
                given[value.name] = _interpolate(project, fact.path, value, label)
            else:
                given[value.name] = Deployed(value, fact.path, f"in {label}", direct=True)
    return given


def _dotenv(
    project: ProjectModel, target: Target, code: AppCode, given: dict[str, Deployed | None]
) -> None:
    """Env files the code loads itself (``load_dotenv()``, ``read_env()``, a settings
    class's ``env_file``): they set only what the deployment leaves unset."""
    provided = provided_by(project, target, code)
    if provided.anything is not None:
        return
    # What the deployment sets (not ``provided.names``, which counts these env files too).
    env_names = set(given) | set(target.env)
    for module, path in loaded_env_files(project, target, code):
        values = _env_file_values(project, path)
        if values is None or not _in_image(project, target, path):
            continue
        where = f"in {path} (loaded by {module.path}, which {target.label} runs)"
        for value in values:
            if value.name not in env_names:
                given.setdefault(value.name, Deployed(value, path, where))


def _in_image(project: ProjectModel, target: Target, path: str) -> bool:
    """Whether an env file reaches the target's image: not when every build context's
    ``.dockerignore`` leaves it out."""
    if target.dockerfile is None:
        return True
    found = contexts_of(project, target.dockerfile)
    for context in found:
        inside = context.inside(path)
        if inside is None:
            continue
        text = project.read_text(context.ignore_file) if context.ignore_file else None
        if not DockerIgnore.from_text(text or "").excludes(inside):
            return True
    return not found


def _reloads(project: ProjectModel, target: Target) -> bool:
    """A development server (``runserver``, ``flask run``, ``--reload``)."""
    app = entry(project, target)
    if app is not None:
        return app.development_server
    return reloads(tuple(target.argv or ()))


# --- what the code makes of it -------------------------------------------------------------


def _settings_for(project: ProjectModel, target: Target, code: AppCode | None) -> list[EnvSetting]:
    facts = project.facts_of(EnvSetting)
    if code is None:
        runner = target.runner
        if runner is None or not runner.ours:
            return []
        # Only the Python code of the target's build context (not a frontend's image).
        prefix = f"{target.scope}/" if target.scope not in (None, ".") else ""
        return [
            f for f in facts if f.var and roles.of(f.path).role.ships and f.path.startswith(prefix)
        ]
    paths = {m.path for m in code.modules}
    mine = [f for f in facts if f.path in paths]
    settings_path = code.settings.path if code.settings is not None else None
    fixed = {name for f in mine if f.path == settings_path and not f.var for name in f.fixed}
    # The settings module the target loads sets it itself (``DEBUG = False`` in
    # production.py after ``from .base import *``): the environment does not reach it.
    return [f for f in mine if f.var and not (f.setting in fixed and f.path != settings_path)]


def _conventional(text: str) -> str:
    return text.strip().strip("\"'").lower()


def effect(setting: EnvSetting, value: str) -> str | None:
    """What ``value`` does to ``setting`` (None when it is safe or cannot be told)."""
    result = evaluate_with(setting.expr, PLACEHOLDER, value)
    if result is UNKNOWN:
        return None
    word = _conventional(value)
    name = setting.setting
    if setting.group == DEBUG_GROUP:
        return f"turns on `{name}`" if word in _TRUE and bool(result) else None
    kind = HARDENING.get(name.upper())
    if kind == "hosts":
        items = result if isinstance(result, tuple | list | str) else ()
        accepted = "*" in items or any(isinstance(i, str) and i.strip() == "*" for i in items)
        return f"makes `{name}` accept any Host header" if accepted else None
    if kind == "secure":
        return f"turns off `{name}`" if word in _FALSE and not result else None
    return None


def _matches(setting: EnvSetting, name: str) -> bool:
    return setting.var == name if setting.exact else setting.var.upper() == name.upper()


def unsafe_values(project: ProjectModel) -> list[Unsafe]:
    """Every unsafe value a deployment target is given for a setting of its code (computed
    once per scan), one per place and kind of setting."""
    memo = project.memo.get("deploy_unsafe_values")
    if memo is not None:
        return memo  # type: ignore[no-any-return]
    found: dict[tuple[str, int, str], Unsafe] = {}
    if project.facts_of(EnvSetting):
        for target in targets(project):
            for item in _target_unsafe(project, target):
                # One finding per value and rule, however many settings read the variable.
                key = (item.deployed.path, item.deployed.value.line, item.setting.group)
                found.setdefault(key, item)
    result = list(found.values())
    project.memo["deploy_unsafe_values"] = result
    return result


def _target_unsafe(project: ProjectModel, target: Target) -> Iterator[Unsafe]:
    if not roles.of(target.path).role.ships or _reloads(project, target):
        return
    if target.kind == "kubernetes":
        given: dict[str, Deployed | None] | None = _kubernetes(project, target)
    elif target.kind == "compose":
        given = _compose(project, target)
    else:
        given = {}
    if given is None:
        return
    code = app_code(project, target)
    if code is not None:
        _dotenv(project, target, code, given)
    settings = _settings_for(project, target, code)
    for name, deployed in given.items():
        if deployed is None or not roles.of(deployed.path).role.ships:
            continue
        for setting in settings:
            if not _matches(setting, name):
                continue
            what = effect(setting, deployed.value.value)
            if what is not None:
                yield Unsafe(deployed=deployed, setting=setting, target=target, effect=what)


def _reported_by_cfg005(item: Unsafe) -> bool:
    """CFG005 reports debug variables written in a container's or service's environment."""
    value = item.deployed.value
    return item.deployed.direct and debug_setting(value.name, value.value) is not None


def _code_ref(setting: EnvSetting) -> str:
    return f"{setting.path}:{setting.line}: `{setting.code}`"


def _hits(project: ProjectModel, group: str) -> Iterator[Hit]:
    for item in unsafe_values(project):
        if item.setting.group != group:
            continue
        if group == DEBUG_GROUP and _reported_by_cfg005(item):
            continue
        value = item.deployed.value
        yield Hit(
            path=item.deployed.path,
            line=value.line,
            column=value.column,
            fields={
                "assignment": f"{value.name}={value.value}",
                "where": item.deployed.where,
                "effect": item.effect,
                "code": _code_ref(item.setting),
            },
            context=f"{group} {value.name} {item.setting.setting}",
        )


def _applies(project: ProjectModel) -> bool:
    return project.complete and bool(project.facts_of(EnvSetting))


_DEPLOYMENTS = (Kind.KUBERNETES, Kind.COMPOSE)


@detector(
    "project.debug-set-by-deployment", kind=Kind.PROJECT, needs=_DEPLOYMENTS, applies=_applies
)
def debug_set_by_deployment(project: ProjectModel, params: None) -> Iterator[Hit]:
    """A debug flag the code reads from the environment (``DEBUG = env.bool("DEBUG")``)
    switched on by a deployment: a ConfigMap a container reads, a Compose ``env_file``, the
    ``.env`` Compose interpolates from or the code loads. A literal in a container's
    ``env`` or a service's ``environment`` named for debugging is CFG005's."""
    yield from _hits(project, DEBUG_GROUP)


@detector(
    "project.hardening-off-by-deployment", kind=Kind.PROJECT, needs=_DEPLOYMENTS, applies=_applies
)
def hardening_off_by_deployment(project: ProjectModel, params: None) -> Iterator[Hit]:
    """A hardening setting the code reads from the environment set unsafe by a deployment:
    ``ALLOWED_HOSTS=*``, ``SECURE_SSL_REDIRECT``, ``SESSION_COOKIE_SECURE`` or
    ``CSRF_COOKIE_SECURE`` false, in a container's ``env``, a ConfigMap, a Compose
    service's ``environment`` or ``env_file``, or a ``.env`` the deployment uses."""
    yield from _hits(project, HARDENING_GROUP)


@refiner("config.debug-env-var")
def debug_env_var_reader(project: ProjectModel, finding: Finding) -> Finding:
    """Name the code a deployment's debug variable reaches (CFG005 sees the manifest alone)."""
    for item in unsafe_values(project):
        if (
            item.deployed.path == finding.path
            and item.deployed.value.line == finding.line
            and _reported_by_cfg005(item)
        ):
            note = f"; it turns on `{item.setting.setting}` ({_code_ref(item.setting)})"
            return dataclasses.replace(finding, message=finding.message + note)
    return finding
