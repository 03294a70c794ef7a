"""SQLite files are offered only where HUB_SQLITE_ROOT is set: in the hub, the API and its errors.

The catalogue is filtered once, when it is loaded with the hub's settings (`Catalogue.load`, which
`Hub.open` calls); the CLI's side is in ``tests/unit/test_cli_catalogue.py``, the app's in
``tests/app/test_connect_databases.py``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub import Hub
from hub.api import create_app
from hub.exceptions import NotFound
from hub.settings import Settings
from tests.integration.api_support import make_key

OFF = "SQLite files are turned off on this hub: HUB_SQLITE_ROOT is not set."


def sqlite_shop(root: Path) -> None:
    """``root/shop.db``: one table, ``orders``, with one row."""
    root.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(root / "shop.db")
    con.executescript(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL); INSERT INTO orders VALUES (1, 9);"
    )
    con.commit()
    con.close()


def _hub(**overrides: str) -> Hub:
    hub = Hub.open(Settings.from_env(**overrides))
    hub.create_tenant("acme", name="Acme Outfitters", business_type="retail")
    return hub


def test_without_a_root_the_hub_neither_lists_nor_connects_sqlite() -> None:
    with _hub() as hub:
        assert "sqlite" not in hub.catalogue
        assert {"supabase", "mariadb"} <= set(hub.catalogue.ids())
        assert "sqlite" not in [r.id for r in hub.catalogue.recommend("retail", limit=100)]
        for mode in ("live", "demo"):
            with pytest.raises(NotFound) as err:
                hub.source_spec("sqlite", mode)
            assert err.value.message == OFF and "HUB_SQLITE_ROOT" in err.value.hint
        with pytest.raises(NotFound, match="HUB_SQLITE_ROOT is not set"):
            hub.tenant("acme").connect("sqlite", {"path": "shop.db"}, actor="alice", mode="live")
        assert hub.tenant("acme").list_connections() == []  # nothing stored, nothing half-made


def test_with_a_root_sqlite_is_listed_and_connects(tmp_path: Path) -> None:
    root = tmp_path / "shared"
    sqlite_shop(root)
    with _hub(sqlite_root=str(root)) as hub:
        entry = hub.catalogue.get("sqlite")
        assert entry.airbyte_connector is None and entry.category == "Databases"
        assert list(hub.source_spec("sqlite", "live")["properties"]) == ["path"]
        conn = hub.tenant("acme").connect("sqlite", {"path": "shop.db"}, actor="alice", mode="live")
        assert conn.status.value == "connected", conn.status_detail
        assert [s.name for s in hub.tenant("acme").streams(conn.id)] == ["orders"]


def test_the_api_lists_and_specs_sqlite_only_with_a_root(tmp_path: Path) -> None:
    with _hub() as hub, TestClient(create_app(hub)) as client:
        headers = make_key(hub, "acme", "test").headers
        listed = client.get("/api/airbyte/sources", headers=headers).json()
        assert "sqlite" not in [s["id"] for s in listed]
        assert {"supabase", "mariadb"} <= {s["id"] for s in listed}
        spec = client.get("/api/airbyte/sources/sqlite/spec", params={"mode": "live"}, headers=headers)
        assert spec.status_code == 404 and OFF in spec.json()["detail"]
        stored = client.post(
            "/api/connections/store",
            json={"source_id": "sqlite", "mode": "live", "config": {"path": "shop.db"}},
            headers=headers,
        )
        assert stored.status_code == 422  # as for any source_id that names nothing on this hub
        [problem] = stored.json()["detail"]
        assert problem["loc"] == ["body", "source_id"] and OFF in problem["msg"]

    root = tmp_path / "shared"
    sqlite_shop(root)
    with _hub(sqlite_root=str(root), home=str(tmp_path / "home")) as hub, TestClient(create_app(hub)) as api:
        client = api
        headers = make_key(hub, "acme", "test").headers
        listed = client.get("/api/airbyte/sources", headers=headers).json()
        [sqlite] = [s for s in listed if s["id"] == "sqlite"]
        assert sqlite["airbyte_connector"] is None
        spec = client.get("/api/airbyte/sources/sqlite/spec", params={"mode": "live"}, headers=headers)
        assert spec.status_code == 200 and "path" in spec.json()["connection_specification"]["properties"]
