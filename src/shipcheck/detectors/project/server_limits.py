"""A server's workers and timeouts against what the orchestrator gives the container.

The settings come from the command the target runs (``gunicorn -w 12 -t 60``, ``uvicorn
--workers 4``), ``GUNICORN_CMD_ARGS``, the gunicorn configuration file it reads and
``WEB_CONCURRENCY``, in gunicorn's order of precedence; the limits from Kubernetes
``resources.limits``, the liveness probe, ``terminationGracePeriodSeconds`` and a
``preStop`` sleep, or Compose ``deploy.resources.limits`` and ``stop_grace_period``.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

from shipcheck.detectors.compose.runtime_settings import ComposeLimits
from shipcheck.detectors.kubernetes.container_settings import K8sContainerLimits, Quantity
from shipcheck.detectors.project.binds import expand
from shipcheck.detectors.project.entrypoints import AppEntry
from shipcheck.detectors.project.targets import Target, entry, targets
from shipcheck.detectors.python.gunicorn_settings import GunicornSettings, Setting
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Kind
from shipcheck.models.findings import Hit, Severity
from shipcheck.project import ProjectModel

_DEFAULTS = {"gunicorn": {"workers": 1, "timeout": 30, "graceful_timeout": 30}}
_OPTIONS = {
    "gunicorn": {
        "workers": ("-w", "--workers"),
        "threads": ("--threads",),
        "worker_class": ("-k", "--worker-class"),
        "timeout": ("-t", "--timeout"),
        "graceful_timeout": ("--graceful-timeout",),
    },
    "uvicorn": {"workers": ("--workers",), "graceful_timeout": ("--timeout-graceful-shutdown",)},
    "hypercorn": {"workers": ("-w", "--workers"), "graceful_timeout": ("--graceful-timeout",)},
}
_MIB = 2**20
# Worker classes that answer other requests while one is slow.
_CONCURRENT_WORKERS = ("gevent", "eventlet", "gthread", "tornado", "uvicorn", "aiohttp")


@dataclass(frozen=True)
class Value:
    """A setting's effective value and where it is decided."""

    value: int | str
    where: str
    explicit: bool = True
    cpu_count: bool = False


@dataclass
class ServerSettings:
    """The settings of the server a target runs."""

    server: str
    values: dict[str, Value] = field(default_factory=dict)

    def number(self, name: str) -> int | None:
        """A numeric setting, or None."""
        found = self.values.get(name)
        if found is None or isinstance(found.value, str):
            return None
        return found.value


def _option(args: list[str], names: tuple[str, ...]) -> str | None:
    value = None
    for index, arg in enumerate(args):
        for name in names:
            if arg == name and index + 1 < len(args):
                value = args[index + 1]
            elif arg.startswith(name + "=") and name.startswith("--"):
                value = arg[len(name) + 1 :]
            elif len(name) == 2 and arg.startswith(name) and len(arg) > 2 and arg[2] not in "-=":
                value = arg[2:]
    return value


def _typed(text: str) -> int | str:
    return int(text) if text.strip().isdigit() else text.strip()


def command_where(target: Target) -> str:
    """Where the target's command is written."""
    runner = target.runner
    if "script" in target.extras:
        return f"{target.extras['script']}, the entrypoint script"
    if runner is None:
        return f"{target.path}:{target.line}"
    if runner.overridden:
        line = getattr(runner.fact, "command_line", target.line)
        return f"{target.path}:{line}"
    return f"CMD of {runner.dockerfile}" if runner.dockerfile else target.path


def _config_file(project: ProjectModel, target: Target, app: AppEntry) -> GunicornSettings | None:
    configs = project.facts_of(GunicornSettings)
    if app.config:
        base = posixpath.basename(app.config.removeprefix("python:").replace(".", "/"))
        wanted = {posixpath.basename(app.config.removeprefix("python:")), base + ".py"}
        chosen = [c for c in configs if posixpath.basename(c.path) in wanted]
    else:
        expected = posixpath.normpath(posixpath.join(target.scope or ".", "gunicorn.conf.py"))
        chosen = [c for c in configs if c.path == expected]
    return chosen[0] if len(chosen) == 1 else None


def _from_config(setting: Setting, env: dict[str, str], where: str) -> Value | None:
    if setting.cpu_count:
        return Value(0, where, cpu_count=True)
    if setting.env is not None and setting.env in env:
        return Value(_typed(env[setting.env]), f"{setting.env} read by {where}")
    if setting.value is not None:
        return Value(setting.value, where)
    return None


