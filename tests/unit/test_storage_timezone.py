"""Times are timezone-aware UTC whatever the process's TZ: the same writes under UTC and New York agree.

95d3a2c's raw-driver path read a naive datetime as local time while the SQLAlchemy column type read it as
UTC (5 hours apart in New York in winter). Now a naive time means UTC everywhere.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from hub import Hub
from hub.models import AuthKind, Connection, Mode, Status
from hub.settings import Settings
from hub.storage.audit import AuditDraft
from tests.storage_support import sqlite_exec

NAIVE = datetime(2026, 1, 15, 12, 30, 0, 123456)  # winter: New York is UTC-5
AWARE_ELSEWHERE = datetime(2026, 7, 1, 9, 0, 0, 5, tzinfo=timezone(timedelta(hours=-4)))  # 13:00 UTC
NAIVE_CHECK = datetime(2026, 1, 15, 18, 0, 0)


@pytest.fixture
def in_zone() -> Iterator[Any]:
    """Switch the process's local time zone (and restore it)."""
    before = os.environ.get("TZ")

    def switch(zone: str) -> None:
        os.environ["TZ"] = zone
        time.tzset()

    try:
        yield switch
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def _new_connection(tenant_id: str, *, created_at: datetime, updated_at: datetime) -> Connection:
    return Connection(
        id=str(uuid.uuid4()),
        tenant_id=tenant_id,
        source_id="csv",
        name="CSV",
        mode=Mode.DEMO,
        auth_kind=AuthKind.FILE,
        status=Status.CONNECTING,
        created_by="t",
        created_at=created_at,
        updated_at=updated_at,
    )


def _write_and_read(home: Path) -> dict[str, Any]:
    """Store a connection with naive and foreign-zone times, update it, read everything back."""
    with Hub.open(Settings.from_env(home=home)) as hub:
        tenant = hub.create_tenant("tz", name="TZ", business_type="saas")
        store = hub.db.store(tenant.id)
        conn = _new_connection(tenant.id, created_at=NAIVE, updated_at=AWARE_ELSEWHERE)
        store.insert_connection(conn, None, AuditDraft("connection.create", actor="t"))
        updated = store.update_connection(
            conn.id,
            expect_status=Status.CONNECTING,
            changes={"status": Status.TESTING, "updated_at": NAIVE_CHECK, "last_checked_at": NAIVE_CHECK},
            audit=AuditDraft("connection.status", actor="t"),
        )
        read = store.get_connection(conn.id)
        listed = store.list_connections()[0]
        stored = sqlite_exec(
            hub, "SELECT created_at, updated_at, last_checked_at FROM tenant_airbyte_connections"
        )
        audit_at = [e.at for e in store.audit_entries()]
        verified = hub.tenant("tz").verify_audit().ok
    assert updated is not None and read is not None
    return {
        "updated": [updated.created_at, updated.updated_at, updated.last_checked_at],
        "read": [read.created_at, read.updated_at, read.last_checked_at],
        "listed": [listed.created_at, listed.updated_at, listed.last_checked_at],
        "stored": stored,
        "audit_tz": [at.tzinfo for at in audit_at],
        "verified": verified,
    }


def test_stored_and_read_times_are_the_same_under_another_tz(in_zone: Any, tmp_path: Path) -> None:
    in_zone("UTC")
    in_utc = _write_and_read(tmp_path / "utc")
    in_zone("America/New_York")
    assert time.localtime(NAIVE.timestamp()).tm_gmtoff == -5 * 3600  # the zone really is in effect
    in_new_york = _write_and_read(tmp_path / "ny")

    want = [NAIVE.replace(tzinfo=UTC), NAIVE_CHECK.replace(tzinfo=UTC), NAIVE_CHECK.replace(tzinfo=UTC)]
    for result in (in_utc, in_new_york):
        assert result["updated"] == result["read"] == result["listed"] == want
        assert all(t.utcoffset() == timedelta(0) for t in result["read"])
        assert result["stored"] == [
            ("2026-01-15 12:30:00.123456", "2026-01-15 18:00:00.000000", "2026-01-15 18:00:00.000000")
        ]
        assert result["audit_tz"] == [UTC, UTC, UTC] and result["verified"]
    assert in_utc["stored"] == in_new_york["stored"]


def test_a_time_in_another_zone_is_stored_as_its_utc_instant(in_zone: Any, hub_home: Path) -> None:
    in_zone("America/New_York")
    with Hub.open(Settings.from_env()) as hub:
        tenant = hub.create_tenant("tz2", name="TZ", business_type="saas")
        store = hub.db.store(tenant.id)
        conn = _new_connection(tenant.id, created_at=AWARE_ELSEWHERE, updated_at=AWARE_ELSEWHERE)
        store.insert_connection(conn, None, AuditDraft("connection.create", actor="t"))
        read = store.get_connection(conn.id)
        assert read is not None and read.created_at == AWARE_ELSEWHERE
        assert read.created_at.tzinfo is UTC and read.created_at.hour == 13
        assert sqlite_exec(hub, "SELECT created_at FROM tenant_airbyte_connections") == [
            ("2026-07-01 13:00:00.000005",)
        ]
