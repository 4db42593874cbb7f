"""Shop API service.

Use :func:`create_app` to build a configured Flask application.
"""

import logging
import os

from flask import Flask

__version__ = "1.4.2"

log = logging.getLogger(__name__)


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Application factory.

    ``config_name`` selects a class from :data:`shop.config.CONFIGS`; it
    defaults to the ``SHOP_CONFIG`` environment variable, then "default".
    ``overrides`` is applied last (handy in tests).
    """
    from . import db
    from .config import CONFIGS
    from .routes import api, health

    app = Flask(__name__)

    config_name = config_name or os.environ.get("SHOP_CONFIG", "default")
    app.config.from_object(CONFIGS[config_name]())
    if overrides:
        app.config.update(overrides)

    logging.basicConfig(level=app.config.get("LOG_LEVEL", "INFO").upper())

    db.init_app(app)
    app.register_blueprint(api)
    app.register_blueprint(health)

    log.info("shop app created with %s config", config_name)
    return app
