"""The hand-off's Airbyte steps (hub/handoff/ops.py): against Prism (Airbyte's contract, request validation
on, shapes only) and against the stateful fake in tests/airbyte_fake.py (create-or-update, 404 re-create,
partial failure and retry without duplicates, error answers and a timeout)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from hub.handoff.client import AirbyteAPIError, ClientOptions, airbyte_client
from hub.handoff.mapping import SourcePlan
from hub.handoff.ops import AirbyteOps, Schedule, StreamChoice
from hub.settings import Settings
from tests.airbyte_api_support import PrismServer, TokenServer
from tests.airbyte_fake import CLIENT_ID, CLIENT_SECRET, FakeAirbyte

PG_SOURCE = SourcePlan("postgres", {
    "host": "db.example.com", "port": 5432, "database": "shop", "username": "hub_reader",
    "password": "src-pw-77e1", "schemas": ["public"], "ssl_mode": {"mode": "require"},
    "replication_method": {"method": "Standard"}, "tunnel_method": {"tunnel_method": "NO_TUNNEL"},
})
PG_DEST: dict[str, Any] = {
    "destinationType": "postgres", "host": "wh.example.com", "port": 5432, "database": "warehouse",
    "schema": "public", "username": "loader", "password": "dest-pw-31c9",
}
STREAMS = [
    StreamChoice("orders", cursor_field=("updated_at",), primary_key=(("id",),)),
    StreamChoice("customers"),  # no cursor: full refresh
]
# 5 s per request: headroom on a loaded machine (the fake validates each answer against the whole spec)
FAST = ClientOptions(timeout_s=5, retry_initial_ms=10, retry_max_ms=50, retry_max_elapsed_ms=2_000)



@pytest.fixture
def fake(fake_airbyte: FakeAirbyte) -> FakeAirbyte:
    return fake_airbyte  # the conftest's mock, under a short name

def _ops(fake: FakeAirbyte, secret: str = CLIENT_SECRET, options: ClientOptions = FAST) -> AirbyteOps:
    settings = Settings(airbyte_api_url=fake.url, airbyte_client_id=CLIENT_ID, airbyte_client_secret=secret)
    return AirbyteOps(airbyte_client(settings, options=options))


def _full_run(ops: AirbyteOps, ids: dict[str, Any]) -> dict[str, Any]:
    ids["workspace"], _ = ops.ensure_workspace(ids.get("workspace"), "Acme")
    ws = ids["workspace"]
    ids["destination"], _ = ops.ensure_destination(ws, ids.get("destination"), "Warehouse", PG_DEST)
    ids["source"], _ = ops.upsert_source(ids["workspace"], ids.get("source"), "Shop DB", PG_SOURCE)
    ids["connection"], _ = ops.upsert_connection(
        ids.get("connection"), source_id=ids["source"], destination_id=ids["destination"],
        name="Shop DB -> Warehouse", streams=STREAMS, schedule=Schedule("cron", "0 0 * * * ?"),
    )
    return ids


def test_every_step_passes_airbytes_contract_on_prism(prism: PrismServer):
    """Each request is validated by Prism against the spec (``--errors``). Prism keeps no state and its
    generated ids are not UUIDs, so each step gets fixed UUIDs instead of the previous step's answer."""
    ws, src, dst, conn = (str(uuid.UUID(int=i)) for i in (1, 2, 3, 4))
    token = TokenServer(client_id="prism-ops").start()
    try:
        settings = Settings(airbyte_api_url=prism.url, airbyte_client_id=token.client_id,
                            airbyte_client_secret=token.client_secret)
        ops = AirbyteOps(airbyte_client(settings, token_url=token.url))
        created = [
            ops.ensure_workspace(None, "Acme"),
            ops.ensure_destination(ws, None, "Warehouse", PG_DEST),
            ops.upsert_source(ws, None, "Shop DB", PG_SOURCE),
            ops.upsert_connection(None, source_id=src, destination_id=dst, name="Shop DB -> Warehouse",
                                  streams=STREAMS, schedule=Schedule("cron", "0 0 * * * ?")),
        ]
        kept = [
            ops.ensure_workspace(ws, "Acme"),
            ops.ensure_destination(ws, dst, "Warehouse", PG_DEST),
            ops.upsert_source(ws, src, "Shop DB", PG_SOURCE),
            ops.upsert_connection(conn, source_id=src, destination_id=dst, name="Shop DB -> Warehouse",
                                  streams=STREAMS, schedule=Schedule()),
        ]
        job_id, status = ops.start_sync(conn)
    finally:
        token.stop()
    assert all(isinstance(i, str) and i and made for i, made in created)
    assert kept == [(ws, False), (dst, False), (src, False), (conn, False)]
    assert isinstance(job_id, int) and status in {"pending", "running", "succeeded", "failed"}
    assert ops.calls == {"create_workspace": 1, "create_destination": 1, "create_source": 1,
                         "create_connection": 1, "get_workspace": 1, "get_destination": 1,
                         "patch_source": 1, "patch_connection": 1, "create_job": 1}


