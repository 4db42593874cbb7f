"""SQLite access helpers for the shop API."""

import sqlite3

import click
from flask import Flask, current_app, g

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    price_cents INTEGER NOT NULL,
    stock       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS orders (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    quantity    INTEGER NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending',
    created_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
"""


def get_db() -> sqlite3.Connection:
    """Return the request-scoped database connection, opening it if needed."""
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db() -> None:
    get_db().executescript(SCHEMA)


@click.command("init-db")
def init_db_command() -> None:
    """Create the tables if they do not exist yet."""
    init_db()
    click.echo("Initialised the database.")


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)


def list_products() -> list[dict]:
    cursor = get_db().cursor()
    cursor.execute("SELECT id, name, price_cents, stock FROM products ORDER BY name")
    return [dict(row) for row in cursor.fetchall()]


def find_products_by_name(name: str) -> list[dict]:
    """Search the catalogue by exact product name."""
    cursor = get_db().cursor()
    cursor.execute(f"SELECT * FROM products WHERE name = '{name}'")
    return [dict(row) for row in cursor.fetchall()]


def get_product(pid: int) -> dict | None:
    cursor = get_db().cursor()
    cursor.execute("SELECT id, name, price_cents, stock FROM products WHERE id = ?", (pid,))
    row = cursor.fetchone()
    return dict(row) if row else None


def create_order(product_id: int, quantity: int) -> int:
    db = get_db()
    cursor = db.execute(
        "INSERT INTO orders (product_id, quantity) VALUES (?, ?)",
        (product_id, quantity),
    )
    db.commit()
    return cursor.lastrowid


def set_order_status(order_id: int, status: str) -> None:
    db = get_db()
    db.execute("UPDATE orders SET status = ? WHERE id = ?", (status, order_id))
    db.commit()
