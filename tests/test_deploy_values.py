"""Unsafe values set by the deployment (CFG018, CFG019): which settings the code reads from the
environment and how, and what a deployment's value makes of them."""

from __future__ import annotations

import shutil
import textwrap

import pytest

from shipcheck.detectors.config.deploy_values import effect
from shipcheck.detectors.config.env_settings import EnvSetting, env_setting_facts
from shipcheck.models.artifacts import Kind
from shipcheck.parsers import parse

from conftest import FIXTURES, run_scan


def _settings(source: str, path: str = "shop/settings.py") -> dict[str, EnvSetting]:
    doc = parse(path, Kind.PYTHON, textwrap.dedent(source).encode())
    return {f.setting: f for f in env_setting_facts(doc) if f.var}


def _fixed(source: str) -> tuple[str, ...]:
    doc = parse("shop/settings.py", Kind.PYTHON, textwrap.dedent(source).encode())
    return next((f.fixed for f in env_setting_facts(doc) if not f.var), ())


def test_settings_read_from_the_environment_in_every_form():
    found = _settings(
        """
        import os
        import environ
        from decouple import Csv, config
        from flask import Flask

        env = environ.Env(TEMPLATE_DEBUG=(bool, False))
        DEBUG = env("TEMPLATE_DEBUG")
        ALLOWED_HOSTS = config("DJANGO_ALLOWED_HOSTS", cast=Csv())
        SECURE_SSL_REDIRECT = env.bool("SSL_REDIRECT", default=True)
        SESSION_COOKIE_SECURE = os.environ["COOKIE_SECURE"].lower() in ("1", "true")

        app = Flask(__name__)
        app.config["FLASK_DEBUG"] = os.getenv("WEB_DEBUG") == "1"
        app.config.update(CSRF_COOKIE_SECURE=os.environ.get("CSRF_SECURE", "1") != "0")
        """
    )
    assert {name: f.var for name, f in found.items()} == {
        "DEBUG": "TEMPLATE_DEBUG",
        "ALLOWED_HOSTS": "DJANGO_ALLOWED_HOSTS",
        "SECURE_SSL_REDIRECT": "SSL_REDIRECT",
        "SESSION_COOKIE_SECURE": "COOKIE_SECURE",
        "FLASK_DEBUG": "WEB_DEBUG",
        "CSRF_COOKIE_SECURE": "CSRF_SECURE",
    }
    assert found["DEBUG"].expr == "strtobool(__env__)"  # the reader's scheme casts it
    assert found["ALLOWED_HOSTS"].group == "hardening"
    assert found["FLASK_DEBUG"].group == "debug"
    assert found["DEBUG"].code == 'DEBUG = env("TEMPLATE_DEBUG")'


def test_pydantic_fields_app_factories_and_what_is_left_out():
    found = _settings(
        """
        import os
        from decouple import config
        from pydantic_settings import BaseSettings, SettingsConfigDict
        from flask import Flask

        class Settings(BaseSettings):
            model_config = SettingsConfigDict(env_prefix="SHOP_")
            debug: bool = False
            allowed_hosts: list[str] = []

        class DevelopmentConfig:
            SECURE_SSL_REDIRECT = os.environ.get("SSL", "0") == "1"

        def helper():
            CSRF_COOKIE_SECURE = os.environ.get("CSRF")

        SQL_DEBUG = os.environ.get("SQL_DEBUG")
        SESSION_COOKIE_SECURE = config("COOKIES", cast=parse_flag)
        """
    )
    assert set(found) == {"debug"}
    assert found["debug"].var == "SHOP_debug" and not found["debug"].exact
    factory = _settings(
        """
        import os
        from flask import Flask

        def create_app():
            app = Flask(__name__)
            app.debug = os.environ.get("APP_DEBUG") == "1"
            return app
        """,
        path="shop/app.py",
    )
    assert factory["debug"].var == "APP_DEBUG"


def test_a_module_that_sets_a_setting_itself_records_it():
    assert _fixed("DEBUG = False\nALLOWED_HOSTS = ['shop.example.com']\nTIME_ZONE = 'UTC'\n") == (
        "DEBUG",
        "ALLOWED_HOSTS",
    )


def _setting(expr: str, setting: str = "DEBUG") -> EnvSetting:
    group = "debug" if setting.endswith("DEBUG") else "hardening"
    return EnvSetting(
        path="shop/settings.py",
        line=1,
        setting=setting,
        group=group,
        var=setting,
        column=1,
        expr=expr,
        code="",
    )


