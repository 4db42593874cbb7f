import pytest

from shop import create_app
from shop.db import get_db, init_db


@pytest.fixture()
def app(tmp_path):
    app = create_app("testing", {"DATABASE": str(tmp_path / "test.sqlite3")})
    with app.app_context():
        init_db()
        db = get_db()
        db.executemany(
            "INSERT INTO products (name, price_cents, stock) VALUES (?, ?, ?)",
            [("mug", 1200, 10), ("t-shirt", 2500, 0)],
        )
        db.commit()
    yield app


@pytest.fixture()
def client(app):
    return app.test_client()
