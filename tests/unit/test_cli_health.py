"""``python -m hub health``, ``monitor --once`` and ``drift accept`` through `main`."""

from __future__ import annotations

import json

import pytest

from hub import Hub
from hub.cli import main
from hub.settings import Settings


def test_health_monitor_once_and_drift_accept_commands(hub_home, capsys: pytest.CaptureFixture[str]) -> None:
    with Hub.open(Settings.from_env()) as hub:
        hub.create_tenant("acme", name="Acme", business_type="ecommerce")
        conn = hub.tenant("acme").connect("shopify", {}, actor="t", mode="demo")
    assert main(["monitor", "--once", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["due"] == 0  # just connected
    assert main(["health", "--tenant", "acme", "--json"]) == 0
    [view] = json.loads(capsys.readouterr().out)
    assert view["connection_id"] == conn.id and view["status"] == "connected" and view["uptime_24h"] == 1.0
    assert main(["health", "--tenant", "acme", conn.id, "--json"]) == 0
    detail = json.loads(capsys.readouterr().out)
    assert [c["kind"] for c in detail["checks"]] == ["ok"]
    assert main(["health", "--tenant", "acme", conn.id]) == 0
    assert "UPTIME 24H" in capsys.readouterr().out
    assert main(["drift", "accept", "--tenant", "acme", conn.id]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "no schema changes to accept" in err
