"""Route facts from application code, joined into the route table the consistency and
health-endpoint rules rely on."""

from __future__ import annotations

import textwrap

import pytest

from shipcheck.detectors.project.routing import route_table
from shipcheck.detectors.python.routes import module_name, route_facts
from shipcheck.models.artifacts import Kind
from shipcheck.parsers import parse


def table(files: dict[str, str], scope: str | None = None):
    facts = []
    for path, source in files.items():
        doc = parse(path, Kind.PYTHON, textwrap.dedent(source).encode())
        facts.extend(route_facts(doc))
    return route_table(facts, scope)


FLASK = {
    "shop/__init__.py": """
        from flask import Flask
        from .views import api, admin
        from . import ops

        def create_app():
            app = Flask(__name__, static_folder=None)
            app.register_blueprint(api, url_prefix="/api/v2")
            app.register_blueprint(admin)
            app.register_blueprint(ops.bp)
            app.add_url_rule("/", "index", lambda: "shop")
            return app
    """,
    "shop/views.py": """
        from flask import Blueprint

        api = Blueprint("api", __name__, url_prefix="/api")
        admin = Blueprint("admin", __name__, url_prefix="/admin")
        reports = Blueprint("reports", __name__, url_prefix="/reports")
        admin.register_blueprint(reports)

        @api.route("/orders/<int:order_id>", methods=["GET"])
        def order(order_id): ...

        @reports.get("/daily")
        def daily(): ...

        @api.get("/files/<path:name>")
        def files(name): ...
    """,
    "shop/ops.py": """
        from flask import Blueprint

        HEALTH = "/healthz"
        bp = Blueprint("ops", __name__)

        @bp.get(HEALTH)
        def healthz(): ...
    """,
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v2/orders/17", "served"),  # register_blueprint's prefix replaces the blueprint's
        ("/api/orders/17", "missing"),
        ("/admin/reports/daily", "served"),  # nested blueprints chain their prefixes
        ("/api/v2/files/a/b/c.txt", "served"),  # path converter spans slashes
        ("/healthz", "served"),  # module constant as the rule
        ("/healthz/", "served"),  # probes follow the trailing-slash redirect
        ("/healthz?full=1", "served"),
        ("/", "served"),
        ("/static/app.css", "missing"),  # static_folder=None
        ("/readyz", "missing"),
    ],
)
def test_flask_blueprints(path, expected):
    routes = table(FLASK)
    assert routes.complete, routes.gaps
    assert routes.lookup(path) == expected


def test_fastapi_router_prefixes_compose():
    routes = table(
        {
            "svc/main.py": """
                from fastapi import FastAPI
                from svc.routers import internal

                app = FastAPI(docs_url="/api-docs", redoc_url=None)
                app.include_router(internal.router, prefix="/v1")
            """,
            "svc/routers/internal.py": """
                from fastapi import APIRouter

                router = APIRouter(prefix="/internal")

                @router.get("/health")
                async def health(): ...

                @router.api_route("/items/{item_id}", methods=["GET"])
                async def item(item_id: int): ...

                @router.get("/files/{rest:path}")
                async def files(rest: str): ...
            """,
        }
    )
    assert routes.complete, routes.gaps
    assert routes.lookup("/v1/internal/health") == "served"
    assert routes.lookup("/internal/health") == "missing"
    assert routes.lookup("/v1/internal/items/3") == "served"
    assert routes.lookup("/v1/internal/items/3/extra") == "missing"
    assert routes.lookup("/v1/internal/files/a/b") == "served"
    assert routes.lookup("/api-docs") == "served"
    assert routes.lookup("/redoc") == "missing"
    assert routes.frameworks == ["fastapi"]


def test_starlette_routes_and_mounts():
    routes = table(
        {
            "app.py": """
                from starlette.applications import Starlette
                from starlette.routing import Mount, Route
                from starlette.staticfiles import StaticFiles

                async def ok(request): ...

                api_routes = [Route("/users/{user_id:int}", ok)]

                app = Starlette(routes=[
                    Route("/ping", ok),
                    Mount("/api", routes=api_routes),
                    Mount("/assets", app=StaticFiles(directory="assets")),
                ])
            """
        }
    )
    assert routes.complete, routes.gaps
    assert routes.lookup("/ping") == "served"
    assert routes.lookup("/api/users/4") == "served"
    assert routes.lookup("/assets/logo.png") == "unknown"  # served by StaticFiles
    assert routes.lookup("/pong") == "missing"