def server_settings(project: ProjectModel, target: Target) -> ServerSettings | None:
    """The workers and timeouts of the server ``target`` runs (None: no known server)."""
    app = entry(project, target)
    if app is None or app.program not in _OPTIONS:
        return None
    server = app.program
    env = {**target.env, **app.env}
    found = ServerSettings(server)
    where = command_where(target)
    for name, default in _DEFAULTS.get(server, {}).items():
        found.values[name] = Value(default, f"{server}'s default", explicit=False)
    concurrency = env.get("WEB_CONCURRENCY", "")
    if concurrency.strip().isdigit():
        found.values["workers"] = Value(int(concurrency), "WEB_CONCURRENCY")
    if server == "gunicorn":
        config = _config_file(project, target, app)
        for name, setting in (config.settings if config else {}).items():
            value = _from_config(setting, env, f"{config.path}:{setting.line}")  # type: ignore[union-attr]
            if value is not None:
                found.values[name] = value
        extra = env.get("GUNICORN_CMD_ARGS")
        if extra:
            _apply(found, server, _split(extra), "GUNICORN_CMD_ARGS", env)
    _apply(found, server, list(app.command), where, env)
    return found


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _apply(
    found: ServerSettings, server: str, args: list[str], where: str, env: dict[str, str]
) -> None:
    for name, names in _OPTIONS[server].items():
        value = _option(args, names)
        if value is None:
            continue
        resolved = expand(value, env)
        found.values[name] = Value(
            _typed(resolved) if resolved is not None else value,
            f"`{_written(args, names, value)}` in {where}",
        )


def _written(args: list[str], names: tuple[str, ...], value: str) -> str:
    """The option as the command writes it (``--workers=2``, ``-w4``, ``--workers 2``)."""
    for index in range(len(args) - 1, -1, -1):
        arg = args[index]
        if arg in names and index + 1 < len(args) and args[index + 1] == value:
            return f"{arg} {value}"
        if arg.endswith(value) and any(arg.startswith(n) for n in names):
            return arg
    return f"{names[-1]} {value}"


# --- limits ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What a target's container is given."""

    cpu: Quantity | None
    memory: Quantity | None
    grace: Quantity | None
    liveness: tuple[int, int, int] | None  # period, failures, line
    pre_stop: int | None
    path: str


def limits(project: ProjectModel, target: Target) -> Limits | None:
    """The target's limits (the first definition that sets each, across kustomize patches or
    Compose overrides of the same container or service)."""
    if target.kind == "kubernetes":
        facts = [
            f
            for f in project.facts_of(K8sContainerLimits)
            if (f.workload_kind, f.workload, f.container) == target.key
        ]
        if not facts:
            return None
        own = [f for f in facts if f.path == target.path] + [
            f for f in facts if f.path != target.path
        ]
        probe = next((f for f in own if f.liveness_line is not None), None)
        return Limits(
            cpu=next((f.cpu_limit for f in own if f.cpu_limit), None),
            memory=next((f.memory_limit for f in own if f.memory_limit), None),
            grace=next((f.grace_period for f in own if f.grace_period), None),
            liveness=(
                (
                    probe.liveness_period or 10,
                    probe.liveness_failures or 3,
                    probe.liveness_line or 0,
                )
                if probe
                else None
            ),
            pre_stop=next((f.pre_stop_sleep for f in own if f.pre_stop_sleep), None),
            path=target.path,
        )
    if target.kind == "compose":
        folder, service = target.key
        facts = [
            f
            for f in project.facts_of(ComposeLimits)
            if f.service == service and posixpath.dirname(f.path) == folder
        ]
        if not facts:
            return None
        own = [f for f in facts if f.path == target.path] + [
            f for f in facts if f.path != target.path
        ]
        return Limits(
            cpu=next((f.cpu_limit for f in own if f.cpu_limit), None),
            memory=next((f.memory_limit for f in own if f.memory_limit), None),
            grace=next((f.grace_period for f in own if f.grace_period), None),
            liveness=None,
            pre_stop=None,
            path=target.path,
        )
    return None


def _cpus(value: float) -> str:
    text = f"{value:g}"
    return f"{text} CPU" + ("" if value <= 1 else "s")


def _mib(value: float) -> str:
    return f"{value / _MIB:.0f} MiB"


@dataclass(frozen=True)
class WorkersParams:
    """``worker_memory_mib``: the least memory one worker process of a Python web app
    needs (MiB); a limit under workers × this floor is reported."""

    worker_memory_mib: int = 64


def _quantity_hit(
    target: Target, at: Quantity, fields: dict[str, object], severity: Severity | None, context: str
) -> Hit:
    return Hit(
        path=target.path,
        line=at.line,
        column=at.column,
        end_column=at.column + len(at.raw),
        fields={"target": f"{target.label} ({target.path})", **fields},
        severity=severity,
        context=context,
    )