def test_a_rerun_updates_and_creates_nothing(fake: FakeAirbyte):
    ops = _ops(fake)
    ids = _full_run(ops, {})
    conn = fake.store["connections"][ids["connection"]]
    modes = {s["name"]: s["syncMode"] for s in conn["configurations"]["streams"]}
    assert modes == {"orders": "incremental_deduped_history", "customers": "full_refresh_overwrite"}
    assert conn["schedule"] == {"scheduleType": "cron", "cronExpression": "0 0 * * * ?"}
    created = fake.created()
    again = _full_run(_ops(fake), dict(ids))
    assert again == ids and fake.created() == created
    assert {k: len(v) for k, v in fake.store.items()} == {
        "workspaces": 1, "sources": 1, "destinations": 1, "connections": 1, "jobs": 0}


def test_a_source_deleted_in_airbyte_is_created_again(fake: FakeAirbyte):
    ops = _ops(fake)
    ids = _full_run(ops, {})
    del fake.store["sources"][ids["source"]]
    del fake.store["connections"][ids["connection"]]
    again = _full_run(ops, dict(ids))
    assert again["source"] != ids["source"] and again["connection"] != ids["connection"]
    assert len(fake.store["sources"]) == 1 and len(fake.store["connections"]) == 1


@pytest.mark.parametrize("status, words", [
    (409, "conflicts"), (422, "refused the configuration"), (403, "may not do this"),
])
def test_a_refused_connection_keeps_the_source_and_a_retry_completes(
    fake: FakeAirbyte, status: int, words: str
):
    ops = _ops(fake)
    fake.fail[("POST", "/connections")] = [status]
    ids: dict[str, Any] = {}
    with pytest.raises(AirbyteAPIError) as caught:
        _full_run(ops, ids)
    assert caught.value.status == status and words in caught.value.message
    assert "src-pw-77e1" not in str(caught.value) and "dest-pw-31c9" not in str(caught.value)
    assert ids.get("source") and "connection" not in ids  # what exists is known to the caller
    _full_run(ops, ids)
    assert len(fake.store["sources"]) == 1 and len(fake.store["connections"]) == 1


def test_5xx_answers_are_retried_by_the_sdk(fake: FakeAirbyte):
    fake.fail[("POST", "/sources")] = [503, 502]
    ids = _full_run(_ops(fake), {})
    assert ids["source"] in fake.store["sources"] and fake.calls[("POST", "sources")] == 3


def test_5xx_that_persists_is_a_clear_transient_error(fake: FakeAirbyte):
    fake.fail[("POST", "/workspaces")] = [500] * 200
    with pytest.raises(AirbyteAPIError) as caught:
        _full_run(_ops(fake), {})
    assert caught.value.status == 500 and caught.value.transient and "after retries" in caught.value.message


def test_bad_credentials_are_a_clear_401(fake: FakeAirbyte):
    with pytest.raises(AirbyteAPIError) as caught:
        _full_run(_ops(fake, secret="wrong-secret-0000"), {})
    assert caught.value.status == 401 and "HUB_AIRBYTE_CLIENT_SECRET" in caught.value.hint
    assert "wrong-secret-0000" not in str(caught.value)


def test_a_slow_airbyte_is_a_clear_timeout(fake: FakeAirbyte):
    fake.delay_s = 1.5
    with pytest.raises(AirbyteAPIError) as caught:
        _full_run(_ops(fake, options=ClientOptions(timeout_s=1, retry_max_elapsed_ms=2_000)), {})
    assert "did not answer in time" in caught.value.message and caught.value.transient


def test_job_status_is_mapped(fake: FakeAirbyte):
    ops = _ops(fake)
    ids = _full_run(ops, {})
    job_id, status = ops.start_sync(ids["connection"])
    assert status == "pending"
    fake.store["jobs"][str(job_id)]["status"] = "succeeded"
    assert ops.job_status(job_id) == "succeeded"
