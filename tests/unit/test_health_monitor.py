"""The monitor's schedule (interval, jitter, capped backoff), one cycle on SQLite, and the embedded thread."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from hub import Hub
from hub.models import AuthKind, Connection, Mode, Status
from hub.services.attempts import LeaseBatch
from hub.services.monitor import JITTER, Monitor, is_due, wait_after
from hub.settings import Settings
from hub.storage import Leases


def _conn(failures: int = 0, **meta: object) -> Connection:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return Connection(
        id="0b6f6c1e-4a8e-4d1c-9f5e-7f1a2b3c4d5e",
        tenant_id="1b6f6c1e-4a8e-4d1c-9f5e-7f1a2b3c4d5e",
        source_id="shopify",
        name="Shop",
        mode=Mode.DEMO,
        auth_kind=AuthKind.OAUTH2,
        status=Status.CONNECTED,
        metadata={"health": {"failures": failures}, **meta},
        created_by="t",
        created_at=at,
        updated_at=at,
        last_checked_at=at,
    )


def test_wait_is_the_interval_plus_jitter_then_doubles_while_failing_up_to_the_cap() -> None:
    for failures, base in ((0, 100), (1, 100), (2, 200), (3, 400), (4, 800), (9, 1000), (60, 1000)):
        wait = wait_after(_conn(failures), 100, 1000)
        assert base <= wait <= base * (1 + JITTER), (failures, wait)
    assert 30 <= wait_after(_conn(check_interval_s=30), 100, 1000) <= 33  # a connection's own interval
    conn = _conn()
    assert not is_due(conn, conn.last_checked_at + timedelta(seconds=99), 100, 1000)
    assert is_due(conn, conn.last_checked_at + timedelta(seconds=111), 100, 1000)
    assert not is_due(conn.model_copy(update={"status": Status.DISCONNECTED}), datetime.now(UTC), 1, 1)
    # handed off to Airbyte: a sign-in's health follows its Airbyte jobs (Airbyte refreshes its tokens);
    # a connection with credentials that never rotate is still checked by the hub
    later = conn.last_checked_at + timedelta(seconds=111)
    airbyte = {"airbyte": {"handed_off": True, "source_id": "src-1"}}
    signed_in = conn.model_copy(update={"metadata": {**conn.metadata, **airbyte, "oauth": {"provider": "X"}}})
    assert not is_due(signed_in, later, 100, 1000)
    assert is_due(conn.model_copy(update={"metadata": {**conn.metadata, **airbyte}}), later, 100, 1000)


def test_one_cycle_checks_what_is_due_once(hub_home) -> None:
    with Hub.open(Settings.from_env(check_interval_s=1)) as hub:
        hub.create_tenant("acme", name="Acme", business_type="ecommerce")
        acme = hub.tenant("acme")
        ids = {acme.connect(s, {}, actor="t", mode="demo").id for s in ("shopify", "stripe", "hubspot") * 10}
        monitor = Monitor(hub)
        audited = len(acme.audit_log())
        time.sleep(1.2)  # the interval (1 s) and its jitter since the last connect's check
        report = monitor.run_once()  # thirty at concurrency 8: leases taken a batch at a time
        assert sorted(report.checked) == sorted(ids) and report.failed == [] and report.skipped == 0
        assert len(acme.audit_log()) == audited  # thirty healthy checks: history rows, not one audit row
        # each checked once (the connect's row and the cycle's), every lease given back
        assert all(len(acme.check_history(i)) == 2 for i in ids) and Leases(hub.db).expired("check:") == []


def test_the_embedded_monitor_starts_once_per_hub_and_stops_with_it(hub_home) -> None:
    off = Hub.open(Settings.from_env())  # the tests' environment turns it off
    assert off.start_monitor() is False
    off.close()
    hub = Hub.open(Settings.from_env(monitor=True))
    assert hub.start_monitor() and hub.start_monitor()
    monitor = hub._monitor
    assert monitor is not None and not monitor.stop.is_set()
    hub.close()
    assert monitor.stop.is_set()


def test_a_batch_of_leases_skips_live_ones_takes_expired_ones_and_gives_back_with_the_next_take(
    hub_home,
) -> None:
    with Hub.open(Settings.from_env()) as hub:
        leases = Leases(hub.db)
        assert leases.acquire("check:a", "another-monitor", 30)
        assert leases.acquire("check:b", "a-dead-monitor", -1)  # expired already
        batch = LeaseBatch(leases, 30)
        assert batch.take(["check:a", "check:b", "check:c"]) == {"check:b", "check:c"}
        assert leases.get("check:b").holder == batch.holder  # type: ignore[union-attr]
        batch.done("check:b")
        assert leases.get("check:b") is not None  # given back with the next take, in its transaction
        assert batch.take(["check:d"]) == {"check:d"}
        assert leases.get("check:b") is None
        batch.close()  # the rest, finished or not
        assert [leases.get(n) for n in ("check:c", "check:d")] == [None, None]
        assert leases.get("check:a").holder == "another-monitor"  # type: ignore[union-attr]