@pytest.mark.parametrize(
    ("expr", "value", "unsafe"),
    [
        ("strtobool(__env__)", "1", True),
        ("strtobool(__env__)", "True", True),
        ("strtobool(__env__)", "0", False),
        ("strtobool(__env__)", "${DEBUG:-false}", False),
        ("__env__ == 'True'", "1", False),
        ("__env__ == 'True'", "True", True),
        ("__env__.lower() in ('1', 'true', 'yes')", "yes", True),
        ("__env__", "true", True),
        ("__env__", "false", False),  # a non-empty string, but not what a user means
        ("int(__env__)", "1", True),
        ("bool(int(__env__))", "0", False),
        ("unknown_helper(__env__)", "1", False),
    ],
)
def test_debug_values_are_judged_the_way_the_code_reads_them(expr, value, unsafe):
    assert (effect(_setting(expr), value) is not None) is unsafe


@pytest.mark.parametrize(
    ("setting", "expr", "value", "unsafe"),
    [
        ("ALLOWED_HOSTS", "__env__.split(',')", "*", True),
        ("ALLOWED_HOSTS", "__env__.split(',')", "shop.example.com,*", True),
        ("ALLOWED_HOSTS", "[__item.strip() for __item in __env__.split(',')]", "a.com, *", True),
        ("ALLOWED_HOSTS", "__env__.split(',')", "shop.example.com", False),
        ("SECURE_SSL_REDIRECT", "strtobool(__env__)", "False", True),
        ("SECURE_SSL_REDIRECT", "strtobool(__env__)", "off", True),
        ("SECURE_SSL_REDIRECT", "strtobool(__env__)", "true", False),
        ("SESSION_COOKIE_SECURE", "__env__.lower() == 'true'", "false", True),
        ("CSRF_COOKIE_SECURE", "__env__", "False", False),  # "False" is a true string
        ("CSRF_COOKIE_SECURE", "__env__ != '0'", "0", True),
    ],
)
def test_hardening_values_are_judged_the_way_the_code_reads_them(setting, expr, value, unsafe):
    assert (effect(_setting(expr, setting), value) is not None) is unsafe


def test_cfg005_names_the_setting_its_variable_reaches_and_cfg018_does_not_repeat_it(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(FIXTURES / "rules" / "CFG018" / "project-kubernetes", project)
    report = run_scan(project, select=["CFG005", "CFG018"])
    by_line = {(f.path, f.line): f for f in report.findings}
    cfg005 = [f for f in report.findings if f.rule_id == "CFG005"]
    assert len(cfg005) == 1
    assert "it turns on `APP_DEBUG` (shop/settings.py:9" in cfg005[0].message
    assert by_line[(cfg005[0].path, cfg005[0].line)].rule_id == "CFG005"
    cfg018 = sorted((f.path, f.line) for f in report.findings if f.rule_id == "CFG018")
    assert cfg018 == [
        ("k8s/config.yaml", 8),
        ("k8s/config.yaml", 19),
        ("k8s/kustomization.yaml", 10),
        ("k8s/reports.env", 2),
    ]


def test_a_production_settings_module_that_fixes_the_setting_is_not_reached(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(FIXTURES / "rules" / "CFG019" / "project-compose", project)
    settings = project / "shop" / "settings.py"
    base = project / "shop" / "base.py"
    settings.rename(base)
    settings.write_text('from shop.base import *\n\nALLOWED_HOSTS = ["shop.example.com"]\n')
    report = run_scan(project, select=["CFG019"])
    messages = [f.message for f in report.findings]
    assert messages and not any("ALLOWED_HOSTS" in m for m in messages)
    assert all("shop/base.py" in m for m in messages)


def test_nothing_is_reported_for_development_stacks(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(FIXTURES / "rules" / "CFG019" / "project-compose", project)
    assert run_scan(project, select=["CFG019"]).findings
    compose = project / "docker-compose.yml"
    server = "    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n    ports:"
    compose.write_text(compose.read_text().replace("    build: .\n    ports:", server, 1))
    # A Compose file that runs the development server is a development stack: none of its
    # services is judged.
    assert not run_scan(project, select=["CFG019"]).findings


def test_settings_modules_that_star_import_their_readers():
    found = _settings(
        """
        from decouple import Csv

        from shop.settings.base import *

        DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
        ALLOWED_HOSTS = config("ALLOWED_HOSTS", cast=Csv())
        """,
        path="shop/settings/production.py",
    )
    assert {name: f.var for name, f in found.items()} == {
        "DEBUG": "DJANGO_DEBUG",
        "ALLOWED_HOSTS": "ALLOWED_HOSTS",
    }
