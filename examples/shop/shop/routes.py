"""HTTP routes for the shop API."""

from flask import Blueprint, abort, jsonify, request

from . import __version__, db, payments

api = Blueprint("api", __name__, url_prefix="/api")
health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz():
    """Readiness endpoint used by the load balancer and Kubernetes."""
    return jsonify(status="ok", version=__version__)


@api.get("/products")
def products():
    """List products, or search by exact name with ``?name=``."""
    name = request.args.get("name")
    if name:
        return jsonify(db.find_products_by_name(name))
    return jsonify(db.list_products())


@api.get("/products/<int:pid>")
def product_detail(pid: int):
    product = db.get_product(pid)
    if product is None:
        abort(404, description="product not found")
    return jsonify(product)


@api.post("/orders")
def create_order():
    """Create an order and charge the customer."""
    data = request.get_json(silent=True) or {}
    try:
        product_id = int(data["product_id"])
        quantity = int(data.get("quantity", 1))
    except (KeyError, TypeError, ValueError):
        abort(400, description="product_id and quantity must be integers")
    if quantity < 1:
        abort(400, description="quantity must be at least 1")

    product = db.get_product(product_id)
    if product is None:
        abort(404, description="product not found")
    if product["stock"] < quantity:
        abort(409, description="not enough stock")

    order_id = db.create_order(product_id, quantity)
    try:
        charge_id = payments.charge(order_id, product["price_cents"] * quantity)
    except payments.PaymentError:
        db.set_order_status(order_id, "payment_failed")
        return jsonify(error="payment failed"), 402
    db.set_order_status(order_id, "paid")
    return jsonify(order_id=order_id, charge_id=charge_id, status="paid"), 201


@api.errorhandler(400)
@api.errorhandler(404)
@api.errorhandler(409)
def json_error(err):
    return jsonify(error=err.description), err.code
