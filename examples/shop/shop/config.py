"""Configuration classes for the shop API.

Select one with the ``SHOP_CONFIG`` environment variable
("development", "testing" or "production").
"""

import os


class Config:
    """Base configuration shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-secret-key")
    DATABASE = os.environ.get("DATABASE_PATH", "shop.sqlite3")
    REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
    PAYMENTS_API_URL = os.environ.get("PAYMENTS_API_URL", "https://payments.example.com")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "info")


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True


class ProductionConfig(Config):
    """Production settings: the secret key must come from the environment."""

    DEBUG = False
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PREFERRED_URL_SCHEME = "https"

    @property
    def SECRET_KEY(self) -> str:
        # No fallback: fail fast at startup if the secret is not provided.
        return os.environ["SECRET_KEY"]


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
    "default": DevelopmentConfig,
}
