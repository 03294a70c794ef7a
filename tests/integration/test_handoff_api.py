"""``/api/handoff`` (destination, hand-off, jobs) and ``DELETE /api/connections/{id}?keep_airbyte=``
against the stateful fake: the password never answered, another tenant sees nothing, errors are clear."""

from __future__ import annotations

from fastapi.testclient import TestClient

from hub import Hub
from hub.api import create_app
from tests.airbyte_fake import FakeAirbyte
from tests.integration.api_support import make_key
from tests.integration.handoff_support import WAREHOUSE, WAREHOUSE_PW, plaintext_in_home
from tests.integration.sql_fixtures import shop_postgres


def test_api_destination_handoff_jobs_and_disconnect(
    handoff_hub: Hub, postgres, fake_airbyte: FakeAirbyte, hub_home
):
    handoff_hub.create_tenant("globex", name="Globex", business_type="saas")
    acme, globex = make_key(handoff_hub, "acme", "fe"), make_key(handoff_hub, "globex", "fe")
    svc = handoff_hub.tenant("acme")
    shop = shop_postgres(postgres)
    first = svc.connect("postgres", shop.config(), actor="alice", mode="live", name="Shop DB")
    second = svc.connect("postgres", shop.config(), actor="alice", mode="live", name="Shop copy")
    with TestClient(create_app(handoff_hub)) as client:
        r = client.post("/api/handoff", headers=acme.headers, json={})
        assert r.status_code == 422 and "No destination is set up" in r.text
        r = client.put("/api/handoff/destination", headers=acme.headers,
                       json={"configuration": {**WAREHOUSE, "host": ""}})
        assert r.status_code == 422 and "'host'" in r.text and WAREHOUSE_PW not in r.text
        r = client.put("/api/handoff/destination", headers=acme.headers, json={"configuration": WAREHOUSE})
        assert r.status_code == 200 and r.json()["destination"]["password"] == "••••••"
        assert WAREHOUSE_PW not in r.text
        r = client.get("/api/handoff/destination", headers=acme.headers)
        assert r.json()["has_destination"] and WAREHOUSE_PW not in r.text
        assert not client.get("/api/handoff/destination", headers=globex.headers).json()["has_destination"]

        body = {"connection_ids": [first.id, second.id], "streams": {first.id: ["orders"]},
                "schedule": "0 0 2 * * ?"}
        r = client.post("/api/handoff", headers=acme.headers, json=body)
        assert r.status_code == 200, r.text
        out = {o["connection_id"]: o for o in r.json()}
        assert out[first.id]["ok"] and out[second.id]["ok"] and out[first.id]["job_status"] == "pending"
        streams = fake_airbyte.store["connections"][out[first.id]["airbyte_connection_id"]]
        assert [s["name"] for s in streams["configurations"]["streams"]] == ["orders"]
        r = client.post("/api/handoff", headers=acme.headers, json={"schedule": "every hour"})
        assert r.status_code == 422 and "Quartz cron" in r.text
        r = client.post("/api/handoff", headers=globex.headers, json={"connection_ids": [first.id]})
        assert r.status_code == 422  # globex has no destination (and acme's id would be 404)

        fake_airbyte.store["jobs"][str(out[first.id]["job_id"])]["status"] = "failed"
        r = client.get("/api/handoff/jobs", headers=acme.headers)
        jobs = {j["connection_id"]: j["job_status"] for j in r.json()}
        assert jobs == {first.id: "failed", second.id: "pending"}
        assert client.get("/api/handoff/jobs", headers=globex.headers).json() == []

        fake_airbyte.fail[("DELETE", "/connections")] = [409]
        r = client.delete(f"/api/connections/{first.id}", headers=acme.headers)
        assert r.status_code == 502 and "still connected" in r.text
        assert svc.get_connection(first.id).status.value == "connected"
        r = client.delete(f"/api/connections/{first.id}", headers=acme.headers)
        assert r.status_code == 200 and r.json()["status"] == "disconnected"
        assert out[first.id]["source_id"] not in fake_airbyte.store["sources"]
        r = client.delete(f"/api/connections/{second.id}?keep_airbyte=true", headers=acme.headers)
        assert r.status_code == 200 and out[second.id]["source_id"] in fake_airbyte.store["sources"]
    assert plaintext_in_home(hub_home, WAREHOUSE_PW) == []
