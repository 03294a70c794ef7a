"""The HTTP API on the production backend: PostgreSQL as the app role (row level security), and what the
API answers when that database goes away (503, no secret, no traceback).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from hub import Hub
from hub.api import create_app
from tests.integration.api_support import make_key, stripe_key
from tests.servers import PostgresServer
from tests.storage_support import APP_PASSWORD, make_pg_database, unique_slug

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_hub(postgres: PostgresServer) -> Iterator[Hub]:
    pg = make_pg_database(postgres)
    hub = Hub.open(pg.settings())
    try:
        yield hub
    finally:
        hub.close()


def test_the_api_on_postgres_keeps_tenants_apart(pg_hub: Hub) -> None:
    a, b = unique_slug("a"), unique_slug("b")
    pg_hub.create_tenant(a, name="A", business_type="ecommerce")
    pg_hub.create_tenant(b, name="B", business_type="saas")
    ka, kb = make_key(pg_hub, a, "a-key"), make_key(pg_hub, b, "b-key")
    with TestClient(create_app(pg_hub)) as client:
        key = stripe_key()
        r = client.post(
            "/api/connections/store",
            headers=ka.headers,
            json={"source_id": "stripe", "mode": "demo", "config": {"api_key": key}},
        )
        assert r.status_code == 201, r.text
        conn_id = r.json()["id"]
        assert r.json()["status"] == "connected"
        assert client.get(f"/api/connections/{conn_id}", headers=ka.headers).status_code == 200
        assert client.get(f"/api/connections/{conn_id}", headers=kb.headers).status_code == 404
        assert client.delete(f"/api/connections/{conn_id}", headers=kb.headers).status_code == 404
        assert client.get("/api/connections", headers=kb.headers).json() == []
        preview = client.get(
            f"/api/connections/{conn_id}/streams/invoices/preview?limit=4", headers=ka.headers
        )
        assert len(preview.json()["records"]) == 4
    rows = pg_hub.tenant(a).audit_log(action="api.request")
    assert [(e.actor, e.detail["status"]) for e in rows] == [("a-key", 201), ("a-key", 200), ("a-key", 200)]
    assert pg_hub.tenant(a).verify_audit().ok


def test_storage_down_is_503_with_retry_after(pg_hub: Hub, postgres: PostgresServer) -> None:
    slug = unique_slug("down")
    pg_hub.create_tenant(slug, name="Down", business_type="saas")
    caller = make_key(pg_hub, slug, "down-key")
    with TestClient(create_app(pg_hub)) as client:
        assert client.get("/api/connections", headers=caller.headers).status_code == 200
        # the app role may no longer log in, and its open connections are cut
        postgres.psql("ALTER ROLE hub_app NOLOGIN")
        try:
            postgres.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'hub_app'")
            r = client.get("/api/connections", headers=caller.headers)
            stored = client.post(
                "/api/connections/store",
                headers=caller.headers,
                json={"source_id": "stripe", "mode": "demo", "config": {"api_key": stripe_key()}},
            )
        finally:
            postgres.psql("ALTER ROLE hub_app LOGIN")
    for resp in (r, stored):
        assert resp.status_code == 503, resp.text
        assert resp.headers["retry-after"] == "5"
        detail = resp.json()["detail"]
        assert isinstance(detail, str)
        assert "Traceback" not in detail
        assert APP_PASSWORD not in detail
        assert "hub_app" not in detail  # where the database is stays in the server log
        assert str(postgres.port) not in detail
        assert "Try again" in detail
