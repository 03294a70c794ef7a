"""Connection checks against a real PostgreSQL source: history rows, failure kinds, status changes only on a
change of outcome, and what a user is told to do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub import Hub
from hub.health import what_to_do
from hub.models import FailureKind, Status
from hub.settings import Settings
from tests.integration.health_support import WatchedSource


@pytest.fixture
def source() -> Iterator[WatchedSource]:
    src = WatchedSource.start()
    try:
        yield src
    finally:
        src.remove()


@pytest.fixture
def hub(hub_home) -> Iterator[Hub]:
    h = Hub.open(Settings.from_env(alert_after_failures=1))
    h.create_tenant("acme", name="Acme Outfitters", business_type="ecommerce")
    yield h
    h.close()


def _audit_actions(acme) -> list[str]:
    return [e.action for e in acme.audit_log()]


def test_healthy_checks_write_history_but_never_the_audit_log(hub, source):
    acme = hub.tenant("acme")
    conn = acme.connect("postgres", source.config(), actor="alice", mode="live")
    assert conn.status is Status.CONNECTED, conn.status_detail
    audited = _audit_actions(acme)
    for _ in range(3):
        record = acme.check_connection(conn.id)
        assert record is not None and record.kind is FailureKind.OK
        assert record.stream_count == 1 and record.schema_fingerprint and record.latency_ms is not None
    assert _audit_actions(acme) == audited  # three healthy checks: not one audit row
    history = acme.check_history(conn.id)
    assert len(history) == 4  # the connect's test wrote the first row
    assert [r.at for r in history] == sorted((r.at for r in history), reverse=True)
    after = acme.get_connection(conn.id)
    assert after.status is Status.CONNECTED and after.last_checked_at == history[0].at
    # a manual re-test lands in the same history (and is audited, as a user's action)
    acme.retest(conn.id, actor="alice")
    assert len(acme.check_history(conn.id)) == 5
    assert "connection.retest" in _audit_actions(acme)


def test_stopped_source_is_network_then_recovers_with_one_audited_change_each_way(hub, source):
    acme = hub.tenant("acme")
    conn = acme.connect("postgres", source.config(), actor="alice", mode="live")
    source.stop()
    try:
        record = acme.check_connection(conn.id)
        assert record is not None and record.kind is FailureKind.NETWORK, record
        assert "connection refused" in record.message.lower()
        failed = acme.get_connection(conn.id)
        assert failed.status is Status.FAILED  # HUB_ALERT_AFTER_FAILURES=1
        assert failed.metadata["check"]["kind"] == "network"
        changes = acme.audit_log(action="health.change")
        assert [(e.detail["from"], e.detail["to"]) for e in changes] == [
            ("connected", "testing"),
            ("testing", "failed"),
        ]
        # failing again changes nothing but the history
        acme.check_connection(conn.id)
        assert len(acme.audit_log(action="health.change")) == 2
        view = acme.connection_health(conn.id)
        assert view.last_error_kind is FailureKind.NETWORK
        assert view.what_to_do == what_to_do("network") and view.consecutive_failures == 2
    finally:
        source.start_again()
    record = acme.check_connection(conn.id)
    assert record is not None and record.kind is FailureKind.OK
    back = acme.get_connection(conn.id)
    assert back.status is Status.CONNECTED and "recovered" in back.status_detail
    changes = acme.audit_log(action="health.change")
    assert [(e.detail["from"], e.detail["to"]) for e in changes][2:] == [
        ("failed", "testing"),
        ("testing", "connected"),
    ]
    kinds = [r.kind.value for r in reversed(acme.check_history(conn.id))]
    assert kinds == ["ok", "network", "network", "ok"]
    view = acme.connection_health(conn.id)
    assert view.uptime_24h == 0.5 and view.last_error is None


def test_changed_password_is_auth_expired(hub, source):
    # auth_expired, not config: the same stored credentials worked before, and PostgreSQL answers with
    # "password authentication failed" (SQLSTATE 28P01 on the server): the secret itself is no longer valid,
    # whereas config is for settings that do not fit the source (a missing database or schema, SSL mode)
    acme = hub.tenant("acme")
    conn = acme.connect("postgres", source.config(), actor="alice", mode="live")
    source.sql("ALTER ROLE watcher PASSWORD 'rotated-elsewhere-42'")
    record = acme.check_connection(conn.id)
    assert record is not None and record.kind is FailureKind.AUTH_EXPIRED, record
    assert source.password not in record.message and "rotated-elsewhere-42" not in record.message
    assert acme.get_connection(conn.id).status is Status.FAILED
    assert acme.connection_health(conn.id).what_to_do.startswith("The stored credentials no longer work")


def test_revoked_grant_is_permission(hub, source):
    acme = hub.tenant("acme")
    conn = acme.connect("postgres", source.config(), actor="alice", mode="live")
    source.sql("REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM watcher")
    record = acme.check_connection(conn.id)
    assert record is not None and record.kind is FailureKind.PERMISSION, record
    assert "GRANT SELECT" in record.message  # the connector's own advice is kept with the row


def test_revoked_connect_privilege_is_permission(hub, source):
    acme = hub.tenant("acme")
    conn = acme.connect("postgres", source.config(), actor="alice", mode="live")
    source.sql("REVOKE CONNECT ON DATABASE shop FROM PUBLIC")
    record = acme.check_connection(conn.id)
    assert record is not None and record.kind is FailureKind.PERMISSION, record


def test_a_column_added_at_the_source_is_drift_recorded_once_then_accepted(hub, source):
    acme = hub.tenant("acme")
    conn = acme.connect("postgres", source.config(), actor="alice", mode="live")
    baseline = acme.get_connection(conn.id).metadata["schema"]["fingerprint"]
    assert acme.check_connection(conn.id).schema_fingerprint == baseline
    source.sql("ALTER TABLE orders ADD COLUMN note text")
    first = acme.check_connection(conn.id)
    assert first.kind is FailureKind.OK and first.schema_fingerprint != baseline
    view = acme.connection_health(conn.id)
    assert view.drift is not None and view.drift["summary"] == "1 column added"
    assert view.drift["diff"]["added_columns"] == {"orders": ["note"]}
    acme.check_connection(conn.id)  # the same change again: not detected (nor audited) twice
    detected = acme.audit_log(action="drift.detect")
    assert len(detected) == 1 and detected[0].detail["summary"] == "1 column added"
    assert acme.get_connection(conn.id).status is Status.CONNECTED  # drift is news, not a failure
    accepted = acme.accept_drift(conn.id, actor="alice")
    assert accepted.metadata["schema"]["fingerprint"] == first.schema_fingerprint
    assert "drift" not in accepted.metadata and acme.connection_health(conn.id).drift is None
    assert [e.actor for e in acme.audit_log(action="drift.accept")] == ["alice"]
    acme.check_connection(conn.id)
    assert acme.connection_health(conn.id).drift is None and len(acme.audit_log(action="drift.detect")) == 1
