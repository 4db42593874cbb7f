"""Thin client for the external payments provider."""

import logging

import requests
from flask import current_app

log = logging.getLogger(__name__)


class PaymentError(Exception):
    """Raised when the provider rejects or fails to process a charge."""


def _api_url(path: str) -> str:
    return current_app.config["PAYMENTS_API_URL"].rstrip("/") + path


def charge(order_id: int, amount_cents: int, currency: str = "EUR") -> str:
    """Charge the customer for an order and return the provider's charge id."""
    url = _api_url("/v1/charges")
    resp = requests.post(
        url,
        json={"reference": f"order-{order_id}", "amount": amount_cents, "currency": currency},
    )
    if resp.status_code != 201:
        raise PaymentError(f"charge failed for order {order_id}: HTTP {resp.status_code}")
    return resp.json()["id"]


def refund(charge_id: str) -> bool:
    """Ask the provider to refund a charge. Returns True if accepted."""
    url = _api_url(f"/v1/charges/{charge_id}/refund")
    resp = requests.post(url, json={"reason": "requested_by_customer"}, timeout=5)
    resp.raise_for_status()
    return resp.json().get("status") == "accepted"


def notify_webhook_received(event: dict) -> None:
    """Best-effort acknowledgement back to the provider's event API."""
    try:
        url = _api_url(f"/v1/events/{event['id']}/ack")
        requests.post(url, json={"ack": True}, timeout=5)
    except Exception:
        pass
