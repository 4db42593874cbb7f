from unittest import mock


def test_healthz(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "ok"


def test_list_products(client):
    resp = client.get("/api/products")
    assert resp.status_code == 200
    names = [p["name"] for p in resp.get_json()]
    assert names == ["mug", "t-shirt"]


def test_product_not_found(client):
    resp = client.get("/api/products/999")
    assert resp.status_code == 404
    assert resp.get_json() == {"error": "product not found"}


def test_order_out_of_stock(client):
    resp = client.post("/api/orders", json={"product_id": 2, "quantity": 1})
    assert resp.status_code == 409


def test_order_is_charged(client):
    with mock.patch("shop.payments.charge", return_value="charge-0001") as charge:
        resp = client.post("/api/orders", json={"product_id": 1, "quantity": 2})
    assert resp.status_code == 201
    assert resp.get_json()["charge_id"] == "charge-0001"
    charge.assert_called_once_with(1, 2400)