@detector(
    "project.workers-exceed-limits",
    kind=Kind.PROJECT,
    params=WorkersParams,
    needs=(Kind.KUBERNETES, Kind.COMPOSE),
)
def workers_exceed_limits(project: ProjectModel, params: WorkersParams) -> Iterator[Hit]:
    """gunicorn, uvicorn or hypercorn worker counts against the container's CPU limit (more
    than 2 × CPUs + 1 workers, or a count computed from ``cpu_count()``, which sees the
    node's CPUs) and its memory limit (under workers × ``worker_memory_mib``)."""
    for target in targets(project):
        found = limits(project, target)
        if found is None or (found.cpu is None and found.memory is None):
            continue
        settings = server_settings(project, target)
        workers = settings.values.get("workers") if settings else None
        if settings is None or workers is None:
            continue
        key = "/".join(target.key)
        if found.cpu is not None and workers.cpu_count:
            yield _quantity_hit(
                target,
                found.cpu,
                {
                    "problem": f"{settings.server} computes its workers from the CPU count "
                    f"({workers.where}), which counts the node's CPUs, not this limit",
                    "limit": f"limited to {_cpus(found.cpu.value)}",
                },
                None,
                f"{key} workers cpu_count",
            )
            continue
        count = settings.number("workers")
        if count is None or workers.cpu_count:
            continue
        if found.cpu is not None and count > 2 * found.cpu.value + 1:
            most = int(2 * found.cpu.value + 1)
            yield _quantity_hit(
                target,
                found.cpu,
                {
                    "problem": f"{settings.server} starts {count} workers ({workers.where}), more "
                    f"than 2 × CPUs + 1 = {most}: they compete for the CPU and are throttled",
                    "limit": f"limited to {_cpus(found.cpu.value)}",
                },
                None,
                f"{key} workers {count} cpu",
            )
        floor = count * params.worker_memory_mib * _MIB
        if found.memory is not None and found.memory.value < floor:
            yield _quantity_hit(
                target,
                found.memory,
                {
                    "problem": f"{settings.server} starts {count} workers ({workers.where}), "
                    f"which need at least {count} × {params.worker_memory_mib} MiB = "
                    f"{_mib(floor)}: the container is OOM-killed under load",
                    "limit": f"limited to {_mib(found.memory.value)} ({found.memory.raw})",
                },
                None,
                f"{key} workers {count} memory",
            )


def _sync(settings: ServerSettings) -> bool:
    kind = settings.values.get("worker_class")
    threads = settings.number("threads") or 1
    text = str(kind.value).lower() if kind is not None else "sync"
    return threads == 1 and not any(word in text for word in _CONCURRENT_WORKERS)


@detector(
    "project.server-timeouts-vs-orchestrator",
    kind=Kind.PROJECT,
    needs=(Kind.KUBERNETES, Kind.COMPOSE),
)
def server_timeouts(project: ProjectModel, params: None) -> Iterator[Hit]:
    """A gunicorn sync worker's request timeout longer than the liveness probe's failure
    window (period × failureThreshold), and a graceful-shutdown timeout (plus a ``preStop``
    sleep) longer than ``terminationGracePeriodSeconds`` or Compose's ``stop_grace_period``."""
    for target in targets(project):
        found = limits(project, target)
        settings = server_settings(project, target) if found is not None else None
        if found is None or settings is None:
            continue
        key = "/".join(target.key)
        timeout = settings.values.get("timeout")
        if (
            settings.server == "gunicorn"
            and found.liveness is not None
            and timeout is not None
            and isinstance(timeout.value, int)
            and _sync(settings)
        ):
            period, failures, line = found.liveness
            window = period * failures
            if timeout.value > window:
                yield Hit(
                    path=target.path,
                    line=line,
                    fields={
                        "target": f"{target.label} ({target.path})",
                        "problem": f"its liveness probe gives up after {window} s "
                        f"({period} s × {failures} failures), but gunicorn's sync workers let a "
                        f"request run {timeout.value} s ({timeout.where}): while slow requests "
                        f"hold every worker the probe fails and the container is restarted, "
                        f"dropping them",
                    },
                    severity=Severity.MEDIUM,
                    context=f"{key} liveness {window} timeout {timeout.value}",
                )
        graceful = settings.values.get("graceful_timeout")
        if graceful is None or not isinstance(graceful.value, int):
            continue
        default_grace = 30 if target.kind == "kubernetes" else 10
        if target.kind == "compose" and not graceful.explicit:
            continue
        grace = int(found.grace.value) if found.grace else default_grace
        pre_stop = found.pre_stop or 0
        needed = graceful.value + pre_stop
        if needed <= grace:
            continue
        setting = (
            "terminationGracePeriodSeconds" if target.kind == "kubernetes" else "stop_grace_period"
        )
        granted = f"{setting} {'is' if found.grace else 'defaults to'} {grace} s"
        sleep = f" after a {pre_stop} s preStop sleep" if pre_stop else ""
        at = found.grace
        yield Hit(
            path=target.path,
            line=at.line if at else target.line,
            column=at.column if at else target.column,
            fields={
                "target": f"{target.label} ({target.path})",
                "problem": f"{granted}, but {settings.server} waits up to {graceful.value} s "
                f"for in-flight requests on shutdown{sleep} ({graceful.where}): the container is "
                f"killed first and those requests are dropped on every deploy",
            },
            severity=Severity.MEDIUM if graceful.explicit or found.grace else Severity.LOW,
            context=f"{key} grace {grace} graceful {graceful.value}",
        )
