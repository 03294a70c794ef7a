"""``/api/connections/health``, ``/{id}/health`` and ``/{id}/drift/accept`` through the real app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from hub import Hub
from hub.api import create_app
from tests.integration.api_support import Caller, make_key, open_hub


@pytest.fixture
def hub(hub_home) -> Iterator[Hub]:
    h = open_hub()
    yield h
    h.close()


@pytest.fixture
def client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub)) as c:
        yield c


def test_health_summary_detail_and_drift_accept(client: TestClient, hub: Hub) -> None:
    acme: Caller = make_key(hub, "acme", "fe")
    globex: Caller = make_key(hub, "globex", "fe")
    conn = hub.tenant("acme").connect("shopify", {}, actor="t", mode="demo")
    hub.tenant("acme").check_connection(conn.id)
    r = client.get("/api/connections/health", headers=acme.headers)
    assert r.status_code == 200, r.text
    [view] = r.json()
    assert view["connection_id"] == conn.id and view["uptime_24h"] == 1.0 and view["drift"] is None
    r = client.get(f"/api/connections/{conn.id}/health", headers=acme.headers, params={"limit": 1})
    assert r.status_code == 200 and [c["kind"] for c in r.json()["checks"]] == ["ok"]
    assert client.get(f"/api/connections/{conn.id}/health", headers=globex.headers).status_code == 404
    assert client.get("/api/connections/health", headers=globex.headers).json() == []
    r = client.post(f"/api/connections/{conn.id}/drift/accept", headers=acme.headers)
    assert r.status_code == 422 and "no schema changes" in r.text
    assert client.get("/api/connections/health").status_code == 401
