"""The HTTP API over the real Airbyte connectors: a file upload and live faker, connected and previewed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub import Hub, Settings
from hub.api import DEFAULT_MAX_BODY_BYTES, create_app
from tests.airbyte_support import catalogue_with_faker, ensure_cache
from tests.integration.api_support import Caller, make_key

ORDERS = "id,amount\n" + "".join(f"{i},{i * 2.5}\n" for i in range(30))


@pytest.fixture
def hub(hub_home: Path, tmp_path: Path) -> Iterator[Hub]:
    settings = Settings(
        home=hub_home,
        connectors_dir=ensure_cache(),
        catalogue_path=catalogue_with_faker(tmp_path),
        demo_pace=0,
        upload_max_mb=0.2,  # 200,000 bytes: above the 64 KiB of the JSON routes
    )
    with Hub.open(settings) as opened:
        opened.create_tenant("acme", name="Acme", business_type="retail")
        yield opened


def _uploads(hub: Hub) -> list[Path]:
    folder = hub.tenant("acme").uploads().folder
    return sorted(folder.iterdir()) if folder.exists() else []


def test_upload_connect_preview_and_delete(hub: Hub) -> None:
    caller: Caller = make_key(hub, "acme", "files")
    with TestClient(create_app(hub)) as client:
        big_rows = ORDERS + "".join(f"{i},{i}.0\n" for i in range(30, 9000))  # ~100 kB: over 64 KiB
        assert len(big_rows) > DEFAULT_MAX_BODY_BYTES
        r = client.post(
            "/api/connections/upload",
            headers=caller.headers,
            data={"source_id": "csv", "name": "Orders"},
            files={"file": ("orders.csv", big_rows.encode(), "text/csv")},
        )
        assert r.status_code == 201, r.text
        conn = r.json()
        assert conn["status"] == "connected", conn["status_detail"]
        assert conn["metadata"]["upload"]["file_name"] == "orders.csv"
        assert r.headers["Location"] == f"/api/connections/{conn['id']}"

        rows = client.get(
            f"/api/connections/{conn['id']}/streams/orders/preview",
            params={"limit": 3},
            headers=caller.headers,
        )
        assert rows.status_code == 200, rows.text
        assert [rec["id"] for rec in rows.json()["records"]] == [0, 1, 2]

        too_big = client.post(
            "/api/connections/upload",
            headers=caller.headers,
            data={"source_id": "csv"},
            files={"file": ("huge.csv", b"a,b\n" + b"1,2\n" * 60_000, "text/csv")},  # 240 kB
        )
        assert too_big.status_code == 413
        assert "HUB_UPLOAD_MAX_MB" in too_big.json()["detail"]

        bad_kind = client.post(
            "/api/connections/upload",
            headers=caller.headers,
            data={"source_id": "csv"},
            files={"file": ("tool.exe", b"MZ", "application/octet-stream")},
        )
        assert bad_kind.status_code == 422
        assert ".csv" in bad_kind.json()["detail"][0]["msg"]

        bad_options = client.post(
            "/api/connections/upload",
            headers=caller.headers,
            data={"source_id": "csv", "reader_options": "sep=;"},
            files={"file": ("orders.csv", ORDERS.encode(), "text/csv")},
        )
        assert bad_options.status_code == 422
        assert "not a JSON object" in json.dumps(bad_options.json()["detail"])

        json_body = client.post(
            "/api/connections/store",
            headers=caller.headers,
            json={"source_id": "csv", "config": {"padding": "x" * DEFAULT_MAX_BODY_BYTES}},
        )
        assert json_body.status_code == 413  # the JSON routes keep their 64 KiB limit

        assert len(_uploads(hub)) == 1  # only the connected file is kept
        gone = client.delete(f"/api/connections/{conn['id']}", headers=caller.headers)
        assert gone.json()["status"] == "disconnected"
        assert _uploads(hub) == []


def test_live_faker_through_the_api(hub: Hub) -> None:
    caller = make_key(hub, "acme", "faker")
    with TestClient(create_app(hub)) as client:
        spec = client.get("/api/airbyte/sources/faker/spec", params={"mode": "live"}, headers=caller.headers)
        assert spec.status_code == 200 and "count" in spec.json()["connection_specification"]["properties"]
        r = client.post(
            "/api/connections/store",
            headers=caller.headers,
            json={"source_id": "faker", "mode": "live", "config": {"count": 40, "seed": 5}},
        )
        assert r.status_code == 201, r.text
        conn = r.json()
        assert conn["status"] == "connected", conn["status_detail"]
        rows = client.get(
            f"/api/connections/{conn['id']}/streams/users/preview",
            params={"limit": 7},
            headers=caller.headers,
        )
        assert rows.status_code == 200, rows.text
        body = rows.json()
        assert len(body["records"]) == 7 and body["mode"] == "live"
        assert json.dumps(body["stream"]["json_schema"])  # typed with the discovered schema
