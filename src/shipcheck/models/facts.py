"""Facts: small, picklable observations a file pass hands to the project pass.

Each kind of fact is a frozen dataclass subclassing :class:`Fact`. A ``@fact_extractor``
yields instances; project rules and refiners read them with
``project.facts_of(ComposeBuild)``, which returns ``list[ComposeBuild]``, so a renamed field
is an error the type checker and the tests see rather than a rule that silently stops
firing. ``tests/test_facts.py`` fails when a fact type is consumed but produced nowhere.

A fact class lives next to the code that produces it when only its own rule family reads
it; the kinds several families share are defined here, grouped by family. Fields hold plain
values only — str, int, float, bool, None, tuples, small nested frozen dataclasses, and for
a few documented payloads plain dicts and lists — never AST or YAML nodes, because facts
cross process boundaries (``--jobs``) by pickling.

Rule packs define their own kinds the same way::

    @dataclass(frozen=True, kw_only=True)
    class AcmeQueue(Fact):
        name: str
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Fact:
    """One observation about one file, at ``line`` (1-based) of ``path``."""

    path: str
    line: int


# --- dependencies (deps rules; read by the ops and project rules too) ----------------------


@dataclass(frozen=True, kw_only=True)
class Dependency(Fact):
    """A dependency declared in a requirements file, pyproject.toml or Pipfile.

    ``name`` is PEP 503-normalised and ``display`` as written; ``source`` is the manifest
    format (``requirements`` | ``pyproject`` | ``pipfile``); ``version`` is set when the
    dependency is pinned with ``==``; ``section`` is the TOML table
    (``project.dependencies``) or ``requirements``; ``group`` the extra or group (None for
    the main list); ``dev`` a development group or file; ``direct`` installed from a URL,
    path or VCS.
    """

    name: str
    display: str
    pinned: bool
    source: str
    version: str | None
    spec: str
    extras: tuple[str, ...]
    marker: str | None
    section: str
    group: str | None
    dev: bool
    direct: bool


# --- containers (Dockerfile rules; read by the deps and project rules too) -----------------


@dataclass(frozen=True, kw_only=True)
class ComposeBuild(Fact):
    """A Compose service built from a Dockerfile, at the service's line.

    ``context`` and ``dockerfile`` are repository paths; ``command`` is the service's
    ``command`` as written (a string or an argument list) with its position.
    """

    service: str
    context: str
    dockerfile: str
    target: str | None = None  # ``build.target``: the stage the image is built to
    image: str | None
    command: str | tuple[str, ...] | None
    command_line: int | None
    command_column: int | None
    working_dir: str | None


@dataclass(frozen=True, kw_only=True)
class ImageBuild(Fact):
    """A CI job builds an image: ``docker build -f FILE --target T CONTEXT`` (also ``buildx``,
    ``podman``) or ``docker/build-push-action`` with ``context``/``file``/``target``.
    ``context`` and ``dockerfile`` are repository paths; ``job`` names the CI job."""

    context: str
    dockerfile: str
    target: str | None
    job: str


# --- Python code (Python rules; read by the deps and project rules) ------------------------


@dataclass(frozen=True, kw_only=True)
class WebApp(Fact):
    """A module creates a web application object (``Flask(__name__)``,
    ``get_wsgi_application()``...): the first one's line and ``framework``."""

    framework: str


@dataclass(frozen=True, kw_only=True)
class Framework(Fact):
    """A non-test module imports web framework ``name`` (one fact per framework)."""

    name: str


@dataclass(frozen=True, kw_only=True)
class GunicornConfig(Fact):
    """A gunicorn configuration file's ``bind``: the literal addresses, or None when the
    value is computed (``os.environ``...)."""

    binds: tuple[str, ...] | None
    column: int


@dataclass(frozen=True, kw_only=True)
class OrmModel(Fact):
    """The first concrete ORM model class of a module: ``orm`` is ``django`` or
    ``sqlalchemy``; ``app`` is the Django app folder ('' at the root, None for SQLAlchemy)."""

    orm: str
    model: str
    app: str | None = None


@dataclass(frozen=True, kw_only=True)
class MigrationTool(Fact):
    """A module imports a migration tool (``alembic`` or ``flask-migrate``)."""

    name: str


@dataclass(frozen=True, kw_only=True)
class DjangoMigrationModules(Fact):
    """Settings assign ``MIGRATION_MODULES``: migrations may live anywhere."""


@dataclass(frozen=True, kw_only=True)
class PyRoutes(Fact):
    """The routing a module declares, joined into the route table by
    ``detectors/project/routing.py``.

    ``module`` is the dotted name and ``package`` whether it is an ``__init__``; ``imports``
    maps local names to what they import. The other fields are the route scanner's plain
    payloads (see ``detectors/python/routes.py``): ``owners`` (apps, blueprints, routers:
    ``name``, ``kind``, ``framework``, ``line``, ``prefix``...), ``routes`` (``owner``,
    ``path``, ``line``), ``includes`` (``parent``, ``child``, ``prefix``, ``line``),
    ``django`` (``urlpatterns`` entries, nested through ``include``), ``settings``
    (``root_urlconf``, ``installed_apps``, ``urlpatterns_line``) and ``unresolved``
    (``line``, ``what``).
    """

    module: str
    package: bool
    imports: dict[str, str]
    owners: tuple[dict[str, Any], ...]
    routes: tuple[dict[str, Any], ...]
    includes: tuple[dict[str, Any], ...]
    django: tuple[dict[str, Any], ...]
    settings: dict[str, Any]
    unresolved: tuple[dict[str, Any], ...]
    health_imports: tuple[str, ...]


# --- Kubernetes (Kubernetes rules; read by the project consistency rules) ------------------


@dataclass(frozen=True, kw_only=True)
class ContainerPort:
    """A ``containerPort`` with its optional name and position."""

    number: int
    name: str | None
    line: int
    column: int
    end_column: int


@dataclass(frozen=True, kw_only=True)
class Probe:
    """One probe of a container: its kind (``livenessProbe``...), handler (``httpGet``,
    ``tcpSocket``, ``grpc``, ``exec``), position, and the HTTP path and port with theirs
    (positions are None when the value is absent)."""

    kind: str
    handler: str
    line: int
    column: int
    path: str | None = None
    path_line: int | None = None
    path_column: int | None = None
    port: int | str | None = None
    port_line: int | None = None
    port_column: int | None = None
    port_end_column: int | None = None
    scheme: str | None = None


@dataclass(frozen=True, kw_only=True)
class K8sRuntime(Fact):
    """How a Kubernetes container runs: image, command and args, ports, probes, effective
    user and literal environment (``env`` maps names to plain values)."""

    name: str
    workload_kind: str
    workload: str
    namespace: str | None
    image: str | None
    image_line: int
    init: bool
    sidecar: bool
    probes: tuple[str, ...]
    probe_specs: tuple[Probe, ...]
    run_as_non_root: bool | None
    run_as_user: int | None
    command: tuple[str, ...] | None
    args: tuple[str, ...] | None
    command_line: int
    ports: tuple[ContainerPort, ...]
    env: dict[str, Any]
    column: int