def test_django_urlconf_with_includes():
    routes = table(
        {
            "mysite/settings.py": 'ROOT_URLCONF = "mysite.urls"\n',
            "mysite/urls.py": """
                from django.contrib import admin
                from django.urls import include, path, re_path
                from django.conf.urls.i18n import i18n_patterns
                from . import views

                urlpatterns = [
                    path("admin/", admin.site.urls),
                    path("blog/", include("blog.urls")),
                    path("api/", include([path("status/", views.status)])),
                    re_path(r"^feeds/(?P<slug>[-\\w]+)\\.xml$", views.feed),
                ]
                urlpatterns += i18n_patterns(path("about/", views.about))
            """,
            "blog/urls.py": """
                from django.urls import path
                from . import views

                urlpatterns = [path("<slug:slug>/", views.detail)]
            """,
        }
    )
    assert routes.complete, routes.gaps
    assert routes.lookup("/blog/hello-world/") == "served"
    assert routes.lookup("/blog/hello-world") == "served"  # APPEND_SLASH redirect
    assert routes.lookup("/api/status/") == "served"
    assert routes.lookup("/feeds/news.xml") == "served"
    assert routes.lookup("/de/about/") == "served"
    assert routes.lookup("/about/") == "served"
    assert routes.lookup("/admin/login/") == "unknown"
    assert routes.lookup("/healthz") == "missing"


@pytest.mark.parametrize(
    "source",
    [
        # blueprints registered in a loop
        """
        from flask import Flask, Blueprint
        a = Blueprint("a", __name__)
        app = Flask(__name__)
        for bp in (a,):
            app.register_blueprint(bp)
        """,
        # a rule computed at run time
        """
        from flask import Flask
        app = Flask(__name__)
        PREFIX = load_prefix()

        @app.get(f"{PREFIX}/health")
        def health(): ...
        """,
        # a prefix computed at run time
        """
        from fastapi import FastAPI, APIRouter
        import os
        router = APIRouter()
        app = FastAPI()
        app.include_router(router, prefix=os.environ["PREFIX"])
        """,
        # a route on an object handed in by a caller
        """
        from flask import Flask
        app = Flask(__name__)

        def register(target):
            @target.get("/health")
            def health(): ...
        """,
    ],
)
def test_unresolved_registrations_make_the_table_incomplete(source):
    routes = table({"app.py": source})
    assert not routes.complete
    assert routes.gaps
    assert routes.lookup("/anything-at-all") == "unknown"


def test_route_adding_extensions_make_the_table_incomplete():
    routes = table(
        {
            "app.py": """
                from flask import Flask
                from flask_restx import Api, Namespace

                app = Flask(__name__)
                api = Api(app)
                ns = Namespace("todos")

                @ns.route("/todos")
                class Todos: ...
            """
        }
    )
    assert not routes.complete
    assert any("flask_restx" in gap for gap in routes.gaps)


def test_route_decorator_applied_by_hand():
    routes = table(
        {
            "app.py": """
                from flask import Flask
                app = Flask(__name__)

                def ping(): ...

                app.route("/ping")(ping)
            """
        }
    )
    assert routes.lookup("/ping") == "served"


def test_third_party_blueprint_is_an_opaque_subtree():
    routes = table(
        {
            "app.py": """
                from flask import Flask
                from flask_healthz import healthz

                app = Flask(__name__)
                app.register_blueprint(healthz, url_prefix="/healthz")

                @app.get("/orders")
                def orders(): ...
            """
        }
    )
    assert routes.complete
    assert routes.lookup("/healthz/ready") == "unknown"
    assert routes.lookup("/orders") == "served"
    assert routes.lookup("/ready") == "missing"
    assert routes.health_packages == ["flask_healthz"]


def test_scope_limits_the_table_to_one_build_context():
    files = {
        "services/api/app.py": """
            from flask import Flask
            app = Flask(__name__)

            @app.get("/api/health")
            def health(): ...
        """,
        "services/admin/app.py": """
            from flask import Flask
            app = Flask(__name__)

            @app.get("/admin/health")
            def health(): ...
        """,
    }
    assert table(files, "services/api").lookup("/admin/health") == "missing"
    assert table(files).lookup("/admin/health") == "served"


@pytest.mark.parametrize(
    ("rule", "health"),
    [
        ("/healthz", True),
        ("/-/readyz", True),
        ("/api/_health", True),
        ("/ping", True),
        ("/orders/<int:order_id>", False),
        ("/pinguins", False),
    ],
)
def test_health_routes_are_recognised(rule, health):
    source = f"""
        from flask import Flask
        app = Flask(__name__)

        @app.get("{rule}")
        def view(): ...
    """
    templates = [r.template for r in table({"app.py": source}).health_routes()]
    assert templates == ([rule] if health else [])


def test_test_modules_declare_no_routes():
    doc = parse(
        "tests/test_app.py",
        Kind.PYTHON,
        b"from flask import Flask\napp = Flask(__name__)\n@app.get('/x')\ndef x(): ...\n",
    )
    assert list(route_facts(doc)) == []


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("shop/__init__.py", "shop"),
        ("src/shop/views.py", "src.shop.views"),
        ("wsgi.py", "wsgi"),
    ],
)
def test_module_names(path, name):
    assert module_name(path) == name
