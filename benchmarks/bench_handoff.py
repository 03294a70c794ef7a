"""The hand-off to Airbyte: calls and time for 3 connections against the stateful mock of Airbyte's API
(tests/airbyte_fake.py, loopback), and the re-run, which must create nothing; beside one bare HTTP
round-trip to the same mock (the baseline)."""

from __future__ import annotations

import httpx

from benchmarks._harness import Report, median_seconds, sized
from hub.handoff.client import airbyte_client
from hub.handoff.mapping import SourcePlan
from hub.handoff.ops import AirbyteOps, Schedule, StreamChoice
from hub.settings import Settings
from tests.airbyte_fake import CLIENT_ID, CLIENT_SECRET, FakeAirbyte

DEST = {"destinationType": "postgres", "host": "wh.example.com", "port": 5432, "database": "warehouse",
        "schema": "public", "username": "loader", "password": "bench"}
STREAMS = [StreamChoice("orders", ("updated_at",), (("id",),)), StreamChoice("customers")]


def _plan(i: int) -> SourcePlan:
    return SourcePlan("postgres", {
        "host": f"db{i}.example.com", "port": 5432, "database": "shop", "username": "r", "password": "p",
        "replication_method": {"method": "Standard"}, "tunnel_method": {"tunnel_method": "NO_TUNNEL"},
    })


def _hand_off(ops: AirbyteOps, ids: dict[str, object]) -> None:
    """One hand-off of 3 connections: workspace + destination once, then source, connection, first job."""
    ws, _ = ops.ensure_workspace(ids.get("ws"), "Bench")  # type: ignore[arg-type]
    dest, _ = ops.ensure_destination(ws, ids.get("dest"), "Warehouse", DEST)  # type: ignore[arg-type]
    ids.update(ws=ws, dest=dest)
    for i in range(3):
        src, _ = ops.upsert_source(ws, ids.get(f"src{i}"), f"Shop {i}", _plan(i))  # type: ignore[arg-type]
        conn, created = ops.upsert_connection(
            ids.get(f"conn{i}"), source_id=src, destination_id=dest, name=f"Shop {i}",  # type: ignore[arg-type]
            streams=STREAMS, schedule=Schedule(),
        )
        if created:
            ops.start_sync(conn)
        ids.update({f"src{i}": src, f"conn{i}": conn})


def run(report: Report) -> None:
    fake = FakeAirbyte().start()
    try:
        settings = Settings(airbyte_api_url=fake.url, airbyte_client_id=CLIENT_ID,
                            airbyte_client_secret=CLIENT_SECRET)
        with httpx.Client() as plain:
            form = {"grant_type": "client_credentials", "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET}
            token = plain.post(fake.token_url, data=form).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            ws = plain.post(f"{fake.url}/workspaces", json={"name": "b"}, headers=auth).json()["workspaceId"]
            baseline = median_seconds(
                lambda: plain.get(f"{fake.url}/workspaces/{ws}", headers=auth),
                repeat=sized(50, 3), warmup=2,
            )
        report.add("one HTTP round-trip to the mock (httpx)", baseline, note="baseline")
        repeat = sized(5, 1)
        calls: dict[str, int] = {}
        created: list[int] = []

        def first() -> None:
            ops = AirbyteOps(airbyte_client(settings))
            before = fake.created()
            _hand_off(ops, {})
            created.append(fake.created() - before)
            calls.update(ops.calls)

        secs = median_seconds(first, repeat=repeat, warmup=0)
        report.add("hand-off of 3 connections (first run)", secs, baseline="one HTTP round-trip",
                   baseline_seconds=baseline,
                   note=f"{sum(calls.values())} calls, {created[-1]} created")
        ids: dict[str, object] = {}
        _hand_off(AirbyteOps(airbyte_client(settings)), ids)
        rerun_calls: dict[str, int] = {}
        rerun_created: list[int] = []

        def rerun() -> None:
            ops = AirbyteOps(airbyte_client(settings))
            before = fake.created()
            _hand_off(ops, dict(ids))
            rerun_created.append(fake.created() - before)
            rerun_calls.update(ops.calls)

        secs = median_seconds(rerun, repeat=repeat, warmup=0)
        assert set(rerun_created) == {0}, f"a re-run created {rerun_created}"
        report.add("re-run of the same hand-off", secs, baseline="one HTTP round-trip",
                   baseline_seconds=baseline, note=f"{sum(rerun_calls.values())} calls, 0 created")
    finally:
        fake.stop()
