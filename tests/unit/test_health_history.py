"""Failure kinds from the drivers' error codes, schema fingerprints and diffs, and the history on SQLite."""

from __future__ import annotations

import psycopg
import pymysql
import pytest

from hub import Hub
from hub.connectors.sql.errors import failure_kind_of_code
from hub.exceptions import ConfigError, ConnectorError
from hub.health import WHAT_TO_DO, describe_diff, diff, fingerprint, kind_of
from hub.models import CheckResult, FailureKind, Status
from hub.settings import Settings


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (psycopg.errors.InvalidPassword("x"), "auth_expired"),
        (psycopg.errors.InsufficientPrivilege("x"), "permission"),
        (psycopg.errors.InvalidCatalogName("x"), "config"),
        (psycopg.errors.QueryCanceled("x"), "timeout"),
        (psycopg.errors.AdminShutdown("x"), "network"),
        (psycopg.errors.TooManyConnections("x"), "source_error"),
        (pymysql.err.OperationalError(1045, "Access denied"), "auth_expired"),
        (pymysql.err.OperationalError(2003, "Can't connect"), "network"),
        (pymysql.err.ProgrammingError(1142, "SELECT command denied"), "permission"),
        (pymysql.err.OperationalError(1049, "Unknown database"), "config"),
    ],
)
def test_the_server_error_code_decides_the_kind(error: BaseException, kind: str) -> None:
    assert failure_kind_of_code(error) == kind


def test_kind_of_prefers_what_the_connector_says_and_falls_back_on_types() -> None:
    assert kind_of(CheckResult(ok=False, message="m", kind="permission")) is FailureKind.PERMISSION
    assert kind_of(CheckResult(ok=False, message="m")) is FailureKind.SOURCE_ERROR
    assert kind_of(ConnectorError("m", kind="network")) is FailureKind.NETWORK
    assert kind_of(ConfigError("bad field")) is FailureKind.CONFIG
    assert kind_of(TimeoutError()) is FailureKind.TIMEOUT
    assert set(WHAT_TO_DO) == set(FailureKind)  # every kind tells the user what to do


def test_schema_diff_names_added_and_removed_streams_columns_and_changed_types() -> None:
    old = {"orders": {"id": "integer", "total": "number"}, "gone": {"x": "string"}}
    new = {"orders": {"id": "string", "note": "string"}, "fresh": {"y": "string"}}
    change = diff(old, new)
    assert change == {
        "added_streams": ["fresh"],
        "removed_streams": ["gone"],
        "added_columns": {"orders": ["note"]},
        "removed_columns": {"orders": ["total"]},
        "changed_types": {"orders": {"id": ["integer", "string"]}},
    }
    assert describe_diff(change) == (
        "1 stream added, 1 stream removed, 1 column added, 1 column removed, 1 type changed"
    )
    assert fingerprint(old) == fingerprint(dict(reversed(old.items())))  # key order does not matter
    assert fingerprint(old) != fingerprint(new)


def test_demo_checks_write_history_not_audit_and_an_interrupted_retest_is_a_row(hub_home) -> None:
    with Hub.open(Settings.from_env()) as hub:
        hub.create_tenant("acme", name="Acme", business_type="ecommerce")
        acme = hub.tenant("acme")
        conn = acme.connect("shopify", {}, actor="alice", mode="demo")
        before = len(acme.audit_log())
        for _ in range(5):
            assert acme.check_connection(conn.id).kind is FailureKind.OK
        assert len(acme.audit_log()) == before
        view = acme.connection_health(conn.id)
        assert view.status is Status.CONNECTED and view.uptime_24h == 1.0 and len(view.latencies_ms) == 6
        assert [v.connection_id for v in acme.health_summary()] == [conn.id]

        def stop(event):  # a page rerun while the re-test runs
            if event.step == "discovering":
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            acme.retest(conn.id, actor="alice", on_step=stop)
        assert acme.check_history(conn.id)[0].kind is FailureKind.INTERRUPTED
        assert acme.get_connection(conn.id).status is Status.FAILED
