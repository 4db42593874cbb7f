"""--offline: the scan opens no network connection."""

from __future__ import annotations

import socket

import pytest

from conftest import REPO, run_scan


def test_offline_scan_opens_no_socket(monkeypatch):
    attempts = []

    def refuse(self, *args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled by test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, *a))
    report = run_scan(REPO / "examples" / "shop", offline=True, fail_on="never")
    assert report.findings
    assert attempts == []


@pytest.mark.parametrize("value", [True])
def test_offline_flag_reaches_config(value, tmp_path):
    from shipcheck.config import Config, apply_cli

    config = Config()
    apply_cli(config, {"offline": value})
    assert config.offline is True
