"""A live PostgreSQL connection handed off through the hub's state (hub/handoff/service.py) to the stateful
fake: ids land in the connection's metadata with an audit row per step, a re-run creates nothing, a refused
step is audited and a retry completes without duplicates, and no secret reaches the audit log."""

from __future__ import annotations

import json

import pytest

from hub import Hub
from hub.handoff.client import AirbyteAPIError, ClientOptions, airbyte_client
from hub.handoff.mapping import NotHandOffable, hub_may_refresh
from hub.handoff.ops import AirbyteOps
from hub.handoff.service import HandoffTarget, hand_off
from hub.settings import Settings
from tests.airbyte_fake import CLIENT_ID, CLIENT_SECRET, FakeAirbyte
from tests.integration.sql_fixtures import shop_postgres

DEST = {"destinationType": "postgres", "host": "wh.example.com", "port": 5432, "database": "warehouse",
        "schema": "public", "username": "loader", "password": "dest-pw-31c9"}



@pytest.fixture
def fake(fake_airbyte: FakeAirbyte) -> FakeAirbyte:
    return fake_airbyte  # the conftest's mock, under a short name

@pytest.fixture
def hub(hub_home, fake):
    h = Hub.open(Settings.from_env(airbyte_api_url=fake.url, airbyte_client_id=CLIENT_ID,
                                   airbyte_client_secret=CLIENT_SECRET))
    h.create_tenant("acme", name="Acme Outfitters", business_type="ecommerce")
    yield h
    h.close()


def _ops(hub: Hub) -> AirbyteOps:
    return AirbyteOps(airbyte_client(hub.settings, options=ClientOptions(retry_max_elapsed_ms=500)))


def test_hand_off_a_live_postgres_connection(hub, postgres, fake):
    shop = shop_postgres(postgres)
    acme = hub.tenant("acme")
    conn = acme.connect("postgres", shop.config(), actor="alice", mode="live", name="Shop DB")
    target = HandoffTarget(destination_config=DEST)
    first = hand_off(acme, _ops(hub), conn.id, target, actor="alice", streams=["orders", "customers"])
    stored = acme.get_connection(conn.id).metadata["airbyte"]
    assert stored["source_id"] == first.source_id and stored["connection_id"] == first.airbyte_connection_id
    assert stored["handed_off"] and not hub_may_refresh(acme.get_connection(conn.id))
    sent = fake.store["sources"][first.source_id]["configuration"]
    assert sent["sourceType"] == "postgres" and sent["password"] == shop.users["reader"]
    modes = {s["name"]: s["syncMode"] for s in fake.store["connections"][first.airbyte_connection_id]
             ["configurations"]["streams"]}
    assert modes["orders"] in {"incremental_deduped_history", "full_refresh_overwrite"}
    created = fake.created()
    again = hand_off(acme, _ops(hub), conn.id, target, actor="alice", streams=["orders", "customers"])
    assert (again.source_id, again.airbyte_connection_id, again.job_id) == (
        first.source_id, first.airbyte_connection_id, first.job_id)
    assert fake.created() == created  # the re-run created nothing (no second job either)
    actions = [e.action for e in acme.audit_log(limit=50)]
    assert {"handoff.destination", "handoff.source", "handoff.connection", "handoff.job"} <= set(actions)
    dump = json.dumps([e.model_dump(mode="json") for e in acme.audit_log(limit=50)])
    assert shop.users["reader"] not in dump and "dest-pw-31c9" not in dump


def test_a_refused_connection_is_recorded_and_a_retry_completes(hub, postgres, fake):
    acme = hub.tenant("acme")
    conn = acme.connect("postgres", shop_postgres(postgres).config(), actor="alice", mode="live")
    target = HandoffTarget(destination_config=DEST)
    fake.fail[("POST", "/connections")] = [422]
    with pytest.raises(AirbyteAPIError, match="refused the configuration"):
        hand_off(acme, _ops(hub), conn.id, target, actor="alice", streams=["orders"])
    stored = acme.get_connection(conn.id).metadata["airbyte"]
    assert stored["source_id"] and "connection_id" not in stored
    errors = [e for e in acme.audit_log(limit=50) if e.action == "handoff.connection"]
    assert errors and errors[0].outcome == "error"
    hand_off(acme, _ops(hub), conn.id, target, actor="alice", streams=["orders"])
    assert len(fake.store["sources"]) == 1 and len(fake.store["connections"]) == 1
    assert len(fake.store["destinations"]) == 1 and len(fake.store["jobs"]) == 1


def test_demo_connections_are_refused_before_any_call(hub, fake):
    acme = hub.tenant("acme")
    conn = acme.connect("shopify", {}, actor="alice", mode="demo")
    with pytest.raises(NotHandOffable, match="demo connection"):
        hand_off(acme, _ops(hub), conn.id, HandoffTarget(destination_config=DEST), actor="alice")
    assert sum(fake.calls.values()) == 0
