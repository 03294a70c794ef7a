"""A live PostgreSQL connection stored through the HTTP API (the real server from the session fixture)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.api import create_app
from tests.integration.api_support import bytes_at_rest, make_key, open_hub
from tests.integration.sql_fixtures import shop_postgres
from tests.servers import PostgresServer


@pytest.mark.postgres
def test_store_a_live_postgres_connection(postgres: PostgresServer, hub_home: Path) -> None:
    shop = shop_postgres(postgres)
    password = shop.users["reader"]
    wrong = "wrong-" + secrets.token_urlsafe(12)
    hub = open_hub()
    try:
        caller = make_key(hub, "acme", "live-sql")
        with TestClient(create_app(hub)) as client:
            r = client.post(
                "/api/connections/store",
                headers=caller.headers,
                json={"source_id": "postgres", "mode": "live", "name": "Shop DB", "config": shop.config()},
            )
            assert r.status_code == 201, r.text
            conn = r.json()
            assert conn["status"] == "connected", conn["status_detail"]
            assert conn["mode"] == "live"
            assert password not in r.text
            assert conn["metadata"]  # non-secret config is kept to show: host, database...
            assert password not in str(conn["metadata"])

            streams = client.get(f"/api/connections/{conn['id']}/streams", headers=caller.headers)
            assert streams.status_code == 200
            assert "customers" in [s["name"] for s in streams.json()]
            rows = client.get(
                f"/api/connections/{conn['id']}/streams/customers/preview",
                params={"limit": 2},
                headers=caller.headers,
            )
            assert rows.status_code == 200
            assert len(rows.json()["records"]) == 2

            bad = client.post(
                "/api/connections/store",
                headers=caller.headers,
                json={"source_id": "postgres", "mode": "live", "config": shop.config(password=wrong)},
            )
            assert bad.status_code == 201
            assert bad.json()["status"] == "failed"
            assert "password" in bad.json()["status_detail"].lower()
            assert wrong not in bad.text

            no_port = client.post(
                "/api/connections/store",
                headers=caller.headers,
                json={"source_id": "postgres", "mode": "live", "config": shop.config(port="five")},
            )
            assert no_port.status_code == 422
            assert no_port.json()["detail"][0]["loc"] == ["body", "config", "port"]
            assert password not in no_port.text
    finally:
        hub.close()
    disk = bytes_at_rest(hub_home)
    assert password.encode() not in disk
    assert wrong.encode() not in disk


@pytest.mark.postgres
def test_a_source_that_goes_away_is_502_and_a_retest_stores_failed(
    postgres: PostgresServer, hub_home: Path
) -> None:
    db = postgres.create_database()
    role, password = f"api_{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    postgres.psql(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    postgres.psql(
        f"CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'a');"
        f"GRANT SELECT ON items TO {role}",
        database=db,
    )
    config = {
        "host": postgres.host,
        "port": postgres.port,
        "database": db,
        "username": role,
        "password": password,
        "ssl_mode": {"mode": "disable"},
        "connect_timeout": 5,
    }
    hub = open_hub()
    try:
        caller = make_key(hub, "acme", "live-sql")
        with TestClient(create_app(hub)) as client:
            r = client.post(
                "/api/connections/store",
                headers=caller.headers,
                json={"source_id": "postgres", "mode": "live", "config": config},
            )
            assert r.status_code == 201, r.text
            conn_id = r.json()["id"]
            assert r.json()["status"] == "connected", r.json()["status_detail"]
            postgres.psql(f"ALTER ROLE {role} NOLOGIN")
            for path in (
                f"/api/connections/{conn_id}/streams",
                f"/api/connections/{conn_id}/streams/items/preview",
            ):
                gone = client.get(path, headers=caller.headers)
                assert gone.status_code == 502, gone.text
                assert isinstance(gone.json()["detail"], str)
                assert role in gone.json()["detail"]  # says which login failed
                assert password not in gone.text
            retest = client.post(f"/api/connections/{conn_id}/test", headers=caller.headers)
            assert retest.status_code == 200
            assert retest.json()["status"] == "failed"
            assert password not in retest.text
    finally:
        hub.close()
